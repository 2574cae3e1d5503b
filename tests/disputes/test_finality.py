"""Award finality (劳动争议调解仲裁法 art. 47) against the sample minimum-wage table (Hohhot 1,980 yuan from Dec 2021)."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from disputes import services
from disputes.models import ClaimKind
from tests.factories import region

D = dt.date
pytestmark = pytest.mark.django_db
ON = D(2026, 11, 20)


def claim(kind, amount=None, pk=1):
    c = SimpleNamespace(pk=pk, kind=kind, amount=None if amount is None else Decimal(amount))
    c.get_kind_display = lambda: dict(ClaimKind.choices)[kind]
    return c


def finality(*claims, code="150105", on=ON, awarded=None):
    return services.award_finality(region=region(code), claims=list(claims), on=on, awarded=awarded)


def test_amount_equal_to_twelve_months_is_final():
    final, why = finality(claim(ClaimKind.WAGE_ARREARS, "23760.00"))
    assert final
    assert "1980.00元" in why and "23760.00元" in why and "第47条第1项" in why and "终局裁决" in why


def test_one_cent_above_is_not_final():
    final, why = finality(claim(ClaimKind.WAGE_ARREARS, "23760.01"))
    assert not final and "超过" in why and "第50条" in why


def test_standards_dispute_is_final_whatever_the_amount():
    final, why = finality(claim(ClaimKind.SOCIAL_INSURANCE), claim(ClaimKind.HOURS, "900000", pk=2))
    assert final and "第47条第2项" in why


def test_mixed_award_is_treated_as_non_final():
    final, why = finality(claim(ClaimKind.REST), claim(ClaimKind.PAY_CUT, "30000", pk=2))
    assert not final


def test_claim_outside_art_47_is_not_final():
    final, why = finality(claim(ClaimKind.CONTRACT_BREACH, "100"))
    assert not final and "不属于第47条所列事项" in why


def test_awarded_amount_counts_not_the_amount_claimed():
    assert finality(claim(ClaimKind.COMPENSATION, "50000", pk=7), awarded={7: Decimal("20000")})[0]


def test_no_minimum_wage_for_the_date_is_said_not_guessed():
    final, why = finality(claim(ClaimKind.WAGE_ARREARS, "100"), on=D(2010, 1, 1))
    assert not final and "未找到" in why


def test_older_standard_applies_to_older_awards():
    # Before Dec 2021 Hohhot's sample standard was 1,760 → cap 21,120.
    final, why = finality(claim(ClaimKind.WAGE_ARREARS, "22000"), on=D(2021, 6, 1))
    assert not final and "21120.00元" in why


def test_award_records_finality_and_page_shows_reasoning(world, open_case, client_for):
    s = world.users.staff_hh
    case = open_case(claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("60000")}])
    c1 = case.claims.get()
    for step in ("dispute_apply_arbitration", "dispute_accept"):
        kwargs = {"commission": "仲裁委"} if step == "dispute_apply_arbitration" else {}
        case = getattr(services, step)(case=case, actor=s, on=D(2026, 11, 20), **kwargs)
    case = services.dispute_issue_award(case=case, actor=s, received_on=ON, awarded={c1.pk: "60000"})
    assert case.award_final is False and case.award_amount == Decimal("60000")
    c1.refresh_from_db()
    assert c1.awarded_amount == Decimal("60000")
    body = client_for(world.users.employer_a).get(f"/disputes/{case.pk}/").content.decode()
    assert "非终局裁决" in body and "23760.00元" in body
