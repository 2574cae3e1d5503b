"""Partner firms' routing data and their engagements for employers (conflicts). Union staff only."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core import audit

from ..models import FirmEngagement, FirmProfile
from ..permissions import is_staff
from .load import counted_loads


def _require_staff(actor):
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not is_staff(actor):
        raise PermissionDenied(_("只有工会工作人员可以管理合作律所。"))


@transaction.atomic
def firm_profile_save(*, actor, organisation, regions, matters, capacity, is_active, response_rule=None) -> FirmProfile:
    _require_staff(actor)
    profile, created = FirmProfile.objects.get_or_create(organisation=organisation)
    if created:  # a firm may hold open cases from before its profile (re)appeared: its load starts from them
        profile.open_cases = counted_loads(organisation.pk).get(organisation.pk, 0)
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


@transaction.atomic
def engagement_add(*, actor, firm, employer, description: str = "") -> FirmEngagement:
    """Register that `firm` acts for `employer` (a conflict for cases against that employer while open)."""
    _require_staff(actor)
    e = FirmEngagement(firm=firm, employer=employer, description=description)
    e.full_clean()
    e.save()
    audit.record(actor=actor, action="engagement_add", obj=e, data={"firm": firm.pk, "employer": employer.pk})
    return e


@transaction.atomic
def engagement_end(*, actor, firm, engagement_id, on: dt.date | None = None) -> None:
    _require_staff(actor)
    e = FirmEngagement.objects.select_for_update().filter(firm=firm, pk=engagement_id, ended_on__isnull=True).first()
    if e is None:
        return
    e.ended_on = on or timezone.localdate()
    e.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="engagement_end", obj=e)
