"""Applications and their review: create, edit before the decision, ask for documents, decide."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.deadlines import compute_due
from core.runner import lock_for, run_edit, run_transition

from .. import rules
from ..models import CaseState, Consultation, LegalAidCase
from ..permissions import can_create_case, is_staff
from ..selectors import hardship_standard_for
from ._common import pk_of

APPLICATION_FIELDS = (
    "applicant_name", "id_number", "phone", "address", "applicant_region", "is_migrant_worker", "household_size",
    "household_monthly_income", "opposing_employer", "opposing_employer_name", "matter", "facts", "claims",
    "claim_amount", "summary_for_firms", "limitation_date", "received_on", "exemption_ground",
)

URGENT_WINDOW_RULE = "legal_aid.urgent_window"


def urgent_window_days() -> int:
    """The art. 44 window (七日) from the deadline rule table: its length only, as a plain count of calendar
    days — the window is not a due date, so it is never rolled over a rest day."""
    from core.models import DeadlineRule

    return DeadlineRule.objects.values_list("length", flat=True).get(pk=URGENT_WINDOW_RULE)


def urgent_on(limitation_date, today: dt.date) -> bool:
    """art. 44: fewer than 7 calendar days left before the limitation period or time limit ends."""
    if limitation_date is None:
        return False
    return rules.is_urgent(limitation_date, today, urgent_window_days())


def urgency_explanation(case: LegalAidCase, today: dt.date | None = None) -> str:
    if case.limitation_date is None:
        return ""
    return rules.urgency_explanation(case.limitation_date, today or timezone.localdate(), urgent_window_days())


def decision_pauses(case: LegalAidCase, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The stored pauses, plus the one still running while documents are awaited (through today)."""
    pauses = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in case.document_pauses]
    if case.waiting_since:
        running = rules.document_pause(case.waiting_since, today, case.received_on)
        if running:
            pauses.append(running)
    return pauses


def refresh_derived(case: LegalAidCase, today: dt.date | None = None) -> None:
    """Recompute the proposal, decision due date and urgent flag (fields in memory)."""
    today = today or timezone.localdate()
    standard = hardship_standard_for(case.applicant_region, case.received_on)
    p = rules.propose_eligibility(
        matter=case.matter, is_migrant_worker=case.is_migrant_worker, household_size=case.household_size,
        household_monthly_income=case.household_monthly_income, standard=standard,
        exemption_ground=case.exemption_ground,
    )
    case.eligibility_proposal, case.eligibility_explanation = p.result, p.explanation
    case.exemption_ground = p.ground
    pauses = decision_pauses(case, today)
    due = compute_due("legal_aid.decision", case.received_on, pauses=pauses)
    explanation = due.explanation
    if pauses:
        explanation += _("申请人补充材料所需的时间（自要求补充材料之日至材料补齐之日的天数）不计入审查期限，"
                         "期限相应顺延；在收到申请当日要求补充的，自次日起暂停，不减少审查期限"
                         "（《法律援助法》第43条；《办理法律援助案件程序规定》）。")
        if case.waiting_since:
            explanation += _("材料尚未补齐：截止日按已等待至%(d)s计算，材料补齐后重新计算。") % {"d": today.isoformat()}
    case.decision_due, case.decision_due_explanation = due.due, explanation
    case.urgent = urgent_on(case.limitation_date, today)


@transaction.atomic
def case_create(*, actor, data: dict, consultation: Consultation | None = None, extra: dict | None = None) -> LegalAidCase:
    """Union staff of the applicant's region register an application (checked here, whoever calls)."""
    can_create_case(actor, data).require()
    if consultation is not None:
        from ..permissions import consultations_visible_to

        if not consultations_visible_to(actor).filter(pk=consultation.pk).exists():
            from django.http import Http404

            raise Http404
    case = LegalAidCase(created_by=actor, consultation=consultation, **{k: v for k, v in data.items() if k in APPLICATION_FIELDS})
    for k, v in (extra or {}).items():
        setattr(case, k, v)
    if not case.received_on:
        case.received_on = timezone.localdate()
    case.full_clean()
    refresh_derived(case)
    case.save()
    audit.record(actor=actor, action="case_create", obj=case, to_state=case.state)
    return case


def case_update(*, actor, case, expected_state=None, **data) -> LegalAidCase:
    """Staff correct an application before the decision."""
    fields = data.pop("data", None) or data

    def change(obj):
        for k, v in fields.items():
            if k in APPLICATION_FIELDS:
                setattr(obj, k, v)
        obj.full_clean(exclude=["state"])
        refresh_derived(obj)
        return {"fields": sorted(k for k in fields if k in APPLICATION_FIELDS)}

    return run_edit(model=LegalAidCase, pk=pk_of(case), actor=actor, action="case_update", change=change,
                    expected_state=expected_state)


def case_request_documents(*, actor, case, what: str, on: dt.date | None = None, expected_state=None) -> LegalAidCase:
    """The decision period pauses while the applicant gathers documents (art. 43; rules.document_pause)."""
    if not (what or "").strip():
        raise ValidationError({"what": _("请填写需补充的材料。")})
    on = on or timezone.localdate()
    return run_transition(
        model=LegalAidCase, pk=pk_of(case), actor=actor, name="request_documents", expected_state=expected_state,
        kwargs={"on": on}, reason=what, before_save=lambda c: refresh_derived(c),
    )


def case_documents_received(*, actor, case, on: dt.date | None = None, expected_state=None) -> LegalAidCase:
    """`on`: the day the documents arrived. The decision period is extended by the days the applicant spent
    supplying them (`on` minus the request day; art. 43, rules.document_pause)."""
    on = on or timezone.localdate()
    return run_transition(
        model=LegalAidCase, pk=pk_of(case), actor=actor, name="documents_received", expected_state=expected_state,
        kwargs={"on": on}, before_save=lambda c: refresh_derived(c),
    )


@transaction.atomic
def case_decide(*, actor, case, reason: str, decision: str | None = None, approve: bool | None = None,
                expected_state=None) -> LegalAidCase:
    """Staff approve or reject with a reason; an approved case is routed at once."""
    if not is_staff(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有申请人所在地区的工会工作人员可以作出审查决定。"))
    if approve is None:
        approve = decision == "approve"
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写决定理由。")})
    now = timezone.now()
    current = lock_for(LegalAidCase, pk_of(case), actor, action="decide")
    if approve and not rules.may_approve_now(current.state, current.urgent):
        raise ValidationError(_("材料尚未补齐：只有距时效或期限届满不足7日的紧急案件可以先行提供法律援助（《法律援助法》第44条）。"))
    decided = run_transition(
        model=LegalAidCase, pk=current.pk, actor=actor, name="approve" if approve else "reject", action="decide",
        expected_state=expected_state, kwargs={"by": actor, "reason": reason, "at": now}, reason=reason,
        before_save=(lambda c: setattr(c, "assignment_due", compute_due("legal_aid.assignment", now).due)) if approve else None,
    )
    if approve:
        from .offers import route

        decided = route(case=decided.pk, actor=None)
    return decided


def record_personal_view(*, actor, case, what: str) -> None:
    """Every full view of personal data (a case, a consultation), by any role, is audited (个人信息保护法)."""
    audit.record(actor=actor, action="view_personal_data", obj=case, data={"what": what})
