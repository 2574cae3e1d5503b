"""The overview's figures recounted straight from the workflow tables (the pre-aggregate implementation).

Not used by the pages: the tests and bench/overview_bench.py compare `figures_direct(f)` with the aggregate-backed
`selectors.figures(f)` over the same data, so any drift of overview_daily shows as a difference.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Max, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from disputes.models import ClaimKind, DisputeClaim
from legal.models import Outcome as LegalOutcome
from legal.models import RoutingAttempt

from .selectors import (
    ARRANGEMENT_KINDS, WORKERS, Filters, Grouping, Median, _days_between, _in, _is_in, _money, _response_clock_states,
    _round, _states, is_postgres, median, region_table,
)


def _grouped(qs, path_field: str, g: Grouping, **aggs) -> list[dict]:
    return list(qs.order_by().annotate(k=Substr(path_field, 1, g.key_len)).values("k", "state").annotate(**aggs))


def _sum(rows, key, pred=lambda r: True):
    return sum((r[key] or 0) for r in rows if pred(r))

def negotiation_rows(f: Filters, g: Grouping) -> list[dict]:
    return _grouped(
        f.negotiations(), "employer__region__path", g,
        n=Count("pk"), workers=Sum(WORKERS),
        late=Count("pk", filter=Q(state__in=_response_clock_states(), response_due__lt=f.today)),
    )


def negotiation_figures(f: Filters, rows: list[dict]) -> dict:
    qs = f.negotiations()
    by_state: dict[str, int] = {}
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    states = [{"state": value, "label": label, "count": by_state.get(value, 0)} for value, label in _states("negotiation")]
    effective = _in("negotiation", "effective")
    eff = _is_in(effective)

    to_effect_q = Q(effective_on__isnull=False, proposed_at__isnull=False)
    eff_qs = qs.filter(to_effect_q | Q(state__in=effective)).order_by()
    if is_postgres():
        e = eff_qs.aggregate(m=Median(_days_between("effective_on", "proposed_at"), filter=to_effect_q),
                             ent=Count("employer", distinct=True, filter=Q(state__in=effective)))
        med, enterprises = e["m"], e["ent"]
    else:
        rows_ = list(eff_qs.annotate(d=_days_between("effective_on", "proposed_at"))
                     .values_list("d", "employer_id", "state", "effective_on", "proposed_at"))
        med = median([(d.days if isinstance(d, dt.timedelta) else d) for d, _e, _s, eo, pa in rows_ if eo and pa])
        enterprises = len({emp for _d, emp, st, _eo, _pa in rows_ if st in effective})

    # Arrangements agreed: per kind, the enterprises and workers of agreed negotiations (the workers'
    # congress approved the draft: the "agreed" group) with such a term.
    # Level 1: one row per (kind, negotiation) — a negotiation with two terms of a kind counts once — from
    # the scoped negotiations joined to their terms (hash aggregate, no sort of the joined rows);
    # level 2: per (kind, enterprise) counts and workers; level 3: per kind. Grouping by enterprise before
    # the per-kind totals replaces COUNT(DISTINCT ...), whose sort over every pair spilled to disk at scale.
    pairs = (
        qs.filter(state__in=_in("negotiation", "agreed"), terms__is_removed=False, terms__kind__in=ARRANGEMENT_KINDS)
        .order_by().values("terms__kind", "pk", "employer_id").annotate(w=Max(WORKERS))
    )
    inner_sql, params = pairs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT kind, COUNT(*), SUM(n), SUM(w) FROM ("
            f" SELECT terms__kind AS kind, employer_id, COUNT(*) AS n, SUM(w) AS w FROM ({inner_sql}) pairs GROUP BY 1, 2"
            ") per_enterprise GROUP BY kind", params)
        ka = {kind: {"ent": int(e_ or 0), "neg": int(n_ or 0), "wk": w_} for kind, e_, n_, w_ in cur.fetchall()}
    arrangements = [
        {"kind": k.value, "label": str(k.label), "enterprises": ka.get(k.value, {}).get("ent") or 0,
         "negotiations": ka.get(k.value, {}).get("neg") or 0, "workers": int(ka.get(k.value, {}).get("wk") or 0)}
        for k in ARRANGEMENT_KINDS
    ]
    return {
        "total": _sum(rows, "n"),
        "by_state": states,
        "overdue_proposals": _sum(rows, "n", _is_in(_in("negotiation", "overdue"))) + _sum(rows, "late"),
        "effective": _sum(rows, "n", eff),
        "enterprises_covered": enterprises,
        "workers_covered": _sum(rows, "workers", eff),
        "median_days_to_effect": _round(med),
        "arrangements": arrangements,
    }


# --- dispute figures ----------------------------------------------------------------------------

def dispute_rows(f: Filters, g: Grouping) -> list[dict]:
    soon = f.today + dt.timedelta(days=7)
    return _grouped(
        f.disputes(), "region__path", g,
        n=Count("pk"),
        collective=Count("pk", filter=Q(is_collective=True)),
        due_7=Count("pk", filter=Q(next_due__gte=f.today, next_due__lte=soon)),
        late=Count("pk", filter=Q(next_due__lt=f.today)),
        mediated=Count("pk", filter=Q(mediation_agreement_on__isnull=False)),
        arbitrated=Count("pk", filter=Q(award_received_on__isnull=False)),
        court=Count("pk", filter=Q(court_filed_on__isnull=False)),
        recovered=Sum("amount_recovered"),
        recovered_cases=Count("pk", filter=Q(amount_recovered__gt=0)),
    )


def dispute_figures(f: Filters, rows: list[dict]) -> dict:
    open_states = _in("disputes", "open")
    is_open = _is_in(open_states)
    by_state: dict[str, int] = {}
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    stages = [{"state": value, "label": label, "count": by_state.get(value, 0)}
              for value, label in _states("disputes") if value in open_states]
    open_qs = f.disputes().filter(state__in=open_states).order_by()
    kinds_rows = (
        DisputeClaim.objects.filter(case__in=open_qs.values("pk")).order_by()
        .values("kind").annotate(n=Count("case", distinct=True))
    )
    by_kind = {r["kind"]: r["n"] for r in kinds_rows}
    kinds = [{"kind": k.value, "label": str(k.label), "count": by_kind.get(k.value, 0)} for k in ClaimKind]
    return {
        "total": _sum(rows, "n"), "open": _sum(rows, "n", is_open), "collective": _sum(rows, "collective"),
        "open_by_stage": stages, "open_by_kind": kinds,
        "due_within_7_days": _sum(rows, "due_7", is_open), "overdue": _sum(rows, "late", is_open),
        "resolution": [
            {"key": "mediated", "label": str(_("调解达成协议")), "count": _sum(rows, "mediated")},
            {"key": "arbitrated", "label": str(_("仲裁裁决")), "count": _sum(rows, "arbitrated")},
            {"key": "court", "label": str(_("进入诉讼")), "count": _sum(rows, "court")},
        ],
        "closed": _sum(rows, "n", _is_in(_in("disputes", "closed"))),
        "amount_recovered": _money(_sum(rows, "recovered")),
        "recovered_cases": _sum(rows, "recovered_cases"),
    }


# --- legal-aid figures --------------------------------------------------------------------------

def legal_rows(f: Filters, g: Grouping) -> list[dict]:
    return _grouped(
        f.legal_cases(), "applicant_region__path", g,
        n=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)),
        unroutable=Count("pk", filter=Q(no_firm_available=True)),
        recovered=Sum("amount_recovered"), rated=Count("satisfaction"),
        satisfied=Count("pk", filter=Q(satisfaction__gte=4)), sat_sum=Sum("satisfaction"),
    )


def legal_figures(f: Filters, rows: list[dict]) -> dict:
    qs = f.legal_cases().order_by()
    in_ = lambda group: _is_in(_in("legal", group))  # noqa: E731
    # Cases by firm and outcome, with the firm's open load — within the actor's scope only.
    outcome_aggs = {f"o_{o.value}": Count("pk", filter=Q(outcome=o.value)) for o in LegalOutcome}
    # Grouped by the firm id alone (a hash aggregate over the cases, no join): grouping by the joined
    # firm name sorted every case row and spilled to disk at scale. Names come with the capacities.
    firm_rows = list(
        qs.filter(assigned_firm__isnull=False)
        .values("assigned_firm_id")
        .annotate(cases=Count("pk"), open=Count("pk", filter=Q(state__in=_in("legal", "open_firm"))),
                  closed=Count("pk", filter=Q(state__in=_in("legal", "closed"))), **outcome_aggs)
    )
    firm_ids = [r["assigned_firm_id"] for r in firm_rows]
    names, capacity = {}, {}
    for pk, name, cap in Organisation.objects.filter(pk__in=firm_ids).values_list("pk", "name", "firm_profile__capacity"):
        names[pk] = name
        if cap is not None:
            capacity[pk] = cap
    for r in firm_rows:
        r["assigned_firm__name"] = names.get(r["assigned_firm_id"], "")
    firm_rows.sort(key=lambda r: (r["assigned_firm__name"], r["assigned_firm_id"]))
    # Median hours from offer to acceptance per firm, over routing attempts of in-scope cases.
    attempts = RoutingAttempt.objects.filter(
        case__in=qs.values("pk"), outcome=RoutingAttempt.Result.ACCEPTED, responded_at__isnull=False
    ).order_by()
    if is_postgres():
        hours = Func(F("responded_at"), F("offered_at"), template="EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0",
                     arg_joiner=" - ", output_field=FloatField())
        med = dict(attempts.values("firm_id").annotate(m=Median(hours)).values_list("firm_id", "m"))
    else:
        delay = ExpressionWrapper(F("responded_at") - F("offered_at"), output_field=DurationField())
        per: dict[int, list[float]] = {}
        for firm_id, d in attempts.annotate(d=delay).values_list("firm_id", "d"):
            per.setdefault(firm_id, []).append(d.total_seconds() / 3600)
        med = {k: median(v) for k, v in per.items()}
    firms = []
    for r in firm_rows:
        cap = capacity.get(r["assigned_firm_id"])
        firms.append({
            "firm_id": r["assigned_firm_id"], "firm": r["assigned_firm__name"], "cases": r["cases"],
            "open": r["open"], "closed": r["closed"], "capacity": cap,
            "load_pct": round(100 * r["open"] / cap) if cap else None,
            "median_hours_to_accept": _round(med.get(r["assigned_firm_id"])),
            "outcomes": {o.value: r[f"o_{o.value}"] for o in LegalOutcome},
        })
    rated, satisfied, sat_sum = _sum(rows, "rated"), _sum(rows, "satisfied"), _sum(rows, "sat_sum")
    return {
        "total": _sum(rows, "n"),
        "decisions": [
            {"key": "pending", "label": str(_("待审查")), "count": _sum(rows, "n", in_("pending_decision"))},
            {"key": "approved", "label": str(_("予以援助")), "count": _sum(rows, "n", in_("approved"))},
            {"key": "rejected", "label": str(_("不予援助")), "count": _sum(rows, "n", in_("rejected"))},
        ],
        "urgent": _sum(rows, "urgent"), "unroutable": _sum(rows, "unroutable", in_("awaiting_firm")),
        "closed": _sum(rows, "n", in_("closed")),
        "amount_recovered": _money(_sum(rows, "recovered")),
        "outcome_labels": [{"key": o.value, "label": str(o.label)} for o in LegalOutcome],
        "firms": firms,
        "satisfaction": {
            "rated": rated, "average": round(sat_sum / rated, 2) if rated else None,
            "satisfied_pct": round(100 * satisfied / rated, 1) if rated else None,
        },
    }


def figures_direct(f: Filters) -> dict:
    g = Grouping.for_filters(f)
    neg, dis, leg = negotiation_rows(f, g), dispute_rows(f, g), legal_rows(f, g)
    return {
        "region": f.region.name if f.region else None,
        "period": {"key": f.period.key, "start": f.period.start, "end": f.period.end, "label": f.period.label},
        "today": f.today,
        "negotiation": negotiation_figures(f, neg),
        "disputes": dispute_figures(f, dis),
        "legal_aid": legal_figures(f, leg),
        "regions": region_table(f, g, neg, [{**r, "amount": r["recovered"]} for r in dis], leg),
    }
