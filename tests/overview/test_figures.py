"""Overview figures against hand-built data (tests/overview/conftest.py), scope, and fixed query counts."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from overview.aggregates import rebuild
from overview.selectors import Filters, deadlines_visible_to, figures, median, period_from
from tests.factories import region
from tests.overview.conftest import make_case, make_dispute, make_negotiation

pytestmark = pytest.mark.django_db


def by(rows, key, value_key="count"):
    return {r[key]: r[value_key] for r in rows}


def test_hohhot_staff_figures(ov):
    fig = figures(Filters(ov.users.staff_hh))
    n, d, lg = fig["negotiation"], fig["disputes"], fig["legal_aid"]
    assert n["total"] == 5
    states = by(n["by_state"], "state")
    assert (states["effective"], states["proposed"], states["overdue"], states["draft"]) == (2, 2, 1, 0)
    assert n["overdue_proposals"] == 2  # one marked overdue, one proposed past its due date
    assert (n["effective"], n["enterprises_covered"], n["workers_covered"]) == (2, 1, 140)
    assert n["median_days_to_effect"] == 40.0  # 50 and 30 days
    arr = {a["kind"]: a for a in n["arrangements"]}
    assert (arr["staggered"]["enterprises"], arr["staggered"]["negotiations"], arr["staggered"]["workers"]) == (1, 2, 140)
    assert (arr["pay"]["enterprises"], arr["pay"]["workers"]) == (1, 100)
    assert arr["standby"]["workers"] == 0  # Baotou's standby term is not Hohhot's
    assert "article" not in arr

    assert (d["total"], d["open"], d["due_within_7_days"], d["overdue"]) == (3, 2, 1, 0)
    assert by(d["open_by_stage"], "state") == {**{k: 0 for k in by(d["open_by_stage"], "state")}, "mediation": 1, "court": 1}
    kinds = by(d["open_by_kind"], "kind")
    assert (kinds["wage_arrears"], kinds["dismissal"], kinds["standby_pay"]) == (1, 1, 0)
    assert by(d["resolution"], "key") == {"mediated": 1, "arbitrated": 1, "court": 1}
    assert d["amount_recovered"] == Decimal("5000.00")

    assert lg["total"] == 5
    assert by(lg["decisions"], "key") == {"pending": 1, "approved": 3, "rejected": 1}
    assert lg["satisfaction"] == {"rated": 2, "average": 4.0, "satisfied_pct": 50.0}
    assert lg["amount_recovered"] == Decimal("300")
    [firm] = lg["firms"]
    assert firm["firm"] == ov.world.firm_a.name
    assert (firm["cases"], firm["open"], firm["closed"], firm["capacity"], firm["load_pct"]) == (3, 1, 2, 4, 25)
    assert firm["median_hours_to_accept"] == 15.0
    assert firm["outcomes"]["settled"] == 1 and firm["outcomes"]["mediated"] == 1 and firm["outcomes"]["judgment"] == 0


def test_league_staff_never_see_the_other_league(ov):
    bt = figures(Filters(ov.users.staff_bt))
    assert bt["negotiation"]["total"] == 2 and bt["negotiation"]["workers_covered"] == 999
    assert bt["disputes"]["amount_recovered"] == Decimal("7777.00")
    assert [f["firm"] for f in bt["legal_aid"]["firms"]] == [ov.world.firm_b.name]
    hh = figures(Filters(ov.users.staff_hh))
    assert ov.world.firm_b.name not in [f["firm"] for f in hh["legal_aid"]["firms"]]
    assert [r["region"] for r in hh["regions"]["rows"] if r["negotiations"]] == ["赛罕区"]
    # The top level sees both, and its region table compares the leagues.
    nm = figures(Filters(ov.users.staff_nm))
    assert nm["negotiation"]["total"] == 7 and nm["negotiation"]["workers_covered"] == 1139
    rows = {r["code"]: r for r in nm["regions"]["rows"]}
    assert (rows["150100"]["negotiations"], rows["150100"]["workers_covered"], rows["150100"]["open_disputes"]) == (5, 140, 2)
    assert (rows["150200"]["negotiations"], rows["150200"]["amount_recovered"], rows["150200"]["legal_aid"]) == (2, Decimal("7777.00"), 2)
    assert rows["150100"]["satisfaction"] == 4.0 and rows["150200"]["satisfaction"] == 1.0
    assert rows["150600"]["negotiations"] == 0


def test_page_ignores_a_region_outside_the_users_scope(ov, client_for):
    c = client_for(ov.users.staff_hh)
    r = c.get(reverse("overview:index"), {"region": region("150200").pk})
    assert r.status_code == 200
    assert r.context["fig"]["negotiation"]["total"] == 5  # fell back to the user's own scope
    body = r.content.decode()
    assert ov.world.emp_b.name not in body and ov.world.firm_b.name not in body and "7777" not in body


def test_region_picker_narrows(ov, client_for):
    c = client_for(ov.users.staff_nm)
    r = c.get(reverse("overview:index"), {"region": region("150200").pk})
    assert r.context["fig"]["negotiation"]["total"] == 2
    assert r.context["fig"]["region"] == "包头市"


def test_period_filters_by_opening_date(ov):
    today = ov.today
    f = Filters(ov.users.staff_hh, period=period_from("custom", start=today + dt.timedelta(days=1)))
    fig = figures(f)
    assert fig["negotiation"]["total"] == 0 and fig["disputes"]["total"] == 0 and fig["legal_aid"]["total"] == 0
    assert figures(Filters(ov.users.staff_hh, period=period_from("month")))["disputes"]["total"] in (0, 3)
    assert period_from("last_month", today=dt.date(2026, 1, 15)).start == dt.date(2025, 12, 1)
    assert period_from("quarter", today=dt.date(2026, 11, 30)).end == dt.date(2026, 12, 31)


def test_median_fallback():
    assert median([]) is None
    assert median([3, 1, 2]) == 2.0
    assert median([1, 2, 3, 10]) == 2.5


def test_page_shows_charts_with_tables(ov, client_for):
    r = client_for(ov.users.staff_hh).get(reverse("overview:index"))
    body = r.content.decode()
    assert body.count('role="img"') >= 7
    assert body.count("<svg") == body.count("<title id=")
    assert "<table" in body and "140" in body
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and 'src="http' not in body  # no charting library, nothing from a CDN


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _more_data(ov, k=4):
    w, u = ov.world, ov.users
    for i in range(k):
        make_negotiation(w, w.emp_a, w.union_a, "effective", headcount=10, proposed_days_ago=20 + i,
                         effective_days_ago=1, kinds=["rotation", "short_hours"])
        make_negotiation(w, w.emp_a, w.union_a, "proposed", response_due=ov.today + dt.timedelta(days=i))
        make_dispute(w, w.emp_a, "150102", "mediation", u.staff_hh, next_due=ov.today + dt.timedelta(days=i),
                     claims=[("hours", None), ("rest", None)])
        make_case(w.emp_a, "150102", "submitted", decision_due=ov.today + dt.timedelta(days=i))
        make_case(w.emp_a, "150102", "in_progress", firm=w.firm_b, accept_hours=3 + i)
        make_case(w.emp_a, "150102", "offered", firm=w.firm_a, pending_due=ov.today + dt.timedelta(days=i))
    rebuild()


@pytest.mark.parametrize("who", ["staff_hh", "staff_nm", "admin"])
def test_fixed_number_of_queries(ov, client_for, who, django_assert_max_num_queries):
    c = client_for(getattr(ov.users, who))
    index, board = reverse("overview:index"), reverse("overview:deadlines")
    before = (_count(c, index), _count(c, board), _count(c, index, region=region("150100").pk, period="year"))
    _more_data(ov)
    after = (_count(c, index), _count(c, board), _count(c, index, region=region("150100").pk, period="year"))
    assert before == after
    with django_assert_max_num_queries(22):
        c.get(index)
    with django_assert_max_num_queries(12):
        c.get(board)


def test_deadline_board_sorted_scoped_and_linked(ov, client_for):
    board = deadlines_visible_to(ov.users.staff_hh)
    items = board["items"]
    assert [i.due for i in items] == sorted(i.due for i in items)
    assert [(i.workflow, i.pk) for i in items] == [("dispute", ov.hh.d1.pk), ("negotiation", ov.hh.n5.pk), ("legal", ov.hh.l1.pk)]
    r = client_for(ov.users.staff_hh).get(reverse("overview:deadlines"))
    body = r.content.decode()
    for url in (reverse("disputes:detail", args=[ov.hh.d1.pk]), reverse("negotiation:detail", args=[ov.hh.n5.pk]),
                reverse("legal:case_detail", args=[ov.hh.l1.pk])):
        assert url in body
    assert ov.world.emp_b.name not in body
    # Baotou staff see the routing attempt due tomorrow and their hearing, nothing of Hohhot.
    bt = deadlines_visible_to(ov.users.staff_bt)["items"]
    assert [(i.workflow, i.pk, i.what) for i in bt] == [
        ("legal", ov.bt.l1.pk, "律所答复截止"), ("dispute", ov.bt.d1.pk, "仲裁审理中阶段期限"), ("negotiation", ov.bt.n2.pk, "应约截止"),
    ]
    # Overdue items only on request.
    with_overdue = deadlines_visible_to(ov.users.staff_hh, include_overdue=True)["items"]
    assert ov.hh.n3.pk in {i.pk for i in with_overdue if i.workflow == "negotiation"}
    assert ov.hh.n3.pk not in {i.pk for i in items if i.workflow == "negotiation"}


def test_negotiator_board_shows_only_their_union(ov, client_for):
    r = client_for(ov.users.negotiator_b).get(reverse("overview:deadlines"))
    assert r.status_code == 200
    items = r.context["board"]["items"]
    assert {(i.workflow, i.pk) for i in items} == {("negotiation", ov.bt.n2.pk)}


@pytest.mark.parametrize("who", ["employer_a", "lawyer_a", "firm_admin_a", "bureau_hh", "negotiator_a", "norole"])
def test_overview_refused_to_non_staff(ov, client_for, who):
    c = client_for(getattr(ov.users, who))
    assert c.get(reverse("overview:index")).status_code == 403
    assert c.get(reverse("overview:export", args=["figures", "csv"])).status_code == 403
    assert c.get(reverse("overview:report")).status_code == 403


@pytest.mark.parametrize("who", ["employer_a", "lawyer_a", "bureau_hh"])
def test_board_refused_to_employers_and_firms(ov, client_for, who):
    c = client_for(getattr(ov.users, who))
    assert c.get(reverse("overview:deadlines")).status_code == 403
    assert c.get(reverse("overview:export", args=["deadlines", "xlsx"])).status_code == 403


def test_anonymous_redirected_to_login(client):
    r = client.get(reverse("overview:index"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_deadline_board_pages_merge_the_sources_in_order(ov):
    _more_data(ov, k=4)  # 4 negotiations, 4 disputes, 4 decisions, 4 firm replies due over the next days
    everything = deadlines_visible_to(ov.users.staff_hh, limit=None)["items"]
    pages, page = [], 1
    while True:
        b = deadlines_visible_to(ov.users.staff_hh, limit=5, page=page)
        pages += b["items"]
        if not b["has_next"]:
            break
        page += 1
    assert [(i.workflow, i.pk) for i in pages] == [(i.workflow, i.pk) for i in everything]
    assert len(everything) == 3 + 16 and page == 4
    assert all(i.url for i in pages)


def test_cache_is_per_scope(ov, client_for, settings):
    from django.core.cache import cache

    settings.OVERVIEW_CACHE_SECONDS = 60
    cache.clear()
    hh = client_for(ov.users.staff_hh)
    first = _count(hh, reverse("overview:index"))
    assert _count(hh, reverse("overview:index")) < first  # served from the cache
    bt = client_for(ov.users.staff_bt)
    r = bt.get(reverse("overview:index"))
    assert r.context["fig"]["negotiation"]["total"] == 2  # never Hohhot's cached figures
    cache.clear()
