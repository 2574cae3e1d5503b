import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Region
from core.wages import minimum_wage_for

pytestmark = pytest.mark.django_db


def test_county_inherits_league_standard_by_date():
    saihan = Region.objects.get(code="150105")
    assert minimum_wage_for(saihan, dt.date(2022, 1, 1)).monthly == Decimal("1980")
    assert minimum_wage_for(saihan, dt.date(2020, 3, 1)).monthly == Decimal("1760")
    assert minimum_wage_for(saihan, dt.date(2010, 1, 1)) is None


def test_region_without_row_uses_province():
    alxa = Region.objects.get(code="152921")
    assert minimum_wage_for(alxa, dt.date(2022, 1, 1)).monthly == Decimal("1850")
