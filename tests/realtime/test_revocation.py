"""Issue 14: websocket revocation is pushed, not polled.

A socket checks its permission at connect and afterwards only when told: an event costs no query however
long the socket was idle; a change of the user's role, organisation or active flag, of their
organisation, or of the object's scope closes the sockets that lost access at once (4403), and nothing
more reaches them; a state change costs one scope query per kind of viewer, not one per socket.
"""
import datetime as dt
import itertools
import threading
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from accounts.models import Role, User
from core import realtime
from core.runner import run_transition
from negotiation.models import Negotiation
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- helpers -----------------------------------------------------------------------------------------
class SQL:
    """Every SQL statement run in any thread (the consumers query from the executor thread, not ours)."""

    def __init__(self):
        self.statements: list[str] = []
        self.lock = threading.Lock()

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def sql(monkeypatch):
    log = SQL()
    real = CursorWrapper._execute_with_wrappers

    def counting(self, sql, params, many, executor):
        with log.lock:
            log.statements.append(sql)
        return real(self, sql, params, many, executor)

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", counting)
    return log


def socket_checks(statements) -> list[str]:
    """The statements of a socket's permission check: the fresh user (`_fresh_user`, joined to the
    organisation) and the scope (`visible(user).filter(pk=…).exists()`). Counted by shape, because other
    work of the process (a document render on commit) may run SQL in other threads meanwhile."""
    return [q for q in statements
            if (q.startswith('SELECT "accounts_user"') and 'JOIN "accounts_organisation"' in q)
            or q.startswith('SELECT %s AS "a" FROM "negotiation_negotiation"')]


def propose_kwargs():
    return {"proposed_at": timezone.now(), "response_due": timezone.localdate() + dt.timedelta(days=20), "explanation": "20日"}


def _proposed(world, title):
    neg = Negotiation.objects.create(title=title, employer=world.emp_a, union=world.union_a)
    neg.propose(**propose_kwargs())
    neg.save()
    return neg


@pytest.fixture
def negotiation(world):
    return _proposed(world, "2026年工资专项集体合同")


@database_sync_to_async
def move(negotiation, name, **kwargs):
    return run_transition(model=Negotiation, pk=negotiation.pk, actor=None, name=name, kwargs=kwargs)


async def open_socket(ws, path, user):
    comm = await ws(path, user)
    ok, code = await comm.connect()
    assert ok, f"{user} refused ({code})"
    return comm


async def negotiation_socket(ws, negotiation, user):
    comm = await open_socket(ws, f"/ws/negotiations/{negotiation.pk}/", user)
    assert (await comm.receive_json_from(timeout=10))["event"] == "presence"
    return comm


async def next_event(comm, event, timeout=10):
    while True:
        msg = await comm.receive_json_from(timeout=timeout)
        if msg["event"] == event:
            return msg


async def closed_with(comm, timeout=10) -> tuple[int, list]:
    """Read until the socket is closed: (close code, events received before the close)."""
    seen = []
    while True:
        out = await comm.receive_output(timeout=timeout)
        if out["type"] == "websocket.close":
            return out["code"], seen
        seen.append(out)


@database_sync_to_async
def save_user(user, **fields):
    with transaction.atomic():
        for k, v in fields.items():
            setattr(user, k, v)
        user.save()


_names = itertools.count()


def negotiators(world, n):
    return [UserFactory(username=f"rv_neg_{next(_names)}", role=Role.UNION_NEGOTIATOR, organisation=world.union_a)
            for _ in range(n)]


# --- no query per socket on an event --------------------------------------------------------------------
async def test_event_after_an_idle_hour_costs_no_query(world, ws, negotiation, sql, monkeypatch):
    """The poll that made the first event after 30 s of quiet cost two queries per socket is gone: the
    clock jumped an hour and three sockets forward a committed-style event with no SQL at all."""
    users = [world.users.negotiator_a, world.users.employer_a, world.users.staff_hh]
    socks = [await negotiation_socket(ws, negotiation, u) for u in users]
    real_monotonic = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + 3600)
    before = len(sql)
    group = realtime.group_for("negotiation", negotiation.pk)
    await get_channel_layer().group_send(group, {"type": realtime.EVENT_TYPE, "group": group, "event": "transition",
                                                 "id": negotiation.pk, "version": realtime.next_version()})
    for comm in socks:
        assert (await next_event(comm, "transition"))["id"] == negotiation.pk
    assert socket_checks(sql.statements[before:]) == []
    for comm in socks:
        await comm.disconnect()


async def test_a_negotiations_state_change_costs_no_scope_query(world, ws, sql):
    """Four union negotiators and one employer representative watch; no state change narrows a
    negotiation's scope (Workflow.state_narrows_scope=False, checked in tests/realtime/test_scope_narrowing.py),
    so the event reaches every socket without a re-check: no query (a legal-aid case's state change does
    re-check: test_case_declined_by_the_firm_closes_that_firms_socket_staff_stay)."""
    watched = await database_sync_to_async(_proposed)(world, "观察")
    people = [world.users.negotiator_a, *await database_sync_to_async(negotiators)(world, 3), world.users.employer_a]
    socks = [await negotiation_socket(ws, watched, u) for u in people]

    before = len(sql)
    await move(watched, "accept", text="同意协商")
    for comm in socks:
        msg = await next_event(comm, "transition")
        assert msg["state"] == "accepted" and "recheck" not in msg
    assert socket_checks(sql.statements[before:]) == []

    for comm in socks:
        assert await comm.receive_nothing(timeout=0.2)  # nobody was closed
        await comm.disconnect()


async def test_a_save_that_no_permission_reads_does_not_recheck(world, ws, negotiation, sql):
    """A login saves `last_login` only (update_fields): the user's sockets are not told to re-check."""
    comm = await negotiation_socket(ws, negotiation, world.users.negotiator_a)
    before = len(sql)

    @database_sync_to_async
    def login_stamp():
        u = User.objects.get(pk=world.users.negotiator_a.pk)
        u.last_login = timezone.now()
        u.save(update_fields=["last_login"])

    await login_stamp()
    assert await comm.receive_nothing(timeout=0.3)
    assert socket_checks(sql.statements[before:]) == []
    await comm.disconnect()


# --- revocations close at once, and nothing more is delivered ---------------------------------------------
@pytest.mark.parametrize(
    "change",
    [{"role": ""}, {"is_active": False}, {"organisation": "emp_b"}],
    ids=["role-removed", "deactivated", "moved-to-another-enterprise"],
)
async def test_revocation_in_the_same_commit_as_an_event_closes_before_the_event(world, ws, negotiation, change):
    """Employer rep revoked and the negotiation accepted in one transaction: the rep's socket is closed
    and never receives that transition (the recheck is sent first); the union's socket gets it."""
    employer = await negotiation_socket(ws, negotiation, world.users.employer_a)
    union = await negotiation_socket(ws, negotiation, world.users.negotiator_a)
    fields = {k: getattr(world, v) if k == "organisation" else v for k, v in change.items()}

    @database_sync_to_async
    def revoke_and_move():
        with transaction.atomic():
            u = User.objects.get(pk=world.users.employer_a.pk)
            for k, v in fields.items():
                setattr(u, k, v)
            u.save()
            run_transition(model=Negotiation, pk=negotiation.pk, actor=None, name="accept", kwargs={"text": "同意"})

    await revoke_and_move()
    code, before_close = await closed_with(employer)
    assert code == 4403
    assert all("transition" not in out.get("text", "") for out in before_close)
    assert (await next_event(union, "transition"))["state"] == "accepted"

    await move(negotiation, "start_rounds")
    assert await employer.receive_nothing(timeout=0.3)
    assert (await next_event(union, "transition"))["state"] == "in_rounds"
    await union.disconnect()


async def test_organisation_moved_to_another_region_closes_its_members_sockets(world, ws, negotiation):
    """Hohhot federation's staff watch a Hohhot negotiation; the federation is re-registered in Baotou:
    its members' sockets close, the Inner Mongolia staff (whose region still covers it) stay."""
    hh = await negotiation_socket(ws, negotiation, world.users.staff_hh)
    nm = await negotiation_socket(ws, negotiation, world.users.staff_nm)

    @database_sync_to_async
    def move_federation():
        with transaction.atomic():
            org = world.fed_hh
            org.region = region("150200")
            org.save()

    await move_federation()
    code, _ = await closed_with(hh)
    assert code == 4403
    await move(negotiation, "accept", text="同意协商")
    assert (await next_event(nm, "transition"))["state"] == "accepted"
    assert await hh.receive_nothing(timeout=0.3)
    await nm.disconnect()


async def test_notification_socket_closes_when_the_account_is_deleted(world, ws):
    user = world.users.lawyer_b
    comm = await open_socket(ws, "/ws/notifications/", user)
    assert (await comm.receive_json_from(timeout=10))["event"] == "hello"
    await database_sync_to_async(lambda: User.objects.get(pk=user.pk).delete())()
    code, _ = await closed_with(comm)
    assert code == 4403


async def test_bulk_update_is_revoked_by_recheck_users(world, ws, negotiation):
    """`QuerySet.update()` sends no signal (no poll catches it either): its caller pushes the recheck."""
    comm = await negotiation_socket(ws, negotiation, world.users.employer_a)

    @database_sync_to_async
    def bulk_deactivate():
        with transaction.atomic():
            User.objects.filter(organisation=world.emp_a).update(is_active=False)
            realtime.recheck_users(User.objects.filter(organisation=world.emp_a).values_list("pk", flat=True))

    await bulk_deactivate()
    code, _ = await closed_with(comm)
    assert code == 4403


async def test_a_rolled_back_revocation_closes_nothing(world, ws, negotiation):
    comm = await negotiation_socket(ws, negotiation, world.users.employer_a)

    @database_sync_to_async
    def rolled_back():
        try:
            with transaction.atomic():
                u = User.objects.get(pk=world.users.employer_a.pk)
                u.role = ""
                u.save()
                raise RuntimeError
        except RuntimeError:
            pass

    await rolled_back()
    await move(negotiation, "accept", text="同意协商")
    assert (await next_event(comm, "transition"))["state"] == "accepted"
    await comm.disconnect()


# --- the object's scope changes --------------------------------------------------------------------------
async def test_case_declined_by_the_firm_closes_that_firms_socket_staff_stay(world, ws):
    """A legal-aid case offered to firm A is declined (the case returns to the staff, assigned_firm None):
    firm A's socket loses it at once; the staff's socket stays and receives the transition."""
    from legal.models import LegalAidCase, Matter
    from legal.services import cases as case_services
    from tests.legal.conftest import make_profile, valid_id

    @database_sync_to_async
    def offered_case():
        from decimal import Decimal

        make_profile(world.firm_a, regions=("150100",))
        case = case_services.case_create(actor=world.users.staff_hh, data=dict(
            applicant_name="张三", id_number=valid_id(), phone="13800000000", address="呼和浩特市赛罕区某街1号",
            applicant_region=region("150105"), is_migrant_worker=True, household_size=3,
            household_monthly_income=Decimal("3000"), opposing_employer=world.emp_a, matter=Matter.PAY,
            facts="2026年8月起被拖欠工资三个月。", claims="支付拖欠工资15000元。", claim_amount=Decimal("15000"),
            summary_for_firms="拖欠工资三个月，约1.5万元。",
        ))
        return case_services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")

    case = await offered_case()
    assert case.state == "offered" and case.assigned_firm_id == world.firm_a.pk
    firm = await open_socket(ws, f"/ws/legal-aid/{case.pk}/", world.users.firm_admin_a)
    staff = await open_socket(ws, f"/ws/legal-aid/{case.pk}/", world.users.staff_hh)

    await database_sync_to_async(run_transition)(model=LegalAidCase, pk=case.pk, actor=None, name="decline")
    code, before_close = await closed_with(firm)
    assert code == 4403 and before_close == []
    msg = await next_event(staff, "transition")
    assert msg["id"] == case.pk and msg["state"] == "approved"
    await staff.disconnect()


async def test_another_organisations_object_is_still_refused_at_connect(world, ws, negotiation):
    for who in ("employer_b", "negotiator_b", "staff_bt", "lawyer_a"):
        comm = await ws(f"/ws/negotiations/{negotiation.pk}/", getattr(world.users, who))
        assert not (await comm.connect())[0], who
