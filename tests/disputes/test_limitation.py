"""Arbitration limitation (劳动争议调解仲裁法 art. 27): general rule, wage-arrears exception, suspension, interruption."""
import datetime as dt
from decimal import Decimal

import pytest

from disputes import services
from disputes.models import ClaimKind, LimitationSuspension
from tests.factories import region

D = dt.date
pytestmark = pytest.mark.django_db

EPIDEMIC = dict(name="新冠肺炎疫情仲裁时效中止", start=D(2020, 1, 24), end=D(2020, 4, 30), source="人社厅明电〔2020〕5号")


def test_general_rule_one_year_from_knowing(open_case):
    case = open_case(known_on=D(2025, 6, 10), filed_on=D(2025, 7, 1))
    assert case.limitation_due == D(2026, 6, 10)
    assert case.next_due == case.limitation_due  # the governing date while filed
    assert "第27条" in case.limitation_explanation and "2026年6月10日" in case.limitation_explanation


def test_wage_arrears_during_employment_has_no_limit(open_case):
    case = open_case(known_on=D(2024, 1, 5), filed_on=D(2025, 7, 1),
                     claims=[{"kind": ClaimKind.WAGE_ARREARS, "amount": Decimal("9000")}])
    assert case.limitation_due is None
    assert case.next_due is None
    assert "不受一年仲裁时效期间的限制" in case.limitation_explanation


def test_wage_arrears_after_termination_runs_from_the_end(open_case):
    # Arrears known since March 2024 would be time-barred under the general rule (March 2025);
    # employment ended 20 Aug 2025, so the claim may be brought until 20 Aug 2026.
    case = open_case(known_on=D(2024, 3, 1), employment_ended_on=D(2025, 8, 20), filed_on=D(2025, 9, 1),
                     claims=[{"kind": ClaimKind.STANDBY_PAY, "amount": Decimal("9000")}])
    assert case.limitation_due == D(2026, 8, 20)
    assert "第27条第4款" in case.limitation_explanation
    assert "2025年8月20日终止" in case.limitation_explanation


def test_mixed_claims_take_the_earliest_date(open_case):
    case = open_case(known_on=D(2025, 6, 10), employment_ended_on=D(2025, 8, 20), filed_on=D(2025, 9, 1),
                     claims=[{"kind": ClaimKind.WAGE_ARREARS, "amount": Decimal("5000")},
                             {"kind": ClaimKind.DISMISSAL, "amount": Decimal("30000")}])
    assert case.limitation_due == D(2026, 6, 10)
    assert "【其他请求】" in case.limitation_explanation and "【劳动报酬请求】" in case.limitation_explanation


def test_suspension_entered_by_admin_extends_and_is_named(open_case):
    LimitationSuspension.objects.create(**EPIDEMIC)
    case = open_case(known_on=D(2019, 12, 1), filed_on=D(2020, 6, 1))
    # 1 Dec 2020 + 98 suspended days = 9 Mar 2021 (a Tuesday).
    assert case.limitation_due == D(2021, 3, 9)
    assert "中止" in case.limitation_explanation
    assert "新冠肺炎疫情仲裁时效中止" in case.limitation_explanation
    assert "2020-01-24至2020-04-30" in case.limitation_explanation


def test_suspension_for_another_region_does_not_apply(open_case):
    LimitationSuspension.objects.create(region=region("150200"), **EPIDEMIC)
    case = open_case(known_on=D(2019, 12, 1), filed_on=D(2020, 6, 1))
    assert case.limitation_due == D(2020, 12, 1)
    assert "新冠" not in case.limitation_explanation


def test_adding_a_suspension_later_recomputes_open_cases(open_case):
    case = open_case(known_on=D(2019, 12, 1), filed_on=D(2020, 6, 1))
    assert case.limitation_due == D(2020, 12, 1)
    LimitationSuspension.objects.create(**EPIDEMIC)
    assert services.limitation_recompute_open() == 1
    case.refresh_from_db()
    assert case.limitation_due == D(2021, 3, 9)


def test_mediation_request_interrupts_and_restarts(open_case, world):
    case = open_case(known_on=D(2025, 6, 10), filed_on=D(2025, 6, 20))
    case = services.dispute_apply_mediation(case=case, actor=world.users.staff_hh, body="调解委员会", on=D(2025, 7, 1))
    assert case.limitation_interrupted_on == D(2025, 7, 1)
    assert case.limitation_due == D(2026, 7, 1)
    assert "时效中断" in case.limitation_explanation


def test_page_warns_as_limitation_approaches(open_case, world, client_for):
    import django.utils.timezone as tz

    today = tz.localdate()
    case = open_case(known_on=today - dt.timedelta(days=360), filed_on=today)
    body = client_for(world.users.staff_hh).get(f"/disputes/{case.pk}/").content.decode()
    assert "仲裁时效将于" in body and "请尽快申请调解或仲裁" in body
    far = open_case(known_on=today - dt.timedelta(days=10), filed_on=today, title="远")
    assert "仲裁时效将于" not in client_for(world.users.staff_hh).get(f"/disputes/{far.pk}/").content.decode()


def test_admin_enters_a_suspension_and_open_cases_follow(world, open_case, client_for):
    case = open_case(known_on=D(2019, 12, 1), filed_on=D(2020, 6, 1))
    c = client_for(world.users.admin)
    assert c.get("/admin/disputes/disputecase/").status_code == 200
    assert c.get(f"/admin/disputes/disputecase/{case.pk}/change/").status_code == 200
    r = c.post("/admin/disputes/limitationsuspension/add/", {
        "name": "疫情中止", "start": "2020-01-24", "end": "2020-04-30", "source": "明电", "region": "",
    })
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.limitation_due == D(2021, 3, 9) and "疫情中止" in case.limitation_explanation
    r = c.post("/admin/disputes/limitationsuspension/add/", {"name": "错", "start": "2020-05-01", "end": "2020-04-01"})
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode()
