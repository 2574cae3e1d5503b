"""Regional overview figures: every number is aggregated in the database, in a fixed number of queries.

All querysets start from the workflow apps' scoped selectors (negotiations_visible_to, disputes_visible_to,
cases_visible_to), so a league/city user never counts another league's rows. On top of the actor's scope
the page may narrow to one region (its subtree) and a period.

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
    Aggregate, Avg, Case, Count, DateField, Exists, OuterRef, When, DurationField, ExpressionWrapper, F, FloatField, Func, IntegerField, Q, Sum, Value,
)
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from accounts.scoping import regions_visible_to
from disputes.models import ClaimKind, DisputeClaim
from disputes.models import OPEN_STATES as DISPUTE_OPEN_STATES
from disputes.models import State as DState
from disputes.selectors import disputes_visible_to
from legal.models import OPEN_FIRM_STATES, CaseState, FirmProfile, RoutingAttempt
from legal.models import Outcome as LegalOutcome
from legal.selectors import cases_visible_to
from negotiation.models import State as NState
from negotiation.models import STATES_WITH_DUE, Term, TermKind
from negotiation.selectors import negotiations_visible_to

ARRANGEMENT_KINDS = [k for k in TermKind if k != TermKind.ARTICLE]
# A negotiation "agreed" its arrangements once the workers' congress approved the draft.
AGREED_STATES = [NState.APPROVED, NState.SIGNED, NState.UNDER_REVIEW, NState.EFFECTIVE, NState.EXPIRED]
PENDING_DECISION = [CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS]
APPROVED_STATES = [CaseState.APPROVED, CaseState.OFFERED, CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.CLOSED]


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
        qs = negotiations_visible_to(self.actor).filter(_date_range_q("created_at", self.period, datetime=True))
        if self.region is not None:
            qs = qs.filter(employer__region__path__startswith=self.region.path)
        return qs

    def disputes(self):
        qs = disputes_visible_to(self.actor).filter(_date_range_q("filed_on", self.period))
        if self.region is not None:
            qs = qs.filter(region__path__startswith=self.region.path)
        return qs

    def legal_cases(self):
        qs = cases_visible_to(self.actor).select_related(None).filter(_date_range_q("received_on", self.period))
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


# --- negotiation figures ------------------------------------------------------------------------

def _days_between(later: str, earlier_dt: str):
    """Whole days from a datetime field (taken as a local date) to a date field, computed by the database."""
    if is_postgres():
        return Func(F(later), TruncDate(earlier_dt), template="(%(expressions)s)", arg_joiner=" - ",
                    output_field=IntegerField())
    return ExpressionWrapper(F(later) - TruncDate(earlier_dt), output_field=DurationField())


def negotiation_figures(f: Filters) -> dict:
    qs = f.negotiations()
    by_state_rows = qs.order_by().values("state").annotate(n=Count("pk"))
    by_state = {r["state"]: r["n"] for r in by_state_rows}
    states = [{"state": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)} for s in NState]

    workers = Coalesce("headcount", "employer__headcount", Value(0))
    overdue_q = Q(state=NState.OVERDUE) | Q(state=NState.PROPOSED, response_due__lt=f.today)
    effective_q = Q(state=NState.EFFECTIVE)
    to_effect_q = Q(effective_on__isnull=False, proposed_at__isnull=False)
    aggs = dict(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q),
        effective=Count("pk", filter=effective_q),
        workers_covered=Sum(workers, filter=effective_q),
        enterprises_covered=Count("employer", filter=effective_q, distinct=True),
    )
    if is_postgres():
        aggs["median_days"] = Median(_days_between("effective_on", "proposed_at"), filter=to_effect_q)
    a = qs.order_by().aggregate(**aggs)
    if not is_postgres():
        diffs = qs.filter(to_effect_q).order_by().annotate(d=_days_between("effective_on", "proposed_at")).values_list("d", flat=True)
        a["median_days"] = median([d.days if isinstance(d, dt.timedelta) else d for d in diffs])

    # Arrangements agreed: per kind, the enterprises and workers of agreed negotiations with such a term.
    # One GROUP BY over terms; a negotiation with two terms of one kind counts once (first term of its kind).
    first_of_kind = ~Exists(Term.objects.filter(
        negotiation_id=OuterRef("negotiation_id"), kind=OuterRef("kind"), is_removed=False, number__lt=OuterRef("number")))
    term_rows = (
        Term.objects.filter(is_removed=False, kind__in=ARRANGEMENT_KINDS,
                            negotiation__in=qs.filter(state__in=AGREED_STATES).order_by().values("pk"))
        .filter(first_of_kind).order_by().values("kind")
        .annotate(ent=Count("negotiation__employer_id", distinct=True), neg=Count("negotiation_id"),
                  wk=Sum(Coalesce("negotiation__headcount", "negotiation__employer__headcount", Value(0))))
    )
    ka = {r["kind"]: r for r in term_rows}
    arrangements = [
        {"kind": k.value, "label": str(k.label), "enterprises": ka.get(k.value, {}).get("ent", 0),
         "negotiations": ka.get(k.value, {}).get("neg", 0), "workers": ka.get(k.value, {}).get("wk") or 0}
        for k in ARRANGEMENT_KINDS
    ]
    return {
        "total": a["total"],
        "by_state": states,
        "overdue_proposals": a["overdue"],
        "effective": a["effective"],
        "enterprises_covered": a["enterprises_covered"],
        "workers_covered": a["workers_covered"] or 0,
        "median_days_to_effect": _round(a["median_days"]),
        "arrangements": arrangements,
    }


def _money(v) -> Decimal:
    return Decimal(v or 0).quantize(Decimal("0.01"))


def _round(v, n=1):
    return None if v is None else round(float(v), n)


# --- dispute figures ----------------------------------------------------------------------------

def dispute_figures(f: Filters) -> dict:
    qs = f.disputes().order_by()
    open_qs = qs.filter(state__in=DISPUTE_OPEN_STATES)
    by_state = {r["state"]: r["n"] for r in open_qs.values("state").annotate(n=Count("pk"))}
    stages = [{"state": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)}
              for s in DState if s.value in DISPUTE_OPEN_STATES]
    kinds_rows = (
        DisputeClaim.objects.filter(case__in=open_qs.values("pk")).order_by()
        .values("kind").annotate(n=Count("case", distinct=True))
    )
    by_kind = {r["kind"]: r["n"] for r in kinds_rows}
    kinds = [{"kind": k.value, "label": str(k.label), "count": by_kind.get(k.value, 0)} for k in ClaimKind]
    soon = f.today + dt.timedelta(days=7)
    open_q = Q(state__in=DISPUTE_OPEN_STATES)
    a = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=open_q),
        collective=Count("pk", filter=Q(is_collective=True)),
        due_7=Count("pk", filter=open_q & Q(next_due__gte=f.today, next_due__lte=soon)),
        overdue=Count("pk", filter=open_q & Q(next_due__lt=f.today)),
        mediated=Count("pk", filter=Q(mediation_agreement_on__isnull=False)),
        arbitrated=Count("pk", filter=Q(award_received_on__isnull=False)),
        court=Count("pk", filter=Q(court_filed_on__isnull=False)),
        closed=Count("pk", filter=Q(state=DState.CLOSED)),
        recovered=Sum("amount_recovered"),
        recovered_cases=Count("pk", filter=Q(amount_recovered__gt=0)),
    )
    return {
        "total": a["total"], "open": a["open"], "collective": a["collective"],
        "open_by_stage": stages, "open_by_kind": kinds,
        "due_within_7_days": a["due_7"], "overdue": a["overdue"],
        "resolution": [
            {"key": "mediated", "label": str(_("调解达成协议")), "count": a["mediated"]},
            {"key": "arbitrated", "label": str(_("仲裁裁决")), "count": a["arbitrated"]},
            {"key": "court", "label": str(_("进入诉讼")), "count": a["court"]},
        ],
        "closed": a["closed"],
        "amount_recovered": _money(a["recovered"]),
        "recovered_cases": a["recovered_cases"],
    }


# --- legal-aid figures --------------------------------------------------------------------------

def legal_figures(f: Filters) -> dict:
    qs = f.legal_cases().order_by()
    a = qs.aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(state__in=PENDING_DECISION)),
        approved=Count("pk", filter=Q(state__in=APPROVED_STATES)),
        rejected=Count("pk", filter=Q(state=CaseState.REJECTED)),
        urgent=Count("pk", filter=Q(urgent=True)),
        unroutable=Count("pk", filter=Q(no_firm_available=True, state=CaseState.APPROVED)),
        closed=Count("pk", filter=Q(state=CaseState.CLOSED)),
        recovered=Sum("amount_recovered"),
        rated=Count("satisfaction"),
        satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
        satisfaction_avg=Avg("satisfaction"),
    )
    # Cases by firm and outcome, with the firm's open load — within the actor's scope only.
    outcome_aggs = {f"o_{o.value}": Count("pk", filter=Q(outcome=o.value)) for o in LegalOutcome}
    firm_rows = list(
        qs.filter(assigned_firm__isnull=False)
        .values("assigned_firm_id", "assigned_firm__name")
        .annotate(cases=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_FIRM_STATES)),
                  closed=Count("pk", filter=Q(state=CaseState.CLOSED)), **outcome_aggs)
        .order_by("assigned_firm__name")
    )
    firm_ids = [r["assigned_firm_id"] for r in firm_rows]
    capacity = dict(FirmProfile.objects.filter(organisation_id__in=firm_ids).values_list("organisation_id", "capacity"))
    # Median hours from offer to acceptance per firm, over routing attempts of in-scope cases.
    attempts = RoutingAttempt.objects.filter(
        case__in=qs.values("pk"), outcome=RoutingAttempt.Result.ACCEPTED, responded_at__isnull=False
    ).order_by()
    delay = ExpressionWrapper(F("responded_at") - F("offered_at"), output_field=DurationField())
    if is_postgres():
        hours = Func(F("responded_at"), F("offered_at"), template="EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0",
                     arg_joiner=" - ", output_field=FloatField())
        med = dict(attempts.values("firm_id").annotate(m=Median(hours)).values_list("firm_id", "m"))
    else:
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
    rated = a["rated"]
    return {
        "total": a["total"],
        "decisions": [
            {"key": "pending", "label": str(_("待审查")), "count": a["pending"]},
            {"key": "approved", "label": str(_("予以援助")), "count": a["approved"]},
            {"key": "rejected", "label": str(_("不予援助")), "count": a["rejected"]},
        ],
        "urgent": a["urgent"], "unroutable": a["unroutable"], "closed": a["closed"],
        "amount_recovered": _money(a["recovered"]),
        "outcome_labels": [{"key": o.value, "label": str(o.label)} for o in LegalOutcome],
        "firms": firms,
        "satisfaction": {
            "rated": rated, "average": _round(a["satisfaction_avg"], 2),
            "satisfied_pct": round(100 * a["satisfied"] / rated, 1) if rated else None,
        },
    }


# --- region comparison --------------------------------------------------------------------------

def region_table(f: Filters) -> dict:
    """One row per child region of the selected (or the actor's) region: four queries in all."""
    base = f.region or base_region_for(f.actor)
    if base is None:  # the whole system: compare the leagues under the province
        base = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").first()
    if base is None:
        return {"base": None, "rows": []}
    children = list(Region.objects.filter(parent=base).order_by("code"))
    base_path = base.path
    key_len = len(base_path) + 7  # a child adds its six-digit code and "/"

    def grouped(qs, path_field, **aggs):
        rows = (qs.order_by().annotate(k=Substr(path_field, 1, key_len)).values("k").annotate(**aggs))
        return {r["k"]: r for r in rows}

    neg = grouped(f.negotiations(), "employer__region__path", negotiations=Count("pk"),
                  effective=Count("pk", filter=Q(state=NState.EFFECTIVE)),
                  workers=Sum(Coalesce("headcount", "employer__headcount", Value(0)), filter=Q(state=NState.EFFECTIVE)),
                  overdue=Count("pk", filter=Q(state=NState.OVERDUE) | Q(state=NState.PROPOSED, response_due__lt=f.today)))
    dis = grouped(f.disputes(), "region__path", disputes=Count("pk"),
                  open_disputes=Count("pk", filter=Q(state__in=DISPUTE_OPEN_STATES)),
                  recovered=Sum("amount_recovered"))
    leg = grouped(f.legal_cases(), "applicant_region__path", legal=Count("pk"),
                  legal_closed=Count("pk", filter=Q(state=CaseState.CLOSED)), satisfaction=Avg("satisfaction"))

    def row(key, name, code):
        n, d, lg = neg.get(key, {}), dis.get(key, {}), leg.get(key, {})
        return {
            "code": code, "region": name,
            "negotiations": n.get("negotiations", 0), "effective": n.get("effective", 0),
            "workers_covered": n.get("workers") or 0, "overdue_proposals": n.get("overdue", 0),
            "disputes": d.get("disputes", 0), "open_disputes": d.get("open_disputes", 0),
            "amount_recovered": _money(d.get("recovered")),
            "legal_aid": lg.get("legal", 0), "legal_closed": lg.get("legal_closed", 0),
            "satisfaction": _round(lg.get("satisfaction"), 2),
        }

    rows = [row(c.path, c.name, c.code) for c in children]
    # Rows registered at the base region itself (not in any child) form a row of their own.
    own_key = base_path[:key_len]
    if base_path and (own_key in neg or own_key in dis or own_key in leg):
        rows.insert(0, row(own_key, str(_("本级")), base_path.strip("/").split("/")[-1]))
    return {"base": base.name if base else None, "rows": rows}


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


NEG_DUE_LABELS = {
    NState.PROPOSED: _("应约截止"), NState.COORDINATION: _("协调处理截止"),
    NState.SIGNED: _("报送截止"), NState.UNDER_REVIEW: _("审查期届满"),
}


def deadline_board(actor, *, today: dt.date | None = None, days: int = 14, include_overdue: bool = False,
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

    # negotiations: one running clock per state
    neg_q = Q()
    for state, field_name in STATES_WITH_DUE.items():
        neg_q |= Q(state=state) & rng(field_name)
    due_expr = Case(*[When(state=st, then=F(fn)) for st, fn in STATES_WITH_DUE.items()], output_field=DateField())
    negs = (f.negotiations().filter(neg_q).select_related("employer", "employer__region")
            .annotate(d=due_expr).order_by("d", "pk"))
    for n in negs[:cap] if cap else negs:
        due = getattr(n, STATES_WITH_DUE[n.state])
        items.append(DueItem(due, "negotiation", str(_("集体协商")), str(NEG_DUE_LABELS[n.state]), n.title,
                             n.employer.name, n.employer.region.name, "negotiation:detail", n.pk))

    dis = (f.disputes().filter(Q(state__in=DISPUTE_OPEN_STATES) & rng("next_due"))
           .select_related("employer", "region").order_by("next_due", "pk"))
    for c in dis[:cap] if cap else dis:
        items.append(DueItem(c.next_due, "dispute", str(_("劳动争议")), _("%(stage)s阶段期限") % {"stage": c.get_state_display()},
                             f"{c.reference} {c.title}", c.employer.name, c.region.name, "disputes:detail", c.pk))

    legal = f.legal_cases().select_related("applicant_region", "opposing_employer")
    dec = legal.filter(Q(state__in=PENDING_DECISION) & rng("decision_due")).order_by("decision_due", "pk")
    for c in dec[:cap] if cap else dec:
        items.append(DueItem(c.decision_due, "legal", str(_("法律援助")), str(_("审查决定截止")), c.number,
                             c.employer_label, c.applicant_region.name, "legal:case_detail", c.pk))
    asg = legal.filter(Q(state=CaseState.APPROVED) & rng("assignment_due")).order_by("assignment_due", "pk")
    for c in asg[:cap] if cap else asg:
        items.append(DueItem(c.assignment_due, "legal", str(_("法律援助")), str(_("指派律所截止")), c.number,
                             c.employer_label, c.applicant_region.name, "legal:case_detail", c.pk))
    att = (RoutingAttempt.objects.filter(case__in=legal.values("pk"), case__state=CaseState.OFFERED,
                                         outcome=RoutingAttempt.Result.PENDING)
           .filter(rng("response_due")).select_related("firm", "case", "case__applicant_region", "case__opposing_employer")
           .order_by("response_due", "pk"))
    for a in att[:cap] if cap else att:
        items.append(DueItem(a.response_due, "legal", str(_("法律援助")), str(_("律所答复截止")),
                             f"{a.case.number} → {a.firm.name}", a.case.employer_label, a.case.applicant_region.name,
                             "legal:case_detail", a.case_id))
    items.sort(key=lambda i: (i.due, i.workflow, i.pk))
    has_next = bool(limit and len(items) > page * limit)
    if limit:
        items = items[(page - 1) * limit: page * limit]
    for i in items:
        i.url = reverse(i.url_name, args=[i.pk])
    return {"items": items, "from": lo, "to": hi, "today": today, "page": page, "has_next": has_next,
            "truncated": has_next}


def figures(f: Filters) -> dict:
    return {
        "region": f.region.name if f.region else None,
        "period": {"key": f.period.key, "start": f.period.start, "end": f.period.end, "label": f.period.label},
        "today": f.today,
        "negotiation": negotiation_figures(f),
        "disputes": dispute_figures(f),
        "legal_aid": legal_figures(f),
        "regions": region_table(f),
    }
