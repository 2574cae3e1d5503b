"""Regional overview figures: every number is aggregated in the database, in a fixed number of queries.

All querysets start from each workflow's registered scope (core.workflow: negotiation, disputes, legal), so a
league/city user never counts another league's rows. On top of the actor's scope the page may narrow to one
region (its subtree) and a period.

What a state means (open, agreed, pending decision, …) and its label come from the same registry: each
workflow app declares its `state_groups` once, and the overview only reads them (`_in`, `_states`).

Period semantics: a row belongs to the period when it was *opened* in it — a negotiation by its creation
date, a dispute by its filing date, a legal-aid application by its receipt date. Snapshot figures (state
counts, overdue, due soon) are the current state of that cohort; with the period "全部" they cover everything.

Medians: PostgreSQL's percentile_cont(0.5) inside the aggregate query; on other databases (SQLite in
development and tests) one query fetches the per-row values, already computed by the database, and the
median is taken in Python — same result, same number of queries.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate, Case, Count, DateField, DurationField, ExpressionWrapper, F, FloatField, Func, IntegerField, Q, Value, When,
)
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region, Role
from accounts.scoping import regions_visible_to
from core import workflow
from disputes.models import ClaimKind
from legal.models import Outcome as LegalOutcome
from legal.models import RoutingAttempt
from negotiation.models import STATES_WITH_DUE, TermKind

from .aggregates import COLS, EPOCH, INT_COLS, WORKFLOWS

ARRANGEMENT_KINDS = [k for k in TermKind if k != TermKind.ARTICLE]


# --- what states mean: read from the workflow registry --------------------------------------------

def _in(name: str, group: str) -> list[str]:
    """The states of workflow `name` in `group` (its registered `state_groups`), in a stable order."""
    return sorted(workflow.get(name).states_in(group))


def _states(name: str) -> list[tuple[str, str]]:
    """Every state of workflow `name` in its declared order, with the workflow's label for it."""
    wf = workflow.get(name)
    return [(value, wf.state_label(value)) for value, _label in wf.model._meta.get_field("state").flatchoices]


def _is_in(states):
    return lambda r: r["state"] in states


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class Median(Aggregate):
    """percentile_cont(0.5) WITHIN GROUP (ORDER BY expr) — PostgreSQL only (FILTER supported)."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


# --- period and region --------------------------------------------------------------------------

PERIODS = [
    ("all", _("全部")),
    ("month", _("本月")),
    ("last_month", _("上月")),
    ("quarter", _("本季度")),
    ("year", _("本年度")),
    ("custom", _("自定义")),
]


@dataclass(frozen=True)
class Period:
    key: str = "all"
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive

    @property
    def label(self) -> str:
        if self.start is None and self.end is None:
            return str(_("全部"))
        return f"{self.start or '…'} 至 {self.end or '…'}"


def period_from(key: str | None, *, start: dt.date | None = None, end: dt.date | None = None,
                today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    key = key or "all"
    first = today.replace(day=1)
    if key == "month":
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(key, first, nxt - dt.timedelta(days=1))
    if key == "last_month":
        last_end = first - dt.timedelta(days=1)
        return Period(key, last_end.replace(day=1), last_end)
    if key == "quarter":
        qstart = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        qend = (dt.date(qstart.year + (qstart.month + 3 > 12), (qstart.month + 2) % 12 + 1, 1)) - dt.timedelta(days=1)
        return Period(key, qstart, qend)
    if key == "year":
        return Period(key, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    if key == "custom" and (start or end):
        return Period(key, start, end)
    return Period("all")


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period("custom", start, end)


def _date_range_q(field_name: str, period: Period, *, datetime: bool = False) -> Q:
    q = Q()
    lookup = f"{field_name}__date" if datetime else field_name
    if period.start:
        q &= Q(**{f"{lookup}__gte": period.start})
    if period.end:
        q &= Q(**{f"{lookup}__lte": period.end})
    return q


@dataclass
class Filters:
    """The actor's scope narrowed to `region` (must be visible to the actor) and `period`."""

    actor: object
    region: Region | None = None
    period: Period = field(default_factory=Period)
    today: dt.date = field(default_factory=timezone.localdate)

    def negotiations(self):
        qs = workflow.get("negotiation").visible(self.actor).filter(_date_range_q("created_at", self.period, datetime=True))
        if self.region is not None:
            qs = qs.filter(employer__region__path__startswith=self.region.path)
        return qs

    def disputes(self):
        qs = workflow.get("disputes").visible(self.actor).filter(_date_range_q("filed_on", self.period))
        if self.region is not None:
            qs = qs.filter(region__path__startswith=self.region.path)
        return qs

    def legal_cases(self):
        qs = workflow.get("legal").visible(self.actor).select_related(None).filter(_date_range_q("received_on", self.period))
        if self.region is not None:
            qs = qs.filter(applicant_region__path__startswith=self.region.path)
        return qs


def base_region_for(actor) -> Region | None:
    """The region an actor's overview starts from: their organisation's region (None = everything)."""
    if actor.is_sysadmin or not actor.organisation_id:
        return None
    return actor.organisation.region


def region_choices(actor):
    """Province and league/city regions visible to the actor, plus the actor's own region. One query."""
    own = base_region_for(actor)
    qs = regions_visible_to(actor)
    if own is not None:
        qs = qs.filter(Q(level__lte=Region.Level.CITY) | Q(parent=own) | Q(pk=own.pk))
    else:
        qs = qs.filter(level__lte=Region.Level.CITY)
    return list(qs.order_by("path"))


# --- grouping key: the child region of the base region ---------------------------------------------

def _money(v) -> Decimal:
    return Decimal(v or 0).quantize(Decimal("0.01"))


def _round(v, n=1):
    return None if v is None else round(float(v), n)


@dataclass
class Grouping:
    """Rows are grouped by the first `key_len` characters of their region path: the child of `base`
    they fall under (or `base` itself). Sums over the groups give the totals, so each workflow needs a
    single scan for its state counts, its conditional figures and its region-table columns."""

    base: Region | None
    children: list
    key_len: int

    @classmethod
    def for_filters(cls, f: Filters) -> "Grouping":
        base = f.region or base_region_for(f.actor)
        if base is None:  # the whole system: compare the leagues under the province
            base = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").first()
        if base is None:
            return cls(None, [], 7)
        children = list(Region.objects.filter(parent=base).order_by("code"))
        return cls(base, children, len(base.path) + 7)  # a child adds its six-digit code and "/"


def _sum(rows, key, pred=lambda r: True):
    return sum((r.get(key) or 0) for r in rows if pred(r))


# --- the aggregates: overview_daily summed over the scope's region subtree and the period -------------------

def scope_path(f: Filters) -> tuple[bool, str | None]:
    """(everything, region path prefix) the figures cover: the chosen region, else the actor's own region subtree
    as each workflow's scope draws it for union staff, bureau reviewers and federation negotiators; a system
    administrator sees everything. Anyone else: nothing (False, None)."""
    a = f.actor
    if a is None or not getattr(a, "is_authenticated", False) or not a.is_active:
        return False, None
    if f.region is not None and (a.is_sysadmin or a.organisation_id):
        return False, f.region.path
    if a.is_sysadmin:
        return True, None
    if not a.organisation_id:
        return False, None
    if a.role in (Role.UNION_STAFF, Role.BUREAU_REVIEWER) or (
            a.role == Role.UNION_NEGOTIATOR and a.organisation.kind == Organisation.Kind.FEDERATION):
        return False, a.organisation.region.path
    return False, None


def _spans(period: Period) -> list[tuple[str, dt.date, dt.date]]:
    """The period as (grain, first day, last day) spans of overview_daily: the all-time rows for "all", else
    whole months as month rows and the ragged ends as day rows (at most ~60 day rows per region and state)."""
    if period.start is None and period.end is None:
        return [("a", EPOCH, EPOCH)]
    start, end = period.start or dt.date(1, 1, 1), period.end or dt.date(9999, 12, 31)
    if end < start:
        return []
    first_full = start if start.day == 1 else (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    month_after_end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1) if end.year < 9999 else None
    last_full_end = end if (month_after_end is None or month_after_end - dt.timedelta(days=1) == end) \
        else end.replace(day=1) - dt.timedelta(days=1)
    if first_full > last_full_end:
        return [("d", start, end)]
    spans = [("m", first_full, last_full_end)]
    if start < first_full:
        spans.append(("d", start, first_full - dt.timedelta(days=1)))
    if last_full_end < end:
        spans.append(("d", last_full_end + dt.timedelta(days=1), end))
    return spans


def scope_region_ids(f: Filters) -> list[int]:
    """The regions the figures cover (one small query): the scope's subtree, or every region and 0 (rows with no
    region) for everything. Listing them lets each aggregate query read one index range per region."""
    everything, prefix = scope_path(f)
    if everything:
        return [0, *Region.objects.order_by("pk").values_list("pk", flat=True)]
    if not prefix:
        return []
    return list(Region.objects.filter(path__startswith=prefix).order_by("pk").values_list("pk", flat=True))


def _scope_sql(f: Filters, ids: list[int]) -> tuple[str, list] | None:
    """FROM/WHERE over overview_daily for the scope's regions and the period (None: nothing to read)."""
    spans = _spans(f.period)
    if not ids or not spans:
        return None
    where, params = [], []
    for grain, lo, hi in spans:
        where.append("(o.grain = %s AND o.day >= %s AND o.day <= %s)")
        params += [grain, lo, hi]
    sql = (f"FROM overview_daily o LEFT JOIN {Region._meta.db_table} r ON r.id = o.region_id "
           f"WHERE ({' OR '.join(where)}) AND o.region_id IN ({', '.join(['%s'] * len(ids))})")
    return sql, params + list(ids)


def daily_rows(f: Filters, g: Grouping, ids: list[int]) -> dict[str, list[dict]]:
    """One query: overview_daily summed per workflow, child-region key, state, dimension and key (the object
    rows, arrangement and claim kinds, firms)."""
    out: dict[str, list[dict]] = {name: [] for name in WORKFLOWS}
    scoped = _scope_sql(f, ids)
    if scoped is None:
        return out
    frm, params = scoped
    q = connection.ops.quote_name
    sums = ", ".join(f"SUM(o.{q(c)})" for c in COLS)
    sql = (f"SELECT o.workflow, SUBSTR(r.path, 1, %s), o.state, o.dim, o.{q('key')}, {sums} {frm} "
           f"AND o.dim IN ('', 'kind', 'firm') GROUP BY o.workflow, SUBSTR(r.path, 1, %s), o.state, o.dim, o.{q('key')}")
    with connection.cursor() as cur:
        cur.execute(sql, [g.key_len, *params, g.key_len])
        for wf, k, state, dim, key, *vals in cur.fetchall():
            row = {"k": k, "state": state, "dim": dim, "key": key, "amount": Decimal(vals[-1] or 0)}
            row.update(zip(INT_COLS, (int(v or 0) for v in vals)))  # PostgreSQL sums bigints as numeric
            out[wf].append(row)
    return out


def distinct_rows(f: Filters, ids: list[int]) -> dict:
    """One query over the rows that do not add up: the histograms of days from proposal to effect and of each
    firm's time to accept (for the medians), and the distinct enterprises (keys with a positive count) of
    effective negotiations and, per arrangement kind, of agreed ones."""
    out = {"days": [], "enterprises": 0, "by_kind": {}, "accept": {}}
    scoped = _scope_sql(f, ids)
    if scoped is None:
        return out
    frm, params = scoped
    effective, agreed = _in("negotiation", "effective"), _in("negotiation", "agreed")
    kind_dims = [f"emp:{k.value}" for k in ARRANGEMENT_KINDS]
    ph = lambda xs: ", ".join(["%s"] * len(xs)) or "NULL"  # noqa: E731
    key = connection.ops.quote_name("key")
    sql = (
        f"SELECT o.dim, o.{key}, SUM(o.n) {frm} AND o.dim IN ('days', 'accept') GROUP BY o.dim, o.{key} "
        "UNION ALL "
        f"SELECT e.dim, NULL, COUNT(*) FROM (SELECT o.dim, o.{key} {frm} AND o.workflow = 'negotiation' AND "
        f"((o.dim = 'emp' AND o.state IN ({ph(effective)})) OR (o.dim IN ({ph(kind_dims)}) AND o.state IN ({ph(agreed)}))) "
        f"GROUP BY o.dim, o.{key} HAVING SUM(o.n) > 0) e GROUP BY e.dim"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *params, *effective, *kind_dims, *agreed])
        for what, key_, n in cur.fetchall():
            if what == "days":
                if n:
                    out["days"].append((int(key_), int(n)))
            elif what == "accept":
                if n:
                    firm, _sep, us = key_.partition("|")
                    out["accept"].setdefault(int(firm), []).append((int(us) / 3_600_000_000, int(n)))
            elif what == "emp":
                out["enterprises"] = int(n)
            else:
                out["by_kind"][what.split(":", 1)[1]] = int(n)
    return out


def histogram_median(pairs) -> float | None:
    """The median (percentile_cont(0.5)) of a histogram [(value, count)]: the middle value, or the mean of the
    two middle values."""
    pairs = sorted(pairs)
    total = sum(c for _v, c in pairs)
    if not total:
        return None
    lo_i, hi_i = (total - 1) // 2, total // 2
    lo = hi = None
    seen = 0
    for v, c in pairs:
        if lo is None and lo_i < seen + c:
            lo = v
        if hi_i < seen + c:
            hi = v
            break
        seen += c
    return (lo + hi) / 2


def _dim(rows, dim):
    return [r for r in rows if r["dim"] == dim]


# --- negotiation figures ------------------------------------------------------------------------

def _days_between(later: str, earlier_dt: str):
    """Whole days from a datetime field (taken as a local date) to a date field, computed by the database."""
    if is_postgres():
        return Func(F(later), TruncDate(earlier_dt), template="(%(expressions)s)", arg_joiner=" - ",
                    output_field=IntegerField())
    return ExpressionWrapper(F(later) - TruncDate(earlier_dt), output_field=DurationField())


WORKERS = Coalesce("headcount", "employer__headcount", Value(0))


def _response_clock_states() -> list[str]:
    """The states in which the employer's response clock runs (negotiation's own STATES_WITH_DUE)."""
    return sorted(s for s, clock in STATES_WITH_DUE.items() if clock == "response_due")


def negotiation_late_rows(f: Filters, g: Grouping) -> list[dict]:
    """Proposals past their response date while the clock runs: depends on today, so counted from the table
    (index negotiation state + response_due), per child region."""
    return list(
        f.negotiations().filter(state__in=_response_clock_states(), response_due__lt=f.today).order_by()
        .annotate(k=Substr("employer__region__path", 1, g.key_len)).values("k").annotate(late=Count("pk"))
    )


def negotiation_figures(f: Filters, daily: list[dict], late: list[dict], distinct: dict) -> dict:
    base = _dim(daily, "")
    by_state: dict[str, int] = {}
    for r in base:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    states = [{"state": value, "label": label, "count": by_state.get(value, 0)} for value, label in _states("negotiation")]
    effective = _in("negotiation", "effective")
    eff = _is_in(effective)

    # Distinct enterprises and the median come from their own rows (negotiation_distinct); per arrangement kind,
    # the negotiations and their workers of agreed negotiations (the workers' congress approved the draft: the
    # "agreed" group) from the kind rows (a negotiation counts once per kind it has).
    agreed = _in("negotiation", "agreed")
    kind_rows = [r for r in _dim(daily, "kind") if r["state"] in agreed]
    ent_by_kind = distinct["by_kind"]
    arrangements = [
        {"kind": k.value, "label": str(k.label), "enterprises": int(ent_by_kind.get(k.value) or 0),
         "negotiations": int(_sum(kind_rows, "n", lambda r, v=k.value: r["key"] == v)),
         "workers": int(_sum(kind_rows, "workers", lambda r, v=k.value: r["key"] == v))}
        for k in ARRANGEMENT_KINDS
    ]
    return {
        "total": int(_sum(base, "n")),
        "by_state": states,
        "overdue_proposals": int(_sum(base, "n", _is_in(_in("negotiation", "overdue"))) + _sum(late, "late")),
        "effective": int(_sum(base, "n", eff)),
        "enterprises_covered": distinct["enterprises"],
        "workers_covered": int(_sum(base, "workers", eff)),
        "median_days_to_effect": _round(histogram_median(distinct["days"])),
        "arrangements": arrangements,
    }


# --- dispute figures ----------------------------------------------------------------------------

def dispute_figures(f: Filters, daily: list[dict]) -> dict:
    base = _dim(daily, "")
    open_states = _in("disputes", "open")
    is_open = _is_in(open_states)
    by_state: dict[str, int] = {}
    for r in base:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    stages = [{"state": value, "label": label, "count": by_state.get(value, 0)}
              for value, label in _states("disputes") if value in open_states]
    by_kind: dict[str, int] = {}
    for r in _dim(daily, "kind"):
        if r["state"] in open_states:
            by_kind[r["key"]] = by_kind.get(r["key"], 0) + r["n"]
    kinds = [{"kind": k.value, "label": str(k.label), "count": by_kind.get(k.value, 0)} for k in ClaimKind]
    # Due dates move with today: counted from the open cases due by today+7 (index state + next_due).
    soon = f.today + dt.timedelta(days=7)
    due = f.disputes().filter(state__in=open_states, next_due__lte=soon).order_by().aggregate(
        due_7=Count("pk", filter=Q(next_due__gte=f.today)), late=Count("pk", filter=Q(next_due__lt=f.today)))
    return {
        "total": int(_sum(base, "n")), "open": int(_sum(base, "n", is_open)), "collective": int(_sum(base, "collective")),
        "open_by_stage": stages, "open_by_kind": kinds,
        "due_within_7_days": due["due_7"], "overdue": due["late"],
        "resolution": [
            {"key": "mediated", "label": str(_("调解达成协议")), "count": int(_sum(base, "mediated"))},
            {"key": "arbitrated", "label": str(_("仲裁裁决")), "count": int(_sum(base, "arbitrated"))},
            {"key": "court", "label": str(_("进入诉讼")), "count": int(_sum(base, "court"))},
        ],
        "closed": int(_sum(base, "n", _is_in(_in("disputes", "closed")))),
        "amount_recovered": _money(_sum(base, "amount")),
        "recovered_cases": int(_sum(base, "recovered_cases")),
    }


# --- legal-aid figures --------------------------------------------------------------------------

def legal_figures(f: Filters, daily: list[dict], distinct: dict) -> dict:
    base = _dim(daily, "")
    in_ = lambda group: _is_in(_in("legal", group))  # noqa: E731
    open_firm, closed = set(_in("legal", "open_firm")), set(_in("legal", "closed"))
    # Cases by firm and outcome, with the firm's open load — within the scope only (the "firm" rows).
    per_firm: dict[int, dict] = {}
    for r in _dim(daily, "firm"):
        firm_s, _sep, outcome = r["key"].partition("|")
        p = per_firm.setdefault(int(firm_s), {"cases": 0, "open": 0, "closed": 0, "outcomes": {o.value: 0 for o in LegalOutcome}})
        p["cases"] += r["n"]
        p["open"] += r["n"] if r["state"] in open_firm else 0
        p["closed"] += r["n"] if r["state"] in closed else 0
        if outcome in p["outcomes"]:
            p["outcomes"][outcome] += r["n"]
    per_firm = {k: v for k, v in per_firm.items() if v["cases"]}
    names, capacity = {}, {}
    for pk, name, cap in Organisation.objects.filter(pk__in=list(per_firm)).values_list("pk", "name", "firm_profile__capacity"):
        names[pk] = name
        if cap is not None:
            capacity[pk] = cap
    # Median hours from offer to acceptance per firm, over the accepted offers of in-scope cases (histograms).
    med = {firm: histogram_median(pairs) for firm, pairs in distinct["accept"].items()}
    firms = []
    for firm_id in sorted(per_firm, key=lambda i: (names.get(i, ""), i)):
        r, cap = per_firm[firm_id], capacity.get(firm_id)
        firms.append({
            "firm_id": firm_id, "firm": names.get(firm_id, ""), "cases": int(r["cases"]),
            "open": int(r["open"]), "closed": int(r["closed"]), "capacity": cap,
            "load_pct": round(100 * r["open"] / cap) if cap else None,
            "median_hours_to_accept": _round(med.get(firm_id)),
            "outcomes": {k: int(v) for k, v in r["outcomes"].items()},
        })
    rated, satisfied, sat_sum = _sum(base, "rated"), _sum(base, "satisfied"), _sum(base, "sat_sum")
    return {
        "total": int(_sum(base, "n")),
        "decisions": [
            {"key": "pending", "label": str(_("待审查")), "count": int(_sum(base, "n", in_("pending_decision")))},
            {"key": "approved", "label": str(_("予以援助")), "count": int(_sum(base, "n", in_("approved")))},
            {"key": "rejected", "label": str(_("不予援助")), "count": int(_sum(base, "n", in_("rejected")))},
        ],
        "urgent": int(_sum(base, "urgent")), "unroutable": int(_sum(base, "unroutable", in_("awaiting_firm"))),
        "closed": int(_sum(base, "n", in_("closed"))),
        "amount_recovered": _money(_sum(base, "amount")),
        "outcome_labels": [{"key": o.value, "label": str(o.label)} for o in LegalOutcome],
        "firms": firms,
        "satisfaction": {
            "rated": int(rated), "average": round(sat_sum / rated, 2) if rated else None,
            "satisfied_pct": round(100 * satisfied / rated, 1) if rated else None,
        },
    }


# --- region comparison --------------------------------------------------------------------------

def region_table(f: Filters, g: Grouping, neg: list[dict], dis: list[dict], leg: list[dict]) -> dict:
    """One row per child region, from the same grouped rows as the figures (no further query)."""
    if g.base is None:
        return {"base": None, "rows": []}

    def per_key(rows, key, pred=lambda r: True):
        out: dict[str, float] = {}
        for r in rows:
            if pred(r):
                out[r["k"]] = out.get(r["k"], 0) + (r.get(key) or 0)
        return out

    eff = _is_in(_in("negotiation", "effective"))
    overdue = per_key(neg, "n", _is_in(_in("negotiation", "overdue")))
    cols = {
        "negotiations": per_key(neg, "n"), "effective": per_key(neg, "n", eff), "workers_covered": per_key(neg, "workers", eff),
        "overdue_proposals": {k: overdue.get(k, 0) + v for k, v in per_key(neg, "late").items()},
        "disputes": per_key(dis, "n"), "open_disputes": per_key(dis, "n", _is_in(_in("disputes", "open"))),
        "amount_recovered": per_key(dis, "amount"),
        "legal_aid": per_key(leg, "n"), "legal_closed": per_key(leg, "n", _is_in(_in("legal", "closed"))),
        "rated": per_key(leg, "rated"), "sat_sum": per_key(leg, "sat_sum"),
    }

    def row(key, name, code):
        r = {"code": code, "region": name}
        for c in ("negotiations", "effective", "workers_covered", "overdue_proposals", "disputes", "open_disputes",
                  "legal_aid", "legal_closed"):
            r[c] = int(cols[c].get(key, 0))
        r["amount_recovered"] = _money(cols["amount_recovered"].get(key))
        rated = cols["rated"].get(key, 0)
        r["satisfaction"] = round(cols["sat_sum"][key] / rated, 2) if rated else None
        return r

    rows = [row(c.path, c.name, c.code) for c in g.children]
    own_key = g.base.path
    if any(r["k"] == own_key for r in (*neg, *dis, *leg)):  # rows registered at the base region itself
        rows.insert(0, row(own_key, str(_("本级")), g.base.code))
    return {"base": g.base.name, "rows": rows}


# --- deadline board -----------------------------------------------------------------------------

@dataclass
class DueItem:
    due: dt.date
    workflow: str
    workflow_label: str
    what: str
    title: str
    party: str
    region: str
    url_name: str
    pk: int
    url: str = ""

    @property
    def overdue(self) -> bool:
        return self.due < timezone.localdate()


# What the board calls each of negotiation's running clocks (its date fields; which state runs which clock
# is negotiation's own STATES_WITH_DUE).
NEG_CLOCK_LABELS = {
    "response_due": _("应约截止"), "coordination_due": _("协调处理截止"),
    "filing_due": _("报送截止"), "review_ends": _("审查期届满"),
}


def deadlines_visible_to(actor, *, today: dt.date | None = None, days: int = 14, include_overdue: bool = False,
                   region: Region | None = None, limit: int | None = 200, page: int = 1) -> dict:
    """Everything due from today (or earlier, when asked) to today+days across the three workflows,
    sorted by due date, `limit` items per page (None: all). Five queries whatever the size: each source
    is read in due-date order up to the end of the requested page and the five streams are merged."""
    today = today or timezone.localdate()
    hi = today + dt.timedelta(days=days)
    lo = None if include_overdue else today
    f = Filters(actor, region=region, today=today)
    items: list[DueItem] = []
    page = max(1, page)
    cap = (page * limit + 1) if limit else None

    def rng(field_name):
        q = Q(**{f"{field_name}__lte": hi})
        if lo is not None:
            q &= Q(**{f"{field_name}__gte": lo})
        return q

    # Rows are read as values() tuples: the board shows a few columns of many rows, model instances cost more.
    def take(qs):
        return qs[:cap] if cap else qs

    neg_label, dis_label, legal_label = str(_("集体协商")), str(_("劳动争议")), str(_("法律援助"))
    due_labels = {state: str(NEG_CLOCK_LABELS.get(clock, clock)) for state, clock in STATES_WITH_DUE.items()}
    stage_labels = {state: _("%(stage)s阶段期限") % {"stage": label} for state, label in _states("disputes")}

    # negotiations: one running clock per state
    neg_q = Q()
    for state, field_name in STATES_WITH_DUE.items():
        neg_q |= Q(state=state) & rng(field_name)
    due_expr = Case(*[When(state=st, then=F(fn)) for st, fn in STATES_WITH_DUE.items()], output_field=DateField())
    negs = (f.negotiations().filter(neg_q).annotate(d=due_expr).order_by("d", "pk")
            .values_list("d", "state", "title", "employer__name", "employer__region__name", "pk"))
    for due, state, title, party, reg, pk in take(negs):
        items.append(DueItem(due, "negotiation", neg_label, due_labels[state], title, party, reg, "negotiation:detail", pk))

    dis = (f.disputes().filter(Q(state__in=_in("disputes", "open")) & rng("next_due")).order_by("next_due", "pk")
           .values_list("next_due", "state", "reference", "title", "employer__name", "region__name", "pk"))
    for due, state, ref, title, party, reg, pk in take(dis):
        items.append(DueItem(due, "dispute", dis_label, stage_labels[state], f"{ref} {title}", party, reg, "disputes:detail", pk))

    legal = f.legal_cases()
    cols = ("number", "opposing_employer__name", "opposing_employer_name", "applicant_region__name", "pk")
    for field_name, states, what in (("decision_due", _in("legal", "pending_decision"), _("审查决定截止")),
                                     ("assignment_due", _in("legal", "awaiting_firm"), _("指派律所截止"))):
        rows = (legal.filter(Q(state__in=states) & rng(field_name)).order_by(field_name, "pk")
                .values_list(field_name, *cols))
        for due, number, emp, emp_name, reg, pk in take(rows):
            items.append(DueItem(due, "legal", legal_label, str(what), number, emp or emp_name, reg, "legal:case_detail", pk))
    # A firm's reply is due on a pending offer of a case a firm holds (an offer is pending only while offered).
    att = (RoutingAttempt.objects.filter(case__in=legal.values("pk"), case__state__in=_in("legal", "open_firm"),
                                         outcome=RoutingAttempt.Result.PENDING)
           .filter(rng("response_due")).order_by("response_due", "pk")
           .values_list("response_due", "case__number", "firm__name", "case__opposing_employer__name",
                        "case__opposing_employer_name", "case__applicant_region__name", "case_id"))
    what = str(_("律所答复截止"))
    for due, number, firm, emp, emp_name, reg, case_id in take(att):
        items.append(DueItem(due, "legal", legal_label, what, f"{number} → {firm}", emp or emp_name, reg,
                             "legal:case_detail", case_id))
    items.sort(key=lambda i: (i.due, i.workflow, i.pk))
    has_next = bool(limit and len(items) > page * limit)
    if limit:
        items = items[(page - 1) * limit: page * limit]
    for i in items:
        i.url = reverse(i.url_name, args=[i.pk])
    return {"items": items, "from": lo, "to": hi, "today": today, "page": page, "has_next": has_next,
            "truncated": has_next}


def figures(f: Filters) -> dict:
    """Every figure of the page from the aggregates (one query over overview_daily for the whole scope) plus the
    few that cannot be summed over days and regions (today's due dates, distinct enterprises, medians), each a
    narrow indexed read. The number of queries does not depend on the data."""
    g = Grouping.for_filters(f)
    ids = scope_region_ids(f)
    daily = daily_rows(f, g, ids)
    late = negotiation_late_rows(f, g)
    distinct = distinct_rows(f, ids)
    neg_base = _dim(daily["negotiation"], "")
    return {
        "region": f.region.name if f.region else None,
        "period": {"key": f.period.key, "start": f.period.start, "end": f.period.end, "label": f.period.label},
        "today": f.today,
        "negotiation": negotiation_figures(f, daily["negotiation"], late, distinct),
        "disputes": dispute_figures(f, daily["disputes"]),
        "legal_aid": legal_figures(f, daily["legal"], distinct),
        "regions": region_table(f, g, neg_base + [{**r, "state": None} for r in late], _dim(daily["disputes"], ""),
                                _dim(daily["legal"], "")),
    }


def _scope_key(actor) -> str:
    """Two users share cached figures only when their scope is the same (sysadmin: all; staff: region path)."""
    if actor.is_sysadmin:
        return "all"
    return f"{actor.role}:{actor.organisation.region.path if actor.organisation_id else '-'}"


def cached_figures(f: Filters) -> dict:
    """figures(f), optionally kept for OVERVIEW_CACHE_SECONDS per scope, region, period, day and language. Off by
    default (0): the figures read the aggregates in a fixed handful of small queries and are exact at once; a
    cache would only make them stale."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils.translation import get_language

    ttl = getattr(settings, "OVERVIEW_CACHE_SECONDS", 0)
    if not ttl:
        return figures(f)
    p = f.period
    key = ":".join(str(x) for x in ("overview", "v1", _scope_key(f.actor), f.region.pk if f.region else "-",
                                     p.key, p.start, p.end, f.today, get_language()))
    data = cache.get(key)
    if data is None:
        data = figures(f)
        data["computed_at"] = timezone.now()
        cache.set(key, data, ttl)
    return data
