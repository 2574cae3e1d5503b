"""The full story through the services, and each refusal."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from core.runner import Conflict
from negotiation import rules
from negotiation import services as svc
from negotiation.models import Comment, CommentLink, Negotiation, State, TermVersion
from notifications.models import Notification

from .conftest import EMPLOYER_REPS, PAY_TERM, UNION_REPS, walk

pytestmark = pytest.mark.django_db


def test_full_story_to_effective_and_expired(world, django_capture_on_commit_callbacks):
    neg = walk(world, State.EFFECTIVE)
    assert neg.state == State.EFFECTIVE
    assert neg.effective_on == neg.review_ends + dt.timedelta(days=1)
    actions = list(AuditEvent.objects.filter(object_id=str(neg.pk)).values_list("action", flat=True))
    for a in ("create", "propose", "accept", "start_rounds", "round_record", "agree_draft", "open_comments",
              "put_to_vote", "vote_pass", "sign", "file", "take_effect"):
        assert a in actions
    # Term ends → expired by the sweep, idempotently.
    later = timezone.make_aware(dt.datetime(2028, 1, 2, 9))
    assert svc.sweep(later)["expired"] == 1
    assert svc.sweep(later)["expired"] == 0
    neg.refresh_from_db()
    assert neg.state == State.EXPIRED


def test_proposal_sets_due_date_with_explanation_and_notifies_employer(world):
    neg = walk(world, State.PROPOSED)
    assert neg.response_due and "第32条" in neg.response_due_explanation
    n = Notification.objects.get(recipient=world.users.employer_a, kind="negotiation.proposal")
    assert neg.response_due.isoformat() in n.title
    assert not Notification.objects.filter(recipient=world.users.employer_b).exists()


def test_refuse_needs_reason_and_notifies_union(world):
    neg = walk(world, State.PROPOSED)
    with pytest.raises(ValidationError) as e:
        svc.response_record(negotiation=neg, actor=world.users.employer_a, decision="refuse", reason=" ")
    assert "第32条" in str(e.value)
    neg.refresh_from_db()
    assert neg.state == State.PROPOSED
    svc.response_record(negotiation=neg, actor=world.users.employer_a, decision="refuse", reason="订单减少")
    assert Notification.objects.filter(recipient=world.users.negotiator_a, kind="negotiation.response").exists()


def test_agree_with_counter_proposal_keeps_every_version(world):
    neg = walk(world, State.PROPOSED)
    term = neg.terms.get(kind="pay")
    counter = {**PAY_TERM, "groups": [{**PAY_TERM["groups"][0], "adjust_percent": "-15"}, PAY_TERM["groups"][1]]}
    svc.response_record(negotiation=neg, actor=world.users.employer_a, decision="agree", counter_terms={term.pk: {"data": counter}})
    versions = list(TermVersion.objects.filter(term=term).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].side == "employer" and versions[0].data == PAY_TERM
    neg.refresh_from_db()
    assert neg.state == State.ACCEPTED


def test_employer_of_other_enterprise_cannot_respond(world):
    neg = walk(world, State.PROPOSED)
    with pytest.raises(Http404):
        svc.response_record(negotiation=neg, actor=world.users.employer_b, decision="agree")
    with pytest.raises(PermissionDenied):
        svc.response_record(negotiation=neg, actor=world.users.negotiator_a, decision="agree")


def test_stale_state_is_a_conflict_and_writes_nothing(world):
    neg = walk(world, State.PROPOSED)
    stale = Negotiation.objects.get(pk=neg.pk)
    svc.response_record(negotiation=neg, actor=world.users.employer_a, decision="agree")
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        svc.negotiation_withdraw(negotiation=stale, actor=world.users.negotiator_a, reason="不再需要")
    assert AuditEvent.objects.count() == before
    assert Negotiation.objects.get(pk=neg.pk).state == State.ACCEPTED


def test_overdue_sweep_then_coordination_extend_once(world):
    neg = walk(world, State.OVERDUE)
    assert neg.state == State.OVERDUE
    assert Notification.objects.filter(kind="negotiation.overdue", recipient=world.users.negotiator_a).exists()
    neg = svc.coordination_request(negotiation=neg, actor=world.users.negotiator_a)
    # Issue 15: the bureau accepts the application first; the 30 days of art. 52 run from acceptance.
    neg = svc.coordination_accept(negotiation=neg, actor=world.users.bureau_hh)
    first_due = neg.coordination_due
    neg = svc.coordination_extend(negotiation=neg, actor=world.users.bureau_hh)
    assert neg.coordination_due > first_due
    with pytest.raises(ValidationError, match="只能延长一次"):
        svc.coordination_extend(negotiation=neg, actor=world.users.bureau_hh)
    neg = svc.coordination_finish(negotiation=neg, actor=world.users.bureau_hh, agreed=True, outcome="双方同意恢复协商")
    assert neg.state == State.IN_ROUNDS


def test_representative_rules_cite_articles(world):
    # Issue 12 item 7: each side appoints its own list, so the union no longer sets the employer's list
    # in DRAFT (this test used to); arts. 23–24 are now checked on the employer's own list once served,
    # and art. 19 on the union's list when the proposal is served.
    neg = walk(world, State.DRAFT)
    u = world.users.negotiator_a
    with pytest.raises(PermissionDenied, match="第21条"):
        svc.representatives_set(negotiation=neg, actor=u, side="employer", people=[{"name": "甲", "is_chief": True}])
    svc.representatives_set(negotiation=neg, actor=u, side="union", people=[UNION_REPS[0], {"name": "乙"}])
    with pytest.raises(ValidationError) as e:
        svc.proposal_submit(negotiation=neg, actor=u)
    assert "第19条" in str(e.value)
    assert Negotiation.objects.get(pk=neg.pk).state == State.DRAFT
    svc.representatives_set(negotiation=neg, actor=u, side="union", people=UNION_REPS)
    neg = svc.proposal_submit(negotiation=neg, actor=u)
    emp = world.users.employer_a
    with pytest.raises(ValidationError, match="第23条"):
        svc.representatives_set(negotiation=neg, actor=emp, side="employer", people=[
            {**EMPLOYER_REPS[0], "is_outsider": True}, {"name": "乙"}, {"name": "丙"}])
    with pytest.raises(ValidationError, match="第24条"):
        svc.representatives_set(negotiation=neg, actor=emp, side="employer", people=[
            EMPLOYER_REPS[0], {"name": "李明"}, {"name": "丙"}])


def test_checks_on_terms(world):
    ctx = svc.wage_context(world.emp_a.region, dt.date(2026, 3, 1))
    assert ctx.minimum_monthly is not None and ctx.living_allowance is not None
    low = {**PAY_TERM, "groups": [{"name": "普工", "headcount": 10, "base_pay": "2000", "adjust_percent": "-20"}]}
    with pytest.raises(ValidationError, match="最低工资"):
        rules.validate_term("pay", low, ctx)
    with pytest.raises(ValidationError, match="第3条"):
        rules.validate_term("short_hours", {"start": "2026-01-01", "end": "2026-02-01", "daily_hours": 9, "weekly_hours": 45,
                                            "pay_rule": "按实际", "groups": [{"name": "a", "headcount": 1, "base_pay": "3000"}]}, ctx)
    with pytest.raises(ValidationError, match="第41条"):
        rules.validate_term("short_hours", {"start": "2026-01-01", "end": "2026-02-01", "daily_hours": 6, "weekly_hours": 30,
                                            "overtime_monthly": 40, "pay_rule": "x",
                                            "groups": [{"name": "a", "headcount": 1, "base_pay": "3000"}]}, ctx)
    with pytest.raises(ValidationError, match="第38条"):
        rules.validate_term("staggered", {"start": "2026-01-01", "end": "2026-02-01", "groups": [
            {"name": "早班", "headcount": 5, "start_time": "07:00", "end_time": "11:00", "weekdays": [1, 2, 3, 4, 5, 6, 7]}]}, ctx)
    standby = {"start": "2026-01-01", "end": "2026-03-01", "groups": [{"name": "待岗", "headcount": 5, "base_pay": "4000", "standby_pay": "100"}]}
    with pytest.raises(ValidationError, match="第12条"):
        rules.validate_term("standby", standby, ctx)
    ok = {**standby, "groups": [{"name": "待岗", "headcount": 5, "base_pay": "4000", "standby_pay": str(ctx.living_allowance)}]}
    assert rules.validate_term("standby", ok, ctx)
    with pytest.raises(ValidationError, match="结束日期"):
        rules.validate_term("rotation", {"start": "2026-03-01", "end": "2026-01-01", "days_on": 5, "days_off": 2, "groups": [
            {"name": "a", "headcount": 1, "base_pay": "3000"}]}, ctx)
    assert rules.check_contract_term(dt.date(2026, 1, 1), dt.date(2030, 1, 1))
    assert rules.check_contract_term(dt.date(2026, 1, 1), dt.date(2028, 12, 31)) is None


def test_term_revise_refuses_through_service_with_floor(world):
    neg = walk(world, State.IN_ROUNDS)
    term = neg.terms.get(kind="pay")
    bad = {**PAY_TERM, "groups": [{"name": "普工", "headcount": 10, "base_pay": "2000", "adjust_percent": "-20"}]}
    with pytest.raises(ValidationError, match="最低工资"):
        svc.term_revise(term=term, actor=world.users.employer_a, data=bad)
    assert term.versions.count() == 1


@pytest.mark.parametrize("total,present,yes,passed", [
    (30, 20, 15, True),    # exactly 2/3 present, exactly half of all approving: both inclusive
    (30, 19, 15, False),   # below 2/3 present
    (30, 30, 14, False),   # half of those present is not enough: half of ALL
    (31, 21, 16, True),    # 21*3=63 ≥ 62; 16*2=32 ≥ 31
    (31, 20, 16, False),
    (31, 21, 15, False),
])
def test_art36_vote(total, present, yes, passed):
    assert rules.vote_result(total=total, present=present, votes_for=yes, votes_against=0, votes_abstain=0)[0] is passed


def test_vote_failure_returns_to_rounds_and_notifies(world):
    neg = walk(world, State.VOTING)
    vote = svc.vote_record(negotiation=neg, actor=world.users.negotiator_a, held_on=dt.date.today(), total=60, present=39,
                           votes_for=39, votes_against=0, votes_abstain=0)
    assert not vote.passed and "未通过" in vote.explanation
    assert Negotiation.objects.get(pk=neg.pk).state == State.IN_ROUNDS
    assert Notification.objects.filter(kind="negotiation.vote", recipient=world.users.employer_a).exists()
    with pytest.raises(ValidationError):
        rules.vote_result(total=10, present=11, votes_for=1, votes_against=0, votes_abstain=0)


def test_signing_needs_both_chiefs_then_filing_and_objection(world):
    neg = walk(world, State.APPROVED)
    neg = svc.sign_record(negotiation=neg, actor=world.users.employer_a)
    assert neg.state == State.APPROVED and neg.employer_signed_by_id
    # Issue 12 item 7: the side that signed is refused by the action's rule (its button is disabled with
    # this reason), so a second signature is now PermissionDenied with the reason, not a ValidationError.
    with pytest.raises(PermissionDenied, match="已签字"):
        svc.sign_record(negotiation=neg, actor=world.users.employer_a)
    neg = svc.sign_record(negotiation=neg, actor=world.users.negotiator_a)
    assert neg.state == State.SIGNED and neg.filing_due and "第42条" in neg.filing_due_explanation
    with pytest.raises(ValidationError, match="回执"):
        svc.filing_record(negotiation=neg, actor=world.users.employer_a, filed_on=dt.date.today(), receipt_number="", bureau=world.bureau_hh)
    neg = svc.filing_record(negotiation=neg, actor=world.users.employer_a, filed_on=dt.date.today(), receipt_number="R-1", bureau=world.bureau_hh)
    assert neg.state == State.UNDER_REVIEW and neg.review_ends
    with pytest.raises(PermissionDenied):
        svc.objection_return(negotiation=neg, actor=world.users.negotiator_a, objection="x")
    neg = svc.objection_return(negotiation=neg, actor=world.users.bureau_hh, objection="第5条违反最低工资规定")
    assert neg.state == State.IN_ROUNDS and neg.union_signed_by_id is None


def test_comment_links_single_use_anonymous_and_scoped(world):
    neg = walk(world, State.COMMENTS)
    draft = neg.drafts.get()
    pairs = svc.links_issue(draft=draft, actor=world.users.negotiator_a, labels=["一车间-01", "一车间-02"])
    (link1, tok1), (link2, tok2) = pairs
    assert len(tok1) >= 43 and CommentLink.objects.filter(token_hash=tok1).count() == 0
    vid = draft.versions.first().pk
    svc.comments_submit(token=tok1, comments={vid: "降幅太大"}, anonymous=True)
    c = Comment.objects.get()
    assert c.link_id is None and c.term_version_id == vid
    with pytest.raises(PermissionDenied, match="已经使用"):
        svc.comments_submit(token=tok1, comments={vid: "再来"}, anonymous=False)
    with pytest.raises(PermissionDenied, match="无效"):
        svc.comments_submit(token=tok1[:-2] + "xx", comments={vid: "猜"}, anonymous=False)
    with pytest.raises(PermissionDenied, match="不属于"):
        svc.comments_submit(token=tok2, comments={vid: "x"}, anonymous=False, negotiation_id=neg.pk + 999)
    svc.comments_submit(token=tok2, comments={vid: "同意"}, anonymous=False)
    assert Comment.objects.get(text="同意").link_id == link2.pk
    # Later edits never detach comments from the frozen version. (Issue 12 item 7: the vote needs the
    # comment period closed first — here closed early by the union with a reason.)
    svc.comments_close_early(negotiation=neg, actor=world.users.negotiator_a, reason="意见已收齐")
    neg = svc.vote_put(negotiation=neg, actor=world.users.negotiator_a)
    assert Comment.objects.filter(term_version_id=vid).count() == 2


def test_comment_link_refused_after_period(world):
    neg = walk(world, State.COMMENTS)
    draft = neg.drafts.get()
    [(link, tok)] = svc.links_issue(draft=draft, actor=world.users.negotiator_a, count=1)
    draft.comments_close = timezone.now() - dt.timedelta(minutes=1)
    draft.save()
    with pytest.raises(PermissionDenied, match="已结束"):
        svc.comments_submit(token=tok, comments={draft.versions.first().pk: "x"}, anonymous=True)


def test_double_submitted_create_returns_same_row(world):
    kw = dict(actor=world.users.negotiator_a, employer=world.emp_a, title="t", submission_key="k-123")
    a = svc.negotiation_create(**kw)
    b = svc.negotiation_create(**kw)
    assert a.pk == b.pk and Negotiation.objects.count() == 1


def test_union_cannot_negotiate_with_other_employer(world):
    with pytest.raises(ValidationError):
        svc.negotiation_create(actor=world.users.negotiator_a, employer=world.emp_b, title="t")
    with pytest.raises(PermissionDenied):
        svc.negotiation_create(actor=world.users.employer_a, employer=world.emp_a, title="t")


def test_version_increments_on_every_change(world):
    neg = walk(world, State.DRAFT)
    v = neg.version
    svc.term_add(negotiation=neg, actor=world.users.negotiator_a, kind="article", title="培训", data={"text": "每年培训"})
    neg.refresh_from_db()
    assert neg.version == v + 1
    with pytest.raises(Conflict):
        svc.term_add(negotiation=neg, actor=world.users.negotiator_a, kind="article", title="x", data={"text": "y"}, expected_version=v)


def test_cost_comparison():
    cost = rules.term_cost("pay", PAY_TERM, floor=rules.Decimal("1980"))
    assert cost["payroll_change"] == -(200 * 420 + 20 * 1600)
    assert not any(g["below_floor"] for g in cost["groups"])


def test_vacancy_mid_negotiation_sets_15_day_due_then_clears(world):
    neg = walk(world, State.IN_ROUNDS)
    emp = world.users.employer_a
    svc.representatives_set(negotiation=neg, actor=emp, side="employer", people=[{"name": "张总", "is_chief": True}, {"name": "刘会计"}])
    neg.refresh_from_db()
    assert neg.vacancy_due and "第31条" in neg.vacancy_explanation
    assert Notification.objects.filter(kind="negotiation.vacancy", recipient=emp).exists()
    # Other rules still refuse even with a vacancy.
    with pytest.raises(ValidationError, match="第19条"):
        svc.representatives_set(negotiation=neg, actor=emp, side="employer", people=[{"name": "张总"}, {"name": "刘会计"}])
    svc.representatives_set(negotiation=neg, actor=emp, side="employer",
                            people=[{"name": "张总", "is_chief": True}, {"name": "刘会计"}, {"name": "新代表"}])
    neg.refresh_from_db()
    assert neg.vacancy_due is None
