"""The daily sweep: firm response timeouts (→ reroute), decision due soon / overdue, urgent, and the art. 43
assignment date. Every flag is set through the runner as the system (`actor=None`): locked, saved with
`update_fields`, audited and published. Idempotent. Deadline warnings are also e-mailed."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from core.runner import run_edit
from notifications.services import notify

from .. import rules
from ..models import CaseState, LegalAidCase
from ..selectors import open_routing_attempts_due, staff_for_region
from ._common import case_url
from .cases import urgent_on
from .offers import case_time_out


class _Unchanged(Exception):
    pass


def _flag(case_pk, field: str, value: bool, *, today: dt.date, when) -> LegalAidCase | None:
    """Set one flag as the system, only if `when(case)` still holds under the lock. Audited as flag_<field>."""
    def change(obj):
        if getattr(obj, field) == value or not when(obj):
            raise _Unchanged  # rolls the run back: nothing saved, nothing audited
        setattr(obj, field, value)
        return {field: value, "on": today.isoformat()}

    # run_edit audits every call; check first (cheap, unlocked) so an unchanged case writes nothing
    obj = LegalAidCase.objects.filter(pk=case_pk).only("pk", field, "state").first()
    if obj is None or getattr(obj, field) == value:
        return None
    try:
        return run_edit(model=LegalAidCase, pk=case_pk, actor=None, action=f"flag_{field}", change=change,
                        update_fields=[field])
    except _Unchanged:
        return None


def _tell_staff(case, kind, title):
    notify(recipients=staff_for_region(case.applicant_region), kind=kind, title=title, url=case_url(case), obj=case,
           email=True)


def sweep(now: dt.datetime) -> dict:
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    counts = {"timed_out": 0, "decision_due_soon": 0, "decision_overdue": 0, "urgent": 0, "assignment_overdue": 0}
    for case_id in list(open_routing_attempts_due(today).values_list("case_id", flat=True).distinct()):
        if case_time_out(case=case_id, today=today, now=now) is not None:
            counts["timed_out"] += 1

    pending = LegalAidCase.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS])
    for case in pending.only("pk", "state", "decision_due", "limitation_date", "decision_overdue", "decision_due_soon", "urgent"):
        overdue, soon = rules.decision_flags(state=case.state, decision_due=case.decision_due, today=today)
        urgent = urgent_on(case.limitation_date, today)
        under_review = lambda c: c.state in (CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS)  # noqa: E731
        if overdue != case.decision_overdue:
            done = _flag(case.pk, "decision_overdue", overdue, today=today, when=under_review)
            if done is not None and overdue:
                counts["decision_overdue"] += 1
                _tell_staff(done, "legal.decision_overdue", _("法律援助申请 %(n)s 已超过审查决定期限") % {"n": done.number})
        if soon != case.decision_due_soon:
            done = _flag(case.pk, "decision_due_soon", soon, today=today, when=under_review)
            if done is not None and soon:
                counts["decision_due_soon"] += 1
                _tell_staff(done, "legal.decision_due_soon", _("法律援助申请 %(n)s 的审查决定期限即将届满") % {"n": done.number})
        if urgent and not case.urgent:
            done = _flag(case.pk, "urgent", True, today=today, when=under_review)
            if done is not None:
                counts["urgent"] += 1
                _tell_staff(done, "legal.urgent", _("法律援助申请 %(n)s 距时效或期限届满不足7日，可先行提供法律援助（《法律援助法》第44条）") % {"n": done.number})

    # Art. 43: a lawyer within 3 days of the decision. Cases still without one past that date, once each.
    waiting = (CaseState.APPROVED, CaseState.OFFERED, CaseState.ACCEPTED)
    unassigned = LegalAidCase.objects.filter(state__in=waiting, assignment_due__lt=today, assignment_overdue=False)
    for pk in list(unassigned.values_list("pk", flat=True)):
        done = _flag(pk, "assignment_overdue", True, today=today,
                     when=lambda c: c.state in waiting and c.assignment_due is not None and c.assignment_due < today)
        if done is not None:
            counts["assignment_overdue"] += 1
            _tell_staff(done, "legal.assignment_overdue",
                        _("法律援助案件 %(n)s 已超过指派律师期限（%(d)s）") % {"n": done.number, "d": done.assignment_due})
    return counts
