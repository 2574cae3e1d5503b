"""Dated regional standards (minimum wage, hardship thresholds, …): the row in force for a region on a
date, inherited from the nearest ancestor region that has one (a county without its own row uses its
league's, then the province's)."""
from __future__ import annotations

import datetime as dt

from .models import MinimumWage


def in_force_for(model, region, on: dt.date):
    """The `model` row (with `region` and `effective_from`) in force for `region` on `on`, or None."""
    codes = region.ancestor_codes()
    rows = model.objects.filter(region__code__in=codes, effective_from__lte=on).select_related("region")
    return max(rows, key=lambda row: (codes.index(row.region.code), row.effective_from), default=None)


def minimum_wage_for(region, on: dt.date) -> MinimumWage | None:
    return in_force_for(MinimumWage, region, on)
