"""The overview's aggregates (overview_daily) against a direct recount of the workflow tables.

Writes go through the services and core.runner as users and sweeps make them (creation, transitions, audited
edits, child rows, a rolled-back transaction, a refused write, a deletion, an employer edit); after each step the
aggregate-backed figures must equal `overview.recount.figures_direct` — the pre-aggregate implementation reading
every row — for a city, the autonomous region, a county federation and the administrator, over several periods.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.runner import Conflict, lock_for, record_edit, run_edit, run_transition
from disputes.models import DisputeCase
from legal.models import LegalAidCase
from negotiation.models import Negotiation, Term
from negotiation.services import negotiation_create
from overview.models import OverviewDaily, OverviewItem
from overview.recount import figures_direct
from overview.selectors import Filters, _spans, figures, histogram_median, period_from
from tests.factories import FederationFactory, UserFactory, region
from tests.overview.conftest import make_negotiation

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_staff(ov):
    fed = FederationFactory(name="赛罕区总工会(测试)", region=region("150105"), parent=ov.world.fed_hh)
    return UserFactory(username="staff_saihan_t", role=Role.UNION_STAFF, organisation=fed)


def _filters(ov, county_staff):
    u, today = ov.users, ov.today
    periods = [
        period_from("all"),
        period_from("month", today=today),
        period_from("year", today=today),
        period_from("custom", start=today - dt.timedelta(days=25), end=today),  # ragged at both ends
        period_from("custom", start=today - dt.timedelta(days=3)),  # open end
    ]
    out = []
    for actor in (u.staff_hh, u.staff_nm, u.admin, county_staff, u.staff_bt):
        for p in periods:
            out.append(Filters(actor, period=p, today=today))
    out.append(Filters(u.admin, region=region("150100"), today=today))  # the region picker narrows
    out.append(Filters(u.staff_nm, region=region("150200"), period=periods[3], today=today))
    return out


def assert_matches_recount(ov, county_staff):
    for f in _filters(ov, county_staff):
        got, want = figures(f), figures_direct(f)
        for section in want:  # figure by figure, so a failure names the one that drifted
            if isinstance(want[section], dict):
                for name in want[section]:
                    assert got[section][name] == want[section][name], (f.actor.username, f.region, f.period, section, name)
        assert got == want


def snapshot():
    """The non-zero rows of overview_daily, as a set."""
    cols = [f.name for f in OverviewDaily._meta.fields if f.name != "id"]
    zero = ("n", "workers", "collective", "mediated", "arbitrated", "court", "recovered_cases", "urgent", "unroutable",
            "rated", "satisfied", "sat_sum", "amount")
    return {tuple(r) for r in OverviewDaily.objects.values_list(*cols) if any(r[cols.index(c)] for c in zero)}


def test_hand_built_data_matches_the_recount_everywhere(ov, county_staff):
    assert_matches_recount(ov, county_staff)
    # Saihan district (150105) holds every Hohhot row of the fixture; Baotou's none.
    fig = figures(Filters(county_staff))
    assert (fig["negotiation"]["total"], fig["disputes"]["total"], fig["legal_aid"]["total"]) == (5, 3, 5)


def test_aggregates_follow_every_kind_of_write_without_drift(ov, county_staff):
    w, u, today = ov.world, ov.users, ov.today
    now_ = dt.datetime.combine(today, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=8)))

    # A union creates a negotiation (service: a creation audit event, no runner) and proposes it.
    neg = negotiation_create(actor=u.negotiator_a, employer=w.emp_a, title="新协商", headcount=30)
    run_transition(model=Negotiation, pk=neg.pk, actor=None, name="propose",
                   kwargs={"proposed_at": now_ - dt.timedelta(days=30), "response_due": today - dt.timedelta(days=2),
                           "explanation": ""})
    hh = figures(Filters(u.staff_hh))
    assert hh["negotiation"]["total"] == 6
    assert hh["negotiation"]["overdue_proposals"] == 3  # n3, n4 and the new one past its due date
    assert_matches_recount(ov, county_staff)

    # The sweep marks two proposals overdue (system actor); one stays "late" no more, it is "overdue" now.
    for pk in (neg.pk, ov.hh.n3.pk):
        run_transition(model=Negotiation, pk=pk, actor=None, name="mark_overdue")
    hh = figures(Filters(u.staff_hh))
    assert {r["state"]: r["count"] for r in hh["negotiation"]["by_state"]}["overdue"] == 3
    assert hh["negotiation"]["overdue_proposals"] == 3

    # An audited edit: an effective contract's workers 100 -> 250 (workers covered 140 -> 290), and a term added
    # through lock_for + record_edit (a new arrangement kind for that negotiation).
    def more_workers(obj):
        obj.headcount = 250
        return {"headcount": 250}

    run_edit(model=Negotiation, pk=ov.hh.n1.pk, actor=None, action="overview_test_edit", change=more_workers)
    with transaction.atomic():
        n1 = lock_for(Negotiation, ov.hh.n1.pk, None)
        Term.objects.create(negotiation=n1, number=9, kind="deferred", title="延期支付")
        record_edit(n1, actor=None, action="term_add")
    hh = figures(Filters(u.staff_hh))
    assert hh["negotiation"]["workers_covered"] == 290
    arr = {a["kind"]: a for a in hh["negotiation"]["arrangements"]}
    assert (arr["deferred"]["negotiations"], arr["deferred"]["enterprises"], arr["deferred"]["workers"]) == (1, 1, 250)
    assert (arr["staggered"]["negotiations"], arr["staggered"]["workers"]) == (2, 290)
    assert_matches_recount(ov, county_staff)

    # Disputes: money recovered and a mediation agreement recorded on an open case, then it is withdrawn.
    def settle(obj):
        obj.amount_recovered = Decimal("1234.50")
        obj.mediation_agreement_on = today
        return {}

    run_edit(model=DisputeCase, pk=ov.hh.d1.pk, actor=None, action="overview_test_edit", change=settle)
    run_transition(model=DisputeCase, pk=ov.hh.d1.pk, actor=None, name="withdraw",
                   kwargs={"on": today, "reason": "和解"})
    d = figures(Filters(u.staff_hh))["disputes"]
    assert (d["open"], d["amount_recovered"], d["recovered_cases"]) == (1, Decimal("6234.50"), 2)
    assert {r["key"]: r["count"] for r in d["resolution"]}["mediated"] == 2
    assert {r["kind"]: r["count"] for r in d["open_by_kind"]}["wage_arrears"] == 0  # d1 no longer open
    assert d["due_within_7_days"] == 0

    # A dispute opened through the service: its claims are written before the creation audit event.
    from disputes.services import dispute_open

    dispute_open(actor=u.staff_hh, employer=w.emp_a, title="加班费争议", facts="未付加班费。",
                 known_on=today - dt.timedelta(days=10), filed_on=today, workers=[{"name": "乔海燕", "phone": "13900000000"}],
                 claims=[{"kind": "hours", "amount": Decimal("800")}, {"kind": "rest", "amount": None}])
    d = figures(Filters(u.staff_hh))["disputes"]
    kinds = {r["kind"]: r["count"] for r in d["open_by_kind"]}
    assert (d["total"], d["open"], kinds["hours"], kinds["rest"], kinds["dismissal"]) == (4, 2, 1, 1, 1)
    assert_matches_recount(ov, county_staff)

    # Legal aid: documents requested (pending stays pending), and Baotou's offer withdrawn (the firm row goes).
    run_transition(model=LegalAidCase, pk=ov.hh.l1.pk, actor=None, name="request_documents", kwargs={"on": today})
    run_transition(model=LegalAidCase, pk=ov.bt.l1.pk, actor=None, name="withdraw_offer")
    bt = figures(Filters(u.staff_bt))["legal_aid"]
    assert [(f["firm"], f["cases"], f["open"]) for f in bt["firms"]] == [(w.firm_b.name, 1, 0)]
    assert_matches_recount(ov, county_staff)

    # A rolled-back transaction and a refused write leave the aggregates as they were.
    before = snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        run_transition(model=Negotiation, pk=ov.bt.n2.pk, actor=None, name="mark_overdue")
        run_edit(model=Negotiation, pk=ov.bt.n1.pk, actor=None, action="overview_test_edit", change=more_workers)
        raise RuntimeError("the request failed after the writes")
    with pytest.raises(Conflict):
        run_transition(model=Negotiation, pk=ov.bt.n2.pk, actor=None, name="mark_overdue", expected_state="accepted")
    with pytest.raises(ValidationError):
        run_transition(model=DisputeCase, pk=ov.bt.d1.pk, actor=None, name="withdraw", kwargs={"on": today, "reason": ""})
    assert snapshot() == before
    assert figures(Filters(u.staff_bt))["negotiation"]["workers_covered"] == 999
    assert_matches_recount(ov, county_staff)

    # An employer's headcount counts for its negotiations without their own; a deleted case stops counting.
    def no_own_headcount(obj):
        obj.headcount = None
        return {}

    run_edit(model=Negotiation, pk=ov.bt.n1.pk, actor=None, action="overview_test_edit", change=no_own_headcount)
    w.emp_b.headcount = 1500
    w.emp_b.save()
    LegalAidCase.objects.get(pk=ov.hh.l2.pk).delete()
    assert figures(Filters(u.staff_bt))["negotiation"]["workers_covered"] == 1500
    assert figures(Filters(u.staff_hh))["legal_aid"]["total"] == 4
    assert_matches_recount(ov, county_staff)

    # Repair finds nothing to repair: the incremental rows equal a rebuild from scratch.
    incremental = snapshot()
    call_command("rebuild_overview", verbosity=0)
    assert snapshot() == incremental
    assert OverviewItem.objects.count() == Negotiation.objects.count() + DisputeCase.objects.count() + LegalAidCase.objects.count()


def test_rebuild_repairs_rows_written_behind_the_services(ov, county_staff):
    make_negotiation(ov.world, ov.world.emp_a, ov.world.union_a, "effective", headcount=7, proposed_days_ago=9,
                     effective_days_ago=1, kinds=["rotation"])  # objects.create: no audit event, no signal
    assert figures(Filters(ov.users.staff_hh)) != figures_direct(Filters(ov.users.staff_hh))
    call_command("rebuild_overview", verbosity=0)
    assert_matches_recount(ov, county_staff)
    assert figures(Filters(ov.users.staff_hh))["negotiation"]["median_days_to_effect"] == 30.0  # 50, 30, 8 days


def test_figures_read_a_fixed_number_of_queries_whatever_the_data(ov, django_assert_num_queries):
    f = Filters(ov.users.staff_hh)
    figures(f)  # warm the content-type and registry caches
    with django_assert_num_queries(7):
        # the region base's children, the scope's region ids, overview_daily's object rows, its distinct/median
        # rows, late proposals, disputes due, firm names
        figures(f)
    w = ov.world
    for i in range(30):
        neg = negotiation_create(actor=ov.users.negotiator_a, employer=w.emp_a, title=f"批量{i}", headcount=i + 1)
        run_transition(model=Negotiation, pk=neg.pk, actor=None, name="propose",
                       kwargs={"proposed_at": timezone.now(), "response_due": ov.today - dt.timedelta(days=1), "explanation": ""})
    with django_assert_num_queries(7):
        fig = figures(f)
    assert fig["negotiation"]["total"] == 35 and fig["negotiation"]["overdue_proposals"] == 32


def test_page_and_api_query_counts_do_not_grow_with_the_data(ov, client_for, django_assert_num_queries):
    c = client_for(ov.users.staff_nm)
    url, api = reverse("overview:index"), "/api/v1/stats/overview/"
    c.get(url), c.get(api)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(u):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(u).status_code == 200
        return len(ctx.captured_queries)

    before = (count(url), count(api))
    w = ov.world
    for i in range(20):
        neg = negotiation_create(actor=ov.users.negotiator_b, employer=w.emp_b, title=f"包头{i}")
        run_transition(model=Negotiation, pk=neg.pk, actor=None, name="propose",
                       kwargs={"proposed_at": timezone.now(), "response_due": ov.today, "explanation": ""})
    assert (count(url), count(api)) == before
    assert c.get(api).json()["negotiation"]["total"] == 27


@pytest.mark.parametrize("start,end,want", [
    (None, None, [("a", dt.date(1970, 1, 1), dt.date(1970, 1, 1))]),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31), [("m", dt.date(2026, 1, 1), dt.date(2026, 12, 31))]),
    (dt.date(2026, 1, 15), dt.date(2026, 3, 10), [("m", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
                                                  ("d", dt.date(2026, 1, 15), dt.date(2026, 1, 31)),
                                                  ("d", dt.date(2026, 3, 1), dt.date(2026, 3, 10))]),
    (dt.date(2026, 2, 3), dt.date(2026, 2, 20), [("d", dt.date(2026, 2, 3), dt.date(2026, 2, 20))]),
    (dt.date(2026, 2, 3), None, [("m", dt.date(2026, 3, 1), dt.date(9999, 12, 31)),
                                 ("d", dt.date(2026, 2, 3), dt.date(2026, 2, 28))]),
    (None, dt.date(2024, 2, 29), [("m", dt.date(1, 1, 1), dt.date(2024, 2, 29))]),
])
def test_period_spans(start, end, want):
    from overview.selectors import Period

    assert _spans(Period("custom", start, end)) == want


def test_histogram_median_is_percentile_cont():
    assert histogram_median([]) is None
    assert histogram_median([(30, 1), (50, 1)]) == 40.0
    assert histogram_median([(8, 1), (30, 1), (50, 1)]) == 30.0
    assert histogram_median([(50, 3), (1, 1)]) == 50.0
    assert histogram_median([(1, 2), (9, 2)]) == 5.0
