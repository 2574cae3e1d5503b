"""Each partner firm's open-case load (issue 14), kept as a counter on its `FirmProfile`.

A case counts for its firm while it is offered, accepted or in progress (`OPEN_FIRM_STATES`). The counter
moves in the same transaction as the transition that changes it:

    offer (route, route_override)                  +1 for the firm offered
    withdraw_offer, decline, time_out              -1 for the firm that held the offer
    close                                           -1 for the firm that handled the case

Every change is a single `UPDATE … SET open_cases = open_cases ± 1` (an F() expression: no lost update,
the row stays locked until the transaction ends). An automatic offer claims a place only while
`open_cases < capacity` in the same statement, so two concurrent routings can never push a firm past its
capacity; the loser chooses again. When one transaction releases one firm and claims another (a decline
or timeout followed by rerouting), it touches the two rows in organisation-id order, so two such
transactions cannot deadlock on each other's firm.

`recount_firm_loads()` recomputes every counter from the cases (management command
`recount_firm_loads`); it reports the firms whose counter was wrong.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F

from ..models import OPEN_FIRM_STATES, FirmProfile, LegalAidCase


def release(firm_id: int | None) -> None:
    """One open case fewer for `firm_id` (never below zero: a drifted counter is the recount's to fix)."""
    if firm_id is not None:
        FirmProfile.objects.filter(organisation_id=firm_id, open_cases__gt=0).update(open_cases=F("open_cases") - 1)


def claim(firm_id: int, *, now: dt.datetime, within_capacity: bool = True) -> bool:
    """One open case more for `firm_id`, and its last assignment is `now`. With `within_capacity`, only while
    the firm has a free place (checked in the same UPDATE, under the row lock): False when it has none."""
    qs = FirmProfile.objects.filter(organisation_id=firm_id)
    if within_capacity:
        qs = qs.filter(open_cases__lt=F("capacity"))
    return qs.update(open_cases=F("open_cases") + 1, last_assigned_at=now) == 1


def move(*, release_id: int | None, claim_id: int | None, now: dt.datetime, within_capacity: bool = True) -> bool:
    """Release one firm and claim another in organisation-id order (no deadlock between two movers).
    Returns whether the claim succeeded (True when there is nothing to claim)."""
    claimed = True
    for firm_id in sorted({i for i in (release_id, claim_id) if i is not None}):
        if firm_id == claim_id:
            if firm_id == release_id:  # released and claimed again: unchanged, but it was assigned now
                FirmProfile.objects.filter(organisation_id=firm_id).update(last_assigned_at=now)
                continue
            claimed = claim(firm_id, now=now, within_capacity=within_capacity)
        else:
            release(firm_id)
    return claimed


def counted_loads(firm_id: int | None = None) -> dict[int, int]:
    """Open cases per firm (organisation id; one firm's only when given), counted from the cases: what the
    counters must say."""
    qs = LegalAidCase.objects.filter(state__in=OPEN_FIRM_STATES, assigned_firm__isnull=False)
    if firm_id is not None:
        qs = qs.filter(assigned_firm_id=firm_id)
    return dict(qs.order_by().values_list("assigned_firm").annotate(n=Count("pk")).values_list("assigned_firm", "n"))


@transaction.atomic
def recount_firm_loads() -> dict[int, tuple[int, int]]:
    """Recompute every firm's counter from the cases, under a lock on the profiles (routing waits).
    Returns {firm organisation id: (counter before, count)} for the firms that were wrong."""
    profiles = list(FirmProfile.objects.select_for_update().order_by("organisation_id").values_list("organisation_id", "open_cases"))
    counts = counted_loads()
    wrong = {firm_id: (stored, counts.get(firm_id, 0)) for firm_id, stored in profiles if stored != counts.get(firm_id, 0)}
    for firm_id, (_stored, n) in wrong.items():
        FirmProfile.objects.filter(organisation_id=firm_id).update(open_cases=n)
    return wrong
