"""Writes for dispute cases: opening, every stage transition, evidence, limitation and the sweep.

Every write to a case goes through the one runner (`core.runner`): `run_transition` for a stage
change, `run_edit` for a flag or a recomputation, `lock_for` + `record_edit` for child rows
(evidence, awarded amounts). The runner takes scope and rule from the workflow registry
(`disputes/workflow.py`), so a service called directly refuses a wrong actor exactly as the page and
the API do (404 outside the scope, 403 with the rule's reason, 400 naming the state, 409 when stale).
The law itself (dates, limitation, finality) is in `disputes/rules.py`; this module loads what the
law needs and stores what it says. `actor=None` is the system (the sweep).
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.scoping import employers_visible_to
from core import audit, batch, uploads
from core.deadlines import local_date
from core.runner import Conflict, lock_for, record_edit, run_edit, run_transition
from core.wages import minimum_wage_for
from notifications.services import notify

from . import rules
from .models import OPEN_STATES, DisputeCase, DisputeClaim, DisputeWorker, Evidence, LimitationSuspension, State
from .permissions import can_open
from .selectors import people_to_tell

# Re-exported for callers that read the law through services.
STAGE_DUE_FIELD = rules.STAGE_DUE_FIELD
WARN_DAYS = rules.WARN_DAYS
COLLECTIVE_MIN_WORKERS = rules.COLLECTIVE_MIN_WORKERS


def _today(on=None) -> dt.date:
    return local_date(on) if on else timezone.localdate()


def set_aside_open(case) -> bool:
    return rules.set_aside_open(award_final=case.award_final, applied_on=case.set_aside_applied_on,
                                lapsed_on=case.set_aside_lapsed_on)


def governing_due_field(case) -> str | None:
    return rules.governing_due_field(case.state, set_aside_open=set_aside_open(case))


def overdue_hint(case) -> str:
    return rules.overdue_hint(case.state, set_aside_open=set_aside_open(case))


def refresh_next_due(case: DisputeCase, today: dt.date | None = None) -> None:
    """In memory: the governing due date of the current stage and whether it has passed."""
    field = governing_due_field(case)
    case.next_due = getattr(case, field) if field else None
    case.is_overdue = rules.is_overdue(case.next_due, today or timezone.localdate())


# --- loading what the law needs -------------------------------------------------------------------


def suspensions_for(region) -> list[rules.Suspension]:
    codes = region.ancestor_codes()
    rows = LimitationSuspension.objects.filter(region__isnull=True) | LimitationSuspension.objects.filter(region__code__in=codes)
    return [rules.Suspension(start=s.start, end=s.end, name=s.name, source=s.source) for s in rows.order_by("start")]


def compute_limitation(*, region, known_on, claim_kinds, employment_ended_on=None, interrupted_on=None) -> rules.Limitation:
    return rules.compute_limitation(
        known_on=known_on, claim_kinds=claim_kinds, suspensions=suspensions_for(region),
        employment_ended_on=employment_ended_on, interrupted_on=interrupted_on,
    )


def _apply_limitation(case: DisputeCase, kinds) -> None:
    lim = compute_limitation(region=case.region, known_on=case.known_on, claim_kinds=kinds,
                             employment_ended_on=case.employment_ended_on, interrupted_on=case.limitation_interrupted_on)
    case.limitation_due, case.limitation_explanation = lim.due, lim.explanation


def _minimum_wage(region, on) -> rules.MinimumWage | None:
    mw = minimum_wage_for(region, on)
    if mw is None:
        return None
    return rules.MinimumWage(monthly=mw.monthly, region=str(mw.region), effective_from=mw.effective_from,
                             source=mw.source, is_sample=bool(getattr(mw, "is_sample", False)))


def award_finality(*, region, claims, on: dt.date, awarded: dict | None = None) -> tuple[bool, str]:
    """Art. 47 for these claims (rows or anything with pk, kind, amount, get_kind_display) on `on`."""
    plain = [rules.Claim(pk=c.pk, kind=str(c.kind), label=str(c.get_kind_display()), amount=c.amount) for c in claims]
    return rules.award_finality(claims=plain, on=on, region=str(region), minimum_wage=_minimum_wage(region, on),
                                awarded=awarded)


# --- notifications --------------------------------------------------------------------------------


def _notify(case: DisputeCase, *, kind: str, title: str, body: str = "", exclude=None, email: bool = False) -> None:
    recipients = [u for u in people_to_tell(case) if exclude is None or u.pk != exclude.pk]
    notify(recipients=recipients, kind=kind, title=title, body=body, url=reverse("disputes:detail", args=[case.pk]),
           obj=case, email=email)


def _stage_changed(obj, *, name, actor, body=""):
    _notify(obj, kind=f"dispute.{name}", title=f"{obj.reference} 阶段变更：{obj.get_state_display()}", body=body, exclude=actor)


# --- opening ----------------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *,
    actor,
    employer: Organisation,
    title: str,
    facts: str,
    known_on: dt.date,
    workers: list[dict],
    claims: list[dict],
    is_collective: bool = False,
    representative: str = "",
    employment_ended_on: dt.date | None = None,
    filed_on: dt.date | None = None,
    collective_contract=None,
) -> DisputeCase:
    """A new case: there is no row to lock yet, so the opening rule and the employer's scope are checked here."""
    can_open(actor).require()
    if employer.kind != Organisation.Kind.EMPLOYER or not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied("该用人单位不在您的管辖范围内。")
    filed_on = filed_on or timezone.localdate()
    workers = [w for w in workers if (w.get("name") or "").strip()]
    claims = [c for c in claims if c.get("kind")]
    errors = rules.opening_errors(is_collective=is_collective, representative=representative, workers=len(workers),
                                  claims=len(claims), known_on=known_on, employment_ended_on=employment_ended_on,
                                  filed_on=filed_on)
    if collective_contract is not None and collective_contract.employer_id != employer.pk:
        errors["collective_contract"] = "所选集体合同不属于该用人单位。"
    if errors:
        raise ValidationError(errors)
    union = Organisation.objects.filter(kind=Organisation.Kind.UNION, employer=employer).order_by("pk").first()
    case = DisputeCase(
        reference=f"tmp-{uuid.uuid4().hex[:20]}", title=title, employer=employer, region=employer.region, union=union,
        is_collective=is_collective, representative=representative.strip(), facts=facts, known_on=known_on,
        employment_ended_on=employment_ended_on, filed_on=filed_on, created_by=actor,
    )
    case.collective_contract = collective_contract
    claim_rows = [DisputeClaim(**c) for c in claims]
    _apply_limitation(case, [c.kind for c in claim_rows])
    refresh_next_due(case)
    case.full_clean(exclude=["reference"])
    case.save()
    case.reference = f"LD{filed_on:%Y}-{case.pk:05d}"
    case.save(update_fields=["reference"])
    for w in workers:
        row = DisputeWorker(case=case, **w)
        row.full_clean()
        row.save()
    for row in claim_rows:
        row.case = case
        row.full_clean()
        row.save()
    audit.record(actor=actor, action="open", obj=case, to_state=case.state,
                 data={"limitation_due": str(case.limitation_due), "workers": len(workers), "claims": len(claim_rows)})
    _notify(case, kind="dispute.opened", title=f"新劳动争议案件：{case}", exclude=actor)
    return case


# --- transitions -------------------------------------------------------------------------------------


def _run(*, case, actor, name, kwargs, expected_state=None, reason="", before_save=None):
    def after(obj):
        if before_save:
            before_save(obj)
        refresh_next_due(obj)

    return run_transition(model=DisputeCase, pk=case.pk, actor=actor, name=name, kwargs=kwargs, reason=reason,
                          expected_state=expected_state, before_save=after)


@transaction.atomic
def dispute_start_negotiation(*, case, actor, on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="start_negotiation", kwargs={"on": _today(on)}, expected_state=expected_state)
    _stage_changed(obj, name="start_negotiation", actor=actor)
    return obj


@transaction.atomic
def dispute_apply_mediation(*, case, actor, body: str, on=None, expected_state=None):
    on = _today(on)

    def interrupt(obj):
        # A request for mediation interrupts the limitation period (art. 27(2)).
        if rules.mediation_interrupts(on, obj.limitation_due):
            obj.limitation_interrupted_on = on
            _apply_limitation(obj, obj.claims.values_list("kind", flat=True))

    obj = _run(case=case, actor=actor, name="apply_mediation", expected_state=expected_state, before_save=interrupt,
               kwargs={"on": on, "body": (body or "").strip(), "due": rules.pair(rules.mediation_due(on))})
    _notify(obj, kind="dispute.apply_mediation", title=f"{obj.reference} 已申请调解，调解期限{obj.mediation_due}",
            body=obj.mediation_explanation, exclude=actor)
    return obj


@transaction.atomic
def dispute_record_mediation_agreement(*, case, actor, terms: str, on=None, performance_due=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="record_mediation_agreement", expected_state=expected_state,
               kwargs={"on": _today(on), "terms": (terms or "").strip(), "performance_due": performance_due})
    _stage_changed(obj, name="record_mediation_agreement", actor=actor)
    return obj


@transaction.atomic
def dispute_fail_mediation(*, case, actor, reason: str = "", on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="fail_mediation", kwargs={"on": _today(on)}, reason=reason,
               expected_state=expected_state)
    _stage_changed(obj, name="fail_mediation", actor=actor, body=reason)
    return obj


def _refuse(field: str, message: str) -> None:
    if message:
        raise ValidationError({field: message})


def payment_order_refusal(case, *, on, claim_kinds=None, performance_due=None) -> str:
    kinds = claim_kinds if claim_kinds is not None else case.claims.values_list("kind", flat=True)
    return rules.payment_order_refusal(claim_kinds=kinds, on=on,
                                       performance_due=performance_due or case.mediation_performance_due)


@transaction.atomic
def dispute_apply_payment_order(*, case, actor, court: str, on=None, performance_due=None, expected_state=None):
    """Art. 16: the employer has not honoured a mediation agreement on pay, work-injury medical costs,
    compensation or damages within the agreed time; the worker applies to the court for a payment order.
    Applying to the court for relief interrupts the limitation (art. 27(2)), as a mediation request does."""
    on = _today(on)
    current = lock_for(DisputeCase, case.pk, actor, action="apply_payment_order")
    performance_due = performance_due or current.mediation_performance_due
    if performance_due is None:
        raise ValidationError({"performance_due": "请填写调解协议约定的履行期限：用人单位在约定期限内不履行的，劳动者才可以申请支付令（第16条）。"})
    kinds = list(current.claims.values_list("kind", flat=True))
    _refuse("on", payment_order_refusal(current, on=on, claim_kinds=kinds, performance_due=performance_due))

    def interrupt(obj):
        if rules.mediation_interrupts(on, obj.limitation_due):
            obj.limitation_interrupted_on = on
            _apply_limitation(obj, kinds)

    obj = _run(case=case, actor=actor, name="apply_payment_order", expected_state=expected_state, before_save=interrupt,
               kwargs={"on": on, "court": (court or "").strip(), "performance_due": performance_due})
    _stage_changed(obj, name="apply_payment_order", actor=actor)
    return obj


@transaction.atomic
def dispute_apply_arbitration(*, case, actor, commission: str, on=None, expected_state=None):
    on = _today(on)
    before = {}

    def remember(obj):
        before["limitation_due"] = obj.limitation_due

    obj = _run(case=case, actor=actor, name="apply_arbitration", expected_state=expected_state, before_save=remember,
               kwargs={"on": on, "commission": (commission or "").strip(), "due": rules.pair(rules.acceptance_due(on))})
    _stage_changed(obj, name="apply_arbitration", actor=actor,
                   body=rules.late_arbitration_warning(on, before.get("limitation_due")))
    return obj


@transaction.atomic
def dispute_accept(*, case, actor, on=None, expected_state=None):
    on = _today(on)
    obj = _run(case=case, actor=actor, name="accept", expected_state=expected_state,
               kwargs={"on": on, "due": rules.pair(rules.award_due(on))})
    _stage_changed(obj, name="accept", actor=actor)
    return obj


@transaction.atomic
def dispute_refuse_acceptance(*, case, actor, reason: str, on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="refuse_acceptance", reason=reason, expected_state=expected_state,
               kwargs={"on": _today(on), "reason": (reason or "").strip()})
    _stage_changed(obj, name="refuse_acceptance", actor=actor, body=reason)
    return obj


@transaction.atomic
def dispute_start_hearing(*, case, actor, on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="start_hearing", kwargs={"on": _today(on)}, expected_state=expected_state)
    _stage_changed(obj, name="start_hearing", actor=actor)
    return obj


@transaction.atomic
def dispute_extend_award(*, case, actor, reason: str, expected_state=None):
    # The extension runs from the award due date of the locked row (art. 43), computed inside the transition.
    obj = _run(case=case, actor=actor, name="extend_award", reason=reason, expected_state=expected_state,
               kwargs={"reason": (reason or "").strip(), "due": lambda current: rules.pair(rules.award_extension_due(current))})
    _stage_changed(obj, name="extend_award", actor=actor, body=reason)
    return obj


@transaction.atomic
def dispute_issue_award(*, case, actor, received_on=None, amount=None, awarded: dict | None = None, expected_state=None):
    received_on = _today(received_on)
    # Lock (scope 404, rule 403, state 400) before reading the claims the finality depends on.
    current = lock_for(DisputeCase, case.pk, actor, action="issue_award")
    claims = list(current.claims.all())
    awarded = {int(k): Decimal(v) for k, v in (awarded or {}).items() if v not in (None, "")}
    unknown = set(awarded) - {c.pk for c in claims}
    if unknown:
        raise ValidationError({"awarded": f"请求编号{sorted(unknown)}不属于本案。"})
    final, reason = award_finality(region=current.region, claims=claims, on=received_on, awarded=awarded)
    if amount is None and awarded:
        amount = sum(awarded.values(), Decimal(0))
    obj = _run(case=case, actor=actor, name="issue_award", expected_state=expected_state,
               kwargs={"received_on": received_on, "amount": amount, "final": final, "finality_reason": reason,
                       "due": rules.pair(rules.appeal_due(received_on)),
                       "set_aside_due": rules.pair(rules.set_aside_due(received_on)) if final else None})
    changed = [c for c in claims if c.pk in awarded]
    for c in changed:
        c.awarded_amount = awarded[c.pk]
    DisputeClaim.objects.bulk_update(changed, ["awarded_amount"])
    _stage_changed(obj, name="issue_award", actor=actor, body=reason)
    return obj


def suit_refusal(case, *, by: str, on: dt.date) -> str:
    return rules.suit_refusal(by=by, state=case.state, award_final=case.award_final, on=on,
                              acceptance_due=case.acceptance_due, award_due=case.award_due, appeal_due=case.appeal_due,
                              set_aside_suit_due=case.set_aside_suit_due)


@transaction.atomic
def dispute_file_suit(*, case, actor, court: str, by: str, on=None, expected_state=None):
    on = _today(on)
    current = lock_for(DisputeCase, case.pk, actor, action="file_suit")
    refusal = suit_refusal(current, by=by, on=on)
    if refusal:
        # The date is the reason when the worker would be refused the same (arts. 29, 43, 48, 49(2), 50);
        # otherwise it is who sues (arts. 29, 49).
        raise ValidationError({"on" if refusal == suit_refusal(current, by="worker", on=on) else "by": refusal})
    obj = _run(case=case, actor=actor, name="file_suit", expected_state=expected_state,
               kwargs={"on": on, "court": (court or "").strip(), "by": by})
    _stage_changed(obj, name="file_suit", actor=actor)
    return obj


# --- setting a final award aside (art. 49) ------------------------------------------------------------


def set_aside_refusal(case, *, on: dt.date) -> str:
    return rules.set_aside_refusal(award_final=case.award_final, on=on, set_aside_due=case.set_aside_due)


@transaction.atomic
def dispute_apply_set_aside(*, case, actor, court: str, on=None, expected_state=None):
    """The employer applied to the intermediate court to set the final award aside (within 30 days of receipt)."""
    on = _today(on)
    current = lock_for(DisputeCase, case.pk, actor, action="apply_set_aside")
    _refuse("on", set_aside_refusal(current, on=on))
    obj = _run(case=case, actor=actor, name="apply_set_aside", expected_state=expected_state,
               kwargs={"on": on, "court": (court or "").strip()})
    _stage_changed(obj, name="apply_set_aside", actor=actor)
    return obj


@transaction.atomic
def dispute_set_aside_award(*, case, actor, on=None, expected_state=None):
    """The court set the award aside; `on` is the day the ruling was received: 15 days to sue (art. 49 para. 2)."""
    on = _today(on)
    obj = _run(case=case, actor=actor, name="set_aside_award", expected_state=expected_state,
               kwargs={"on": on, "due": rules.pair(rules.suit_after_set_aside_due(on))})
    _stage_changed(obj, name="set_aside_award", actor=actor, body=obj.set_aside_suit_explanation)
    return obj


@transaction.atomic
def dispute_dismiss_set_aside(*, case, actor, on=None, expected_state=None):
    """The court dismissed the application: the final award stays in force."""
    obj = _run(case=case, actor=actor, name="dismiss_set_aside", kwargs={"on": _today(on)}, expected_state=expected_state)
    _stage_changed(obj, name="dismiss_set_aside", actor=actor)
    return obj


@transaction.atomic
def dispute_withdraw_set_aside(*, case, actor, on=None, reason: str = "", expected_state=None):
    """The employer withdrew its application: the final award stays in force."""
    obj = _run(case=case, actor=actor, name="withdraw_set_aside", kwargs={"on": _today(on)}, reason=reason,
               expected_state=expected_state)
    _stage_changed(obj, name="withdraw_set_aside", actor=actor, body=reason)
    return obj


def law_refusal(case, action: str, *, on: dt.date, claim_kinds=None) -> str:
    """Why the law does not open `action` on `on` for this case ("" when it does, or when it has no such rule).
    A suit is judged as the worker's (the employer's own refusals depend on who sues and are given on submit)."""
    if action == "file_suit":
        return suit_refusal(case, by="worker", on=on)
    if action == "apply_set_aside":
        return set_aside_refusal(case, on=on)
    if action == "apply_payment_order":
        return payment_order_refusal(case, on=on, claim_kinds=claim_kinds)
    return ""


@transaction.atomic
def dispute_close(*, case, actor, outcome: str, amount_recovered=None, note: str = "", on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="close", expected_state=expected_state, reason=note,
               kwargs={"on": _today(on), "outcome": outcome, "amount_recovered": amount_recovered, "note": note})
    _stage_changed(obj, name="close", actor=actor, body=note)
    return obj


@transaction.atomic
def dispute_withdraw(*, case, actor, reason: str, on=None, expected_state=None):
    obj = _run(case=case, actor=actor, name="withdraw", reason=reason, expected_state=expected_state,
               kwargs={"on": _today(on), "reason": (reason or "").strip()})
    _stage_changed(obj, name="withdraw", actor=actor, body=reason)
    return obj


# --- limitation recomputation -----------------------------------------------------------------------


def _recompute(obj) -> dict:
    before = obj.limitation_due
    _apply_limitation(obj, obj.claims.values_list("kind", flat=True))
    refresh_next_due(obj)
    return {"before": str(before), "after": str(obj.limitation_due)}


LIMITATION_FIELDS = ["limitation_due", "limitation_explanation", "next_due", "is_overdue"]


def limitation_recompute(*, case: DisputeCase, actor=None) -> DisputeCase:
    """After an administrator enters or corrects a suspension: locked, audited, only the limitation fields."""
    return run_edit(model=DisputeCase, pk=case.pk, actor=actor, action="limitation_recompute", change=_recompute,
                    update_fields=LIMITATION_FIELDS)


def limitation_recompute_open() -> int:
    """Every open case, as the system; only those whose date or reasoning changes are written (and audited)."""
    n = 0
    for case in DisputeCase.objects.filter(state__in=OPEN_STATES).select_related("region").prefetch_related("claims"):
        n += 1
        lim = compute_limitation(region=case.region, known_on=case.known_on,
                                 claim_kinds=[c.kind for c in case.claims.all()],
                                 employment_ended_on=case.employment_ended_on, interrupted_on=case.limitation_interrupted_on)
        if (lim.due, lim.explanation) != (case.limitation_due, case.limitation_explanation):
            limitation_recompute(case=case)
    return n


# --- evidence ---------------------------------------------------------------------------------------

EVIDENCE_TYPES_REFUSED = "只接受 PDF、JPEG、PNG 或 DOCX 文件；系统按文件内容识别类型，该文件的实际内容不是这几种格式。"


@transaction.atomic
def evidence_add(*, case, actor, upload, title: str = "") -> Evidence:
    """A file for the case: locked and checked by the runner (scope 404, `can_upload` 403), accepted by
    the one upload pipeline (type from the bytes, size, hash, random name), audited on the case."""
    case = lock_for(DisputeCase, case.pk, actor, action="evidence_add")
    try:
        accepted = uploads.accept(upload)
    except ValidationError:
        if uploads.sniff_type(upload) not in uploads.ALLOWED_TYPES:
            raise ValidationError({"file": EVIDENCE_TYPES_REFUSED}) from None
        raise
    side = Evidence.Side.EMPLOYER if actor.role == Role.EMPLOYER_REP else Evidence.Side.WORKER
    ev = Evidence(
        case=case, title=(title or accepted.original_name)[:200], stage=case.state, side=side,
        original_name=accepted.original_name, content_type=accepted.content_type, size=accepted.size,
        sha256=accepted.sha256, uploaded_by=actor,
    )
    ev.file.save(accepted.stored_name, upload, save=False)
    stored = ev.file.name
    try:  # anything failing below rolls the row back; take the file with it
        ev.full_clean()
        ev.save()
        record_edit(case, actor=actor, action="evidence_add",
                    data={"evidence": ev.pk, "sha256": ev.sha256, "type": ev.content_type})
        _notify(case, kind="dispute.evidence", title=f"{case.reference} 新增材料：{ev.title}", exclude=actor)
    except Exception:
        ev.file.storage.delete(stored)
        raise
    return ev


def evidence_download(ev: Evidence):
    return uploads.download(ev.file, filename=ev.original_name, content_type=ev.content_type)


# --- sweep ------------------------------------------------------------------------------------------
#
# One set-based pass per rule (issue 14): one query finds every row the rule has made due (indexed columns:
# state with mediation_due / appeal_due / set_aside_due / next_due, is_overdue), then each row goes through
# the runner as the system (locked, re-checked, validated, audited, published), `batch.BATCH` rows per
# transaction; the notifications of a batch are one INSERT (`notify_many`), their recipients loaded once per
# region (union staff above it) and once per batch (the employers' representatives). A row another process
# changed in between is skipped (its savepoint rolled back), the rest of its batch goes on.


class _Skip(Exception):
    """The row no longer needs this change (another process got there first): roll back, write nothing."""


def _system_transition(pk, *, name, state, on, reason) -> DisputeCase | None:
    try:
        return _run(case=DisputeCase(pk=pk), actor=None, name=name, kwargs={"on": on}, expected_state=state,
                    reason=reason)
    except (Conflict, ValidationError):
        return None


def _system_edit(pk, *, action, change, fields, reason="") -> DisputeCase | None:
    try:
        return run_edit(model=DisputeCase, pk=pk, actor=None, action=action, change=change, update_fields=fields,
                        reason=reason)
    except (_Skip, Conflict, ValidationError):
        return None


class _People:
    """`people_to_tell` for many cases: union staff per region (cached for the sweep), employers'
    representatives per batch."""

    def __init__(self):
        self.staff: dict[int, list] = {}
        self.reps: dict[int, list] = {}

    def load(self, cases) -> None:
        from accounts.models import Region, User
        from accounts.scoping import staff_covering

        for region in Region.objects.filter(pk__in={c.region_id for c in cases} - self.staff.keys()):
            self.staff[region.pk] = list(staff_covering(region))
        missing = {c.employer_id for c in cases} - self.reps.keys()
        if missing:
            self.reps.update({pk: [] for pk in missing})
            for u in User.objects.filter(is_active=True, role=Role.EMPLOYER_REP, organisation_id__in=missing):
                self.reps[u.organisation_id].append(u)

    def of(self, case) -> list:
        return self.staff.get(case.region_id, []) + self.reps.get(case.employer_id, [])


def _pass(pks, write, people: _People, message=None) -> int:
    """`write(pk)` for each pk (the saved row, or None: nothing to do) in batches (core.batch.in_batches),
    then one `notify_many` per batch for the rows changed: `message(obj)` gives (kind, title, body, email)."""
    from notifications.bulk import Message, notify_many

    def tell(changed):
        if message is None:
            return
        people.load(changed)
        head, _sep, tail = reverse("disputes:detail", args=[987654321]).partition("987654321")  # once a batch
        msgs = []
        for obj in changed:
            kind, title, body, email = message(obj)
            msgs.append(Message(recipients=people.of(obj), kind=kind, title=title, body=body, email=email,
                                url=f"{head}{obj.pk}{tail}", obj=obj))
        notify_many(msgs)

    return batch.in_batches(pks, write, tell, lock=DisputeCase)


def sweep(now) -> dict:
    """Time-driven changes, idempotent, as the system, each through the runner (locked, audited, published):
    mediation period over → mediation failed; appeal window over → award effective (art. 50; a final award:
    the worker's 15 days of art. 48 are over); a final award's 30 days to apply to set it aside over → recorded,
    its clock stops (art. 49); overdue flags set and cleared; one warning per approaching due date. One query
    finds each set; the rows change in batches (see above), the passes in this order."""
    return batch.in_one_loop(_sweep, local_date(now))


def _sweep(today: dt.date) -> dict:
    people = _People()
    counts = {}

    def stage_changed(name, reason_of):
        return lambda obj: (f"dispute.{name}", f"{obj.reference} 阶段变更：{obj.get_state_display()}", reason_of(obj), False)

    lapsed = list(DisputeCase.objects.filter(state=State.MEDIATION, mediation_due__lt=today)
                  .order_by("pk").values_list("pk", flat=True))
    counts["mediation_failed"] = _pass(
        lapsed, lambda pk: _system_transition(pk, name="fail_mediation", state=State.MEDIATION, on=today,
                                              reason=rules.MEDIATION_LAPSED),
        people, stage_changed("fail_mediation", lambda obj: rules.MEDIATION_LAPSED))

    final = dict(DisputeCase.objects.filter(state=State.AWARDED, appeal_due__lt=today)
                 .order_by("pk").values_list("pk", "award_final"))

    def appeal_lapsed(pk):
        return rules.FINAL_APPEAL_LAPSED if final[pk] else rules.APPEAL_LAPSED

    counts["award_effective"] = _pass(
        list(final), lambda pk: _system_transition(pk, name="make_effective", state=State.AWARDED, on=today,
                                                   reason=appeal_lapsed(pk)),
        people, stage_changed("make_effective", lambda obj: appeal_lapsed(obj.pk)))

    # A final award's 30 days to apply to set it aside have passed (art. 49): recorded, and the clock stops.
    def lapse(obj):
        if obj.state != State.EFFECTIVE or not set_aside_open(obj) or not (obj.set_aside_due and obj.set_aside_due < today):
            raise _Skip
        obj.set_aside_lapsed_on = today
        refresh_next_due(obj, today)
        return {"set_aside_due": str(obj.set_aside_due)}

    window_over = DisputeCase.objects.filter(state=State.EFFECTIVE, award_final=True, set_aside_applied_on__isnull=True,
                                             set_aside_lapsed_on__isnull=True, set_aside_due__lt=today)
    counts["set_aside_lapsed"] = _pass(
        list(window_over.order_by("pk").values_list("pk", flat=True)),
        lambda pk: _system_edit(pk, action="set_aside_lapse", change=lapse, reason=rules.SET_ASIDE_LAPSED,
                                fields=["set_aside_lapsed_on", "next_due", "is_overdue"]),
        people, lambda obj: ("dispute.set_aside_lapse", f"{obj.reference} 撤销裁决申请期限已于{obj.set_aside_due}届满",
                             rules.SET_ASIDE_LAPSED, False))

    def flag(obj):
        if obj.is_overdue or obj.state not in OPEN_STATES or not rules.is_overdue(obj.next_due, today):
            raise _Skip
        obj.is_overdue = True
        return {"next_due": str(obj.next_due)}

    due = DisputeCase.objects.filter(state__in=OPEN_STATES, next_due__lt=today, is_overdue=False)
    counts["overdue"] = _pass(
        list(due.order_by("pk").values_list("pk", flat=True)),
        lambda pk: _system_edit(pk, action="flag_overdue", change=flag, fields=["is_overdue"]),
        people, lambda obj: ("dispute.overdue", f"{obj.reference} 已逾期：{obj.get_state_display()}期限{obj.next_due}",
                             overdue_hint(obj), True))

    def clear(obj):
        if not obj.is_overdue or (obj.state in OPEN_STATES and rules.is_overdue(obj.next_due, today)):
            raise _Skip
        obj.is_overdue = False
        return {"next_due": str(obj.next_due) if obj.next_due else ""}

    stale = DisputeCase.objects.filter(is_overdue=True).exclude(state__in=OPEN_STATES, next_due__lt=today)
    _pass(list(stale.order_by("pk").values_list("pk", flat=True)),
          lambda pk: _system_edit(pk, action="clear_overdue", change=clear, fields=["is_overdue"]), people)

    def warn(obj):
        key = rules.warning_key(obj.state, obj.next_due, today, set_aside_open=set_aside_open(obj))
        if obj.state not in OPEN_STATES or key is None or obj.last_warning_key == key:
            raise _Skip
        obj.last_warning_key = key
        return {"key": key}

    horizon = today + dt.timedelta(days=rules.max_warn_lead())
    soon = DisputeCase.objects.filter(state__in=OPEN_STATES, next_due__gte=today, next_due__lte=horizon)
    rows = soon.order_by("pk").values_list("pk", "state", "next_due", "last_warning_key", "award_final",
                                           "set_aside_applied_on", "set_aside_lapsed_on")
    owed = []
    for pk, state, next_due, last, is_final, applied_on, lapsed_on in rows:
        open_window = rules.set_aside_open(award_final=is_final, applied_on=applied_on, lapsed_on=lapsed_on)
        key = rules.warning_key(state, next_due, today, set_aside_open=open_window)
        if key is not None and key != last:
            owed.append(pk)

    def warning(obj):
        label = DisputeCase._meta.get_field(governing_due_field(obj)).verbose_name
        return ("dispute.due_soon", f"{obj.reference} {label}将于{obj.next_due}届满（剩{(obj.next_due - today).days}天）",
                "", True)

    counts["warned"] = _pass(owed, lambda pk: _system_edit(pk, action="warn_due", change=warn, fields=["last_warning_key"]),
                             people, warning)
    return counts
