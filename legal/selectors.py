"""Reads for legal aid. The scopes (`<things>_visible_to`) are defined with the rules in permissions.py."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Role, User

from .models import CaseState, FirmProfile, HardshipStandard, LegalAidCase
from .permissions import (  # noqa: F401  the scopes live with the rules
    case_history_visible_to,
    cases_visible_to,
    consultations_visible_to,
    firms_visible_to,
    is_firm_user,
    personal_data_visible,
)


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

