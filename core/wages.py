"""Minimum-wage lookups: the standard in force for a region on a date, inherited from the nearest
ancestor region that has one (a county without its own row uses its league's, then the province's)."""
from __future__ import annotations

import datetime as dt

from .models import MinimumWage


def minimum_wage_for(region, on: dt.date) -> MinimumWage | None:
    codes = [c for c in region.path.strip("/").split("/") if c]
    rows = (
        MinimumWage.objects.filter(region__code__in=codes, effective_from__lte=on)
        .select_related("region")
        .order_by("-effective_from")
    )
    best = None
    for row in rows:
        depth = codes.index(row.region.code)
        if best is None or depth > codes.index(best.region.code) or (
            depth == codes.index(best.region.code) and row.effective_from > best.effective_from
        ):
            best = row
    return best
