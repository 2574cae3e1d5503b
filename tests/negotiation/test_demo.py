import pytest
from django.core.management import call_command

from negotiation.models import Negotiation, State

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_covers_states():
    call_command("seed_demo")
    states = set(Negotiation.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.PROPOSED, State.IN_ROUNDS, State.COMMENTS, State.UNDER_REVIEW, State.EFFECTIVE} <= states
    n = Negotiation.objects.count()
    call_command("seed_demo")
    assert Negotiation.objects.count() == n
