"""`/ws/negotiations/<id>/`: both sides and permitted staff receive; others are refused; presence and
"the other side is editing term N"; a revoked user is disconnected."""
import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from core import realtime
from core.runner import run_transition
from negotiation.models import Negotiation
from notifications.services import notify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def negotiation(world):
    """A proposal served on the employer (a union's unsent draft is not visible to the employer)."""
    neg = Negotiation.objects.create(title="2026年工资专项集体合同", employer=world.emp_a, union=world.union_a)
    neg.propose(**propose_kwargs())
    neg.save()
    return neg


@database_sync_to_async
def move(negotiation, name, **kwargs):
    """A transition through core.runner.run_transition, which publishes on commit."""
    return run_transition(model=Negotiation, pk=negotiation.pk, actor=None, name=name, kwargs=kwargs)


def propose_kwargs():
    return {"proposed_at": timezone.now(), "response_due": timezone.localdate() + dt.timedelta(days=20), "explanation": "20日"}


async def connected(ws, negotiation, user):
    comm = await ws(f"/ws/negotiations/{negotiation.pk}/", user)
    ok, code = await comm.connect()
    assert ok, f"{user} refused ({code})"
    first = await comm.receive_json_from(timeout=10)
    assert first["event"] == "presence"
    return comm


async def next_event(comm, event, timeout=10):
    while True:
        msg = await comm.receive_json_from(timeout=timeout)
        if msg["event"] == event:
            return msg


@pytest.mark.parametrize("who", ["negotiator_a", "employer_a", "staff_hh", "staff_nm", "admin"])
async def test_both_sides_and_permitted_staff_receive_committed_transitions(world, ws, negotiation, who):
    comm = await connected(ws, negotiation, getattr(world.users, who))
    await move(negotiation, "accept", text="同意协商")
    msg = await next_event(comm, "transition")
    assert msg["id"] == negotiation.pk and msg["state"] == "accepted" and msg["action"] == "accept"
    assert isinstance(msg["version"], int)
    assert set(msg) <= {"event", "group", "id", "state", "action", "version", "ts"}  # ids, never data
    await comm.disconnect()


@pytest.mark.parametrize("who", ["employer_b", "negotiator_b", "staff_bt", "firm_admin_a", "lawyer_a", "norole"])
async def test_other_employer_union_region_and_roles_are_refused(world, ws, negotiation, who):
    comm = await ws(f"/ws/negotiations/{negotiation.pk}/", getattr(world.users, who))
    connected_, _ = await comm.connect()
    assert not connected_


async def test_anonymous_and_unknown_negotiation_are_refused(world, ws, negotiation):
    comm = await ws(f"/ws/negotiations/{negotiation.pk}/")
    assert not (await comm.connect())[0]
    comm = await ws(f"/ws/negotiations/{negotiation.pk + 999}/", world.users.admin)
    assert not (await comm.connect())[0]


async def test_foreign_origin_is_refused(world, ws, negotiation):
    comm = await ws(f"/ws/negotiations/{negotiation.pk}/", world.users.negotiator_a, origin="https://evil.example")
    assert not (await comm.connect())[0]


async def test_rolled_back_transition_publishes_nothing(world, ws, negotiation):
    comm = await connected(ws, negotiation, world.users.negotiator_a)

    @database_sync_to_async
    def fail():
        try:
            with transaction.atomic():
                run_transition(model=Negotiation, pk=negotiation.pk, actor=None, name="accept", kwargs={"text": "x"})
                raise RuntimeError
        except RuntimeError:
            pass

    await fail()
    assert await comm.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(lambda: Negotiation.objects.get(pk=negotiation.pk).state)() == "proposed"
    await comm.disconnect()


async def test_notifications_of_the_user_are_not_mixed_into_the_negotiation_socket(world, ws, negotiation):
    comm = await connected(ws, negotiation, world.users.negotiator_a)

    @database_sync_to_async
    def ping_user():
        with transaction.atomic():
            notify(recipients=[world.users.negotiator_a], kind="x", title="x")

    await ping_user()
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_presence_and_the_other_side_editing_a_term(world, ws, negotiation):
    union = await connected(ws, negotiation, world.users.negotiator_a)
    employer = await connected(ws, negotiation, world.users.employer_a)
    seen = await next_event(union, "presence")
    assert {v["id"] for v in seen["viewers"]} == {world.users.negotiator_a.pk, world.users.employer_a.pk}
    assert {v["side"] for v in seen["viewers"]} == {"union", "employer"}

    await employer.send_json_to({"type": "editing", "term": 7})
    msg = await next_event(union, "editing")
    assert msg["term"] == 7 and msg["side"] == "employer" and msg["user"] == world.users.employer_a.pk

    await employer.disconnect()
    gone = await next_event(union, "presence")
    assert [v["id"] for v in gone["viewers"]] == [world.users.negotiator_a.pk]
    await union.disconnect()


@pytest.mark.parametrize("fields", [{"role": ""}, {"is_active": False}], ids=["role-removed", "deactivated"])
async def test_revoked_user_is_disconnected_the_other_side_stays(world, ws, negotiation, fields):
    employer = await connected(ws, negotiation, world.users.employer_a)
    union = await connected(ws, negotiation, world.users.negotiator_a)

    @database_sync_to_async
    def revoke():
        with transaction.atomic():
            u = world.users.employer_a
            for k, v in fields.items():
                setattr(u, k, v)
            u.save()

    await revoke()
    while True:
        out = await employer.receive_output(timeout=10)
        if out["type"] == "websocket.close":
            break
    assert out["code"] == 4403
    await move(negotiation, "accept", text="同意协商")
    assert (await next_event(union, "transition"))["state"] == "accepted"
    assert await employer.receive_nothing(timeout=0.3)  # nothing after the close
    await union.disconnect()


async def test_moving_to_another_organisation_also_disconnects(world, ws, negotiation):
    """Same rule as the pages: the check is the scoped selector, re-run when the user's save is pushed."""
    employer = await connected(ws, negotiation, world.users.employer_a)

    @database_sync_to_async
    def move_org():
        with transaction.atomic():
            u = world.users.employer_a
            u.organisation = world.emp_b
            u.save()

    await move_org()
    while True:
        out = await employer.receive_output(timeout=10)
        if out["type"] == "websocket.close":
            break
    assert out["code"] == 4403
