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


def test_demo_pages_render_for_every_demo_login(client):
    from accounts.models import User
    from negotiation.models import Term

    call_command("seed_demo")
    negs = list(Negotiation.objects.all())
    for user in User.objects.exclude(username="admin"):
        client.force_login(user)
        r = client.get("/negotiations/")
        assert r.status_code in (200, 403), (user.username, r.status_code)
        for n in negs:
            r = client.get(f"/negotiations/{n.pk}/")
            assert r.status_code in (200, 403, 404), (user.username, n.pk, r.status_code)
            if r.status_code == 200:
                term = Term.objects.filter(negotiation=n).first()
                hidden = n.state == "draft" and user.role == "employer_rep"  # the union's unsent draft
                assert client.get(f"/negotiations/{n.pk}/terms/{term.pk}/versions/").status_code == (404 if hidden else 200)
                for d in n.drafts.all():
                    assert client.get(f"/negotiations/{n.pk}/drafts/{d.pk}/comments/").status_code in (200, 403)
    # The sysadmin sees and may act on everything.
    client.force_login(User.objects.get(username="admin"))
    for n in negs:
        assert client.get(f"/negotiations/{n.pk}/").status_code == 200
