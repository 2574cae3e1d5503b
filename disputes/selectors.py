"""Reads: every queryset here is already scoped to the actor."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scoping import scope

from .models import OPEN_STATES, TERMINAL, DisputeCase, DisputeClaim


# Who has a part in a dispute's file: the pages and the API admit these roles only (and the administrator).
VIEWER_ROLES = (Role.UNION_STAFF, Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR)


def disputes_visible_to(actor) -> QuerySet:
    """Staff in their region subtree, an employer its own cases, a negotiator its union's. Other roles (the
    labour bureau: it reviews contracts, not dispute files) see none, so nothing looked up through this
    scope (history, documents, sockets, overview) shows them a case the pages refuse."""
    qs = DisputeCase.objects.all()
    if actor is not None and not getattr(actor, "is_sysadmin", False) and getattr(actor, "role", "") not in VIEWER_ROLES:
        return qs.none()
    return scope(actor, qs, region="region", employer="employer", union="union")


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
    return qs.order_by(*list_order(due_within=due_within, overdue=overdue))


# The list's orders: newest filing first, or the nearest due date first when filtering by due date. Each
# scope's column (region / employer / union / state / none) is indexed together with the order
# (migrations/*_list_indexes.py), so a page reads ~50 index entries whatever the table's size; the region
# subtree (accounts_region.path, varchar_pattern_ops index) is joined to the ordered index scan.
LIST_ORDER = ("-filed_on", "-id")
DUE_ORDER = ("next_due", "-id")


def list_order(*, due_within=None, overdue=None, **_filters) -> tuple[str, ...]:
    return DUE_ORDER if due_within is not None or overdue else LIST_ORDER


LIST_FIELDS = ("id", "reference", "title", "is_collective", "state", "next_due", "filed_on", "employer__name", "region__name")


def dispute_list_page(actor, *, after=None, before=None, **filters):
    """One page of `dispute_list` for the list page (keyset, count bounded): three queries however deep.

    Rows are plain dicts of the columns the page shows, not model instances (a case has ~70 columns),
    each with `claim_kinds` (its claims' kinds in order) and `is_open`."""
    from core.keyset import keyset_page

    qs = dispute_list(actor, **filters).values(*LIST_FIELDS)
    page = keyset_page(qs, order=list_order(**filters), after=after, before=before)
    kinds: dict[int, list[str]] = {}
    if page.object_list:
        for case_id, kind in DisputeClaim.objects.filter(case_id__in=[r["id"] for r in page]).order_by("id").values_list("case_id", "kind"):
            kinds.setdefault(case_id, []).append(kind)
    for row in page:
        row["claim_kinds"] = kinds.get(row["id"], [])
        row["is_open"] = row["state"] not in TERMINAL
    return page


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
