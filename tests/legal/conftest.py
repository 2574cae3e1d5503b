import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Region
from legal import services
from legal.models import FirmProfile, Matter
from tests.factories import FirmFactory, region

ALL_MATTERS = list(Matter.values)


def valid_id(birth="19900307", seq="123"):
    from core.validators import id_check_char

    first = "150105" + birth + seq
    return first + id_check_char(first)


def make_profile(org, *, regions=("150000",), matters=ALL_MATTERS, capacity=10, active=True, last=None):
    p = FirmProfile.objects.create(organisation=org, matters=list(matters), capacity=capacity, is_active=active, last_assigned_at=last)
    p.regions.set(Region.objects.filter(code__in=regions))
    return p


@pytest.fixture
def firms(world):
    """world.firm_a serves Hohhot, world.firm_b serves Baotou; both cover all matters."""
    a = make_profile(world.firm_a, regions=("150100",))
    b = make_profile(world.firm_b, regions=("150200",))
    return a, b


@pytest.fixture
def make_case(world):
    def make(actor=None, **over):
        data = dict(
            applicant_name="张三", id_number=valid_id(), phone="13800000000", address="呼和浩特市赛罕区某街1号",
            applicant_region=region("150105"), is_migrant_worker=True, household_size=3,
            household_monthly_income=Decimal("3000"), opposing_employer=world.emp_a, matter=Matter.PAY,
            facts="2026年8月起被拖欠工资三个月。", claims="支付拖欠工资15000元。", claim_amount=Decimal("15000"),
            summary_for_firms="拖欠工资三个月，约1.5万元。",
        )
        data.update(over)
        return services.case_create(actor=actor or world.users.staff_hh, data=data)

    return make


@pytest.fixture
def approved(world, make_case):
    """Approve a fresh case as Hohhot staff; routing runs at once."""

    def make(actor=None, **over):
        case = make_case(actor=actor, **over)
        return services.case_decide(actor=actor or world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")

    return make
