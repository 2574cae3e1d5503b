"""Pages: region list with filters and query counts, case page, opening, transitions, legal-aid button."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from disputes import services
from disputes.models import ClaimKind, DisputeCase, State
from tests.factories import EmployerFactory, region

D = dt.date
pytestmark = pytest.mark.django_db


def many(world, n, employer=None):
    employer = employer or world.emp_a
    today = timezone.localdate()
    for i in range(n):
        services.dispute_open(
            actor=world.users.staff_nm, employer=employer, title=f"案件{i}", facts="事实", known_on=today - dt.timedelta(days=300 + i),
            filed_on=today, workers=[{"name": f"职工{i}"}],
            claims=[{"kind": ClaimKind.PAY_CUT if i % 2 else ClaimKind.DISMISSAL, "amount": Decimal("100")},
                    {"kind": ClaimKind.HOURS}],
        )


def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    many(world, 3)
    c = client_for(world.users.staff_hh)
    # session, user, organisation, its region, employer choices, the page, its claims, unread notifications
    # (issue 14; one more, the bounded count, past 50 cases: tests/disputes/test_list_paging.py)
    with django_assert_max_num_queries(8):
        assert c.get("/disputes/").status_code == 200
    many(world, 40)
    with django_assert_max_num_queries(8):
        r = c.get("/disputes/?due_within=400&kind=pay_cut")
    assert r.status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get("/disputes/?page=2").status_code == 200


def test_detail_query_count(world, open_case, client_for, django_assert_max_num_queries):
    case = open_case()
    c = client_for(world.users.staff_hh)  # logging in (sessions, django-axes) is not the page's cost
    with django_assert_max_num_queries(10):
        assert c.get(f"/disputes/{case.pk}/").status_code == 200


def test_list_is_scoped_by_region_and_employer(world, client_for):
    many(world, 2)
    many(world, 1, employer=world.emp_b)
    def refs(user):
        body = client_for(user).get("/disputes/").content.decode()
        return {c.reference for c in DisputeCase.objects.all() if c.reference in body}
    a = set(DisputeCase.objects.filter(employer=world.emp_a).values_list("reference", flat=True))
    b = set(DisputeCase.objects.filter(employer=world.emp_b).values_list("reference", flat=True))
    assert refs(world.users.staff_hh) == a
    assert refs(world.users.staff_nm) == a | b
    assert refs(world.users.employer_b) == b
    assert refs(world.users.employer_a) == a
    assert client_for(world.users.firm_admin_a).get("/disputes/").status_code == 403


def test_filters_and_overdue_flag(world, open_case, client_for):
    s = world.users.staff_hh
    today = timezone.localdate()
    overdue = open_case(title="时效已过案", known_on=today - dt.timedelta(days=400), filed_on=today)
    collective = open_case(title="集体案", is_collective=True, representative="代表", known_on=today - dt.timedelta(days=30),
                           filed_on=today, workers=[{"name": f"工{i}"} for i in range(10)],
                           claims=[{"kind": ClaimKind.STANDBY_PAY, "amount": Decimal("1")}])
    mediating = services.dispute_apply_mediation(case=open_case(title="调解案", filed_on=today, known_on=today), actor=s, body="调委会")
    c = client_for(s)

    def titles(query):
        body = c.get("/disputes/", query).content.decode()
        return {t for t in ("时效已过案", "集体案", "调解案") if t in body}

    assert titles({}) == {"时效已过案", "集体案", "调解案"}
    assert titles({"state": "mediation"}) == {"调解案"}
    assert titles({"kind": "standby_pay"}) == {"集体案"}
    assert titles({"collective": "1"}) == {"集体案"}
    assert titles({"collective": "0"}) == {"时效已过案", "调解案"}
    assert titles({"overdue": "on"}) == {"时效已过案"}
    assert titles({"due_within": "20"}) == {"时效已过案", "调解案"}  # overdue counts as due; mediation due in 15 days
    assert titles({"employer": world.emp_a.pk}) == {"时效已过案", "集体案", "调解案"}
    body = c.get("/disputes/").content.decode()
    assert "已逾期" in body and "is-overdue" in body
    assert mediating.state == State.MEDIATION and collective.is_collective and overdue.next_due < today


def test_detail_shows_every_due_date_with_explanation_and_timeline(world, open_case, client_for):
    s = world.users.staff_hh
    case = open_case()
    case = services.dispute_apply_mediation(case=case, actor=s, body="调委会", on=D(2026, 11, 4))
    body = client_for(s).get(f"/disputes/{case.pk}/").content.decode()
    assert "仲裁时效届满日" in body and "调解期限" in body
    assert case.mediation_explanation in body.replace("&ldquo;", "“").replace("&rdquo;", "”") or "第14条" in body
    assert "apply_mediation" in body or "申请调解" in body
    assert "调解不成" in body and "记录调解协议" in body  # the actions from this stage
    emp = client_for(world.users.employer_a).get(f"/disputes/{case.pk}/").content.decode()
    assert "调解期限" in emp and "记录调解协议" not in emp and "不能变更案件阶段" in emp


def test_invisible_case_is_404(world, open_case, client_for):
    case = open_case()
    for user in (world.users.staff_bt, world.users.employer_b):
        assert client_for(user).get(f"/disputes/{case.pk}/").status_code == 404


def test_legal_aid_button_only_when_the_view_exists(world, open_case, client_for):
    case = open_case()
    try:
        url = reverse("legal:application_from_dispute", args=[case.pk])
    except NoReverseMatch:
        url = None
    body = client_for(world.users.staff_hh).get(f"/disputes/{case.pk}/").content.decode()
    assert ("转法律援助" in body) == (url is not None)
    if url:
        assert url in body
    assert "转法律援助" not in client_for(world.users.employer_a).get(f"/disputes/{case.pk}/").content.decode()


def test_open_page_validates_and_creates(world, client_for):
    c = client_for(world.users.staff_hh)
    assert c.get("/disputes/new/").status_code == 200
    assert client_for(world.users.employer_a).get("/disputes/new/").status_code == 403
    c = client_for(world.users.staff_hh)
    data = {
        "employer": world.emp_a.pk, "title": "集体停工工资", "is_collective": "on", "representative": "",
        "workers": "甲 139\n乙\n丙", "known_on": "2026-10-01", "facts": "事实",
        "claims-TOTAL_FORMS": "3", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0", "claims-MAX_NUM_FORMS": "20",
        "claims-0-kind": "standby_pay", "claims-0-amount": "3000",
    }
    r = c.post("/disputes/new/", data)
    body = r.content.decode()
    # Art. 7: ten or more workers are needed; a representative is optional (issue 15: no longer demanded).
    assert r.status_code == 200 and "集体争议须有10名以上职工" in body and "集体争议必须推举职工代表" not in body
    assert DisputeCase.objects.count() == 0
    data.update(workers="\n".join(f"职工{i} 1390000{i:04d} 装卸工" + ("*" if i == 0 else "") for i in range(11)), representative="职工1")
    r = c.post("/disputes/new/", data)
    assert r.status_code == 302
    case = DisputeCase.objects.get()
    assert case.workers.count() == 11 and case.workers.filter(is_migrant_worker=True).count() == 1
    assert case.claims.get().kind == "standby_pay"
    assert case.limitation_due is None  # pay during employment: no limitation


def test_open_page_refuses_employer_outside_region(world, client_for):
    other = EmployerFactory(name="包头丙公司", region=region("150203"))
    r = client_for(world.users.staff_hh).post("/disputes/new/", {
        "employer": other.pk, "title": "x", "workers": "甲", "known_on": "2026-10-01", "facts": "f",
        "claims-TOTAL_FORMS": "1", "claims-INITIAL_FORMS": "0", "claims-0-kind": "other",
    })
    assert r.status_code == 200 and "employer" in r.context["form"].errors


def test_transition_through_the_page(world, open_case, client_for):
    case = open_case()
    c = client_for(world.users.staff_hh)
    r = c.post(f"/do/disputes/{case.pk}/apply_mediation/", {"expected_state": "filed", "body": "调委会"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.MEDIATION
    r = c.post(f"/do/disputes/{case.pk}/start_negotiation/", {"expected_state": "filed"})
    assert r.status_code == 409 and "请刷新页面后重试" in r.content.decode()
    r = c.post(f"/do/disputes/{case.pk}/record_mediation_agreement/", {"expected_state": "mediation"})
    assert r.status_code == 400 and "该字段是必填项" in r.content.decode()
    r = client_for(world.users.employer_a).post(f"/do/disputes/{case.pk}/fail_mediation/", {"expected_state": "mediation"})
    assert r.status_code == 403
    c = client_for(world.users.staff_hh)
    assert c.post(f"/do/disputes/{case.pk}/no_such/", {}).status_code == 404
    case.refresh_from_db()
    assert case.state == State.MEDIATION


def test_overdue_case_page_says_what_it_means(world, open_case, client_for):
    today = timezone.localdate()
    s = world.users.staff_hh
    case = open_case(known_on=today - dt.timedelta(days=60), filed_on=today - dt.timedelta(days=55))
    case = services.dispute_apply_arbitration(case=case, actor=s, commission="仲裁委", on=today - dt.timedelta(days=50))
    case = services.dispute_accept(case=case, actor=s, on=today - dt.timedelta(days=49))  # award due ~4 days ago
    body = client_for(s).get(f"/disputes/{case.pk}/").content.decode()
    assert "已过" in body and "第43条" in body
