"""Transition × actor table: each transition from its source state, tried by every kind of actor.

Allowed actors succeed; visible but wrong-side actors get PermissionDenied (403) with a reason;
actors who cannot see the negotiation get Http404 (other regions, unions, enterprises and firms). Nothing is written on refusal.
"""
import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from core.runner import Conflict
from negotiation import services as svc
from negotiation.models import Negotiation, State

from .conftest import walk

pytestmark = pytest.mark.django_db

ACTORS = ["negotiator_a", "employer_a", "staff_hh", "bureau_hh", "negotiator_b", "employer_b", "staff_bt", "lawyer_a", "admin"]
INVISIBLE = {"negotiator_b", "employer_b", "staff_bt", "lawyer_a"}
BOTH = {"negotiator_a", "employer_a", "admin"}
UNION = {"negotiator_a", "admin"}
EMPLOYER = {"employer_a", "admin"}
BUREAU = {"bureau_hh", "admin"}


def _today():
    return timezone.localdate()


def _period_over(neg):
    """The published comment period has run out (no audit event: time passing, not an action)."""
    neg.drafts.update(comments_close=timezone.now() - dt.timedelta(minutes=1))
    return neg


TABLE = [
    ("propose", State.DRAFT, UNION, State.PROPOSED, lambda n, u, w: svc.proposal_submit(negotiation=n, actor=u)),
    ("accept", State.PROPOSED, EMPLOYER, State.ACCEPTED, lambda n, u, w: svc.response_record(negotiation=n, actor=u, decision="agree")),
    ("refuse", State.PROPOSED, EMPLOYER, State.REFUSED,
     lambda n, u, w: svc.response_record(negotiation=n, actor=u, decision="refuse", reason="理由")),
    # Issue 15: an application waits for the bureau's acceptance (受理), which starts art. 52's 30 days.
    ("request_coordination", State.REFUSED, UNION, State.COORDINATION_REQUESTED, lambda n, u, w: svc.coordination_request(negotiation=n, actor=u)),
    ("accept_coordination", State.COORDINATION_REQUESTED, BUREAU, State.COORDINATION,
     lambda n, u, w: svc.coordination_accept(negotiation=n, actor=u)),
    ("extend_coordination", State.COORDINATION, BUREAU, State.COORDINATION, lambda n, u, w: svc.coordination_extend(negotiation=n, actor=u)),
    ("coordination_agree", State.COORDINATION, BUREAU, State.IN_ROUNDS,
     lambda n, u, w: svc.coordination_finish(negotiation=n, actor=u, agreed=True, outcome="协议")),
    ("coordination_close", State.COORDINATION, BUREAU, State.CLOSED,
     lambda n, u, w: svc.coordination_finish(negotiation=n, actor=u, agreed=False, outcome="终结")),
    ("start_rounds", State.ACCEPTED, BOTH, State.IN_ROUNDS, lambda n, u, w: svc.rounds_start(negotiation=n, actor=u)),
    ("suspend", State.IN_ROUNDS, BOTH, State.SUSPENDED,
     lambda n, u, w: svc.negotiation_suspend(negotiation=n, actor=u, next_date=_today() + dt.timedelta(days=3))),
    ("resume", State.SUSPENDED, BOTH, State.IN_ROUNDS, lambda n, u, w: svc.negotiation_resume(negotiation=n, actor=u)),
    # Issue 12 item 7: one side's chief confirms (an edit); the draft is agreed on the second confirmation.
    ("agree_draft", State.IN_ROUNDS, BOTH, State.IN_ROUNDS, lambda n, u, w: svc.draft_agree(negotiation=n, actor=u)),
    ("open_comments", State.DRAFT_AGREED, UNION, State.COMMENTS,
     lambda n, u, w: svc.draft_publish(negotiation=n, actor=u, comments_close=timezone.now() + dt.timedelta(days=5), employee_count=10)),
    ("close_comments", State.COMMENTS, UNION, State.COMMENTS,
     lambda n, u, w: svc.comments_close_early(negotiation=n, actor=u, reason="意见已收齐")),
    # Issue 12 item 7: the vote only after the comment period has closed (here: it has run out).
    ("put_to_vote", State.COMMENTS, UNION, State.VOTING, lambda n, u, w: svc.vote_put(negotiation=_period_over(n), actor=u)),
    ("vote_pass", State.VOTING, UNION, State.APPROVED,
     lambda n, u, w: svc.vote_record(negotiation=n, actor=u, held_on=_today(), total=9, present=6, votes_for=5, votes_against=1, votes_abstain=0)),
    ("sign", State.APPROVED, BOTH, State.APPROVED, lambda n, u, w: svc.sign_record(negotiation=n, actor=u)),  # one side signs
    ("file", State.SIGNED, BOTH, State.UNDER_REVIEW,
     lambda n, u, w: svc.filing_record(negotiation=n, actor=u, filed_on=_today(), receipt_number="R1", bureau=w.bureau_hh)),
    ("return_objection", State.UNDER_REVIEW, BUREAU, State.IN_ROUNDS,
     lambda n, u, w: svc.objection_return(negotiation=n, actor=u, objection="意见")),
    ("withdraw", State.IN_ROUNDS, UNION, State.WITHDRAWN, lambda n, u, w: svc.negotiation_withdraw(negotiation=n, actor=u, reason="撤回")),
]


def _hidden(actor, neg):
    """Who cannot even see this negotiation: other regions and parties; the employer until a proposal
    is served; the bureau until coordination is requested or the contract is filed."""
    if actor in INVISIBLE:
        return True
    if actor == "employer_a":
        return neg.proposed_at is None
    if actor == "bureau_hh":
        return neg.coordination_requested_at is None and neg.filed_on is None
    return False


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name,source,allowed,target,call", TABLE, ids=[row[0] for row in TABLE])
def test_transition_by_actor(world, name, source, allowed, target, call, actor):
    neg = walk(world, source)
    assert neg.state == source
    user = getattr(world.users, actor)
    before = AuditEvent.objects.count()
    if actor in allowed:
        call(neg, user, world)
        assert Negotiation.objects.get(pk=neg.pk).state == target
        assert AuditEvent.objects.count() > before
    else:
        hidden = _hidden(actor, neg)
        expected = Http404 if hidden else PermissionDenied
        with pytest.raises(expected) as e:
            call(neg, user, world)
        if expected is PermissionDenied:
            assert str(e.value)  # a reason for the user
        assert Negotiation.objects.get(pk=neg.pk).state == source
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("source,call", [
    (State.DRAFT, lambda n, w: svc.rounds_start(negotiation=n, actor=w.users.negotiator_a)),
    (State.PROPOSED, lambda n, w: svc.vote_put(negotiation=n, actor=w.users.negotiator_a)),
    (State.IN_ROUNDS, lambda n, w: svc.proposal_submit(negotiation=n, actor=w.users.negotiator_a)),
    (State.COMMENTS, lambda n, w: svc.rounds_start(negotiation=n, actor=w.users.employer_a)),
    (State.UNDER_REVIEW, lambda n, w: svc.negotiation_withdraw(negotiation=n, actor=w.users.negotiator_a, reason="x")),
    # Once both chiefs have signed nobody can withdraw (DOMAIN.md §2.5).
    (State.SIGNED, lambda n, w: svc.negotiation_withdraw(negotiation=n, actor=w.users.negotiator_a, reason="x")),
    (State.SIGNED, lambda n, w: svc.negotiation_withdraw(negotiation=n, actor=w.users.admin, reason="x")),
    # The vote waits for the comment period (DOMAIN.md §2.5); the bureau's clock for its acceptance.
    (State.COMMENTS, lambda n, w: svc.vote_put(negotiation=n, actor=w.users.negotiator_a)),
    (State.COORDINATION_REQUESTED, lambda n, w: svc.coordination_extend(negotiation=n, actor=w.users.bureau_hh)),
    (State.DRAFT_AGREED, lambda n, w: svc.vote_put(negotiation=n, actor=w.users.negotiator_a)),
    (State.EFFECTIVE, lambda n, w: svc.objection_return(negotiation=n, actor=w.users.bureau_hh, objection="x")),
])
def test_wrong_state_is_refused(world, source, call):
    neg = walk(world, source)
    with pytest.raises((ValidationError, Conflict)):
        call(neg, world)
    assert Negotiation.objects.get(pk=neg.pk).state == source


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transitions_exactly_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs two real transactions with row locks (PostgreSQL)")
    neg = walk(world, State.PROPOSED)
    barrier = threading.Barrier(2)
    results = {}

    def run(label, fn):
        try:
            barrier.wait(timeout=10)
            fn()
            results[label] = "ok"
        except Conflict as e:
            results[label] = ("conflict", e.message)
        except Exception as e:  # pragma: no cover - reported in the assertion
            results[label] = ("error", repr(e))
        finally:
            connections.close_all()

    stale_a = Negotiation.objects.get(pk=neg.pk)
    stale_b = Negotiation.objects.get(pk=neg.pk)
    t1 = threading.Thread(target=run, args=("agree", lambda: svc.response_record(negotiation=stale_a, actor=world.users.employer_a, decision="agree")))
    t2 = threading.Thread(target=run, args=("withdraw", lambda: svc.negotiation_withdraw(negotiation=stale_b, actor=world.users.negotiator_a, reason="撤回")))
    t1.start(); t2.start(); t1.join(30); t2.join(30)
    outcomes = sorted(str(v[0]) if isinstance(v, tuple) else v for v in results.values())
    assert outcomes == ["conflict", "ok"], results
    final = Negotiation.objects.get(pk=neg.pk)
    assert final.state in (State.ACCEPTED, State.WITHDRAWN)
    # Exactly one transition audited after the proposal; the loser's message asks to reload.
    assert AuditEvent.objects.filter(object_id=str(neg.pk), action__in=["accept", "withdraw"]).count() == 1
    loser = next(v for v in results.values() if isinstance(v, tuple))
    assert "刷新" in loser[1]
