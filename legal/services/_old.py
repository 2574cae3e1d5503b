"""Writes for legal aid. Keyword-only, atomic; every state change goes through core.transitions.run_transition."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from core import audit
from core.deadlines import compute_due
from core.transitions import run_transition
from notifications.services import notify

from . import routing
from .models import (
    EXEMPT_MATTERS,
    CaseDocument,
    CaseState,
    Consultation,
    Eligibility,
    FirmProfile,
    LegalAidCase,
    Matter,
    RoutingAttempt,
    WorkLogEntry,
)
from .selectors import hardship_standard_for, lawyers_of, staff_for_region


def _plain(queryset):
    """The caller's scoped queryset without joins: PostgreSQL refuses FOR UPDATE on the nullable side of an
    outer join (select_related of a nullable FK), and run_transition locks with select_for_update()."""
    return None if queryset is None else queryset.select_related(None).prefetch_related(None)


def _groups(case):
    return [f"legal.{int(case.pk)}"]


def _url(case):
    return reverse("legal:case_detail", args=[case.pk])


# --- eligibility ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EligibilityProposal:
    result: str
    explanation: str


def propose_eligibility(*, matter, is_migrant_worker, household_size, household_monthly_income, standard) -> EligibilityProposal:
    """Pure: the system's proposal. Staff decide (with a reason)."""
    if is_migrant_worker and matter in EXEMPT_MATTERS:
        return EligibilityProposal(
            Eligibility.EXEMPT,
            _("申请人为进城务工人员，申请事项为“%(m)s”，依《法律援助法》第42条免予核查经济困难状况。") % {"m": Matter(matter).label},
        )
    if standard is None:
        return EligibilityProposal(Eligibility.UNKNOWN, _("申请人所在地区没有经济困难标准数据，请人工判断。"))
    if not household_size or household_monthly_income is None:
        return EligibilityProposal(Eligibility.UNKNOWN, _("缺少家庭人口或家庭月收入，无法按经济困难标准核查。"))
    per_capita = (Decimal(household_monthly_income) / household_size).quantize(Decimal("0.01"))
    sample = _("（示例数据，待核实）") if standard.is_sample else ""
    basis = _("%(region)s经济困难标准：家庭人均月收入不高于 %(limit)s 元（%(from)s起执行，%(source)s）%(sample)s") % {
        "region": standard.region, "limit": standard.monthly_income_per_capita, "from": standard.effective_from,
        "source": standard.source, "sample": sample,
    }
    if per_capita <= standard.monthly_income_per_capita:
        return EligibilityProposal(Eligibility.HARDSHIP, _("家庭人均月收入 %(pc)s 元，符合《法律援助法》第34条。") % {"pc": per_capita} + basis)
    return EligibilityProposal(Eligibility.NOT_ELIGIBLE, _("家庭人均月收入 %(pc)s 元，高于标准。") % {"pc": per_capita} + basis)


def _refresh_derived(case: LegalAidCase, today: dt.date | None = None) -> None:
    """Recompute the proposal, decision due date and urgent flag (fields in memory)."""
    today = today or timezone.localdate()
    standard = hardship_standard_for(case.applicant_region, case.received_on)
    p = propose_eligibility(
        matter=case.matter, is_migrant_worker=case.is_migrant_worker, household_size=case.household_size,
        household_monthly_income=case.household_monthly_income, standard=standard,
    )
    case.eligibility_proposal, case.eligibility_explanation = p.result, p.explanation
    pauses = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in case.document_pauses]
    if case.waiting_since:
        pauses.append((case.waiting_since, max(today, case.waiting_since)))
    due = compute_due("legal_aid.decision", case.received_on, pauses=pauses)
    case.decision_due, case.decision_due_explanation = due.due, due.explanation
    case.urgent = is_urgent(case.limitation_date, today)


def is_urgent(limitation_date: dt.date | None, today: dt.date) -> bool:
    """art. 44: a limitation period or time limit ends within the urgent window (rule legal_aid.urgent_window)."""
    if limitation_date is None:
        return False
    return limitation_date <= compute_due("legal_aid.urgent_window", today).due


# --- consultations --------------------------------------------------------------------------------
@transaction.atomic
def consultation_create(*, actor, data: dict) -> Consultation:
    c = Consultation(handled_by=actor, **data)
    c.full_clean()
    c.save()
    audit.record(actor=actor, action="consultation_create", obj=c)
    return c


# --- applications ---------------------------------------------------------------------------------
APPLICATION_FIELDS = (
    "applicant_name", "id_number", "phone", "address", "applicant_region", "is_migrant_worker", "household_size",
    "household_monthly_income", "opposing_employer", "opposing_employer_name", "matter", "facts", "claims",
    "claim_amount", "summary_for_firms", "limitation_date", "received_on",
)


@transaction.atomic
def case_create(*, actor, data: dict, consultation: Consultation | None = None, extra: dict | None = None) -> LegalAidCase:
    case = LegalAidCase(created_by=actor, consultation=consultation, **{k: v for k, v in data.items() if k in APPLICATION_FIELDS})
    for k, v in (extra or {}).items():
        setattr(case, k, v)
    if not case.received_on:
        case.received_on = timezone.localdate()
    case.full_clean()
    _refresh_derived(case)
    case.save()
    audit.record(actor=actor, action="case_create", obj=case, to_state=case.state)
    return case


@transaction.atomic
def case_update(*, actor, case: LegalAidCase, data: dict) -> LegalAidCase:
    case = LegalAidCase.objects.select_for_update().get(pk=case.pk)
    if case.state not in (CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS):
        raise ValidationError(_("审查决定作出后不能修改申请。"))
    for k, v in data.items():
        if k in APPLICATION_FIELDS:
            setattr(case, k, v)
    case.full_clean()
    _refresh_derived(case)
    case.save()
    audit.record(actor=actor, action="case_update", obj=case)
    return case


@transaction.atomic
def case_request_documents(*, actor, case_id, what: str, queryset=None, on: dt.date | None = None) -> LegalAidCase:
    queryset = _plain(queryset)
    on = on or timezone.localdate()
    case = run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="request_documents", queryset=queryset,
        kwargs={"on": on}, reason=what, groups=[f"legal.{case_id}"],
    )
    return case


@transaction.atomic
def case_documents_received(*, actor, case_id, queryset=None, on: dt.date | None = None) -> LegalAidCase:
    """The waiting period [request day, the day before receipt] does not count towards the decision period."""
    queryset = _plain(queryset)
    on = on or timezone.localdate()

    def recompute(case):
        _refresh_derived(case)

    # the pause covers the day documents were requested up to the day before they arrived
    return run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="documents_received", queryset=queryset,
        kwargs={"on": on - dt.timedelta(days=1)}, before_save=recompute, groups=[f"legal.{case_id}"],
    )


@transaction.atomic
def case_decide(*, actor, case_id, approve: bool, reason: str, queryset=None, expected_state=None) -> LegalAidCase:
    queryset = _plain(queryset)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写决定理由。")})
    now = timezone.now()
    current = (queryset if queryset is not None else LegalAidCase.objects).filter(pk=case_id).values_list("state", "urgent").first()
    if approve and current and current[0] == CaseState.AWAITING_DOCUMENTS and not current[1]:
        raise ValidationError(_("材料尚未补齐：只有紧急案件（时效7日内届满）可以先行给予援助。"))
    case = run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="approve" if approve else "reject", queryset=queryset,
        expected_state=expected_state, kwargs={"by": actor, "reason": reason, "at": now}, reason=reason,
        groups=[f"legal.{case_id}"],
        before_save=(lambda c: setattr(c, "assignment_due", compute_due("legal_aid.assignment", now).due)) if approve else None,
    )
    if approve:
        case = route(case_id=case.pk, actor=None)
    return case


# --- routing --------------------------------------------------------------------------------------
def _offer(*, case_id, firm_org: Organisation, actor, explanation: str, override_reason: str = "", now=None) -> LegalAidCase:
    now = now or timezone.now()
    profile = FirmProfile.objects.select_for_update().get(organisation=firm_org)
    due = compute_due(profile.response_rule, now)
    case = run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="offer", kwargs={"firm": firm_org},
        reason=override_reason or explanation, data={"firm": firm_org.pk, "override": bool(override_reason)},
        groups=[f"legal.{case_id}"],
    )
    RoutingAttempt.objects.create(
        case=case, firm=firm_org, offered_at=now, response_due=due.due, response_due_explanation=due.explanation,
        explanation=explanation, override_reason=override_reason, offered_by=actor,
    )
    profile.last_assigned_at = now
    profile.save(update_fields=["last_assigned_at"])
    admins = firm_org.members.filter(role=Role.FIRM_ADMIN, is_active=True)
    notify(
        recipients=admins, kind="legal.offered", title=_("新的法律援助案件待接受：%(n)s") % {"n": case.number},
        body=_("请在 %(due)s 前接受或拒绝。") % {"due": due.due}, url=_url(case), obj=case,
    )
    return case


@transaction.atomic
def route(*, case_id, actor=None, now=None) -> LegalAidCase:
    """Offer an approved case to the best qualified firm; when none qualifies, mark it and alert region staff."""
    case = LegalAidCase.objects.select_for_update().select_related("applicant_region").get(pk=case_id)
    if case.state != CaseState.APPROVED:
        return case
    info, firms = routing.load_candidates(case)
    result = routing.choose_firm(info, firms)
    if result.firm is not None:
        return _offer(case_id=case.pk, firm_org=Organisation.objects.get(pk=result.firm.id), actor=actor,
                      explanation=result.explanation, now=now)
    was_flagged = case.no_firm_available
    case = run_transition(
        model=LegalAidCase, pk=case.pk, actor=actor, name="mark_unroutable", reason=result.explanation,
        data={"rejected": {str(k): v for k, v in result.rejected.items()}}, groups=[f"legal.{case.pk}"],
    )
    if not was_flagged:
        notify(
            recipients=staff_for_region(case.applicant_region), kind="legal.no_firm",
            title=_("法律援助案件 %(n)s 没有符合条件的律所，请人工指派") % {"n": case.number},
            body=result.explanation, url=_url(case), obj=case,
        )
    return case


@transaction.atomic
def route_override(*, actor, case_id, firm_org: Organisation, reason: str, queryset=None) -> LegalAidCase:
    """Staff choose the firm themselves, with a reason. Never a firm that declined the case or has a conflict;
    other rules (region, matter, capacity) may be overridden and the explanation says which."""
    queryset = _plain(queryset)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("人工指定律所必须填写理由。")})
    qs = queryset if queryset is not None else LegalAidCase.objects.all()
    case = qs.select_for_update().select_related("applicant_region").filter(pk=case_id).first()
    if case is None:
        from django.http import Http404

        raise Http404
    if not (actor.is_sysadmin or actor.role == Role.UNION_STAFF):
        raise PermissionDenied(_("只有工会工作人员可以指定律所。"))
    if case.state not in (CaseState.APPROVED, CaseState.OFFERED):
        raise ValidationError(_("只有待指派或待律所答复的案件可以人工指定律所。"))
    info, firms = routing.load_candidates(case)
    chosen = next((f for f in firms if f.id == firm_org.pk), None)
    if chosen is None:
        raise ValidationError({"firm": _("该单位不是合作律所。")})
    problems = routing.disqualifications(chosen, info)
    hard = []
    if chosen.id in info.declined_firm_ids:
        hard.append(_("已拒绝或超时未答复本案"))
    if info.employer_id is not None and info.employer_id in chosen.conflict_employer_ids:
        hard.append(_("正在代理对方用人单位（利益冲突）"))
    if hard:
        raise ValidationError({"firm": _("不能指定该律所：%(why)s") % {"why": "；".join(hard)}})
    if case.state == CaseState.OFFERED:
        if case.assigned_firm_id == firm_org.pk:
            raise ValidationError({"firm": _("案件已推送给该律所。")})
        RoutingAttempt.objects.filter(case=case, outcome=RoutingAttempt.Result.PENDING).update(
            outcome=RoutingAttempt.Result.WITHDRAWN, responded_at=timezone.now(), reason=reason
        )
        run_transition(model=LegalAidCase, pk=case.pk, actor=actor, name="withdraw_offer", reason=reason, groups=_groups(case))
    explanation = _("工作人员人工指定：%(desc)s。") % {"desc": routing.describe(chosen)}
    if problems:
        explanation += _("（未满足的规则：%(p)s）") % {"p": "；".join(problems)}
    return _offer(case_id=case.pk, firm_org=firm_org, actor=actor, explanation=explanation, override_reason=reason)


def _close_attempt(case, outcome, reason):
    att = RoutingAttempt.objects.select_for_update().filter(case=case, firm_id=case.assigned_firm_id, outcome=RoutingAttempt.Result.PENDING).first()
    if att:
        att.outcome, att.reason, att.responded_at = outcome, reason, timezone.now()
        att.save(update_fields=["outcome", "reason", "responded_at"])
    return att


@transaction.atomic
def case_accept(*, actor, case_id, conflict_confirmed: bool, queryset=None) -> LegalAidCase:
    queryset = _plain(queryset)
    if not conflict_confirmed:
        raise ValidationError({"conflict_confirmed": _("请先确认已完成利益冲突审查。")})

    def check(actor, case):
        from core.permissions import Decision

        if actor.organisation_id != case.assigned_firm_id and not actor.is_sysadmin:
            return Decision.deny(_("案件未推送给您的律所。"))
        return Decision.allow()

    case = run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="accept", queryset=queryset, expected_state=CaseState.OFFERED,
        permission=check, kwargs={"by": actor, "at": timezone.now()}, reason=_("已确认利益冲突审查"), groups=[f"legal.{case_id}"],
    )
    _close_attempt(case, RoutingAttempt.Result.ACCEPTED, "")
    return case


@transaction.atomic
def case_decline(*, actor, case_id, reason: str, queryset=None) -> LegalAidCase:
    queryset = _plain(queryset)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("拒绝接案必须填写理由。")})
    # lock the case before its attempt rows, in the same order as the sweep's timeout (no deadlock)
    case = (queryset if queryset is not None else LegalAidCase.objects).select_for_update().filter(pk=case_id).first()
    if case is None:
        from django.http import Http404

        raise Http404
    firm_id = case.assigned_firm_id
    pending = RoutingAttempt.objects.select_for_update().filter(case_id=case_id, firm_id=firm_id, outcome=RoutingAttempt.Result.PENDING).first()
    case = run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="decline", queryset=queryset, expected_state=CaseState.OFFERED,
        reason=reason, data={"firm": firm_id}, groups=[f"legal.{case_id}"],
    )
    if pending:
        pending.outcome, pending.reason, pending.responded_at = RoutingAttempt.Result.DECLINED, reason, timezone.now()
        pending.save(update_fields=["outcome", "reason", "responded_at"])
    return route(case_id=case_id, actor=None)


@transaction.atomic
def case_time_out(*, case_id, today: dt.date, now=None) -> LegalAidCase | None:
    """System: the firm let the response period pass. Idempotent (does nothing unless still pending and overdue)."""
    case = LegalAidCase.objects.select_for_update().filter(pk=case_id, state=CaseState.OFFERED).first()
    if case is None:
        return None
    pending = RoutingAttempt.objects.select_for_update().filter(
        case=case, firm_id=case.assigned_firm_id, outcome=RoutingAttempt.Result.PENDING, response_due__lt=today
    ).first()
    if pending is None:
        return None
    firm = case.assigned_firm
    run_transition(
        model=LegalAidCase, pk=case.pk, actor=None, name="time_out", expected_state=CaseState.OFFERED,
        reason=_("律所未在 %(due)s 前答复") % {"due": pending.response_due}, data={"firm": firm.pk}, groups=_groups(case),
    )
    pending.outcome, pending.responded_at = RoutingAttempt.Result.TIMED_OUT, now or timezone.now()
    pending.reason = _("超过答复期限")
    pending.save(update_fields=["outcome", "reason", "responded_at"])
    return route(case_id=case.pk, actor=None, now=now)


# --- firm work ------------------------------------------------------------------------------------
@transaction.atomic
def case_assign_lawyer(*, actor, case_id, lawyer, queryset=None) -> LegalAidCase:
    queryset = _plain(queryset)
    def check(actor, case):
        from core.permissions import Decision

        if not lawyers_of(case.assigned_firm).filter(pk=lawyer.pk).exists():
            return Decision.deny(_("只能指派本所的律师。"))
        return Decision.allow()

    return run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="assign_lawyer", queryset=queryset, permission=check,
        kwargs={"lawyer": lawyer}, data={"lawyer": lawyer.pk}, groups=[f"legal.{case_id}"],
    )


def _work_case(actor, case_id, queryset):
    case = queryset.select_for_update().filter(pk=case_id).first() if queryset is not None else LegalAidCase.objects.get(pk=case_id)
    if case is None:
        from django.http import Http404

        raise Http404
    return case


@transaction.atomic
def worklog_add(*, actor, case_id, data: dict, queryset=None) -> WorkLogEntry:
    queryset = _plain(queryset)
    case = _work_case(actor, case_id, queryset)
    if case.state != CaseState.IN_PROGRESS:
        raise ValidationError(_("只有承办中的案件可以记录办案工作。"))
    if not (actor.is_sysadmin or (actor.role in (Role.LAWYER, Role.FIRM_ADMIN) and actor.organisation_id == case.assigned_firm_id)):
        raise PermissionDenied(_("只有承办律所的律师可以记录办案工作。"))
    next_steps = data.pop("next_steps", None)
    entry = WorkLogEntry(case=case, lawyer=actor, **data)
    entry.full_clean()
    entry.save()
    if next_steps:
        case.next_steps = next_steps
        case.save(update_fields=["next_steps", "updated_at"])
    audit.record(actor=actor, action="worklog_add", obj=case, data={"hours": str(entry.hours)})
    return entry


@transaction.atomic
def document_add(*, actor, case_id, upload, description: str = "", queryset=None) -> CaseDocument:
    queryset = _plain(queryset)
    from django.conf import settings

    case = _work_case(actor, case_id, queryset)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": _("文件过大。")})
    if actor.role in (Role.LAWYER, Role.FIRM_ADMIN) and not actor.is_sysadmin and case.state not in (CaseState.ACCEPTED, CaseState.IN_PROGRESS):
        raise PermissionDenied(_("律所只能为已接受的案件上传材料。"))
    doc = CaseDocument(case=case, file=upload, original_name=upload.name[:200], description=description, uploaded_by=actor)
    doc.save()
    audit.record(actor=actor, action="document_add", obj=case, data={"document": doc.pk})
    return doc


@transaction.atomic
def case_close(*, actor, case_id, outcome: str, amount_recovered, queryset=None) -> LegalAidCase:
    queryset = _plain(queryset)
    return run_transition(
        model=LegalAidCase, pk=case_id, actor=actor, name="close", queryset=queryset, expected_state=CaseState.IN_PROGRESS,
        kwargs={"outcome": outcome, "amount_recovered": amount_recovered, "at": timezone.now()},
        data={"outcome": outcome, "amount": str(amount_recovered) if amount_recovered is not None else None}, groups=[f"legal.{case_id}"],
    )


@transaction.atomic
def case_record_satisfaction(*, actor, case_id, score: int, note: str = "", queryset=None) -> LegalAidCase:
    queryset = _plain(queryset)
    case = _work_case(actor, case_id, queryset)
    if case.state != CaseState.CLOSED:
        raise ValidationError(_("结案后才能记录满意度。"))
    case.satisfaction, case.satisfaction_note = score, note
    case.full_clean()
    case.save(update_fields=["satisfaction", "satisfaction_note", "updated_at"])
    audit.record(actor=actor, action="satisfaction", obj=case, data={"score": score})
    return case


# --- firm profile ---------------------------------------------------------------------------------
@transaction.atomic
def firm_profile_save(*, actor, organisation, regions, matters, capacity, is_active, response_rule=None) -> FirmProfile:
    profile, _created = FirmProfile.objects.get_or_create(organisation=organisation)
    profile.matters = list(matters)
    profile.capacity = capacity
    profile.is_active = is_active
    if response_rule is not None:
        profile.response_rule = response_rule
    profile.full_clean()
    profile.save()
    profile.regions.set(regions)
    audit.record(actor=actor, action="firm_profile_save", obj=profile, data={"capacity": capacity, "active": is_active})
    return profile


def record_personal_view(*, actor, case, what: str) -> None:
    """Every view of a case's personal data by a firm user is audited."""
    audit.record(actor=actor, action="view_personal_data", obj=case, data={"what": what})


# --- sweep ----------------------------------------------------------------------------------------
def sweep(now: dt.datetime) -> dict:
    """Firm response timeouts → reroute; decision due soon / overdue flags; urgent flags. Idempotent."""
    from .selectors import open_routing_attempts_due

    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    counts = {"timed_out": 0, "decision_due_soon": 0, "decision_overdue": 0, "urgent": 0, "assignment_overdue": 0}
    for case_id in list(open_routing_attempts_due(today).values_list("case_id", flat=True).distinct()):
        if case_time_out(case_id=case_id, today=today, now=now) is not None:
            counts["timed_out"] += 1
    pending = LegalAidCase.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS]).select_related("applicant_region")
    for case in pending:
        with transaction.atomic():
            overdue = case.state == CaseState.SUBMITTED and case.decision_due is not None and today > case.decision_due
            soon = case.state == CaseState.SUBMITTED and case.decision_due is not None and not overdue and (case.decision_due - today).days <= 1
            urgent = is_urgent(case.limitation_date, today)
            changed = {}
            if overdue != case.decision_overdue:
                changed["decision_overdue"] = overdue
            if soon != case.decision_due_soon:
                changed["decision_due_soon"] = soon
            if urgent and not case.urgent:
                changed["urgent"] = True
            if not changed:
                continue
            LegalAidCase.objects.filter(pk=case.pk).update(**changed)
            if changed.get("decision_overdue"):
                counts["decision_overdue"] += 1
                notify(recipients=staff_for_region(case.applicant_region), kind="legal.decision_overdue",
                       title=_("法律援助申请 %(n)s 已超过审查决定期限") % {"n": case.number}, url=_url(case), obj=case)
            if changed.get("decision_due_soon"):
                counts["decision_due_soon"] += 1
                notify(recipients=staff_for_region(case.applicant_region), kind="legal.decision_due_soon",
                       title=_("法律援助申请 %(n)s 的审查决定期限即将届满") % {"n": case.number}, url=_url(case), obj=case)
            if changed.get("urgent"):
                counts["urgent"] += 1
                notify(recipients=staff_for_region(case.applicant_region), kind="legal.urgent",
                       title=_("法律援助申请 %(n)s 时效即将届满，可先行援助") % {"n": case.number}, url=_url(case), obj=case)
    # Art. 43: a lawyer within 3 days of the decision. Cases still without one past that date, once each.
    unassigned = LegalAidCase.objects.filter(
        state__in=[CaseState.APPROVED, CaseState.OFFERED, CaseState.ACCEPTED],
        assignment_due__lt=today,
        assignment_overdue=False,
    ).select_related("applicant_region")
    for case in unassigned:
        with transaction.atomic():
            LegalAidCase.objects.filter(pk=case.pk).update(assignment_overdue=True)
            counts["assignment_overdue"] += 1
            notify(recipients=staff_for_region(case.applicant_region), kind="legal.assignment_overdue",
                   title=_("法律援助案件 %(n)s 已超过指派律师期限（%(d)s）") % {"n": case.number, "d": case.assignment_due},
                   url=_url(case), obj=case)
    return counts


@transaction.atomic
def engagement_add(*, actor, firm, employer, description: str = "") -> "FirmEngagement":
    """Register that `firm` acts for `employer` (a conflict for cases against that employer while open)."""
    from .models import FirmEngagement

    e = FirmEngagement(firm=firm, employer=employer, description=description)
    e.full_clean()
    e.save()
    audit.record(actor=actor, action="engagement_add", obj=e, data={"firm": firm.pk, "employer": employer.pk})
    return e


@transaction.atomic
def engagement_end(*, actor, firm, engagement_id, on: dt.date | None = None) -> None:
    from .models import FirmEngagement

    e = FirmEngagement.objects.select_for_update().filter(firm=firm, pk=engagement_id, ended_on__isnull=True).first()
    if e is None:
        return
    e.ended_on = on or timezone.localdate()
    e.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="engagement_end", obj=e)
