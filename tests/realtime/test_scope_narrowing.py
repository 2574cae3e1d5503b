"""`Workflow.state_narrows_scope=False` is a promise: no state change takes the object out of anyone's scope,
so its sockets need no re-check on a state change. Checked against the selectors over the states the
services reach, for every user of the test world."""
import pytest
from django.contrib.auth import get_user_model

from core import workflow as registry
from negotiation.models import State
from tests.negotiation.conftest import walk

pytestmark = pytest.mark.django_db

PATH = [State.DRAFT, State.PROPOSED, State.ACCEPTED, State.IN_ROUNDS, State.DRAFT_AGREED, State.COMMENTS,
        State.VOTING, State.APPROVED, State.SIGNED, State.UNDER_REVIEW, State.EFFECTIVE]


def _seers(wf, pk):
    return {u.pk for u in get_user_model().objects.all() if wf.visible(u).filter(pk=pk).exists()}


def test_the_declarations():
    assert registry.get("negotiation").state_narrows_scope is False
    assert registry.get("disputes").state_narrows_scope is False
    assert registry.get("legal").state_narrows_scope is True  # a firm that declines loses the case


def test_a_negotiations_scope_only_widens_along_its_path(world):
    wf = registry.get("negotiation")
    seen_before: set = set()
    for target in PATH:  # each step is a fresh negotiation walked there by the services
        neg = walk(world, target)
        seers = _seers(wf, neg.pk)
        assert seen_before <= seers, (target, seen_before - seers)
        seen_before = seers
    assert world.users.employer_a.pk in seen_before  # the path reached the states that widen it


def test_a_disputes_scope_does_not_depend_on_its_state(world):
    from disputes.models import DisputeCase
    from tests.disputes.test_sweep_batches import case

    wf = registry.get("disputes")
    c = case(world, "S1")
    seers = _seers(wf, c.pk)
    for state in ("mediation", "arbitration", "awarded", "closed"):
        DisputeCase.objects.filter(pk=c.pk).update(state=state)
        assert _seers(wf, c.pk) == seers, state
