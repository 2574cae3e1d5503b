"""Hand-built data for the overview: Hohhot (emp_a, 150105) and Baotou (emp_b, 150203), figures known in advance."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from disputes.models import DisputeCase, DisputeClaim
from legal.models import FirmProfile, LegalAidCase, RoutingAttempt
from negotiation.models import Negotiation, Term
from overview.aggregates import rebuild
from tests.factories import region

_seq = iter(range(1, 10_000))


def make_negotiation(world, emp, union, state, *, headcount=None, proposed_days_ago=None, effective_days_ago=None,
                     response_due=None, kinds=()):
    today = timezone.localdate()
    now = timezone.now()
    n = Negotiation.objects.create(
        title=f"协商{next(_seq)}", employer=emp, union=union, state=state, headcount=headcount,
        proposed_at=(now - dt.timedelta(days=proposed_days_ago)) if proposed_days_ago is not None else None,
        effective_on=(today - dt.timedelta(days=effective_days_ago)) if effective_days_ago is not None else None,
        response_due=response_due,
    )
    for i, k in enumerate(kinds, start=1):
        Term.objects.create(negotiation=n, number=i, kind=k, title=k)
    return n


def make_dispute(world, emp, reg, state, creator, *, next_due=None, claims=(), **extra):
    today = timezone.localdate()
    c = DisputeCase.objects.create(
        reference=f"T-{next(_seq)}", title="争议", state=state, employer=emp, region=region(reg), facts="事实",
        known_on=today - dt.timedelta(days=30), filed_on=today - dt.timedelta(days=20), created_by=creator,
        next_due=next_due, **extra,
    )
    for kind, amount in claims:
        DisputeClaim.objects.create(case=c, kind=kind, amount=amount)
    return c


def make_case(emp, reg, state, *, firm=None, accept_hours=None, pending_due=None, **extra):
    c = LegalAidCase.objects.create(
        number=f"FYT{next(_seq):05d}", state=state, applicant_name="申请人", id_number="110101199003070011",
        phone="13800000000", applicant_region=region(reg), matter="pay", facts="案情", claims="请求",
        opposing_employer=emp, assigned_firm=firm, **extra,
    )
    if firm is not None and accept_hours is not None:
        offered = timezone.now() - dt.timedelta(days=5)
        RoutingAttempt.objects.create(case=c, firm=firm, offered_at=offered, response_due=timezone.localdate(),
                                      outcome="accepted", responded_at=offered + dt.timedelta(hours=accept_hours))
    if firm is not None and pending_due is not None:
        RoutingAttempt.objects.create(case=c, firm=firm, response_due=pending_due, outcome="pending")
    return c


@pytest.fixture
def ov(world):
    today = timezone.localdate()
    w, u = world, world.users
    hh, bt = SimpleNamespace(), SimpleNamespace()
    FirmProfile.objects.create(organisation=w.firm_a, capacity=4)
    # --- negotiations ---
    hh.n1 = make_negotiation(w, w.emp_a, w.union_a, "effective", headcount=100, proposed_days_ago=60,
                             effective_days_ago=10, kinds=["staggered", "pay", "staggered"])
    hh.n2 = make_negotiation(w, w.emp_a, w.union_a, "effective", headcount=40, proposed_days_ago=40,
                             effective_days_ago=10, kinds=["staggered", "article"])
    hh.n3 = make_negotiation(w, w.emp_a, w.union_a, "proposed", proposed_days_ago=25, response_due=today - dt.timedelta(days=1))
    hh.n4 = make_negotiation(w, w.emp_a, w.union_a, "overdue", proposed_days_ago=30, response_due=today - dt.timedelta(days=9))
    hh.n5 = make_negotiation(w, w.emp_a, w.union_a, "proposed", proposed_days_ago=2, response_due=today + dt.timedelta(days=3))
    bt.n1 = make_negotiation(w, w.emp_b, w.union_b, "effective", headcount=999, proposed_days_ago=100,
                             effective_days_ago=1, kinds=["standby"])
    bt.n2 = make_negotiation(w, w.emp_b, w.union_b, "proposed", proposed_days_ago=3, response_due=today + dt.timedelta(days=6))
    # --- disputes ---
    hh.d1 = make_dispute(w, w.emp_a, "150105", "mediation", u.staff_hh, next_due=today + dt.timedelta(days=2),
                         claims=[("wage_arrears", Decimal("1000"))])
    hh.d2 = make_dispute(w, w.emp_a, "150105", "closed", u.staff_hh, amount_recovered=Decimal("5000.00"),
                         mediation_agreement_on=today - dt.timedelta(days=3), claims=[("wage_arrears", None)])
    hh.d3 = make_dispute(w, w.emp_a, "150105", "court", u.staff_hh, award_received_on=today - dt.timedelta(days=5),
                         court_filed_on=today - dt.timedelta(days=2), claims=[("dismissal", None)])
    bt.d1 = make_dispute(w, w.emp_b, "150203", "hearing", u.staff_bt, next_due=today + dt.timedelta(days=5),
                         claims=[("standby_pay", None)])
    bt.d2 = make_dispute(w, w.emp_b, "150203", "closed", u.staff_bt, amount_recovered=Decimal("7777.00"))
    # --- legal aid ---
    hh.l1 = make_case(w.emp_a, "150105", "submitted", decision_due=today + dt.timedelta(days=4))
    hh.l2 = make_case(w.emp_a, "150105", "rejected")
    hh.l3 = make_case(w.emp_a, "150105", "closed", firm=w.firm_a, accept_hours=10, outcome="settled",
                      satisfaction=5, amount_recovered=Decimal("300"))
    hh.l4 = make_case(w.emp_a, "150105", "in_progress", firm=w.firm_a, accept_hours=20)
    hh.l5 = make_case(w.emp_a, "150105", "closed", firm=w.firm_a, outcome="mediated", satisfaction=3)
    bt.l1 = make_case(w.emp_b, "150203", "offered", firm=w.firm_b, pending_due=today + dt.timedelta(days=1))
    bt.l2 = make_case(w.emp_b, "150203", "closed", firm=w.firm_b, outcome="judgment", satisfaction=1)
    rebuild()  # the rows above were written without the services: backfill the aggregates, as the bench does
    return SimpleNamespace(hh=hh, bt=bt, world=w, users=u, today=today)


@pytest.fixture(autouse=True)
def _no_figure_cache(settings):
    """Figures are cached for a minute in production; tests change data between requests."""
    settings.OVERVIEW_CACHE_SECONDS = 0
