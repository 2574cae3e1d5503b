"""The overview's own small tables: per-region aggregates of the three workflows, kept with every write.

`OverviewDaily` holds, per (region, grain, day, workflow, state, dimension, key), the sums the overview page
shows. Each object counts in three grains — its opening day (`d`), that day's month (`m`, day = the 1st) and
all time (`a`, day = 1970-01-01) — so a period of whole months (or "all") reads the coarse rows and only the
ragged ends of a custom period read days. The dimension splits an object's contribution:

- ``""``: the object itself (count, workers, flags, amounts, satisfaction);
- ``"kind"``: one row per arrangement kind among a negotiation's current terms, or per claim kind of a dispute
  (the object counts once per kind it has);
- ``"firm"``: a legal-aid case's assigned firm and outcome (key ``"<firm id>|<outcome>"``);
- ``"emp"``, ``"emp:<kind>"``: a negotiation's employer (distinct enterprises, overall and per arrangement kind);
- ``"days"``: a negotiation's days from proposal to effect (a histogram: the median is exact);
- ``"accept"``: a legal-aid case's accepted offers, key ``"<firm id>|<microseconds from offer to acceptance>"``
  (each firm's median hours to accept, exact). The state of "days" and "accept" rows is "" (not needed).

`OverviewItem` remembers each object's current contribution, so a change subtracts exactly what the object
added before and adds what it adds now (overview/aggregates.py). Both tables are derived data: `manage.py
rebuild_overview` recomputes them from the workflow tables.
"""
from django.db import models


class OverviewDaily(models.Model):
    region_id = models.PositiveIntegerField(default=0)  # accounts.Region pk (0: none); no FK, joined by path
    grain = models.CharField(max_length=1)  # d day, m month, a all time
    day = models.DateField()
    workflow = models.CharField(max_length=20)
    state = models.CharField(max_length=40)
    dim = models.CharField(max_length=24, default="")
    key = models.CharField(max_length=40, default="")
    n = models.BigIntegerField(default=0)
    workers = models.BigIntegerField(default=0)
    collective = models.BigIntegerField(default=0)
    mediated = models.BigIntegerField(default=0)
    arbitrated = models.BigIntegerField(default=0)
    court = models.BigIntegerField(default=0)
    recovered_cases = models.BigIntegerField(default=0)
    urgent = models.BigIntegerField(default=0)
    unroutable = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    sat_sum = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        db_table = "overview_daily"
        constraints = [
            # grain, region, dimension, day: per region of the subtree, each query (the object rows, then the
            # distinct/median rows) reads one tight index range, for the all-time rows and for a span of months or
            # days alike (a day range before the region made month spans scan every region's rows).
            models.UniqueConstraint(fields=["grain", "region_id", "dim", "day", "workflow", "state", "key"],
                                    name="overview_daily_grain_region"),
        ]


class OverviewItem(models.Model):
    workflow = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    rows = models.JSONField(default=list)  # [[region_id, day iso, state, dim, key, {column: value}], ...]

    class Meta:
        db_table = "overview_item"
        constraints = [models.UniqueConstraint(fields=["workflow", "object_id"], name="overview_item_object")]
