"""`/ws/disputes/<id>/`: staff of the case's region receive an event when the case moves; staff of
another region and an employer of another enterprise are refused before accept."""
import datetime as dt
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as dj_settings
from django.test import Client

from disputes import services
from disputes.models import ClaimKind

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _own_channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def ws():
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    def cookie(user):
        c = Client()
        c.force_login(user)
        return c.cookies[dj_settings.SESSION_COOKIE_NAME].value

    async def make(path, user):
        value = await database_sync_to_async(cookie)(user)
        headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"),
                   (b"cookie", f"{dj_settings.SESSION_COOKIE_NAME}={value}".encode())]
        return WebsocketCommunicator(application, path, headers=headers)

    return make


@database_sync_to_async
def opened(world):
    return services.dispute_open(
        actor=world.users.staff_hh, employer=world.emp_a, title="待岗工资争议", facts="停工期间未发工资。",
        known_on=dt.date(2026, 9, 1), filed_on=dt.date(2026, 11, 2), workers=[{"name": "乔海燕"}],
        claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("20000")}],
    )


@pytest.mark.parametrize("who", ["staff_hh", "staff_nm", "employer_a"])
async def test_region_staff_receive_an_event_when_the_case_moves(world, ws, who):
    case = await opened(world)
    comm = await ws(f"/ws/disputes/{case.pk}/", getattr(world.users, who))
    ok, code = await comm.connect()
    assert ok, code
    await database_sync_to_async(services.dispute_start_negotiation)(case=case, actor=world.users.staff_hh)
    msg = await comm.receive_json_from(timeout=10)
    while msg.get("event") != "transition":
        msg = await comm.receive_json_from(timeout=10)
    assert msg["id"] == case.pk and msg["state"] == "negotiation" and msg["action"] == "start_negotiation"
    await comm.disconnect()


@pytest.mark.parametrize("who", ["staff_bt", "employer_b", "lawyer_a"])
async def test_others_are_refused_before_accept(world, ws, who):
    case = await opened(world)
    comm = await ws(f"/ws/disputes/{case.pk}/", getattr(world.users, who))
    ok, code = await comm.connect()
    assert not ok and code in (403, 4403)
    await comm.disconnect()
