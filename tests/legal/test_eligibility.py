"""Eligibility proposals (法律援助法 arts. 34, 42), decision due dates with document pauses, urgency, ID numbers."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.validators import id_check_char
from legal import services
from legal.models import Eligibility, HardshipStandard, Matter
from legal.selectors import hardship_standard_for
from tests.factories import region

from .conftest import valid_id

D = dt.date


def test_hardship_standard_inherited_from_nearest_ancestor(db):
    # 150105 (赛罕区) has no row of its own: Hohhot's (150100) applies, not the province's.
    std = hardship_standard_for(region("150105"), D(2026, 6, 1))
    assert std.region.code == "150100" and std.is_sample
    HardshipStandard.objects.create(region=region("150105"), monthly_income_per_capita=Decimal("2100"), effective_from=D(2026, 1, 1), source="t")
    assert hardship_standard_for(region("150105"), D(2026, 6, 1)).monthly_income_per_capita == Decimal("2100")
    # before that date the league's row still applies
    assert hardship_standard_for(region("150105"), D(2025, 6, 1)).region.code == "150100"


@pytest.mark.parametrize(
    "size,income,expected",
    [(3, "5940", Eligibility.HARDSHIP), (3, "5941.50", Eligibility.NOT_ELIGIBLE), (None, "1000", Eligibility.UNKNOWN)],
)
def test_hardship_test_against_region_standard(world, make_case, size, income, expected):
    # Hohhot sample standard: 1980 a head per month; 3 × 1980 = 5940 is exactly at the line and passes.
    case = make_case(is_migrant_worker=False, household_size=size, household_monthly_income=Decimal(income))
    assert case.eligibility_proposal == expected
    if expected != Eligibility.UNKNOWN:
        assert "第34条" in case.eligibility_explanation or "高于标准" in case.eligibility_explanation
        assert "示例数据" in case.eligibility_explanation


@pytest.mark.parametrize("matter", [Matter.PAY, Matter.WORK_INJURY])
def test_migrant_worker_claiming_pay_or_injury_is_exempt(world, make_case, matter):
    case = make_case(is_migrant_worker=True, matter=matter, household_size=1, household_monthly_income=Decimal("90000"))
    assert case.eligibility_proposal == Eligibility.EXEMPT
    assert "第42条" in case.eligibility_explanation


def test_exemption_does_not_cover_other_matters_or_non_migrants(world, make_case):
    rich = dict(household_size=1, household_monthly_income=Decimal("90000"))
    assert make_case(is_migrant_worker=True, matter=Matter.EMPLOYMENT_RELATIONSHIP, **rich).eligibility_proposal == Eligibility.NOT_ELIGIBLE
    assert make_case(is_migrant_worker=False, matter=Matter.PAY, **rich).eligibility_proposal == Eligibility.NOT_ELIGIBLE


def test_staff_decide_with_a_reason_and_may_depart_from_the_proposal(world, firms, make_case):
    case = make_case(is_migrant_worker=False, household_size=1, household_monthly_income=Decimal("90000"))
    with pytest.raises(ValidationError):
        services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="  ")
    case.refresh_from_db()
    assert case.state == "submitted"
    case = services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="申请人重病，家庭实际困难")
    assert case.decision_reason == "申请人重病，家庭实际困难" and case.decided_by == world.users.staff_hh
    assert case.state == "offered"


def test_firm_users_cannot_decide(world, make_case):
    case = make_case()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_decide(actor=world.users.firm_admin_a, case=case.pk, approve=True, reason="x")


def test_decision_due_pauses_while_waiting_for_documents(world, make_case):
    case = make_case(received_on=D(2026, 9, 1))
    assert case.decision_due == D(2026, 9, 8)  # 7 days from 2 Sep
    services.case_request_documents(actor=world.users.staff_hh, case=case.pk, what="工资条", on=D(2026, 9, 3))
    case = services.case_documents_received(actor=world.users.staff_hh, case=case.pk, on=D(2026, 9, 6))
    # paused 3, 4, 5 Sep (request day to the day before receipt): 3 days later
    assert case.document_pauses == [["2026-09-03", "2026-09-05"]]
    assert case.decision_due == D(2026, 9, 11)
    assert "暂停" in case.decision_due_explanation or "3" in case.decision_due_explanation


def test_urgent_when_limitation_ends_within_seven_days(world, make_case):
    from django.utils import timezone

    today = timezone.localdate()
    assert make_case(limitation_date=today + dt.timedelta(days=5)).urgent
    assert not make_case(limitation_date=today + dt.timedelta(days=40)).urgent
    assert not make_case(limitation_date=None).urgent


def test_urgent_case_may_be_approved_while_documents_missing(world, firms, make_case):
    from django.utils import timezone

    normal = make_case()
    services.case_request_documents(actor=world.users.staff_hh, case=normal.pk, what="x")
    with pytest.raises(ValidationError):
        services.case_decide(actor=world.users.staff_hh, case=normal.pk, approve=True, reason="ok")
    urgent = make_case(limitation_date=timezone.localdate() + dt.timedelta(days=3))
    services.case_request_documents(actor=world.users.staff_hh, case=urgent.pk, what="x")
    assert services.case_decide(actor=world.users.staff_hh, case=urgent.pk, approve=True, reason="先行援助").state == "offered"


# --- ID numbers (GB 11643-1999) -------------------------------------------------------------------
def test_id_number_check_digit_enforced_by_service(world, make_case):
    good = valid_id()
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        make_case(id_number=wrong_digit)
    assert "id_number" in exc.value.message_dict
    assert make_case(id_number=good.lower() if good.endswith("X") else good).id_number == good


def test_id_number_with_x_check_digit():
    # find a 17-digit body whose check character is X
    for seq in range(1000):
        body = f"15010519900307{seq:03d}"
        if id_check_char(body) == "X":
            break
    from core.validators import validate_id_number

    validate_id_number(body + "X")
    validate_id_number(body + "x")


def test_id_number_rejected_by_form_and_api(world, client_for, api_for):
    bad = valid_id()[:17] + "0" if valid_id()[17] != "0" else valid_id()[:17] + "1"
    client = client_for(world.users.staff_hh)
    resp = client.post("/legal-aid/cases/new/", {"applicant_name": "李四", "id_number": bad, "phone": "1", "applicant_region": region("150105").pk,
                                                 "matter": "pay", "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk,
                                                 "received_on": "2026-09-01"})
    assert resp.status_code == 200
    assert "校验位错误" in resp.content.decode()
    r = api_for(world.users.staff_hh).post("/api/v1/legal-aid/cases/", {"applicant_name": "李四", "id_number": bad, "phone": "1",
                                                                        "applicant_region": region("150105").pk, "matter": "pay",
                                                                        "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk}, format="json")
    assert r.status_code == 400 and "id_number" in r.json()
