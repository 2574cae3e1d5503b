"""`/ws/notifications/`: the user's own events, refused to strangers, closed when access is revoked."""
import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from notifications.services import notify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def notify_committed(user, **kw):
    with transaction.atomic():
        return notify(recipients=[user], kind=kw.pop("kind", "proposal_received"), title=kw.pop("title", "新的要约"), **kw)


@database_sync_to_async
def change(user, **fields):
    with transaction.atomic():
        for k, v in fields.items():
            setattr(user, k, v)
        user.save()


async def test_user_receives_own_notification_with_ids_only(world, ws):
    neg = world.users.negotiator_a
    comm = await ws("/ws/notifications/", neg)
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from(timeout=10)
    assert hello["event"] == "hello" and hello["unread"] == 0

    await notify_committed(neg, title="甲乳业：企业已应约", url="/negotiations/1/", obj=world.emp_a)
    msg = await comm.receive_json_from(timeout=10)
    assert msg["event"] == "notification"
    assert msg["kind"] == "proposal_received"
    assert msg["object"] == "accounts.organisation" and msg["id"] == str(world.emp_a.pk)
    assert isinstance(msg["version"], int) and msg["notification"] > 0
    assert "title" not in msg and "甲乳业" not in str(msg)  # ids and a version, never the data
    await comm.disconnect()


async def test_other_users_events_do_not_arrive(world, ws):
    comm = await ws("/ws/notifications/", world.users.employer_b)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=10)  # hello
    await notify_committed(world.users.employer_a)
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_nothing_is_sent_when_the_transaction_rolls_back(world, ws):
    neg = world.users.negotiator_a
    comm = await ws("/ws/notifications/", neg)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=10)

    @database_sync_to_async
    def rolled_back():
        try:
            with transaction.atomic():
                notify(recipients=[neg], kind="x", title="x")
                raise RuntimeError("boom")
        except RuntimeError:
            pass

    await rolled_back()
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_anonymous_is_refused(ws):
    comm = await ws("/ws/notifications/")
    connected, code = await comm.connect()
    assert not connected


async def test_user_without_role_is_refused(world, ws):
    comm = await ws("/ws/notifications/", world.users.norole)
    connected, _ = await comm.connect()
    assert not connected


async def test_foreign_origin_is_refused(world, ws):
    comm = await ws("/ws/notifications/", world.users.negotiator_a, origin="http://evil.example")
    connected, _ = await comm.connect()
    assert not connected


@pytest.mark.parametrize("fields", [{"role": ""}, {"is_active": False}], ids=["role-removed", "deactivated"])
async def test_revoked_user_is_disconnected(world, ws, fields):
    neg = world.users.negotiator_a
    comm = await ws("/ws/notifications/", neg)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=10)
    await change(neg, **fields)
    out = await comm.receive_output(timeout=10)
    assert out == {"type": "websocket.close", "code": 4403}


async def test_a_bulk_update_is_pushed_by_its_caller_not_polled(world, ws):
    """No poll: a revocation the signal never saw (QuerySet.update) leaves the socket open through later
    events, until its caller pushes `realtime.recheck_users`, which closes it at once."""
    from accounts.models import User
    from core import realtime

    neg = world.users.negotiator_a
    comm = await ws("/ws/notifications/", neg)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=10)
    await database_sync_to_async(lambda: User.objects.filter(pk=neg.pk).update(role=""))()
    await notify_committed(neg)
    assert (await comm.receive_json_from(timeout=10))["event"] == "notification"

    @database_sync_to_async
    def push():
        with transaction.atomic():
            realtime.recheck_users([neg.pk])

    await push()
    out = await comm.receive_output(timeout=10)
    assert out == {"type": "websocket.close", "code": 4403}
    await notify_committed(neg)
    assert await comm.receive_nothing(timeout=0.3)
