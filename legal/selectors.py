"""Reads for legal aid, already scoped to the actor."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.scoping import scope

from .models import DISCLOSED_STATES, CaseState, Consultation, FirmProfile, HardshipStandard, LegalAidCase


def cases_visible_to(actor) -> QuerySet:
    """Staff: their region subtree (by the applicant's region). Firm admins: cases currently routed to their
    firm. Lawyers: cases their firm accepted. Employers, negotiators, bureau reviewers: nothing."""
    qs = LegalAidCase.objects.select_related("applicant_region", "opposing_employer", "assigned_firm", "assigned_lawyer")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return qs.none()
    if actor.role in (Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR, Role.BUREAU_REVIEWER) and not actor.is_sysadmin:
        return qs.none()
    qs = scope(actor, qs, region="applicant_region", employer=None, firm="assigned_firm")
    if actor.role == Role.LAWYER and not actor.is_sysadmin:
        qs = qs.filter(state__in=DISCLOSED_STATES)
    return qs


def case_history_visible_to(actor) -> QuerySet:
    """For the generic history page: a firm sees a case's history only once it accepted the case (the trail
    carries staff's reasons, which may describe the applicant)."""
    qs = cases_visible_to(actor)
    if is_firm_user(actor):
        qs = qs.filter(state__in=DISCLOSED_STATES)
    return qs


def is_firm_user(actor) -> bool:
    return bool(actor and actor.is_authenticated and not actor.is_sysadmin and actor.role in (Role.FIRM_ADMIN, Role.LAWYER))


def personal_data_visible(actor, case: LegalAidCase) -> bool:
    """Firm users see the applicant's personal data only once their firm accepted the case."""
    if not is_firm_user(actor):
        return True
    return case.state in DISCLOSED_STATES and case.assigned_firm_id == actor.organisation_id


def consultations_visible_to(actor) -> QuerySet:
    qs = Consultation.objects.select_related("region", "handled_by")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return qs.none()
    if not (actor.is_sysadmin or actor.role == Role.UNION_STAFF):
        return qs.none()
    return scope(actor, qs, region="region")


def firms_visible_to(actor) -> QuerySet:
    qs = FirmProfile.objects.select_related("organisation", "organisation__region").prefetch_related("regions")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return qs.none()
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return qs
    if actor.role in (Role.FIRM_ADMIN, Role.LAWYER):
        return qs.filter(organisation_id=actor.organisation_id)
    return qs.none()


def firm_load(firm_org) -> dict:
    from .models import OPEN_FIRM_STATES

    profile = FirmProfile.objects.filter(organisation=firm_org).first()
    open_cases = LegalAidCase.objects.filter(assigned_firm=firm_org, state__in=OPEN_FIRM_STATES).count()
    cap = profile.capacity if profile else 0
    return {"open": open_cases, "capacity": cap, "pct": round(100 * open_cases / cap) if cap else None}


def lawyers_of(firm_org) -> QuerySet:
    return User.objects.filter(organisation=firm_org, role=Role.LAWYER, is_active=True).order_by("display_name", "username")


def hardship_standard_for(region, on: dt.date) -> HardshipStandard | None:
    """The standard in force on `on` for `region`, inherited from the nearest ancestor that has one."""
    from core.wages import in_force_for

    return in_force_for(HardshipStandard, region, on)


def staff_for_region(region) -> QuerySet:
    """Active union staff whose organisation's region contains `region` (they would see the case)."""
    from accounts.scoping import staff_covering

    return staff_covering(region)


def open_routing_attempts_due(today: dt.date) -> QuerySet:
    from .models import RoutingAttempt

    return RoutingAttempt.objects.filter(outcome=RoutingAttempt.Result.PENDING, response_due__lt=today, case__state=CaseState.OFFERED)

