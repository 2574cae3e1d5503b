"""Reads: every queryset here is already scoped to the actor."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scoping import scope

from .models import OPEN_STATES, DisputeCase, DisputeClaim


def disputes_visible_to(actor) -> QuerySet:
    return scope(actor, DisputeCase.objects.all(), region="region", employer="employer", union="union")


def dispute_list(actor, *, state=None, kind=None, employer=None, collective=None, due_within=None, overdue=None,
                 today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    qs = disputes_visible_to(actor).select_related("employer", "region")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(Exists(DisputeClaim.objects.filter(case=OuterRef("pk"), kind=kind)))
    if employer:
        qs = qs.filter(employer=employer)
    if collective is not None:
        qs = qs.filter(is_collective=collective)
    if due_within is not None:
        qs = qs.filter(state__in=OPEN_STATES, next_due__isnull=False, next_due__lte=today + dt.timedelta(days=due_within))
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, next_due__lt=today)
    return qs.order_by("next_due", "-id") if due_within is not None or overdue else qs


def evidence_visible_to(actor, case) -> QuerySet:
    """The union side keeps the workers' file; an employer sees the case and its own submissions only."""
    qs = case.evidence.select_related("uploaded_by")
    if actor.role == Role.EMPLOYER_REP and not actor.is_sysadmin:
        return qs.filter(side="employer")
    return qs


def people_to_tell(case) -> QuerySet:
    """Union staff whose region contains the case's, and the employer's representatives."""
    from accounts.scoping import staff_covering

    staff = staff_covering(case.region)
    reps = User.objects.filter(is_active=True, role=Role.EMPLOYER_REP, organisation_id=case.employer_id)
    return (staff | reps).distinct()
