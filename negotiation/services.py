"""Writes for collective negotiation. Keyword-only, atomic. Every write goes through `core.runner`:
state changes with `run_transition`, field edits with `run_edit`, child rows (terms, rounds, links,
comments) with `lock_for` + `record_edit`. The order is always lock → scope (404) → expected
state/version (409) → the rule (403, with its reason) → possible in this state (400) → write →
audit → publish. Which rule guards which action is declared once in `negotiation/workflow.py`;
services never pass a queryset or a permission function for registry actions."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from core import audit, realtime
from core.deadlines import compute_due
from core.runner import Conflict, lock_for, record_edit, run_edit, run_transition, seen, store
from core.wages import minimum_wage_for
from notifications.services import notify

from . import permissions as perms
from . import rules
from .models import (
    Comment,
    CommentLink,
    CongressVote,
    Negotiation,
    PublishedDraft,
    Representative,
    Round,
    StandbyAllowanceRate,
    State,
    Term,
    TermKind,
    TermVersion,
)

TOKEN_BYTES = 32  # 256 bits, URL-safe base64: 43 characters
EDITABLE_STATES = (State.DRAFT, State.PROPOSED, State.ACCEPTED, State.IN_ROUNDS, State.SUSPENDED)


def group(negotiation_or_pk) -> str:
    pk = getattr(negotiation_or_pk, "pk", negotiation_or_pk)
    return realtime.group_for("negotiation", pk)


def _url(negotiation) -> str:
    return reverse("negotiation:detail", args=[negotiation.pk])


def union_negotiators(negotiation):
    return User.objects.filter(organisation_id=negotiation.union_id, role=Role.UNION_NEGOTIATOR, is_active=True)


def employer_reps(negotiation):
    return User.objects.filter(organisation_id=negotiation.employer_id, role=Role.EMPLOYER_REP, is_active=True)


def both_sides(negotiation):
    return list(union_negotiators(negotiation)) + list(employer_reps(negotiation))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- wage floors ------------------------------------------------------------------------------
def standby_share_for(region, on: dt.date) -> StandbyAllowanceRate | None:
    from core.wages import in_force_for

    return in_force_for(StandbyAllowanceRate, region, on)


def wage_context(region, on: dt.date | None = None) -> rules.WageContext:
    on = on or timezone.localdate()
    mw = minimum_wage_for(region, on)
    rate = standby_share_for(region, on)
    return rules.WageContext(
        minimum_monthly=mw.monthly if mw else None,
        minimum_source=(mw.source if mw else ""),
        minimum_is_sample=bool(mw and mw.is_sample),
        standby_share=rate.share if rate else None,
        standby_source=rate.source if rate else "",
    )


def _term_date(data) -> dt.date:
    for key in ("start", "original_date"):
        try:
            return dt.date.fromisoformat(str(data.get(key)))
        except (ValueError, TypeError):
            continue
    return timezone.localdate()


# --- plumbing ---------------------------------------------------------------------------------
def _hold(negotiation, actor, *, action: str | None = None, rule=None, expected_state=None, expected_version=None) -> Negotiation:
    """Lock the negotiation for a service that writes child rows or decides before a transition, in
    the runner's order: lock and scope (404) → expected state/version (409) → the registry action's
    rule and availability, or `rule(actor, obj)` for an edit outside the registry (403 with the
    reason; 400 when not possible in this state). Call inside the service's transaction."""
    pk = getattr(negotiation, "pk", negotiation)
    neg = lock_for(Negotiation, pk, actor)
    if expected_state not in (None, "") and neg.state != expected_state:
        raise Conflict(_("该记录的状态已由“%(a)s”变为“%(b)s”，请刷新页面后重试。")
                       % {"a": State(expected_state).label, "b": neg.get_state_display()})
    if expected_version not in (None, "") and neg.version != int(expected_version):
        raise Conflict(_("该记录已被他人更新（版本 %(a)s → %(b)s），请刷新页面后重试。") % {"a": expected_version, "b": neg.version})
    if action is not None:
        neg = lock_for(Negotiation, pk, actor, action=action)
    elif rule is not None and actor is not None:
        rule(actor, neg).require()
    return neg


def _run(negotiation, actor, name, *, expected_state=None, **kw) -> Negotiation:
    """A transition of the registry; the stale-page check defaults to the state the caller holds."""
    if expected_state in (None, ""):
        expected_state = getattr(negotiation, "state", None)
    return run_transition(model=Negotiation, pk=negotiation.pk, actor=actor, name=name, expected_state=expected_state, **kw)


def simple(name: str, *, kwargs=None, after=None):
    """The generic service of an action that is one transition without input: `kwargs(negotiation)`
    gives the transition's arguments, `after(negotiation)` tells people (inside the transaction)."""

    @transaction.atomic
    def service(*, negotiation, actor, expected_state=None) -> Negotiation:
        neg = _run(negotiation, actor, name, expected_state=expected_state, kwargs=kwargs(negotiation) if kwargs else None)
        if after:
            after(neg)
        return neg

    service.__name__ = service.__qualname__ = name
    return service


# --- creation, representatives, terms --------------------------------------------------------
@transaction.atomic
def negotiation_create(
    *, actor, employer: Organisation, title: str, union: Organisation | None = None, headcount: int | None = None,
    term_start: dt.date | None = None, term_end: dt.date | None = None, is_special: bool = True,
    term_confirmed: bool = False, submission_key: str | None = None,
) -> Negotiation:
    """A union's draft. A term outside art. 38's "generally 1–3 years" needs `term_confirmed` (the
    parties confirm it), an impossible one is refused."""
    used = seen(submission_key)
    if isinstance(used, Negotiation):
        return used
    if not (actor.is_sysadmin or actor.has_role(Role.UNION_NEGOTIATOR)):
        raise PermissionDenied(_("只有工会协商代表可以发起集体协商。"))
    if union is None:
        union = actor.organisation
    if union is None:  # the system administrator belongs to no union: they name one
        raise ValidationError({"union": _("请指定发起协商的基层工会。")})
    if not actor.is_sysadmin and union.pk != actor.organisation_id:
        raise PermissionDenied(_("只能以本工会名义发起协商。"))
    if union.kind != Organisation.Kind.UNION:
        raise ValidationError({"union": _("发起方必须是基层工会。")})
    if employer.kind != Organisation.Kind.EMPLOYER:
        raise ValidationError({"employer": _("协商对方必须是用人单位。")})
    if union.employer_id != employer.pk:
        raise ValidationError({"employer": _("基层工会只能与所在企业协商。")})
    neg = Negotiation(
        title=title, employer=employer, union=union, created_by=actor, headcount=headcount,
        term_start=term_start, term_end=term_end, is_special=is_special,
        term_confirmed=bool(term_confirmed and neg_term_warning(term_start, term_end)),
    )
    neg.full_clean()
    _require_term_confirmation(neg)
    neg.save()
    audit.record(actor=actor, action="create", obj=neg, to_state=neg.state,
                 data={"term_confirmed": True, "term_warning": neg_term_warning(term_start, term_end)} if neg.term_confirmed else None)
    store(submission_key, neg)
    return neg


def neg_term_warning(start, end) -> str:
    """Art. 38's warning for a term outside 1–3 years ('' when inside it or the dates are missing)."""
    if not (start and end):
        return ""
    return rules.contract_term(start, end).warning or ""


def _require_term_confirmation(neg) -> None:
    """Art. 38's "generally 1–3 years" is a norm: outside it the parties confirm (the warning cites the
    article and the art. 202 count); an impossible term is refused by the model."""
    warning = neg_term_warning(neg.term_start, neg.term_end)
    if warning and not neg.term_confirmed:
        raise ValidationError({"term_confirmed": warning})


EDITABLE_FIELDS = ("title", "headcount", "term_start", "term_end", "is_special", "term_confirmed")


@transaction.atomic
def negotiation_update(*, negotiation, actor, expected_version=None, expected_state=None, **fields) -> Negotiation:
    """The basic information (registry action `edit`): the union side, while negotiating. Changing the
    term's dates withdraws an earlier confirmation of a term outside 1–3 years unless confirmed again."""
    for k in fields:
        if k not in EDITABLE_FIELDS:
            raise ValidationError({k: _("不能修改该字段。")})

    def change(neg):
        dates = (neg.term_start, neg.term_end)
        for k, v in fields.items():
            setattr(neg, k, v)
        if "term_confirmed" not in fields and (neg.term_start, neg.term_end) != dates:
            neg.term_confirmed = False
        warning = neg_term_warning(neg.term_start, neg.term_end)
        neg.term_confirmed = bool(neg.term_confirmed and warning)
        _require_term_confirmation(neg)
        data = {k: str(v) for k, v in fields.items()}
        if neg.term_confirmed:
            data["term_warning"] = warning
        return data

    return run_edit(model=Negotiation, pk=negotiation.pk, actor=actor, action="edit", change=change,
                    expected_state=expected_state, expected_version=expected_version)


PERSON_FIELDS = ("name", "id_last4", "position", "is_chief", "is_outsider", "chief_basis", "designated_by", "designated_on",
                 "designation_document")


def _person(neg, side, p) -> Representative:
    chief = bool(p.get("is_chief"))
    on = p.get("designated_on") if chief else None
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on) if on.strip() else None
        except ValueError:
            raise ValidationError({"representatives": _("委托日期格式不正确（YYYY-MM-DD）。")}) from None
    return Representative(
        negotiation=neg, side=side, name=str(p.get("name", "")).strip(), id_last4=str(p.get("id_last4", "") or "").strip(),
        position=str(p.get("position", "") or ""), is_chief=chief, is_outsider=bool(p.get("is_outsider")),
        chief_basis=str(p.get("chief_basis") or "").strip() if chief else "",
        designated_by=str(p.get("designated_by") or "").strip() if chief else "",
        designated_on=on or None,
        designation_document=str(p.get("designation_document") or "").strip() if chief else "",
    )


def check_people(neg, reps) -> list:
    """Arts. 19–24 over `reps`, the employer's legal representative on record checked against its chief."""
    return rules.check_representatives(reps, has_union=bool(neg.union_id), today=timezone.localdate(),
                                       legal_representative=neg.employer.legal_representative)


@transaction.atomic
def representatives_set(*, negotiation, actor, side: str, people: list[dict], expected_version=None) -> list[Representative]:
    """One side appoints its own representatives and chief (arts. 19–24): the union its list, the
    employer its own once the proposal is served — never the other side's. A side's first list is
    checked within the side (and art. 24); the whole set is checked when talks start (`start_rounds`).
    A side shrinking mid-negotiation opens a vacancy to fill within 15 days (art. 31)."""
    if side not in Representative.Side.values:
        raise ValidationError({"side": _("未知的代表方。")})
    neg = _hold(negotiation, actor, rule=lambda a, n: perms.can_edit_representatives(a, n, side), expected_version=expected_version)
    new = [_person(neg, side, p) for p in people if str(p.get("name", "")).strip()]
    old_chief = neg.representatives.filter(side=side, is_chief=True).first()
    for r in new:
        if r.is_chief and not r.chief_basis and old_chief is not None and old_chief.person_key == r.person_key:
            # The same chief stays chief: the recorded designation still holds (a colleague left, say).
            for k in ("chief_basis", "designated_by", "designated_on", "designation_document"):
                setattr(r, k, getattr(old_chief, k))
        r.full_clean(exclude=["negotiation"])
    before = neg.representatives.filter(side=side).exists()
    others = list(neg.representatives.exclude(side=side))
    # This side's own problems and those between the sides (equal numbers, art. 24): never the other
    # side's, which that side answers for.
    problems = [p for p in check_people(neg, others + new) if p.side in (side, "")]
    first_list = neg.state == State.DRAFT or not before
    if first_list:
        # A side appointing its list: only that side's rules (and art. 24) apply now; the whole set,
        # equal numbers included, is checked when the proposal is served (the union's) and when talks start.
        problems = [p for p in problems if (p.side == side or p.code == rules.BOTH_SIDES) and p.code != rules.TOO_FEW]
    vacancy = [p for p in problems if p.code in rules.VACANCY_CODES]
    data = {"side": side, "names": [r.name for r in new]}
    chief = next((r for r in new if r.is_chief), None)
    if chief is not None and chief.chief_basis:
        data["chief"] = {"name": chief.name, "basis": chief.chief_basis, "designated_by": chief.designated_by,
                         "designated_on": chief.designated_on.isoformat() if chief.designated_on else "",
                         "document": chief.designation_document}
    if not first_list and vacancy and len(problems) == len(vacancy):
        # Art. 31: a representative leaving mid-negotiation opens a vacancy to be filled within 15 days.
        problems = []
        if not neg.vacancy_due:
            due = compute_due("negotiation.vacancy", timezone.localdate())
            neg.vacancy_due, neg.vacancy_explanation = due.due, due.explanation
            neg.save(update_fields=["vacancy_due", "vacancy_explanation", "updated_at"])
            data["vacancy_due"] = due.due.isoformat()
            notify(recipients=union_negotiators(neg) if side == "union" else employer_reps(neg), kind="negotiation.vacancy",
                   obj=neg, url=_url(neg), email=True,
                   title=_("协商代表出现空缺，应于%(d)s前补足（集体合同规定第31条）") % {"d": due.due.isoformat()})
    elif not vacancy and neg.vacancy_due:
        neg.vacancy_due, neg.vacancy_explanation = None, ""
        neg.save(update_fields=["vacancy_due", "vacancy_explanation", "updated_at"])
        data["vacancy_filled"] = True
    if problems:
        raise ValidationError({"representatives": [p.message for p in problems]})
    neg.representatives.filter(side=side).delete()
    Representative.objects.bulk_create(new)
    record_edit(neg, actor=actor, action="representatives_set", data=data)
    return new


def _require_representatives(neg) -> None:
    """Arts. 19–24 over both sides' lists, refused with the articles."""
    problems = check_people(neg, list(neg.representatives.all()))
    if problems:
        raise ValidationError({"representatives": [p.message for p in problems]})


CONFIRMATION_FIELDS = ["union_draft_confirmed_by", "union_draft_confirmed_at", "employer_draft_confirmed_by",
                       "employer_draft_confirmed_at", "updated_at"]


def _clear_confirmations(neg) -> bool:
    """A term changed after a chief confirmed the draft: that confirmation was of another text."""
    if not (neg.union_draft_confirmed_by_id or neg.employer_draft_confirmed_by_id):
        return False
    neg.clear_draft_confirmations()
    neg.save(update_fields=CONFIRMATION_FIELDS)
    return True


def _validate_term_data(neg, kind, data):
    ctx = wage_context(neg.employer.region, _term_date(data))
    return rules.validate_term(kind, data, ctx)


@transaction.atomic
def term_add(*, negotiation, actor, kind: str, title: str, data: dict, text: str = "", submission_key=None, expected_version=None) -> Term:
    used = seen(submission_key)
    if isinstance(used, Term):
        return used
    neg = _hold(negotiation, actor, rule=perms.can_edit_terms, expected_version=expected_version)
    if kind not in TermKind.values:
        raise ValidationError({"kind": _("未知的条款类型。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写条款标题。")})
    data = _validate_term_data(neg, kind, data)
    number = (neg.terms.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    term = Term.objects.create(negotiation=neg, number=number, kind=kind, title=title.strip())
    side = "employer" if perms.is_employer_side(actor, neg) and not perms.is_union_side(actor, neg) else "union"
    v = TermVersion.objects.create(term=term, number=1, side=side, data=data, text=text, author=actor, note=_("初稿"))
    term.current = v
    term.save(update_fields=["current"])
    data = {"term": term.pk, "kind": kind}
    if _clear_confirmations(neg):
        data["draft_confirmations_cleared"] = True
    record_edit(neg, actor=actor, action="term_add", data=data)
    store(submission_key, term)
    return term


@transaction.atomic
def term_revise(*, term: Term, actor, data: dict, text: str = "", note: str = "", expected_version=None, notify_other=True) -> TermVersion:
    neg = _hold(term.negotiation_id, actor, rule=perms.can_edit_terms, expected_version=expected_version)
    term = Term.objects.select_for_update().get(pk=term.pk, negotiation=neg)
    data = _validate_term_data(neg, term.kind, data)
    last = term.versions.order_by("-number").first()
    if last and last.data == data and last.text == text:
        raise ValidationError({"data": _("内容与当前版本相同，未生成新版本。")})
    side = "union" if perms.is_union_side(actor, neg) else "employer"
    v = TermVersion.objects.create(
        term=term, number=(last.number if last else 0) + 1, side=side, data=data, text=text, author=actor, note=note,
    )
    term.current = v
    term.save(update_fields=["current"])
    data = {"term": term.pk, "version": v.number}
    if _clear_confirmations(neg):
        data["draft_confirmations_cleared"] = True
    record_edit(neg, actor=actor, action="term_revise", data=data)
    if notify_other:
        recipients = employer_reps(neg) if side == "union" else union_negotiators(neg)
        notify(
            recipients=recipients, kind="negotiation.counter_proposal", obj=neg, url=_url(neg),
            title=_("%(who)s对“%(term)s”提出了修改（第%(n)s版）") % {"who": dict(Representative.Side.choices)[side], "term": term.title, "n": v.number},
        )
    return v


# --- proposal and response (art. 32) ----------------------------------------------------------
@transaction.atomic
def proposal_submit(*, negotiation, actor, today: dt.date | None = None, expected_state=None) -> Negotiation:
    neg = _hold(negotiation, actor, action="propose", expected_state=expected_state or negotiation.state)
    # The union serves the proposal with its own list (arts. 19–20, 23); the employer appoints its own
    # after receiving it (art. 21), and the whole set is checked when talks start.
    errors = [p.message for p in check_people(neg, list(neg.representatives.all()))
              if p.side == "union" or p.code == rules.BOTH_SIDES]
    if not neg.terms.filter(is_removed=False).exists():
        errors.append(_("要约至少应包含一项协商条款。"))
    if errors:
        raise ValidationError({"representatives": errors})
    today = today or timezone.localdate()
    due = compute_due("negotiation.response", today)
    neg = _run(neg, actor, "propose", kwargs={"proposed_at": timezone.now(), "response_due": due.due, "explanation": due.explanation},
               data={"response_due": due.due.isoformat()})
    notify(
        recipients=employer_reps(neg), kind="negotiation.proposal", obj=neg, url=_url(neg),
        title=_("收到集体协商要约：%(t)s，请于%(d)s前书面回应") % {"t": neg.title, "d": due.due.isoformat()},
        body=due.explanation,
    )
    return neg


@transaction.atomic
def response_record(
    *, negotiation, actor, decision: str, text: str = "", reason: str = "", counter_terms: dict | None = None,
    expected_state=None,
) -> Negotiation:
    """The employer's written reply: agree (optionally with counter-proposals per term) or refuse with reason.
    A reply is always to a proposal: a second reply finds it answered (409)."""
    if decision not in ("agree", "refuse"):
        raise ValidationError({"decision": _("请选择同意协商或拒绝协商。")})
    neg = _hold(negotiation, actor, action="respond", expected_state=expected_state or State.PROPOSED)
    if decision == "agree" and counter_terms:
        for term_id, data in counter_terms.items():
            term = Term.objects.filter(negotiation=neg, pk=term_id).first()
            if term is None:
                raise ValidationError({"counter_terms": _("条款%(id)s不属于本协商。") % {"id": term_id}})
            term_revise(term=term, actor=actor, data=data.get("data", data), text=data.get("text", ""), note=_("应约时的反提案"),
                        notify_other=False)
    name = "accept" if decision == "agree" else "refuse"
    kwargs = {"text": text} if decision == "agree" else {"reason": reason}
    neg = _run(neg, actor, name, expected_state=State.PROPOSED, kwargs=kwargs, reason=reason)
    title = (_("用人单位同意协商：%(t)s") if decision == "agree" else _("用人单位拒绝协商：%(t)s")) % {"t": neg.title}
    if counter_terms:
        title += _("（含%(n)s项反提案）") % {"n": len(counter_terms)}
    notify(recipients=union_negotiators(neg), kind="negotiation.response", obj=neg, url=_url(neg), title=title, body=reason or text)
    return neg


def _bureau_reviewers(neg):
    """Reviewers of the labour bureaus whose region contains the employer's (their jurisdiction)."""
    codes = neg.employer.region.ancestor_codes()
    paths = ["".join(c + "/" for c in codes[:i]) for i in range(1, len(codes) + 1)]
    return User.objects.filter(role=Role.BUREAU_REVIEWER, is_active=True, organisation__kind=Organisation.Kind.LABOUR_BUREAU,
                               organisation__region__path__in=paths)


def _tell_bureau(neg):
    notify(recipients=_bureau_reviewers(neg), kind="negotiation.coordination", obj=neg, url=_url(neg),
           title=_("收到集体协商争议协调处理申请，请受理：%(t)s") % {"t": neg.title})


# The union applies in writing for the bureau's coordination (art. 49); the clock waits for acceptance.
coordination_request = simple("request_coordination", kwargs=lambda n: {"requested_at": timezone.now()}, after=_tell_bureau)


@transaction.atomic
def coordination_accept(*, negotiation, actor, accepted_on: dt.date | None = None, expected_state=None) -> Negotiation:
    """The bureau accepts (受理) the application: art. 52's 30 days run from the acceptance, counted
    from the day after it (民法典 art. 201) with the rollover of art. 203."""
    neg = _hold(negotiation, actor, action="accept_coordination", expected_state=expected_state or negotiation.state)
    today = timezone.localdate()
    accepted_on = accepted_on or today
    requested = timezone.localtime(neg.coordination_requested_at).date() if neg.coordination_requested_at else None
    if accepted_on > today:
        raise ValidationError({"accepted_on": _("受理日期不能晚于今天。")})
    if requested and accepted_on < requested:
        raise ValidationError({"accepted_on": _("受理日期不能早于申请日期（%(d)s）。") % {"d": requested.isoformat()}})
    due = compute_due("negotiation.coordination", accepted_on)
    neg = _run(neg, actor, "accept_coordination", kwargs={"accepted_on": accepted_on, "due": due.due, "explanation": due.explanation},
               data={"accepted_on": accepted_on.isoformat(), "coordination_due": due.due.isoformat()})
    notify(recipients=both_sides(neg), kind="negotiation.coordination", obj=neg, url=_url(neg),
           title=_("劳动保障行政部门已受理协调处理申请，应于%(d)s前结束协调（集体合同规定第52条）：%(t)s") % {
               "d": due.due.isoformat(), "t": neg.title}, body=due.explanation)
    return neg


@transaction.atomic
def coordination_extend(*, negotiation, actor, expected_state=None) -> Negotiation:
    """Once only, by at most 15 days (art. 52), counted from the end of the first 30-day period: a
    second extension is refused by the transition with the article."""
    neg = _hold(negotiation, actor, expected_state=expected_state or negotiation.state)
    if neg.state != State.COORDINATION or neg.coordination_extended or not neg.coordination_due:
        # The runner refuses with the rule's reason or the state; the transition with art. 52 (once only).
        return _run(neg, actor, "extend_coordination", kwargs={"due": None, "explanation": ""})
    due = compute_due("negotiation.coordination_extension", neg.coordination_due)
    explanation = _("原协调期限于%(d)s届满，延长期限自其次日起算；") % {"d": neg.coordination_due.isoformat()} + due.explanation
    return _run(neg, actor, "extend_coordination", kwargs={"due": due.due, "explanation": explanation},
                data={"from": neg.coordination_due.isoformat(), "coordination_due": due.due.isoformat()})


@transaction.atomic
def coordination_finish(*, negotiation, actor, agreed: bool, outcome: str, expected_state=None) -> Negotiation:
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("请填写协调处理协议书的主要内容。")})
    return _run(negotiation, actor, "coordination_agree" if agreed else "coordination_close", expected_state=expected_state,
                kwargs={"outcome": outcome}, reason=outcome)


# --- rounds (arts. 33–35) ---------------------------------------------------------------------
@transaction.atomic
def rounds_start(*, negotiation, actor, expected_state=None) -> Negotiation:
    """Talks start with both lists complete: at least 3 a side, equal numbers, one chief each with its
    basis (arts. 19–24)."""
    neg = _hold(negotiation, actor, action="start_rounds", expected_state=expected_state or negotiation.state)
    _require_representatives(neg)
    return _run(neg, actor, "start_rounds")


negotiation_resume = simple("resume")


@transaction.atomic
def round_record(
    *, negotiation, actor, held_on: dt.date, attendees: str, recorder: str, minutes: str, chair_side: str = "union",
    location: str = "", union_chief_signed=False, employer_chief_signed=False, submission_key=None,
) -> Round:
    used = seen(submission_key)
    if isinstance(used, Round):
        return used
    neg = _hold(negotiation, actor, rule=perms.can_record_round)
    errors = {}
    if held_on and neg.proposed_at and held_on < timezone.localtime(neg.proposed_at).date():
        errors["held_on"] = [_("会议日期不能早于要约日期。")]
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = [_("不能记录尚未召开的会议。")]
    for name, value in (("attendees", attendees), ("recorder", recorder), ("minutes", minutes)):
        if not (value or "").strip():
            errors[name] = [_("必填（集体合同规定第33–34条：会议应有记录员并形成会议记录）。")]
    if errors:
        raise ValidationError(errors)
    number = (neg.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    r = Round(
        negotiation=neg, number=number, held_on=held_on, attendees=attendees, recorder=recorder, minutes=minutes,
        chair_side=chair_side, location=location, union_chief_signed=union_chief_signed,
        employer_chief_signed=employer_chief_signed, created_by=actor,
    )
    r.full_clean()
    r.save()
    record_edit(neg, actor=actor, action="round_record", data={"round": number})
    store(submission_key, r)
    return r


@transaction.atomic
def negotiation_suspend(*, negotiation, actor, next_date: dt.date, reason: str = "", expected_state=None) -> Negotiation:
    if not next_date or next_date <= timezone.localdate():
        raise ValidationError({"next_date": _("中止协商应约定下次协商的日期（集体合同规定第35条），且须晚于今天。")})
    return _run(negotiation, actor, "suspend", expected_state=expected_state, kwargs={"next_date": next_date, "reason": reason},
                reason=reason)


@transaction.atomic
def draft_agree(*, negotiation, actor, expected_state=None) -> Negotiation:
    """A chief confirms the draft for their side (an edit, audited `confirm_draft` with who confirmed);
    the second side's confirmation is the `agree_draft` transition. A term changed in between clears
    the confirmations (the text confirmed is no longer the draft)."""
    neg = _hold(negotiation, actor, action="agree_draft", expected_state=expected_state or negotiation.state)
    if not neg.terms.filter(is_removed=False).exists():
        raise ValidationError(_("草案至少应包含一项条款。"))
    if not neg.rounds.exists():
        raise ValidationError(_("至少应记录一次协商会议后才能形成草案（集体合同规定第34条）。"))
    if not (neg.term_start and neg.term_end):
        raise ValidationError({"term_end": _("请先填写合同期限（集体合同规定第38条：一般为1至3年）。")})
    check = neg.term_check
    if check.error or (check.warning and not neg.term_confirmed):
        raise ValidationError({"term_end": check.message})
    _require_representatives(neg)
    side = next(s for s in ("union", "employer") if getattr(perms, f"is_{s}_side")(actor, neg)
                and not getattr(neg, f"{s}_draft_confirmed_by_id"))
    chief = neg.representatives.filter(side=side, is_chief=True).first()
    now = timezone.now()
    data = {"side": side, "confirmed_by": actor.pk, "chief": chief.name if chief else ""}
    other = "employer" if side == "union" else "union"
    if getattr(neg, f"{other}_draft_confirmed_by_id"):
        # The second confirmation: the transition records it (the rule is checked before, on this side).
        neg = _run(neg, actor, "agree_draft", kwargs={"side": side, "by": actor, "at": now}, data=data)
        notify(recipients=both_sides(neg), kind="negotiation.draft_agreed", obj=neg, url=_url(neg),
               title=_("双方首席代表已确认草案：%(t)s") % {"t": neg.title})
        return neg
    setattr(neg, f"{side}_draft_confirmed_by", actor)
    setattr(neg, f"{side}_draft_confirmed_at", now)
    neg.save(update_fields=CONFIRMATION_FIELDS)
    record_edit(neg, actor=actor, action="confirm_draft", data=data)
    notify(recipients=employer_reps(neg) if side == "union" else union_negotiators(neg), kind="negotiation.draft_confirmed",
           obj=neg, url=_url(neg), title=_("%(who)s首席代表已确认草案，请贵方首席代表确认：%(t)s") % {
               "who": dict(Representative.Side.choices)[side], "t": neg.title})
    return neg


# --- employees' comments ----------------------------------------------------------------------
@transaction.atomic
def draft_publish(*, negotiation, actor, comments_close: dt.datetime, employee_count: int, expected_state=None) -> PublishedDraft:
    if comments_close <= timezone.now():
        raise ValidationError({"comments_close": _("征求意见截止时间必须晚于现在。")})
    if employee_count < 1:
        raise ValidationError({"employee_count": _("请填写征求意见的职工人数。")})
    neg = _run(negotiation, actor, "open_comments", expected_state=expected_state, data={"employee_count": employee_count})
    number = (neg.drafts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = PublishedDraft.objects.create(
        negotiation=neg, number=number, comments_close=comments_close, employee_count=employee_count, created_by=actor,
    )
    draft.versions.set([t.current_id for t in neg.terms.filter(is_removed=False) if t.current_id])
    return draft


@transaction.atomic
def links_issue(*, draft: PublishedDraft, actor, count: int = 0, labels: list[str] | None = None, submission_key=None) -> list[tuple[CommentLink, str]]:
    """Create single-use links; returns (link, token) pairs. Only the hash is stored: show the tokens now."""
    if seen(submission_key) is not None:
        raise Conflict(_("这批链接已经生成过；为防止重复发放，请重新打开页面再生成新的一批。"))
    neg = _hold(draft.negotiation_id, actor, rule=perms.can_manage_comments)
    if neg.state != State.COMMENTS or not draft.is_open:
        raise ValidationError(_("征求意见期间外不能发放链接。"))
    labels = [l.strip() for l in (labels or []) if l.strip()] or [""] * count
    if not 1 <= len(labels) <= 2000:
        raise ValidationError({"count": _("每次可发放1至2000个链接。")})
    issued = draft.links.count()
    if issued + len(labels) > max(draft.employee_count, 1) * 2:
        raise ValidationError({"count": _("发放的链接数不能超过征求意见职工人数的两倍。")})
    out = []
    for label in labels:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        out.append((CommentLink(draft=draft, token_hash=token_hash(token), label=label[:60]), token))
    CommentLink.objects.bulk_create([l for l, _t in out])
    record_edit(neg, actor=actor, action="links_issue", data={"draft": draft.pk, "count": len(out)})
    store(submission_key, draft)
    return out


class LinkRefused(PermissionDenied):
    """A comment link that cannot be used, with a `code` the page decides on (guesses are rate-limited)."""

    INVALID, OTHER_NEGOTIATION, USED, CLOSED = "invalid", "other_negotiation", "used", "closed"
    GUESSES = frozenset({INVALID, OTHER_NEGOTIATION})

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message, self.code = str(message), code

    @property
    def is_guess(self) -> bool:
        return self.code in self.GUESSES


def link_lookup(token: str, *, negotiation_id=None) -> CommentLink:
    """The link for `token`, refused when unknown, used, closed or for another negotiation."""
    link = (
        CommentLink.objects.select_related("draft__negotiation").filter(token_hash=token_hash(token or "")).first()
    )
    if link is None:
        raise LinkRefused(_("链接无效。"), LinkRefused.INVALID)
    if negotiation_id is not None and str(link.draft.negotiation_id) != str(negotiation_id):
        raise LinkRefused(_("该链接不属于这项协商。"), LinkRefused.OTHER_NEGOTIATION)
    if link.used:
        raise LinkRefused(_("该链接已经使用过，每个链接只能提交一次意见。"), LinkRefused.USED)
    if not link.draft.is_open or link.draft.negotiation.state != State.COMMENTS:
        raise LinkRefused(_("征求意见期已结束。"), LinkRefused.CLOSED)
    return link


@transaction.atomic
def comments_submit(*, token: str, comments: dict, anonymous: bool, negotiation_id=None) -> int:
    """An employee's comments per term version of the frozen draft. Anonymous: nothing ties them to the link
    (the audit event names only the draft, not the link)."""
    link = link_lookup(token, negotiation_id=negotiation_id)
    link = CommentLink.objects.select_for_update().get(pk=link.pk)
    if link.used:
        raise LinkRefused(_("该链接已经使用过，每个链接只能提交一次意见。"), LinkRefused.USED)
    allowed = set(link.draft.versions.values_list("pk", flat=True))
    rows = []
    for vid, text in comments.items():
        text = (text or "").strip()
        if not text:
            continue
        try:
            vid = int(vid)
        except (TypeError, ValueError):
            raise ValidationError({"comments": _("条款不存在。")}) from None
        if vid not in allowed:
            raise ValidationError({"comments": _("条款不属于该草案。")})
        if len(text) > 2000:
            raise ValidationError({"comments": _("每条意见不超过2000字。")})
        rows.append(Comment(draft=link.draft, term_version_id=vid, link=None if anonymous else link, text=text))
    if not rows:
        raise ValidationError({"comments": _("请至少对一项条款填写意见。")})
    link.used = True
    link.used_on = timezone.localdate()
    link.save(update_fields=["used", "used_on"])
    Comment.objects.bulk_create(rows)
    neg = lock_for(Negotiation, link.draft.negotiation_id, None)
    record_edit(neg, actor=None, action="comments_receive", data={"draft": link.draft_id})
    return len(rows)


@transaction.atomic
def comments_close_early(*, negotiation, actor, reason: str, expected_state=None) -> PublishedDraft:
    """The union closes the comment period before its deadline, with a recorded reason; the links stop
    working and the draft can go to the vote."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("提前结束征求意见须说明理由。")})
    neg = _hold(negotiation, actor, action="close_comments", expected_state=expected_state or negotiation.state)
    draft = PublishedDraft.objects.select_for_update().filter(negotiation=neg).order_by("-number").first()
    if draft is None or not draft.is_open:
        raise ValidationError(_("征求意见期已经结束。"))
    draft.closed_early_at, draft.closed_early_reason, draft.closed_early_by = timezone.now(), reason.strip(), actor
    draft.save(update_fields=["closed_early_at", "closed_early_reason", "closed_early_by"])
    record_edit(neg, actor=actor, action="close_comments", reason=reason.strip(),
                data={"draft": draft.pk, "published_close": draft.comments_close.isoformat()})
    return draft


def comments_period_open(neg) -> PublishedDraft | None:
    """The latest published draft while its comment period is still open, else None."""
    draft = neg.drafts.order_by("-number").first()
    return draft if draft is not None and draft.is_open else None


# --- vote, signing, filing, review ------------------------------------------------------------
@transaction.atomic
def vote_put(*, negotiation, actor, expected_state=None) -> Negotiation:
    """The draft goes to the workers' congress only after the employees' comment period has closed,
    or after the union closed it early with a reason (DOMAIN.md §2.5; 集体合同规定 art. 36)."""
    neg = _hold(negotiation, actor, action="put_to_vote", expected_state=expected_state or negotiation.state)
    draft = comments_period_open(neg)
    if draft is not None:
        raise ValidationError(_("职工意见征求至%(d)s截止，截止后方可提交职代会审议；如需提前结束，请先“提前结束征求意见”并说明理由。")
                              % {"d": timezone.localtime(draft.comments_close).strftime("%Y-%m-%d %H:%M")})
    return _run(neg, actor, "put_to_vote")


@transaction.atomic
def vote_record(
    *, negotiation, actor, held_on: dt.date, total: int, present: int, votes_for: int, votes_against: int,
    votes_abstain: int, body: str = "congress", expected_state=None,
) -> CongressVote:
    passed, explanation = rules.vote_result(
        total=total, present=present, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain
    )
    neg = _run(
        negotiation, actor, "vote_pass" if passed else "vote_fail", expected_state=expected_state or State.VOTING,
        data={"total": total, "present": present, "for": votes_for, "against": votes_against, "abstain": votes_abstain},
        reason=explanation,
    )
    vote = CongressVote.objects.create(
        negotiation=neg, draft=neg.drafts.order_by("-number").first(), held_on=held_on, body=body, total=total,
        present=present, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain, passed=passed,
        explanation=explanation, recorded_by=actor,
    )
    notify(
        recipients=both_sides(neg), kind="negotiation.vote", obj=neg, url=_url(neg),
        title=(_("职代会表决通过：%(t)s") if passed else _("职代会表决未通过，返回协商：%(t)s")) % {"t": neg.title},
        body=explanation,
    )
    return vote


SIGNATURE_FIELDS = ["union_signed_by", "union_signed_at", "employer_signed_by", "employer_signed_at", "updated_at"]


@transaction.atomic
def sign_record(*, negotiation, actor, today: dt.date | None = None, expected_state=None) -> Negotiation:
    """One chief signs for their side (an edit, audited `sign_side`); the second signature is the `sign`
    transition to signed (art. 37). A side that has signed is refused by the rule (its button is
    disabled with the reason)."""
    neg = _hold(negotiation, actor, action="sign", expected_state=expected_state or negotiation.state)
    if not neg.term_start or not neg.term_end:
        raise ValidationError({"term_end": _("请先填写合同期限。")})
    side = next(s for s in ("union", "employer") if getattr(perms, f"is_{s}_side")(actor, neg)
                and not getattr(neg, f"{s}_signed_by_id"))
    now = timezone.now()
    other = "employer" if side == "union" else "union"
    if getattr(neg, f"{other}_signed_by_id"):
        # The second signature: the transition records it (the rule is checked before, on this side).
        today = today or timezone.localdate()
        due = compute_due("negotiation.filing", today)
        return _run(neg, actor, "sign", kwargs={"signed_on": today, "filing_due": due.due, "explanation": due.explanation,
                                                "side": side, "by": actor, "at": now},
                    data={"side": side})
    setattr(neg, f"{side}_signed_by", actor)
    setattr(neg, f"{side}_signed_at", now)
    neg.save(update_fields=SIGNATURE_FIELDS)
    record_edit(neg, actor=actor, action="sign_side", data={"side": side})
    return neg


@transaction.atomic
def filing_record(*, negotiation, actor, filed_on: dt.date, receipt_number: str, bureau: Organisation, expected_state=None) -> Negotiation:
    neg = _hold(negotiation, actor, action="file", expected_state=expected_state or negotiation.state)
    if not (receipt_number or "").strip():
        raise ValidationError({"receipt_number": _("请填写劳动保障行政部门出具的回执编号。")})
    if bureau is None or bureau.kind != Organisation.Kind.LABOUR_BUREAU:
        raise ValidationError({"bureau": _("请选择劳动保障行政部门。")})
    if not neg.employer.region.path.startswith(bureau.region.path):
        raise ValidationError({"bureau": _("该部门对用人单位所在地区没有管辖权。")})
    if neg.signed_on and filed_on < neg.signed_on:
        raise ValidationError({"filed_on": _("报送日期不能早于签字日期。")})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("报送日期不能晚于今天。")})
    due = compute_due("negotiation.review", filed_on)
    neg = _run(neg, actor, "file", kwargs={
        "filed_on": filed_on, "receipt_number": receipt_number.strip(), "bureau": bureau,
        "review_ends": due.due, "explanation": due.explanation,
    }, data={"receipt_number": receipt_number})
    reviewers = User.objects.filter(organisation=bureau, role=Role.BUREAU_REVIEWER, is_active=True)
    notify(recipients=reviewers, kind="negotiation.filed", obj=neg, url=_url(neg),
           title=_("收到集体合同报送：%(t)s，审查期至%(d)s") % {"t": neg.title, "d": due.due.isoformat()})
    return neg


@transaction.atomic
def objection_return(*, negotiation, actor, objection: str, expected_state=None) -> Negotiation:
    neg = _hold(negotiation, actor, action="return_objection", expected_state=expected_state or negotiation.state)
    if neg.review_ends and timezone.localdate() > neg.review_ends:
        raise ValidationError(_("审查期已届满，不能再提出审查意见（集体合同规定第47条）。"))
    neg = _run(neg, actor, "return_objection", kwargs={"objection": objection}, reason=objection)
    notify(recipients=both_sides(neg), kind="negotiation.objection", obj=neg,
           url=_url(neg), title=_("劳动保障行政部门退回审查意见：%(t)s") % {"t": neg.title}, body=objection)
    return neg


def _tell_effective(neg):
    notify(recipients=both_sides(neg), kind="negotiation.effective", obj=neg, url=_url(neg),
           title=_("劳动保障行政部门审查无异议，集体合同已生效：%(t)s") % {"t": neg.title})


# 审查无异议 (DOMAIN.md §2.5): the bureau's "no objection" makes the contract effective at once.
review_no_objection = simple("no_objection", kwargs=lambda n: {"on": timezone.localdate()}, after=_tell_effective)


@transaction.atomic
def negotiation_withdraw(*, negotiation, actor, reason: str, expected_state=None) -> Negotiation:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明撤回原因。")})
    return _run(negotiation, actor, "withdraw", expected_state=expected_state, kwargs={"reason": reason}, reason=reason)


# --- sweep (time-driven, idempotent; the system as actor=None, audited like any write) -----------
#
# One set-based pass per rule (issue 14): one query finds what the rule has made due (state with
# response_due / review_ends / term_end, indexed), then each row goes through the runner as the system
# (locked, re-checked, validated, audited, published), `core.batch.BATCH` rows per transaction, with the
# batch's notifications in one INSERT and their recipients loaded once per batch. A row someone else
# moved meanwhile is skipped (its savepoint rolled back); the rest of its batch goes on.


class _Recipients:
    """union_negotiators / employer_reps for a batch of negotiations, two queries."""

    def __init__(self, negotiations):
        unions = {n.union_id for n in negotiations}
        employers = {n.employer_id for n in negotiations}
        self.negotiators: dict[int, list] = {pk: [] for pk in unions}
        self.reps: dict[int, list] = {pk: [] for pk in employers}
        for u in User.objects.filter(organisation_id__in=unions, role=Role.UNION_NEGOTIATOR, is_active=True):
            self.negotiators[u.organisation_id].append(u)
        for u in User.objects.filter(organisation_id__in=employers, role=Role.EMPLOYER_REP, is_active=True):
            self.reps[u.organisation_id].append(u)

    def union(self, neg) -> list:
        return self.negotiators.get(neg.union_id, [])

    def both(self, neg) -> list:
        return self.union(neg) + self.reps.get(neg.employer_id, [])


def _in_batches(items, write, message=None, *, lock=False) -> int:
    """`write(item)` for each item (the saved negotiation, or None: nothing to do), `batch.BATCH` per
    transaction, then one `notify_many` for the batch: `message(neg, recipients)` gives a Message or None."""
    from core import batch
    from notifications.bulk import notify_many

    def tell(changed):
        if message is not None:
            people = _Recipients(changed)
            notify_many(m for m in (message(neg, people) for neg in changed) if m is not None)

    # lock: the items are negotiation ids (or rows starting with one): each batch locks its rows at once
    return batch.in_batches(items, write, tell, lock=Negotiation if lock else None,
                            key=(lambda item: item[0] if isinstance(item, tuple) else item),
                            related=("union", "employer"))


def _system_transition(pk, *, name, state, kwargs):
    try:
        return run_transition(model=Negotiation, pk=pk, actor=None, name=name, expected_state=state, kwargs=kwargs)
    except (Conflict, ValidationError):  # moved on meanwhile, or no longer possible: not the sweep's to do
        return None


def sweep(now: dt.datetime) -> dict:
    """Time-driven changes, idempotent: a proposal unanswered past its response date → overdue (art. 32,
    the union told by email); the bureau's review period over without objection → effective (art. 42, from
    the day after it, or the agreed start if later; both sides told); an effective contract past its term →
    expired; a comment period closing within a day → the union told once (flag audited on the negotiation)."""
    from core import batch

    return batch.in_one_loop(_sweep, now)


def _sweep(now: dt.datetime) -> dict:
    from notifications.bulk import Message

    today = timezone.localdate(now)
    counts = {}
    overdue = Negotiation.objects.filter(state=State.PROPOSED, response_due__lt=today).order_by("pk")
    counts["overdue"] = _in_batches(
        list(overdue.values_list("pk", flat=True)),
        lambda pk: _system_transition(pk, name="mark_overdue", state=State.PROPOSED, kwargs={}),
        lambda neg, people: Message(recipients=people.union(neg), kind="negotiation.overdue", obj=neg, url=_url(neg),
                                    email=True, title=_("要约逾期未获回应：%(t)s，可申请劳动保障行政部门协调") % {"t": neg.title}),
        lock=True)

    reviewed = Negotiation.objects.filter(state=State.UNDER_REVIEW, review_ends__lt=today).order_by("pk")
    counts["effective"] = _in_batches(
        list(reviewed.values_list("pk", "review_ends", "term_start")),
        lambda row: _system_transition(row[0], name="take_effect", state=State.UNDER_REVIEW,
                                       kwargs={"on": max(row[1] + dt.timedelta(days=1), row[2] or today)}),
        lambda neg, people: Message(recipients=people.both(neg), kind="negotiation.effective", obj=neg, url=_url(neg),
                                    title=_("审查期届满无异议，集体合同已生效：%(t)s") % {"t": neg.title}),
        lock=True)

    ended = Negotiation.objects.filter(state=State.EFFECTIVE, term_end__lt=today).order_by("pk")
    counts["expired"] = _in_batches(
        list(ended.values_list("pk", flat=True)),
        lambda pk: _system_transition(pk, name="expire", state=State.EFFECTIVE, kwargs={}), lock=True)

    # Comment period closing within a day: tell the union once (the flag is audited on the negotiation).
    soon = now + dt.timedelta(days=1)
    closing = PublishedDraft.objects.filter(
        closing_notified=False, closed_early_at__isnull=True, comments_close__lte=soon, negotiation__state=State.COMMENTS
    ).order_by("pk")
    closes_at = {}

    def flag(row):
        pk, neg_pk = row
        neg = lock_for(Negotiation, neg_pk, None)
        d = PublishedDraft.objects.select_for_update().get(pk=pk)
        if d.closing_notified:
            return None
        d.closing_notified = True
        d.save(update_fields=["closing_notified"])
        record_edit(neg, actor=None, action="comments_closing", data={"draft": d.pk})
        closes_at[neg.pk] = d.comments_close
        return neg

    counts["comments_closing"] = _in_batches(
        list(closing.values_list("pk", "negotiation_id")), flag,
        lambda neg, people: Message(recipients=people.union(neg), kind="negotiation.comments_closing", obj=neg,
                                    url=_url(neg), email=True, title=_("职工意见征求将于%(d)s截止：%(t)s") % {
                                        "d": timezone.localtime(closes_at[neg.pk]).strftime("%Y-%m-%d %H:%M"),
                                        "t": neg.title}))
    return counts
