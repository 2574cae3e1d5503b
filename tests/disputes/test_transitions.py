"""Every stage transition with its actors, refusals, the 409 path and the sweep."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import AuditEvent
from core import workflow as registry
from core.runner import Conflict
from core.workflow_views import run_action as run_workflow_action
from disputes import services
from disputes.models import DisputeCase, State
from notifications.models import Notification

D = dt.date
pytestmark = pytest.mark.django_db

ARGS = {
    "start_negotiation": {"on": D(2026, 11, 3)},
    "apply_mediation": {"on": D(2026, 11, 4), "body": "赛罕区劳动争议调解委员会"},
    "record_mediation_agreement": {"on": D(2026, 11, 10), "terms": "公司于十日内补发工资"},
    "fail_mediation": {"on": D(2026, 11, 19), "reason": "期满未达成协议"},
    "apply_arbitration": {"on": D(2026, 11, 20), "commission": "呼和浩特市劳动人事争议仲裁委员会"},
    "accept": {"on": D(2026, 11, 25)},
    "refuse_acceptance": {"on": D(2026, 11, 25), "reason": "不属于劳动争议受理范围"},
    "start_hearing": {"on": D(2026, 12, 10)},
    "extend_award": {"reason": "案情复杂，需要补充证据"},
    "issue_award": {"received_on": D(2026, 12, 21)},
    "file_suit": {"on": D(2026, 12, 28), "court": "赛罕区人民法院", "by": "worker"},
    "close": {"on": D(2027, 1, 5), "outcome": "recovered", "amount_recovered": Decimal("20000")},
    "withdraw": {"on": D(2026, 11, 5), "reason": "双方已自行和解"},
    # Issue 15. The mediation agreement of 10 Nov 2026 is recorded without a date of performance: the
    # payment-order form gives it (20 Nov), and the application follows it (art. 16).
    "apply_payment_order": {"on": D(2026, 11, 23), "court": "赛罕区人民法院", "performance_due": D(2026, 11, 20)},
    # The default case's award (20,000 yuan for a dismissal, ≤ 12 × 1,980) is final; received 21 Dec 2026.
    "apply_set_aside": {"on": D(2026, 12, 28), "court": "呼和浩特市中级人民法院"},
    "set_aside_award": {"on": D(2027, 1, 15)},
    "dismiss_set_aside": {"on": D(2027, 1, 15)},
    "withdraw_set_aside": {"on": D(2027, 1, 15), "reason": "用人单位撤回申请"},
}
# The same action from a stage where the law needs another date.
ARGS_AFTER = {
    # Art. 43: award due Mon 11 Jan 2027 (45 days from 25 Nov 2026 end on Sat 9 Jan): the day after it.
    ("file_suit", "accept"): {"on": D(2027, 1, 12), "court": "赛罕区人民法院", "by": "worker"},
    ("file_suit", "start_hearing"): {"on": D(2027, 1, 12), "court": "赛罕区人民法院", "by": "worker"},
    # Art. 49 para. 2: ruling received 15 Jan 2027; either party within 15 days (to 1 Feb 2027).
    ("file_suit", "set_aside_award"): {"on": D(2027, 1, 20), "court": "赛罕区人民法院", "by": "employer"},
}


def args_for(action, steps):
    return ARGS_AFTER.get((action, steps[-1] if steps else ""), ARGS[action])

ARB = ["apply_arbitration"]
ACC = ARB + ["accept"]
HEAR = ACC + ["start_hearing"]
MEDIATED = ["apply_mediation", "record_mediation_agreement"]
AWARD = ACC + ["issue_award"]
SET_ASIDE_APPLIED = AWARD + ["apply_set_aside"]

# (action, steps from "filed", resulting state)
TABLE = [
    ("start_negotiation", [], State.NEGOTIATION),
    ("apply_mediation", [], State.MEDIATION),
    ("apply_mediation", ["start_negotiation"], State.MEDIATION),
    ("record_mediation_agreement", ["apply_mediation"], State.MEDIATED),
    ("fail_mediation", ["apply_mediation"], State.MEDIATION_FAILED),
    ("apply_arbitration", [], State.ARBITRATION_APPLIED),
    ("apply_arbitration", ["start_negotiation"], State.ARBITRATION_APPLIED),
    ("apply_arbitration", ["apply_mediation", "fail_mediation"], State.ARBITRATION_APPLIED),
    ("apply_arbitration", ["apply_mediation", "record_mediation_agreement"], State.ARBITRATION_APPLIED),
    ("accept", ARB, State.ACCEPTED),
    ("refuse_acceptance", ARB, State.NOT_ACCEPTED),
    ("start_hearing", ACC, State.HEARING),
    ("extend_award", ACC, State.ACCEPTED),
    ("extend_award", HEAR, State.HEARING),
    ("issue_award", ACC, State.AWARDED),
    ("issue_award", HEAR, State.AWARDED),
    ("file_suit", HEAR + ["issue_award"], State.COURT),
    ("file_suit", ARB + ["refuse_acceptance"], State.COURT),
    ("file_suit", ARB, State.COURT),  # art. 29: filed 28 Dec 2026, the commission's 5 working days ended 27 Nov
    ("file_suit", ACC, State.COURT),  # art. 43
    ("file_suit", HEAR, State.COURT),  # art. 43
    ("file_suit", SET_ASIDE_APPLIED, State.COURT),  # art. 48: the worker, within 15 days of receipt
    ("file_suit", SET_ASIDE_APPLIED + ["set_aside_award"], State.COURT),  # art. 49 para. 2
    ("apply_payment_order", MEDIATED, State.PAYMENT_ORDER),  # art. 16
    ("apply_arbitration", MEDIATED + ["apply_payment_order"], State.ARBITRATION_APPLIED),  # art. 15
    ("apply_set_aside", AWARD, State.SET_ASIDE_APPLIED),  # art. 49
    ("set_aside_award", SET_ASIDE_APPLIED, State.SET_ASIDE),
    ("dismiss_set_aside", SET_ASIDE_APPLIED, State.EFFECTIVE),
    ("withdraw_set_aside", SET_ASIDE_APPLIED, State.EFFECTIVE),
    ("close", ["start_negotiation"], State.CLOSED),
    ("close", ["apply_mediation", "record_mediation_agreement"], State.CLOSED),
    ("close", ARB + ["refuse_acceptance"], State.CLOSED),
    ("close", HEAR + ["issue_award", "file_suit"], State.CLOSED),
    ("close", MEDIATED + ["apply_payment_order"], State.CLOSED),
    ("close", SET_ASIDE_APPLIED + ["set_aside_award"], State.CLOSED),
    ("withdraw", [], State.WITHDRAWN),
    ("withdraw", HEAR, State.WITHDRAWN),
]


WF = registry.get("disputes")
ACTIONS = {name for name, a in WF.actions.items() if a.page}


def run_action(*, case, actor, name, cleaned):
    """The registry's action as the page and the API run it: its service with the form's cleaned data."""
    return run_workflow_action(WF, WF.action(name), case, actor, cleaned)


def walk(case, actor, steps):
    for i, name in enumerate(steps):
        case = run_action(case=case, actor=actor, name=name, cleaned=args_for(name, steps[:i]))
    return case


@pytest.mark.parametrize("action,steps,target", TABLE, ids=[f"{a}-from-{'-'.join(s) or 'filed'}" for a, s, _ in TABLE])
def test_transition_by_union_staff_and_refusals(world, open_case, action, steps, target):
    u = world.users
    case = walk(open_case(), u.staff_hh, steps)
    before = case.state
    # Employer, negotiator (their own union's case): visible but not theirs to move. Another region: 404.
    for actor, exc in [(u.employer_a, PermissionDenied), (u.negotiator_a, PermissionDenied), (u.staff_bt, Http404),
                       (u.employer_b, Http404)]:
        with pytest.raises(exc):
            run_action(case=case, actor=actor, name=action, cleaned=args_for(action, steps))
        case.refresh_from_db()
        assert case.state == before
    events = AuditEvent.objects.filter(object_id=str(case.pk), action=action).count()
    case = run_action(case=case, actor=u.staff_hh, name=action, cleaned={**args_for(action, steps), "expected_state": before})
    assert case.state == target
    assert AuditEvent.objects.filter(object_id=str(case.pk), action=action).count() == events + 1


def test_every_user_action_is_covered_by_the_table():
    assert {a for a, _, _ in TABLE} == set(ACTIONS)


def test_province_staff_and_sysadmin_may_act(world, open_case):
    case = services.dispute_start_negotiation(case=open_case(), actor=world.users.staff_nm)
    assert case.state == State.NEGOTIATION
    case = services.dispute_withdraw(case=case, actor=world.users.admin, reason="撤回")
    assert case.state == State.WITHDRAWN


def test_wrong_state_is_refused_with_message(world, open_case):
    case = open_case()
    with pytest.raises(ValidationError, match="当前状态“已立案”下不能执行此操作"):
        services.dispute_accept(case=case, actor=world.users.staff_hh)
    with pytest.raises(ValidationError):
        services.dispute_close(case=case, actor=world.users.staff_hh, outcome="recovered")


def test_stale_expected_state_is_a_conflict(world, open_case):
    case = open_case()
    services.dispute_start_negotiation(case=case, actor=world.users.staff_hh)
    with pytest.raises(Conflict, match="请刷新页面"):
        services.dispute_apply_mediation(case=case, actor=world.users.staff_hh, body="x", expected_state=State.FILED)
    case.refresh_from_db()
    assert case.state == State.NEGOTIATION


def test_due_dates_are_stored_with_explanations(world, open_case):
    s = world.users.staff_hh
    case = walk(open_case(), s, ["apply_mediation"])
    # 15 days from 4 Nov 2026 → 19 Nov (Thu).
    assert case.mediation_due == D(2026, 11, 19) and case.next_due == case.mediation_due
    assert "第14条" in case.mediation_explanation
    case = walk(case, s, ["fail_mediation", "apply_arbitration"])
    # 5 working days from Fri 20 Nov 2026 → Fri 27 Nov.
    assert case.acceptance_due == D(2026, 11, 27) and "工作日" in case.acceptance_explanation
    case = walk(case, s, ["accept"])
    assert case.award_due == D(2027, 1, 11)  # 9 Jan 2027 (Sat) → Mon 11 Jan, calendar for 2027 not yet published
    assert "第43条" in case.award_explanation
    case = walk(case, s, ["extend_award"])
    assert case.award_extended and case.award_due == D(2027, 1, 26)  # 15 days after 11 Jan
    assert "延长" in case.award_explanation
    case = walk(case, s, ["issue_award"])
    assert case.appeal_due == D(2027, 1, 5) and case.next_due == case.appeal_due


def test_award_deadline_extends_only_once_with_reason(world, open_case):
    s = world.users.staff_hh
    case = walk(open_case(), s, ACC)
    with pytest.raises(ValidationError):
        services.dispute_extend_award(case=case, actor=s, reason="  ")
    case = services.dispute_extend_award(case=case, actor=s, reason="案情复杂")
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.dispute_extend_award(case=case, actor=s, reason="再次延长")


def test_employer_cannot_sue_against_a_final_award(world, open_case):
    s = world.users.staff_hh
    case = walk(open_case(), s, ACC + ["issue_award"])
    assert case.award_final is True  # 20,000 yuan ≤ 12 × 1,980
    with pytest.raises(ValidationError, match="终局裁决，用人单位不能起诉"):
        services.dispute_file_suit(case=case, actor=s, court="法院", by="employer", on=D(2026, 12, 28))
    assert services.dispute_file_suit(case=case, actor=s, court="法院", by="worker", on=D(2026, 12, 28)).state == State.COURT


def test_withdraw_and_refusal_need_reasons(world, open_case):
    case = open_case()
    with pytest.raises(ValidationError, match="撤回必须写明理由"):
        services.dispute_withdraw(case=case, actor=world.users.staff_hh, reason=" ")
    case = walk(case, world.users.staff_hh, ARB)
    with pytest.raises(ValidationError):
        services.dispute_refuse_acceptance(case=case, actor=world.users.staff_hh, reason="")


def test_collective_needs_ten_workers_representative_optional(world, open_case):
    # Art. 7: ten or more workers with a common claim; they *may* choose representatives (issue 15: the
    # representative used to be required, which the law does not say).
    nine = [{"name": f"职工{i}"} for i in range(9)]
    with pytest.raises(ValidationError) as e:
        open_case(is_collective=True, workers=nine)
    assert "workers" in e.value.error_dict and "representative" not in e.value.error_dict
    case = open_case(is_collective=True, representative="代表甲", workers=nine + [{"name": "职工9"}])
    assert case.is_collective and case.workers.count() == 10
    unrepresented = open_case(is_collective=True, representative="", workers=nine + [{"name": "职工9"}], title="无代表")
    assert unrepresented.is_collective and unrepresented.representative == ""
    with pytest.raises(ValidationError, match="个人争议应填写一名职工"):
        open_case(workers=[{"name": "甲"}, {"name": "乙"}])
    assert DisputeCase.objects.count() == 2


def test_only_union_staff_open_cases_for_employers_in_their_region(world, open_case):
    with pytest.raises(PermissionDenied):
        open_case(actor=world.users.employer_a)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        open_case(actor=world.users.staff_bt)
    assert DisputeCase.objects.count() == 0


def test_stage_changes_notify_region_staff_and_employer(world, open_case):
    u = world.users
    case = open_case()
    Notification.objects.all().delete()
    services.dispute_apply_mediation(case=case, actor=u.staff_hh, body="调解委员会", on=D(2026, 11, 4))
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {u.staff_nm.username, u.employer_a.username} <= told
    assert u.staff_hh.username not in told  # the actor
    assert not told & {u.staff_bt.username, u.employer_b.username}


# --- sweep ------------------------------------------------------------------------------------------


def _now(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9))


def test_sweep_mediation_lapse_appeal_lapse_and_is_idempotent(world, open_case):
    s = world.users.staff_hh
    mediating = walk(open_case(), s, ["apply_mediation"])  # due 19 Nov 2026
    awarded = walk(open_case(title="裁决"), s, ACC + ["issue_award"])  # appeal due 5 Jan 2027
    assert services.sweep(_now(D(2026, 11, 19)))["mediation_failed"] == 0  # the last day still counts
    counts = services.sweep(_now(D(2026, 11, 20)))
    assert counts["mediation_failed"] == 1
    mediating.refresh_from_db()
    assert mediating.state == State.MEDIATION_FAILED
    event = AuditEvent.objects.filter(object_id=str(mediating.pk), action="fail_mediation").get()
    assert event.actor is None and event.actor_label == "system" and "第14条" in event.reason
    counts = services.sweep(_now(D(2027, 1, 6)))
    assert counts["award_effective"] == 1
    awarded.refresh_from_db()
    assert awarded.state == State.EFFECTIVE and awarded.effective_on == D(2027, 1, 6)
    again = services.sweep(_now(D(2027, 1, 6)))
    assert again["mediation_failed"] == again["award_effective"] == again["overdue"] == again["warned"] == 0
    # Effective awards can then be closed with the outcome.
    closed = services.dispute_close(case=awarded, actor=s, outcome="recovered", amount_recovered=Decimal("20000"))
    assert closed.state == State.CLOSED


def test_sweep_flags_overdue_award_and_warns_once(world, open_case):
    s = world.users.staff_hh
    case = walk(open_case(), s, ACC)  # award due 11 Jan 2027
    Notification.objects.all().delete()
    assert services.sweep(_now(D(2027, 1, 7)))["warned"] == 1
    assert services.sweep(_now(D(2027, 1, 8)))["warned"] == 0
    assert Notification.objects.filter(kind="dispute.due_soon").count() > 0
    counts = services.sweep(_now(D(2027, 1, 12)))
    assert counts["overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue and case.state == State.ACCEPTED
    assert services.sweep(_now(D(2027, 1, 12)))["overdue"] == 0
    # Extending the deadline clears the flag on the next sweep.
    services.dispute_extend_award(case=case, actor=s, reason="复杂")
    services.sweep(_now(D(2027, 1, 12)))
    case.refresh_from_db()
    assert not case.is_overdue


def test_sweep_is_registered():
    from core import sweep

    assert "disputes" in sweep.run_all(_now(D(2026, 1, 1)))


def test_case_links_to_the_collective_contract_of_its_employer(world, open_case, client_for):
    from negotiation.services import negotiation_create

    contract = negotiation_create(actor=world.users.negotiator_a, employer=world.emp_a, title="2026年工资专项集体合同")
    case = open_case(collective_contract=contract, claims=[{"kind": "contract_breach", "amount": Decimal("500")}])
    assert case.collective_contract == contract
    assert "2026年工资专项集体合同" in client_for(world.users.staff_hh).get(f"/disputes/{case.pk}/").content.decode()
    other = negotiation_create(actor=world.users.negotiator_b, employer=world.emp_b, title="乙合同")
    with pytest.raises(ValidationError, match="不属于该用人单位"):
        open_case(actor=world.users.staff_nm, collective_contract=other)


def test_stage_dates_cannot_run_backwards(world, open_case):
    s = world.users.staff_hh
    case = walk(open_case(), s, ARB)
    with pytest.raises(ValidationError, match="不能早于申请仲裁日期"):
        services.dispute_accept(case=case, actor=s, on=D(2026, 11, 19))
    case.refresh_from_db()
    assert case.state == State.ARBITRATION_APPLIED
