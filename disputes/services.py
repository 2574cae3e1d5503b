"""Writes for dispute cases: opening, every stage transition, evidence, limitation and the sweep.

All keyword-only and atomic. Transitions go through core.transitions.run_transition (lock, 409 on a
stale state, permission with a reason, FSM conditions, save, audit, publish on commit).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from accounts.models import Organisation
from accounts.scoping import employers_visible_to
from core import audit
from core.deadlines import compute_due, local_date
from core.transitions import Conflict, run_transition
from core.wages import minimum_wage_for
from notifications.services import notify

from .models import (
    OPEN_STATES,
    REMUNERATION_KINDS,
    STANDARDS_KINDS,
    ClaimKind,
    DisputeCase,
    DisputeClaim,
    DisputeWorker,
    Evidence,
    State,
)
from .permissions import can_manage, can_open, can_upload
from .selectors import disputes_visible_to, people_to_tell, suspensions_for

COLLECTIVE_MIN_WORKERS = 10
# Days before a due date when the sweep warns (limitation gets a longer lead: it ends a claim for good).
WARN_DAYS = {"limitation_due": 30}
DEFAULT_WARN_DAYS = 5

# Which stored due date governs each stage.
STAGE_DUE_FIELD = {
    State.FILED: "limitation_due",
    State.NEGOTIATION: "limitation_due",
    State.MEDIATION: "mediation_due",
    State.MEDIATED: "limitation_due",
    State.MEDIATION_FAILED: "limitation_due",
    State.ARBITRATION_APPLIED: "acceptance_due",
    State.ACCEPTED: "award_due",
    State.HEARING: "award_due",
    State.AWARDED: "appeal_due",
}

# What an overdue date means for the parties, shown with the overdue flag.
OVERDUE_HINTS = {
    "limitation_due": "仲裁时效已届满：仍可申请仲裁，但对方可以提出时效抗辩；如有中止、中断事由请补录（第27条）。",
    "mediation_due": "调解期限已满未达成协议，当事人可以申请仲裁（第14条）。",
    "acceptance_due": "仲裁委员会逾期未作出受理决定的，申请人可以就该劳动争议事项向人民法院提起诉讼（第29条）。",
    "award_due": "仲裁庭逾期未作出裁决的，当事人可以就该劳动争议事项向人民法院提起诉讼（第43条）。",
    "appeal_due": "起诉期限已过，裁决发生法律效力。",
}


def overdue_hint(case) -> str:
    field = STAGE_DUE_FIELD.get(case.state)
    return OVERDUE_HINTS.get(field, "") if field else ""


# Art. 47(1): 追索劳动报酬、工伤医疗费、经济补偿或者赔偿金.
MONEY_KINDS = REMUNERATION_KINDS | {ClaimKind.COMPENSATION, ClaimKind.WORK_INJURY, ClaimKind.DISMISSAL}


def _today(on=None) -> dt.date:
    return local_date(on) if on else timezone.localdate()


def _pair(due) -> tuple[dt.date, str]:
    return due.due, due.explanation


def refresh_next_due(case: DisputeCase, today: dt.date | None = None) -> None:
    """In memory: the governing due date of the current stage and whether it has passed."""
    field = STAGE_DUE_FIELD.get(case.state)
    case.next_due = getattr(case, field) if field else None
    case.is_overdue = bool(case.next_due and case.next_due < (today or timezone.localdate()))


# --- limitation (art. 27) ---------------------------------------------------------------------------


@dataclass
class Limitation:
    due: dt.date | None
    explanation: str


def compute_limitation(*, region, known_on: dt.date, claim_kinds, employment_ended_on: dt.date | None = None,
                       interrupted_on: dt.date | None = None) -> Limitation:
    """The arbitration limitation date of a case, with the reasoning.

    - general rule `dispute.limitation`: one year from when the worker knew or should have known;
    - remuneration arrears (art. 27(4)): no limit while employment lasts; after it ends, one year from the
      end (`dispute.limitation_wage_arrears`);
    - an interruption (a request for mediation) restarts the period from that day (art. 27(2));
    - suspensions entered by administrators extend it (art. 27(3)) and are named.
    """
    kinds = set(claim_kinds)
    suspensions = suspensions_for(region)
    pauses = [(a, b) for a, b, _ in suspensions]
    dues, parts = [], []
    has_pay = bool(kinds & REMUNERATION_KINDS)
    has_other = bool(kinds - REMUNERATION_KINDS) or not kinds

    def restart(start):
        if interrupted_on and interrupted_on > start:
            parts.append(f"{interrupted_on:%Y年%-m月%-d日}申请调解，仲裁时效中断，自中断之日起重新计算（劳动争议调解仲裁法第27条第2款）。")
            return interrupted_on
        return start

    def used(due):
        named = [s for a, b, s in suspensions if a <= due.period_end and b > due.start]
        if named and due.paused_days:
            parts.append("适用的时效中止期间：" + "、".join(f"{s.name}（{s.start}至{s.end}{'，' + s.source if s.source else ''}）" for s in named) + "。")

    if has_other:
        start = restart(known_on)
        due = compute_due("dispute.limitation", start, pauses=pauses)
        prefix = "【其他请求】" if has_pay else ""
        parts.append(prefix + due.explanation)
        used(due)
        dues.append(due.due)
    if has_pay:
        if employment_ended_on:
            start = restart(employment_ended_on)
            due = compute_due("dispute.limitation_wage_arrears", start, pauses=pauses)
            parts.append("【劳动报酬请求】劳动关系已于" + f"{employment_ended_on:%Y年%-m月%-d日}终止：" + due.explanation)
            used(due)
            dues.append(due.due)
        else:
            parts.append(
                "【劳动报酬请求】劳动关系存续期间因拖欠劳动报酬发生争议的，不受一年仲裁时效期间的限制；"
                "劳动关系终止的，应当自终止之日起一年内提出（劳动争议调解仲裁法第27条第4款）。"
            )
    if dues and len(dues) > 1:
        parts.append(f"以最早届满日{min(dues):%Y年%-m月%-d日}为本案仲裁时效届满日。")
    return Limitation(min(dues) if dues else None, "\n".join(parts))


def _apply_limitation(case: DisputeCase, kinds) -> None:
    lim = compute_limitation(
        region=case.region, known_on=case.known_on, claim_kinds=kinds,
        employment_ended_on=case.employment_ended_on, interrupted_on=case.limitation_interrupted_on,
    )
    case.limitation_due, case.limitation_explanation = lim.due, lim.explanation


@transaction.atomic
def limitation_recompute(*, case: DisputeCase, actor=None) -> DisputeCase:
    """After an administrator enters or corrects a suspension. Saves only the limitation fields."""
    case = DisputeCase.objects.select_for_update().select_related("region").get(pk=case.pk)
    before = case.limitation_due
    _apply_limitation(case, case.claims.values_list("kind", flat=True))
    refresh_next_due(case)
    case.save(update_fields=["limitation_due", "limitation_explanation", "next_due", "is_overdue", "updated_at"])
    if before != case.limitation_due:
        audit.record(actor=actor, action="limitation_recompute", obj=case,
                     data={"before": str(before), "after": str(case.limitation_due)})
    return case


def limitation_recompute_open() -> int:
    n = 0
    for case in DisputeCase.objects.filter(state__in=OPEN_STATES).only("pk"):
        limitation_recompute(case=case)
        n += 1
    return n


# --- award finality (art. 47) -----------------------------------------------------------------------


def award_finality(*, region, claims, on: dt.date, awarded: dict | None = None) -> tuple[bool, str]:
    """Whether an award is final for the employer, with the reasoning shown to users.

    Final when every item is a standards dispute (hours, rest, social insurance) or a money claim of
    art. 47(1) within 12 months of the local monthly minimum wage; an award mixing final and non-final
    items is treated as non-final (最高法劳动争议解释（一）第20条).
    """
    awarded = awarded or {}
    mw = minimum_wage_for(region, on)
    lines = []
    cap = None
    if mw:
        cap = mw.monthly * 12
        sample = "，示例数据待核实" if mw.is_sample and "示例" not in mw.source else ""
        lines.append(
            f"当地月最低工资标准：{mw.monthly}元（{mw.region}，{mw.effective_from:%Y年%-m月%-d日}起执行，{mw.source}{sample}），"
            f"十二个月金额为{cap}元。"
        )
    else:
        lines.append(f"未找到{region}在{on:%Y年%-m月%-d日}适用的最低工资标准，涉及金额的事项无法认定为终局，按非终局处理，请补录最低工资标准。")
    all_final = bool(claims)
    for c in claims:
        amount = awarded.get(c.pk, c.amount)
        label = c.get_kind_display()
        if c.kind in STANDARDS_KINDS:
            lines.append(f"· {label}：因执行国家劳动标准发生的争议，终局（第47条第2项）。")
            continue
        if c.kind not in MONEY_KINDS:
            lines.append(f"· {label}：不属于第47条所列事项，非终局。")
            all_final = False
        elif amount is None:
            lines.append(f"· {label}：未载明金额，非终局。")
            all_final = False
        elif cap is None:
            lines.append(f"· {label}：{amount}元，缺少最低工资标准，非终局。")
            all_final = False
        elif Decimal(amount) <= cap:
            lines.append(f"· {label}：{amount}元，不超过{cap}元，终局（第47条第1项）。")
        else:
            lines.append(f"· {label}：{amount}元，超过{cap}元，非终局。")
            all_final = False
    if all_final:
        lines.append(
            "结论：终局裁决。裁决书自作出之日起发生法律效力；用人单位不得起诉（可自收到裁决书之日起三十日内向中级人民法院申请撤销，第49条）；"
            "劳动者不服的，可自收到裁决书之日起十五日内起诉（第48条）。"
        )
    else:
        lines.append("结论：非终局裁决。当事人不服的，可自收到裁决书之日起十五日内向人民法院起诉（第50条）。")
    return all_final, "\n".join(lines)


# --- opening ----------------------------------------------------------------------------------------


def _notify(case: DisputeCase, *, kind: str, title: str, body: str = "", exclude=None) -> None:
    recipients = [u for u in people_to_tell(case) if exclude is None or u.pk != exclude.pk]
    notify(recipients=recipients, kind=kind, title=title, body=body,
           url=reverse("disputes:detail", args=[case.pk]), obj=case)


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
    can_open(actor).require()
    if employer.kind != Organisation.Kind.EMPLOYER or not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied("该用人单位不在您的管辖范围内。")
    filed_on = filed_on or timezone.localdate()
    errors = {}
    workers = [w for w in workers if (w.get("name") or "").strip()]
    claims = [c for c in claims if c.get("kind")]
    if is_collective:
        if len(workers) < COLLECTIVE_MIN_WORKERS:
            errors["workers"] = f"集体争议须有{COLLECTIVE_MIN_WORKERS}名以上职工（劳动争议调解仲裁法第7条），现有{len(workers)}名。"
        if not representative.strip():
            errors["representative"] = "集体争议必须推举职工代表。"
    elif len(workers) != 1:
        errors["workers"] = f"个人争议应填写一名职工；{COLLECTIVE_MIN_WORKERS}名以上职工有共同请求的，请按集体争议登记。"
    if not claims:
        errors["claims"] = "请至少填写一项请求。"
    if known_on and known_on > filed_on:
        errors["known_on"] = "知道权利被侵害之日不能晚于立案日。"
    if employment_ended_on and employment_ended_on > filed_on:
        errors["employment_ended_on"] = "劳动关系终止日不能晚于立案日。"
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


def _visible(case, actor) -> DisputeCase:
    qs = disputes_visible_to(actor) if actor is not None else DisputeCase.objects.all()
    found = qs.select_related("region").filter(pk=case.pk).first()
    if found is None:
        from django.http import Http404

        raise Http404
    return found


def _permission_for(name):
    """can_manage, then — for a permitted actor — whether the transition exists from this state, so the
    refusal names the state (django-fsm's has_transition_perm would call a wrong state a role problem)."""

    def check(actor, obj):
        decision = can_manage(actor, obj)
        if decision and not can_proceed(getattr(obj, name), check_conditions=False):
            raise ValidationError(f"当前状态“{obj.get_state_display()}”下不能执行此操作。", code="invalid_state")
        return decision

    return check


def _transition(*, case, actor, name, kwargs=None, reason="", expected_state=None, message=""):
    obj = run_transition(
        model=DisputeCase,
        pk=case.pk,
        actor=actor,
        name=name,
        queryset=disputes_visible_to(actor) if actor is not None else None,
        expected_state=expected_state,
        permission=_permission_for(name),
        kwargs=kwargs,
        reason=reason,
        before_save=refresh_next_due,
    )
    _notify(obj, kind=f"dispute.{name}", title=f"{obj.reference} 阶段变更：{obj.get_state_display()}",
            body=message or reason, exclude=actor)
    return obj


@transaction.atomic
def dispute_start_negotiation(*, case, actor, on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="start_negotiation", kwargs={"on": _today(on)}, expected_state=expected_state)


@transaction.atomic
def dispute_apply_mediation(*, case, actor, body: str, on=None, expected_state=None):
    on = _today(on)
    if not (body or "").strip():
        raise ValidationError({"mediation_body": "请填写调解组织。"})
    due = compute_due("dispute.mediation", on)

    def kwargs_and_interrupt(obj):
        # A request for mediation interrupts the limitation period (art. 27(2)).
        if obj.limitation_due and on <= obj.limitation_due:
            obj.limitation_interrupted_on = on
            _apply_limitation(obj, obj.claims.values_list("kind", flat=True))
        refresh_next_due(obj)

    obj = run_transition(
        model=DisputeCase, pk=case.pk, actor=actor, name="apply_mediation",
        queryset=disputes_visible_to(actor), expected_state=expected_state, permission=_permission_for("apply_mediation"),
        kwargs={"on": on, "body": body.strip(), "due": _pair(due)}, before_save=kwargs_and_interrupt,
    )
    _notify(obj, kind="dispute.apply_mediation", title=f"{obj.reference} 已申请调解，调解期限{obj.mediation_due}",
            body=obj.mediation_explanation, exclude=actor)
    return obj


@transaction.atomic
def dispute_record_mediation_agreement(*, case, actor, terms: str, on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="record_mediation_agreement",
                       kwargs={"on": _today(on), "terms": (terms or "").strip()}, expected_state=expected_state)


@transaction.atomic
def dispute_fail_mediation(*, case, actor, reason: str = "", on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="fail_mediation", kwargs={"on": _today(on)}, reason=reason,
                       expected_state=expected_state)


@transaction.atomic
def dispute_apply_arbitration(*, case, actor, commission: str, on=None, expected_state=None):
    on = _today(on)
    if not (commission or "").strip():
        raise ValidationError({"arbitration_commission": "请填写仲裁委员会。"})
    due = compute_due("dispute.acceptance", on)
    message = ""
    if case.limitation_due and on > case.limitation_due:
        message = f"注意：申请日已超过仲裁时效届满日{case.limitation_due}，对方可能提出时效抗辩。"
    return _transition(case=case, actor=actor, name="apply_arbitration",
                       kwargs={"on": on, "commission": commission.strip(), "due": _pair(due)},
                       expected_state=expected_state, message=message)


@transaction.atomic
def dispute_accept(*, case, actor, on=None, expected_state=None):
    on = _today(on)
    return _transition(case=case, actor=actor, name="accept", kwargs={"on": on, "due": _pair(compute_due("dispute.award", on))},
                       expected_state=expected_state)


@transaction.atomic
def dispute_refuse_acceptance(*, case, actor, reason: str, on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="refuse_acceptance",
                       kwargs={"on": _today(on), "reason": (reason or "").strip()}, reason=reason, expected_state=expected_state)


@transaction.atomic
def dispute_start_hearing(*, case, actor, on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="start_hearing", kwargs={"on": _today(on)}, expected_state=expected_state)


@transaction.atomic
def dispute_extend_award(*, case, actor, reason: str, expected_state=None):
    current = _visible(case, actor)
    if current.award_extended:
        raise ValidationError({"award_extension_reason": "裁决期限只能延长一次（劳动争议调解仲裁法第43条）。"})
    if current.award_due is None:
        raise ValidationError("尚未受理，无裁决期限可延长。")
    due = compute_due("dispute.award_extension", current.award_due)
    return _transition(case=case, actor=actor, name="extend_award",
                       kwargs={"reason": (reason or "").strip(), "due": _pair(due)}, reason=reason, expected_state=expected_state)


@transaction.atomic
def dispute_issue_award(*, case, actor, received_on=None, amount=None, awarded: dict | None = None, expected_state=None):
    received_on = _today(received_on)
    current = _visible(case, actor)
    claims = list(current.claims.all())
    awarded = {int(k): Decimal(v) for k, v in (awarded or {}).items() if v not in (None, "")}
    unknown = set(awarded) - {c.pk for c in claims}
    if unknown:
        raise ValidationError({"awarded": f"请求编号{sorted(unknown)}不属于本案。"})
    final, reason = award_finality(region=current.region, claims=claims, on=received_on, awarded=awarded)
    due = compute_due("dispute.appeal", received_on)
    if amount is None and awarded:
        amount = sum(awarded.values(), Decimal(0))
    obj = _transition(case=case, actor=actor, name="issue_award", expected_state=expected_state,
                      kwargs={"received_on": received_on, "amount": amount, "final": final, "finality_reason": reason,
                              "due": _pair(due)}, message=reason)
    for c in claims:
        if c.pk in awarded:
            c.awarded_amount = awarded[c.pk]
            c.save(update_fields=["awarded_amount"])
    return obj


@transaction.atomic
def dispute_file_suit(*, case, actor, court: str, by: str, on=None, expected_state=None):
    if by not in ("worker", "employer"):
        raise ValidationError({"by": "起诉方应为劳动者或用人单位。"})
    if not (court or "").strip():
        raise ValidationError({"court": "请填写受诉法院。"})
    current = _visible(case, actor)
    if by == "employer" and current.state == State.AWARDED and current.award_final:
        raise ValidationError({"by": "该裁决为终局裁决，用人单位不能起诉，只能自收到裁决书之日起三十日内向中级人民法院申请撤销（第49条）。"})
    return _transition(case=case, actor=actor, name="file_suit", kwargs={"on": _today(on), "court": court.strip(), "by": by},
                       expected_state=expected_state)


@transaction.atomic
def dispute_close(*, case, actor, outcome: str, amount_recovered=None, note: str = "", on=None, expected_state=None):
    return _transition(case=case, actor=actor, name="close", expected_state=expected_state, reason=note,
                       kwargs={"on": _today(on), "outcome": outcome, "amount_recovered": amount_recovered, "note": note})


@transaction.atomic
def dispute_withdraw(*, case, actor, reason: str, on=None, expected_state=None):
    if not (reason or "").strip():
        raise ValidationError({"reason": "撤回必须写明理由。"})
    return _transition(case=case, actor=actor, name="withdraw", kwargs={"on": _today(on), "reason": reason.strip()},
                       reason=reason, expected_state=expected_state)


# --- evidence ---------------------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sniff_type(upload) -> str | None:
    """The real type from the bytes: PDF, JPEG, PNG by signature; DOCX = a zip holding word/document.xml."""
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as zf:
                ok = "word/document.xml" in zf.namelist()
        except (zipfile.BadZipFile, OSError):
            ok = False
        finally:
            upload.seek(0)
        return DOCX if ok else None
    kind = filetype.guess(head)
    if kind and kind.mime in ("application/pdf", "image/jpeg", "image/png"):
        return kind.mime
    return None


@transaction.atomic
def evidence_add(*, case, actor, upload, title: str = "") -> Evidence:
    case = disputes_visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if case is None:
        from django.http import Http404

        raise Http404
    can_upload(actor, case).require()
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {limit / 1048576:.0f} MB。"})
    if upload.size == 0:
        raise ValidationError({"file": "文件为空。"})
    mime = sniff_type(upload)
    if mime is None:
        raise ValidationError({"file": "只接受 PDF、JPEG、PNG 或 DOCX 文件；系统按文件内容识别类型，该文件的实际内容不是这几种格式。"})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    side = Evidence.Side.EMPLOYER if actor.role == "employer_rep" else Evidence.Side.WORKER
    ev = Evidence(
        case=case, title=(title or upload.name)[:200], stage=case.state, side=side,
        original_name=(upload.name or "file")[:200], content_type=mime, size=upload.size, sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    ev.file.save(uuid.uuid4().hex + ALLOWED_TYPES[mime], upload, save=False)
    stored = ev.file.name
    try:  # anything failing below rolls the row back; take the file with it
        ev.full_clean()
        ev.save()
        audit.record(actor=actor, action="evidence_add", obj=case, data={"evidence": ev.pk, "sha256": ev.sha256, "type": mime})
        _notify(case, kind="dispute.evidence", title=f"{case.reference} 新增材料：{ev.title}", exclude=actor)
    except Exception:
        ev.file.storage.delete(stored)
        raise
    return ev


# --- sweep ------------------------------------------------------------------------------------------


def sweep(now) -> dict:
    """Time-driven changes, idempotent, as the system:
    mediation period over → mediation failed; appeal window over → award effective;
    overdue flags set/cleared; one warning per approaching due date."""
    today = local_date(now)
    counts = {"mediation_failed": 0, "award_effective": 0, "overdue": 0, "warned": 0}
    for pk in DisputeCase.objects.filter(state=State.MEDIATION, mediation_due__lt=today).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                _transition(case=DisputeCase(pk=pk), actor=None, name="fail_mediation", kwargs={"on": today},
                            expected_state=State.MEDIATION, reason="调解期限届满未达成调解协议，当事人可以申请仲裁（劳动争议调解仲裁法第14条）。")
            counts["mediation_failed"] += 1
        except (Conflict, ValidationError):
            continue
    for pk in DisputeCase.objects.filter(state=State.AWARDED, appeal_due__lt=today).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                _transition(case=DisputeCase(pk=pk), actor=None, name="make_effective", kwargs={"on": today},
                            expected_state=State.AWARDED, reason="起诉期限届满未起诉，裁决发生法律效力。")
            counts["award_effective"] += 1
        except (Conflict, ValidationError):
            continue
    # Overdue flags (non-state fields: a plain save of those fields).
    for case in DisputeCase.objects.filter(state__in=OPEN_STATES, next_due__lt=today, is_overdue=False).select_related("region"):
        with transaction.atomic():
            case.is_overdue = True
            case.save(update_fields=["is_overdue", "updated_at"])
            audit.record(actor=None, action="flag_overdue", obj=case, data={"next_due": str(case.next_due)})
            _notify(case, kind="dispute.overdue", title=f"{case.reference} 已逾期：{case.get_state_display()}期限{case.next_due}",
                    body=overdue_hint(case))
        counts["overdue"] += 1
    stale = DisputeCase.objects.filter(is_overdue=True).exclude(state__in=OPEN_STATES, next_due__lt=today)
    for case in stale:
        case.is_overdue = False
        case.save(update_fields=["is_overdue", "updated_at"])
    horizon = today + dt.timedelta(days=max([DEFAULT_WARN_DAYS, *WARN_DAYS.values()]))
    for case in DisputeCase.objects.filter(state__in=OPEN_STATES, next_due__gte=today, next_due__lte=horizon).select_related("region"):
        field = STAGE_DUE_FIELD.get(case.state)
        if not field:
            continue
        lead = WARN_DAYS.get(field, DEFAULT_WARN_DAYS)
        key = f"{field}:{case.next_due.isoformat()}"
        if (case.next_due - today).days > lead or case.last_warning_key == key:
            continue
        with transaction.atomic():
            case.last_warning_key = key
            case.save(update_fields=["last_warning_key", "updated_at"])
            label = DisputeCase._meta.get_field(field).verbose_name
            _notify(case, kind="dispute.due_soon", title=f"{case.reference} {label}将于{case.next_due}届满（剩{(case.next_due - today).days}天）")
        counts["warned"] += 1
    return counts
