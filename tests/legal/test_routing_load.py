"""Issue 14: each firm's open-case counter follows every offer, decline, reroute, withdrawal, timeout and
closing (compared with a recount after each step), concurrent routing never passes a firm's capacity, a
routing decision costs the same queries whatever the number of open cases and firms, and the choice
spreads load by capacity."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from core.runner import Conflict
from legal import services
from legal.models import CaseState, FirmProfile, LegalAidCase, RoutingAttempt
from legal.services.load import counted_loads, recount_firm_loads
from tests.factories import FirmFactory, region

from .conftest import make_profile


def counters():
    return dict(FirmProfile.objects.values_list("organisation_id", "open_cases"))


def assert_counters(expected: dict):
    """The stored counters are the hand-computed loads, and a recount from the cases agrees."""
    stored = counters()
    assert {k: v for k, v in stored.items() if k in expected} == expected
    recount = counted_loads()
    assert {k: stored[k] for k in stored if stored[k]} == {k: v for k, v in recount.items() if v}


@pytest.fixture
def both_serve_hohhot(world, firms):
    """a serves Hohhot, b serves Baotou and Hohhot: both qualify for a Hohhot case."""
    a, b = firms
    b.regions.add(region("150100"))
    return a, b


def test_counter_follows_a_realistic_sequence(world, both_serve_hohhot, approved):
    A, B = world.firm_a.pk, world.firm_b.pk
    assert_counters({A: 0, B: 0})

    one = approved()  # both 0/10, never assigned: the lower id
    first = one.assigned_firm_id
    other = B if first == A else A
    assert_counters({first: 1, other: 0})

    two = approved()  # the other one is at 0/10
    assert two.assigned_firm_id == other
    assert_counters({A: 1, B: 1})

    # decline: released by the decliner, claimed by the next firm, in one transaction
    admin = {A: world.users.firm_admin_a, B: world.users.firm_admin_b}
    one = services.case_decline(actor=admin[first], case=one.pk, reason="人手不足")
    assert one.state == CaseState.OFFERED and one.assigned_firm_id == other
    assert_counters({first: 0, other: 2})

    # accept, assign a lawyer: still open; close: released
    lawyer = {A: world.users.lawyer_a, B: world.users.lawyer_b}
    two = services.case_accept(actor=admin[other], case=two.pk, conflict_confirmed=True)
    two = services.case_assign_lawyer(actor=admin[other], case=two.pk, lawyer=lawyer[other])
    assert_counters({first: 0, other: 2})
    services.case_close(actor=lawyer[other], case=two.pk, outcome="mediated", amount_recovered=Decimal("1000"))
    assert_counters({first: 0, other: 1})

    # staff withdraw the offer and choose a third firm themselves
    third = FirmFactory(name="第三测试律所")
    make_profile(third, regions=("150100",))
    one = services.route_override(actor=world.users.staff_hh, case=one.pk, firm=third, reason="申请人要求")
    assert one.assigned_firm_id == third.pk
    assert_counters({first: 0, other: 0, third.pk: 1})

    # the third firm lets the offer time out: released; the first firm declined (never again), the other
    # firm's offer was withdrawn by staff, not declined: it is offered the case again
    due = one.attempts.get(outcome=RoutingAttempt.Result.PENDING).response_due
    one = services.case_time_out(case=one.pk, today=due + dt.timedelta(days=1))
    assert one.state == CaseState.OFFERED and one.assigned_firm_id == other
    assert_counters({first: 0, other: 1, third.pk: 0})

    # a refused write (the case is not in progress: 409) leaves the counters as they were
    before = counters()
    with pytest.raises(Conflict):
        services.case_close(actor=admin[other], case=one.pk, outcome="mediated")
    assert counters() == before
    assert recount_firm_loads() == {}


def test_timeout_reroutes_and_moves_the_load(world, both_serve_hohhot, approved):
    A, B = world.firm_a.pk, world.firm_b.pk
    case = approved()
    first = case.assigned_firm_id
    other = B if first == A else A
    due = case.attempts.get().response_due
    case = services.case_time_out(case=case.pk, today=due + dt.timedelta(days=1))
    assert case.state == CaseState.OFFERED and case.assigned_firm_id == other
    assert_counters({first: 0, other: 1})


def test_a_full_firm_is_not_offered_and_the_next_one_is(world, both_serve_hohhot, approved):
    a, b = both_serve_hohhot
    FirmProfile.objects.filter(pk=a.pk).update(capacity=1)
    FirmProfile.objects.filter(pk=b.pk).update(capacity=1)
    firsts = {approved().assigned_firm_id, approved().assigned_firm_id}
    assert firsts == {world.firm_a.pk, world.firm_b.pk}
    third = approved()
    assert third.state == CaseState.APPROVED and third.no_firm_available
    reason = AuditEvent.objects.get(action="mark_unroutable", object_id=str(third.pk)).reason
    assert reason.count("已满负荷（1/1）") == 2
    assert_counters({world.firm_a.pk: 1, world.firm_b.pk: 1})


def test_recount_command_repairs_and_check_reports(world, both_serve_hohhot, approved):
    case = approved()
    FirmProfile.objects.update(open_cases=7)  # drift, as after a restore or a hand edit
    with pytest.raises(CommandError):
        call_command("recount_firm_loads", "--check")
    call_command("recount_firm_loads")
    assert counters()[case.assigned_firm_id] == 1
    assert sum(counters().values()) == 1
    call_command("recount_firm_loads", "--check")  # no exit: all right


def test_a_profile_set_up_again_starts_from_the_firms_open_cases(world, firms, approved):
    case = approved()
    assert case.assigned_firm_id == world.firm_a.pk
    FirmProfile.objects.filter(organisation=world.firm_a).delete()
    profile = services.firm_profile_save(actor=world.users.staff_hh, organisation=world.firm_a, regions=[region("150100")],
                                         matters=["pay"], capacity=5, is_active=True)
    assert profile.open_cases == 1
    assert_counters({world.firm_a.pk: 1})


def test_losing_every_claim_to_concurrent_routing_is_a_conflict_with_nothing_written(world, firms, make_case, monkeypatch):
    from legal.services import load

    FirmProfile.objects.update(is_active=False)
    case = services.case_decide(actor=world.users.staff_hh, case=make_case().pk, approve=True, reason="符合条件")
    FirmProfile.objects.update(is_active=True)
    tries = []
    monkeypatch.setattr(load, "claim", lambda firm_id, **kw: tries.append(firm_id) or False)  # always beaten to it
    with pytest.raises(Conflict):
        services.route(case=case.pk, actor=world.users.staff_hh)
    assert len(tries) == 5
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and not case.attempts.exists()
    assert counters() == {world.firm_a.pk: 0, world.firm_b.pk: 0}


# --- concurrency (PostgreSQL: real row locks between connections) ----------------------------------
@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_routing_never_passes_capacity(world, make_case):
    a = make_profile(world.firm_a, regions=("150100",), capacity=2, active=False)
    b = make_profile(world.firm_b, regions=("150100",), capacity=2, active=False)
    # approved while no firm accepts assignments: they wait, flagged
    pks = []
    for i in range(6):
        case = make_case()
        pks.append(services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件").pk)
    assert LegalAidCase.objects.filter(pk__in=pks, state=CaseState.APPROVED).count() == 6
    FirmProfile.objects.filter(pk__in=[a.pk, b.pk]).update(is_active=True)

    barrier = threading.Barrier(len(pks))
    errors = []

    def route(pk):
        from django.db import connection as conn

        try:
            barrier.wait(timeout=30)
            services.route(case=pk)
        except Exception as exc:  # a 409 is an acceptable answer to a race; anything else is not
            from core.runner import Conflict

            if not isinstance(exc, Conflict):
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=route, args=(pk,)) for pk in pks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    offered = dict(LegalAidCase.objects.filter(state=CaseState.OFFERED).values_list("assigned_firm").annotate(
        n=Count("pk")).values_list("assigned_firm", "n"))
    assert offered == {world.firm_a.pk: 2, world.firm_b.pk: 2}  # capacity 2 each, never more
    assert LegalAidCase.objects.filter(pk__in=pks, state=CaseState.APPROVED).count() == 2
    assert counters() == {world.firm_a.pk: 2, world.firm_b.pk: 2} == counted_loads()
    assert RoutingAttempt.objects.count() == 4


# --- queries per decision ---------------------------------------------------------------------------
def _route_queries(pk):
    """(case, statements other than savepoints, all statements) of one system routing decision."""
    with CaptureQueriesContext(connection) as ctx:
        case = services.route(case=pk)
    sql = [q["sql"] for q in ctx.captured_queries]
    return case, [s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))], len(sql)


def test_a_decision_costs_the_same_queries_whatever_the_open_cases_and_firms(world, firms, make_case,
                                                                               django_assert_num_queries):
    def waiting():
        FirmProfile.objects.update(is_active=False)
        case = make_case()
        case = services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
        FirmProfile.objects.update(is_active=True)
        return case

    small = waiting()
    routed, sql, n_all = _route_queries(small.pk)
    assert routed.assigned_firm_id == world.firm_a.pk
    n = len(sql)
    # the routing's own reads: the locked case row, then ONE query for every firm's inputs; no case is counted
    assert sum(1 for s in sql if '"legal_firmprofile"' in s and s.startswith("SELECT")) == 1
    assert not [s for s in sql if "COUNT(" in s.upper() and '"legal_legalaidcase"' in s]
    # 21 today: routing's own 8 (lock the case, the candidates, claim the place, the work calendar (2), the
    # attempt, the firm's admins, their notification) + the runner's offer (lock, validation of the case's
    # foreign keys and number, save, audit) and the overview's follow-up, which routing does not control
    assert n <= 22

    # 20 more firms (Baotou only: they do not qualify) holding 40 open cases between them
    for i in range(20):
        make_profile(FirmFactory(name=f"包头律所{i}"), regions=("150200",), capacity=50)
    extra = list(FirmProfile.objects.exclude(organisation__in=[world.firm_a, world.firm_b]).values_list("organisation_id", flat=True))
    fields = {f.attname: getattr(small, f.attname) for f in LegalAidCase._meta.concrete_fields if f.attname != "id"}
    LegalAidCase.objects.bulk_create(
        LegalAidCase(**{**fields, "number": f"FYX{i:05d}", "state": CaseState.OFFERED, "assigned_firm_id": extra[i % len(extra)]})
        for i in range(40)
    )
    recount_firm_loads()
    assert sum(counters().values()) == 41

    large = waiting()
    with django_assert_num_queries(n_all):
        routed, sql_large, _n = _route_queries(large.pk)
    assert routed.assigned_firm_id == world.firm_a.pk
    assert len(sql_large) == n


# --- capacity-aware choice ------------------------------------------------------------------------------
def test_load_spreads_by_capacity_when_every_firm_qualifies(world, make_case):
    """Four firms serving the whole region, capacities 4, 6, 8, 12 (30 places); 15 cases. Each decision takes
    the lowest share of capacity in use (ties: never/longest since assigned, then id), so each firm ends at
    half its capacity: 2, 3, 4, 6 (max/min load ratio 1.0)."""
    orgs = [world.firm_a, world.firm_b, FirmFactory(name="丙律所"), FirmFactory(name="丁律所")]
    for org, cap in zip(orgs, (4, 6, 8, 12)):
        make_profile(org, regions=("150000",), capacity=cap)
    for _ in range(15):
        case = make_case()
        services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
    loads = counters()
    assert [loads[o.pk] for o in orgs] == [2, 3, 4, 6]
    assert loads == counted_loads()


def test_equal_ratios_break_ties_by_last_assignment_then_id(world, make_case):
    a = make_profile(world.firm_a, regions=("150000",), capacity=4)
    b = make_profile(world.firm_b, regions=("150000",), capacity=8)
    t0 = timezone.now() - dt.timedelta(days=1)
    FirmProfile.objects.filter(pk=a.pk).update(last_assigned_at=t0)
    FirmProfile.objects.filter(pk=b.pk).update(last_assigned_at=t0 - dt.timedelta(hours=1))
    routed = [
        services.case_decide(actor=world.users.staff_hh, case=make_case().pk, approve=True, reason="x").assigned_firm_id
        for _ in range(3)
    ]
    # 0/4 = 0/8: b waited longer; then a (0/4 < 1/8); then b (1/8 < 1/4)
    assert routed == [world.firm_b.pk, world.firm_a.pk, world.firm_b.pk]
