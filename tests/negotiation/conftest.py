"""Negotiations built through the real services, walked to any state."""
import datetime as dt

import pytest
from django.utils import timezone

from negotiation import services as svc
from negotiation.models import Negotiation, State

# Chiefs carry their basis (集体合同规定 arts. 20–21): the union chair himself; the employer's general
# manager authorised in writing by the legal representative.
UNION_REPS = [
    {"name": "李明", "is_chief": True, "position": "工会主席", "chief_basis": "union_chair"},
    {"name": "王芳", "position": "职工代表"},
    {"name": "赵强", "position": "职工代表"},
]
EMPLOYER_REPS = [
    {"name": "张总", "is_chief": True, "position": "总经理", "chief_basis": "authorised_manager", "designated_by": "王建国",
     "designated_on": "2025-12-01", "designation_document": "法定代表人授权委托书（2025）第3号"},
    {"name": "刘会计", "position": "财务"},
    {"name": "陈律师", "position": "外聘律师", "is_outsider": True},
]
PAY_TERM = {
    "start": "2026-01-01", "end": "2026-06-30",
    "groups": [
        {"name": "一线操作工", "headcount": 200, "base_pay": "4200", "adjust_percent": "-10"},
        {"name": "管理人员", "headcount": 20, "base_pay": "8000", "adjust_percent": "-20"},
    ],
}


def today():
    return timezone.localdate()


def close_comments(neg, user, reason="职工意见已充分收集，提前结束征求意见"):
    """The union closes the comment period early with a reason (the vote may follow)."""
    return svc.comments_close_early(negotiation=neg, actor=user, reason=reason)


def walk(world, target: str) -> Negotiation:
    """Create a negotiation for world.emp_a/union_a and drive it through the services to `target`.
    Each side appoints its own representatives: the union before the proposal, the employer once it is
    served; both chiefs confirm the draft; the union closes the comment period early before the vote."""
    u = world.users
    neg = svc.negotiation_create(
        actor=u.negotiator_a, employer=world.emp_a, title="2026年疫情期间工资专项集体合同", headcount=220,
        term_start=dt.date(2026, 1, 1), term_end=dt.date(2027, 12, 31),
    )
    svc.representatives_set(negotiation=neg, actor=u.negotiator_a, side="union", people=UNION_REPS)
    svc.term_add(negotiation=neg, actor=u.negotiator_a, kind="pay", title="工资调整", data=PAY_TERM)
    svc.term_add(negotiation=neg, actor=u.negotiator_a, kind="article", title="争议处理", data={"text": "双方协商解决。"})
    neg.refresh_from_db()
    if target == State.DRAFT:
        return neg
    neg = svc.proposal_submit(negotiation=neg, actor=u.negotiator_a)
    if target == State.PROPOSED:
        return neg
    if target in (State.REFUSED, State.OVERDUE, State.COORDINATION_REQUESTED, State.COORDINATION, State.CLOSED):
        if target == State.OVERDUE:
            svc.sweep(timezone.now() + dt.timedelta(days=60))
            neg.refresh_from_db()
        else:
            neg = svc.response_record(negotiation=neg, actor=u.employer_a, decision="refuse", reason="经营困难")
        if target in (State.REFUSED, State.OVERDUE):
            return neg
        neg = svc.coordination_request(negotiation=neg, actor=u.negotiator_a)
        if target == State.COORDINATION_REQUESTED:
            return neg
        neg = svc.coordination_accept(negotiation=neg, actor=u.bureau_hh)
        if target == State.COORDINATION:
            return neg
        return svc.coordination_finish(negotiation=neg, actor=u.bureau_hh, agreed=False, outcome="双方未达成一致")
    svc.representatives_set(negotiation=neg, actor=u.employer_a, side="employer", people=EMPLOYER_REPS)
    neg = svc.response_record(negotiation=neg, actor=u.employer_a, decision="agree", text="同意协商")
    if target == State.ACCEPTED:
        return neg
    neg = svc.rounds_start(negotiation=neg, actor=u.employer_a)
    svc.round_record(negotiation=neg, actor=u.negotiator_a, held_on=today(), attendees="双方全体代表", recorder="孙记录", minutes="讨论工资调整。")
    neg.refresh_from_db()
    if target == State.IN_ROUNDS:
        return neg
    if target == State.SUSPENDED:
        return svc.negotiation_suspend(negotiation=neg, actor=u.employer_a, next_date=today() + dt.timedelta(days=7))
    svc.draft_agree(negotiation=neg, actor=u.negotiator_a)
    neg = svc.draft_agree(negotiation=neg, actor=u.employer_a)
    if target == State.DRAFT_AGREED:
        return neg
    svc.draft_publish(negotiation=neg, actor=u.negotiator_a, comments_close=timezone.now() + dt.timedelta(days=7), employee_count=220)
    neg.refresh_from_db()
    if target == State.COMMENTS:
        return neg
    close_comments(neg, u.negotiator_a)
    neg.refresh_from_db()
    neg = svc.vote_put(negotiation=neg, actor=u.negotiator_a)
    if target == State.VOTING:
        return neg
    svc.vote_record(negotiation=neg, actor=u.negotiator_a, held_on=today(), total=60, present=45, votes_for=40, votes_against=3, votes_abstain=2)
    neg.refresh_from_db()
    if target == State.APPROVED:
        return neg
    svc.sign_record(negotiation=neg, actor=u.negotiator_a)
    neg = svc.sign_record(negotiation=neg, actor=u.employer_a)
    if target == State.SIGNED:
        return neg
    neg = svc.filing_record(negotiation=neg, actor=u.employer_a, filed_on=today(), receipt_number="呼人社备〔2026〕12号", bureau=world.bureau_hh)
    if target == State.UNDER_REVIEW:
        return neg
    svc.sweep(timezone.now() + dt.timedelta(days=40))
    neg.refresh_from_db()
    if target == State.EFFECTIVE:
        return neg
    if target == State.WITHDRAWN:
        raise ValueError
    raise ValueError(target)


@pytest.fixture
def walk_to(world):
    return lambda target: walk(world, target)
