import datetime as dt

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from disputes import demo
from disputes.models import DisputeCase, LimitationSuspension, State

pytestmark = pytest.mark.django_db


def test_demo_covers_stages_and_a_case_near_its_limitation_and_is_idempotent():
    base = accounts_demo.seed()
    demo.seed(base)
    states = set(DisputeCase.objects.values_list("state", flat=True))
    assert {State.FILED, State.NEGOTIATION, State.MEDIATION, State.HEARING, State.AWARDED, State.CLOSED} <= states
    today = timezone.localdate()
    near = DisputeCase.objects.filter(state=State.FILED, limitation_due__gte=today, limitation_due__lte=today + dt.timedelta(days=14))
    assert near.exists()
    n, s = DisputeCase.objects.count(), LimitationSuspension.objects.count()
    demo.seed(base)
    assert DisputeCase.objects.count() == n and LimitationSuspension.objects.count() == s == 1
