import datetime as dt
from decimal import Decimal

import pytest

from disputes import services
from disputes.models import ClaimKind

D = dt.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def open_case(world):
    """open_case(**overrides) → a case for world.emp_a opened by staff_hh (Hohhot)."""

    def make(**kw):
        args = dict(
            actor=world.users.staff_hh,
            employer=world.emp_a,
            title="待岗工资争议",
            facts="停工期间未发工资。",
            known_on=D(2026, 9, 1),
            filed_on=D(2026, 11, 2),
            workers=[{"name": "乔海燕", "phone": "13900000000"}],
            claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("20000")}],
        )
        args.update(kw)
        return services.dispute_open(**args)

    return make
