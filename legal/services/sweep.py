"""The daily sweep: firm response timeouts (→ reroute), decision due soon / overdue, urgent, and the art. 43
assignment date. Every flag is set through the runner as the system (`actor=None`): locked, saved with
`update_fields`, audited and published. Idempotent. Deadline warnings are also e-mailed.

Set-based (issue 14): for each rule ONE query finds the cases whose flag is due to change; the changes then
run through `core.runner` in batches (one transaction per `BATCH` cases), each re-checking the rule under
its row lock, so every change is still locked, validated, audited and published, and nothing is read per
row beyond that write. Staff to tell are read once per region, not once per case. The rules are the same
as `rules.decision_flags` and `rules.is_urgent`, written as filters:

- decision overdue: under review (submitted, not waiting for documents) and the decision date has passed;
- decision due soon: under review and the decision date is today or tomorrow;
- urgent (art. 44): under review or waiting for documents, fewer than 7 (the rule's length) calendar days
  before the limitation date; never cleared;
- assignment overdue (art. 43): no lawyer yet (approved, offered, accepted) after the assignment date.

A flag that no longer holds (a decision date moved, documents requested) is cleared the same way.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region
from core import batch
from core.runner import run_edit
from notifications.services import notify

from .. import rules
from ..models import CaseState, LegalAidCase
from ..selectors import open_routing_attempts_due, staff_for_region
from ._common import case_url
from .cases import urgent_window_days
from .offers import case_time_out

BATCH = 100
REVIEW = (CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS)
WAITING_FOR_LAWYER = (CaseState.APPROVED, CaseState.OFFERED, CaseState.ACCEPTED)


class _Unchanged(Exception):
    pass


def _flag(case_pk, field: str, value: bool, *, today: dt.date, when: Callable[[LegalAidCase], bool]) -> LegalAidCase | None:
    """Set one flag as the system, only if `when(case)` still holds under the lock. Audited as flag_<field>.
    The caller's query already chose the case: no read before the runner's own locked one."""
    def change(obj):
        if getattr(obj, field) == value or not when(obj):
            raise _Unchanged  # rolls the run back: nothing saved, nothing audited
        setattr(obj, field, value)
        return {field: value, "on": today.isoformat()}

    try:
        return run_edit(model=LegalAidCase, pk=case_pk, actor=None, action=f"flag_{field}", change=change,
                        update_fields=[field])
    except _Unchanged:
        return None


class _Staff:
    """Union staff overseeing a region, read once per region during one sweep."""

    def __init__(self):
        self._by_region: dict[int, list] = {}

    def __call__(self, region_id: int) -> list:
        if region_id not in self._by_region:
            self._by_region[region_id] = list(staff_for_region(Region.objects.get(pk=region_id)))
        return self._by_region[region_id]


def _run_rule(ids: list[int], field: str, value: bool, *, today, when, counts: dict, key: str | None,
              tell: Callable[[LegalAidCase], None] | None) -> None:
    def after(changed):
        if key:
            counts[key] += len(changed)
            if tell:
                for case in changed:
                    tell(case)

    batch.in_batches(ids, lambda pk: _flag(pk, field, value, today=today, when=when), after, size=BATCH,
                     lock=LegalAidCase)


def sweep(now: dt.datetime) -> dict:
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    counts = {"timed_out": 0, "decision_due_soon": 0, "decision_overdue": 0, "urgent": 0, "assignment_overdue": 0}
    staff = _Staff()

    def tell(kind, title):
        def send(case):
            notify(recipients=staff(case.applicant_region_id), kind=kind, title=title % {"n": case.number,
                   "d": case.assignment_due}, url=case_url(case), obj=case, email=True)
        return send

    # Firm response timeouts: each is a transition and a new routing decision (its own transaction).
    for case_id in list(open_routing_attempts_due(today).values_list("case_id", flat=True).distinct().order_by("case_id")):
        if case_time_out(case=case_id, today=today, now=now) is not None:
            counts["timed_out"] += 1

    def ids(qs) -> list[int]:
        return list(qs.order_by("pk").values_list("pk", flat=True))

    def overdue_now(c):
        return rules.decision_flags(state=c.state, decision_due=c.decision_due, today=today)[0]

    def soon_now(c):
        return rules.decision_flags(state=c.state, decision_due=c.decision_due, today=today)[1]

    under_review = LegalAidCase.objects.filter(state__in=REVIEW)
    is_overdue = Q(state=CaseState.SUBMITTED, decision_due__lt=today)
    is_soon = Q(state=CaseState.SUBMITTED, decision_due__gte=today, decision_due__lte=today + dt.timedelta(days=1))

    _run_rule(ids(under_review.filter(is_overdue, decision_overdue=False)), "decision_overdue", True, today=today,
              when=overdue_now, counts=counts, key="decision_overdue",
              tell=tell("legal.decision_overdue", _("法律援助申请 %(n)s 已超过审查决定期限")))
    _run_rule(ids(under_review.filter(decision_overdue=True).exclude(is_overdue)), "decision_overdue", False, today=today,
              when=lambda c: c.state in REVIEW and not overdue_now(c), counts=counts, key=None, tell=None)
    _run_rule(ids(under_review.filter(is_soon, decision_due_soon=False)), "decision_due_soon", True, today=today,
              when=soon_now, counts=counts, key="decision_due_soon",
              tell=tell("legal.decision_due_soon", _("法律援助申请 %(n)s 的审查决定期限即将届满")))
    _run_rule(ids(under_review.filter(decision_due_soon=True).exclude(is_soon)), "decision_due_soon", False, today=today,
              when=lambda c: c.state in REVIEW and not soon_now(c), counts=counts, key=None, tell=None)

    # Art. 44: fewer than `window` calendar days left (rules.is_urgent), i.e. limitation date < today + window.
    window = urgent_window_days()
    _run_rule(
        ids(under_review.filter(urgent=False, limitation_date__lt=today + dt.timedelta(days=window))),
        "urgent", True, today=today, counts=counts, key="urgent",
        when=lambda c: c.state in REVIEW and rules.is_urgent(c.limitation_date, today, window),
        tell=tell("legal.urgent", _("法律援助申请 %(n)s 距时效或期限届满不足7日，可先行提供法律援助（《法律援助法》第44条）")),
    )

    # Art. 43: a lawyer within 3 days of the decision. Cases still without one past that date, once each.
    _run_rule(
        ids(LegalAidCase.objects.filter(state__in=WAITING_FOR_LAWYER, assignment_due__lt=today, assignment_overdue=False)),
        "assignment_overdue", True, today=today, counts=counts, key="assignment_overdue",
        when=lambda c: c.state in WAITING_FOR_LAWYER and c.assignment_due is not None and c.assignment_due < today,
        tell=tell("legal.assignment_overdue", _("法律援助案件 %(n)s 已超过指派律师期限（%(d)s）")),
    )
    return counts
