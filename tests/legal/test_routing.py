"""Routing (DOMAIN.md §4): each rule, ties, override, no firm qualifies; decline/timeout rerouting without ping-pong."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from legal import services
from legal.models import FirmEngagement, RoutingAttempt
from legal.routing import CaseInfo, FirmInfo, choose_firm
from notifications.models import Notification
from tests.factories import FirmFactory, region

from .conftest import make_profile

T0 = dt.datetime(2026, 9, 1, 9, tzinfo=dt.timezone.utc)
CASE = CaseInfo(region_path="150000/150100/150105/", matter="pay", employer_id=7)


def firm(i, **over):
    base = dict(id=i, name=f"F{i}", region_paths=("150000/150100/",), matters=frozenset({"pay"}), capacity=10, active=True,
                open_cases=0, last_assigned_at=None)
    base.update(over)
    return FirmInfo(**base)


# --- pure rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "over,why",
    [
        (dict(active=False), "暂停"),
        (dict(region_paths=("150000/150200/",)), "地区"),
        (dict(matters=frozenset({"work_injury"})), "事项"),
        (dict(open_cases=10, capacity=10), "满负荷"),
        (dict(capacity=0), "满负荷"),
        (dict(conflict_employer_ids=frozenset({7})), "利益冲突"),
    ],
)
def test_each_rule_disqualifies(over, why):
    result = choose_firm(CASE, [firm(1, **over), firm(2, open_cases=9)])
    assert result.firm.id == 2
    assert any(why in r for r in result.rejected[1])
    assert why in result.explanation


def test_a_firm_that_declined_never_qualifies_again():
    case = CaseInfo(region_path=CASE.region_path, matter="pay", employer_id=7, declined_firm_ids=frozenset({1}))
    assert choose_firm(case, [firm(1), firm(2, open_cases=9)]).firm.id == 2


def test_serving_a_parent_region_covers_the_subtree():
    assert choose_firm(CASE, [firm(1, region_paths=("150000/",))]).firm.id == 1


def test_lowest_load_ratio_wins_not_lowest_count():
    # 3/10 = 30% beats 2/4 = 50%
    result = choose_firm(CASE, [firm(1, open_cases=2, capacity=4), firm(2, open_cases=3, capacity=10)])
    assert result.firm.id == 2
    assert "负载最低" in result.explanation


def test_ties_go_to_longest_since_last_assignment_never_assigned_first():
    a = firm(1, open_cases=1, capacity=5, last_assigned_at=T0)
    b = firm(2, open_cases=2, capacity=10, last_assigned_at=T0 - dt.timedelta(days=3))
    c = firm(3, open_cases=2, capacity=10, last_assigned_at=None)
    result = choose_firm(CASE, [a, b, c])
    assert result.firm.id == 3
    assert "最久未获指派" in result.explanation
    assert choose_firm(CASE, [a, b]).firm.id == 2


def test_none_qualifies_explains_every_firm():
    result = choose_firm(CASE, [firm(1, active=False), firm(2, matters=frozenset())])
    assert result.firm is None
    assert "F1" in result.explanation and "F2" in result.explanation


# --- with the database ----------------------------------------------------------------------------
def test_approval_routes_to_the_region_firm_and_explains(world, firms, approved):
    case = approved()
    assert case.state == "offered" and case.assigned_firm == world.firm_a
    att = case.attempts.get()
    assert att.outcome == "pending" and "选择" in att.explanation
    assert att.response_due >= timezone.localdate()
    assert Notification.objects.filter(recipient=world.users.firm_admin_a, kind="legal.offered").exists()


def test_conflict_from_open_engagement_only(world, firms, approved):
    firm_c = FirmFactory(name="第三律所")
    make_profile(firm_c, regions=("150100",), last=T0)
    FirmEngagement.objects.create(firm=world.firm_a, employer=world.emp_a, description="常年法律顾问")
    assert approved().assigned_firm == firm_c
    FirmEngagement.objects.filter(firm=world.firm_a).update(ended_on=timezone.localdate())
    assert approved().assigned_firm == world.firm_a  # c now has one open case; a has none


def test_capacity_counts_open_cases(world, firms, approved):
    a, _ = firms
    a.capacity = 1
    a.save()
    assert approved().assigned_firm == world.firm_a
    second = approved()
    assert second.state == "approved" and second.no_firm_available


def test_no_firm_qualifies_alerts_region_staff_once(world, firms, approved):
    case = approved(actor=world.users.staff_nm, applicant_region=region("150602"))  # Ordos: nobody serves it
    assert case.state == "approved" and case.no_firm_available
    alerts = Notification.objects.filter(kind="legal.no_firm")
    recipients = set(alerts.values_list("recipient__username", flat=True))
    assert recipients == {world.users.staff_nm.username}  # Hohhot/Baotou staff do not oversee Ordos
    services.route(case=case.pk)
    assert alerts.count() == 1


def test_staff_override_with_reason(world, firms, approved):
    case = approved()
    with pytest.raises(ValidationError):
        services.route_override(actor=world.users.staff_hh, case=case.pk, firm=world.firm_b, reason="")
    case = services.route_override(actor=world.users.staff_hh, case=case.pk, firm=world.firm_b, reason="申请人要求鹿城律所")
    assert case.assigned_firm == world.firm_b
    first, second = case.attempts.order_by("pk")
    assert first.outcome == "withdrawn" and second.override_reason == "申请人要求鹿城律所"
    assert "不服务申请人所在地区" in second.explanation  # the rule it overrides is on record


def test_override_refuses_conflicted_or_declined_firm(world, firms, approved):
    case = approved()
    services.case_decline(actor=world.users.firm_admin_a, case=case.pk, reason="人手不足")
    with pytest.raises(ValidationError) as exc:
        services.route_override(actor=world.users.staff_hh, case=case.pk, firm=world.firm_a, reason="再试一次")
    assert "拒绝" in str(exc.value)
    FirmEngagement.objects.create(firm=world.firm_b, employer=world.emp_a)
    with pytest.raises(ValidationError):
        services.route_override(actor=world.users.staff_hh, case=case.pk, firm=world.firm_b, reason="x")


def test_decline_reroutes_and_never_returns(world, firms, approved):
    a, b = firms
    for p in (a, b):
        p.regions.add(region("150000"))
    case = approved()
    first = case.assigned_firm
    case = services.case_decline(actor=first.members.get(role="firm_admin"), case=case.pk, reason="利益冲突")
    assert case.state == "offered" and case.assigned_firm != first
    second = case.assigned_firm
    case = services.case_decline(actor=second.members.get(role="firm_admin"), case=case.pk, reason="无空余律师")
    # both declined: nobody left, never back to the first
    assert case.state == "approved" and case.no_firm_available and case.assigned_firm is None
    assert list(case.attempts.values_list("outcome", flat=True)) == ["declined", "declined"]


def test_decline_needs_reason(world, firms, approved):
    case = approved()
    with pytest.raises(ValidationError):
        services.case_decline(actor=world.users.firm_admin_a, case=case.pk, reason="")
    case.refresh_from_db()
    assert case.state == "offered" and case.assigned_firm == world.firm_a


def test_timeout_in_sweep_reroutes_once_and_is_idempotent(world, firms, approved):
    from core import sweep

    a, b = firms
    b.regions.add(region("150100"))
    case = approved()
    assert case.assigned_firm == world.firm_a
    due = case.attempts.get().response_due
    later = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10)))
    assert sweep.run_all(timezone.make_aware(dt.datetime.combine(due, dt.time(23)))) ["legal"]["timed_out"] == 0
    result = sweep.run_all(later)["legal"]
    assert result["timed_out"] == 1
    case.refresh_from_db()
    assert case.state == "offered" and case.assigned_firm == world.firm_b
    assert list(case.attempts.values_list("outcome", flat=True)) == ["timed_out", "pending"]
    assert sweep.run_all(later)["legal"]["timed_out"] == 0
    # b times out too: a (timed out earlier) is not offered again
    due_b = case.attempts.get(outcome="pending").response_due
    sweep.run_all(timezone.make_aware(dt.datetime.combine(due_b + dt.timedelta(days=1), dt.time(10))))
    case.refresh_from_db()
    assert case.state == "approved" and case.no_firm_available
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="time_out", actor__isnull=True).count() == 2


def test_decision_overdue_flag_in_sweep(world, make_case):
    from core import sweep

    case = make_case(received_on=dt.date(2026, 9, 1))
    now = timezone.make_aware(dt.datetime(2026, 9, 20, 10))
    assert sweep.run_all(now)["legal"]["decision_overdue"] == 1
    assert sweep.run_all(now)["legal"]["decision_overdue"] == 0
    case.refresh_from_db()
    assert case.decision_overdue
    assert Notification.objects.filter(kind="legal.decision_overdue").count() >= 1


def test_assignment_overdue_flag_in_sweep(world, firms, approved):
    """Art. 43: a lawyer within 3 days of the decision; past that, staff are told once."""
    from core import sweep

    case = approved()
    assert case.assignment_due is not None
    on_time = timezone.make_aware(dt.datetime.combine(case.assignment_due, dt.time(10)))
    assert sweep.run_all(on_time)["legal"]["assignment_overdue"] == 0
    later = on_time + dt.timedelta(days=1)
    assert sweep.run_all(later)["legal"]["assignment_overdue"] == 1
    assert sweep.run_all(later)["legal"]["assignment_overdue"] == 0
    case.refresh_from_db()
    assert case.assignment_overdue
    assert Notification.objects.filter(kind="legal.assignment_overdue", object_id=str(case.pk)).exists()
