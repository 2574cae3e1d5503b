"""Issue 13: the system administrator belongs to no organisation. Every page and API list answers them
without a server error (every URL naming an object is covered for them by test_scope_matrix.py, where
the demo's `admin` is one of the logins), and creating a negotiation, which takes the proposing union
from the caller's organisation, asks them to name it instead of failing on None."""
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from negotiation import services
from negotiation.models import Negotiation
from tests.security.test_scope_matrix import _walk

pytestmark = pytest.mark.django_db

# Pages without a parameter that are not a GET: they refuse the method, which is all a GET can check.
PARAMETERLESS_SKIP = {"accounts:logout"}


def test_every_page_and_api_list_answers_the_administrator(client, settings, tmp_path):
    from django.urls import get_resolver

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert admin.organisation_id is None and admin.is_sysadmin
    client.raise_request_exception = False
    client.force_login(admin)
    tried = []
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or re.search(r"<[^>]+>|\(\?P<", route) or name in PARAMETERLESS_SKIP:
            continue
        url = "/" + route.replace("^", "").replace("$", "")
        status = client.get(url).status_code
        tried.append((url, status))
    errors = [(u, s) for u, s in tried if s >= 500]
    assert errors == []
    assert len(tried) > 30
    assert dict(tried)["/negotiations/new/"] == 200
    assert dict(tried)["/api/v1/negotiations/"] == 200
    assert dict(tried)["/api/v1/disputes/"] == 200
    assert dict(tried)["/api/v1/legal-aid/cases/"] == 200


def test_administrator_creates_a_negotiation_naming_the_union(world, client_for):
    c = client_for(world.users.admin)
    form = c.get(reverse("negotiation:create")).context["form"]
    assert set(form.fields["union"].queryset) == {world.union_a, world.union_b}
    audits = AuditEvent.objects.count()
    resp = c.post(reverse("negotiation:create"), {"title": "专项集体合同", "employer": world.emp_a.pk})
    assert resp.status_code == 400
    assert resp.context["form"].errors["union"]
    assert Negotiation.objects.count() == 0 and AuditEvent.objects.count() == audits
    resp = c.post(reverse("negotiation:create"), {"title": "专项集体合同", "employer": world.emp_a.pk, "union": world.union_a.pk})
    neg = Negotiation.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("negotiation:detail", args=[neg.pk])
    assert (neg.union, neg.employer, neg.created_by) == (world.union_a, world.emp_a, world.users.admin)


def test_administrator_naming_another_enterprises_union_is_refused_on_the_field(world, client_for):
    c = client_for(world.users.admin)
    resp = c.post(reverse("negotiation:create"), {"title": "t", "employer": world.emp_a.pk, "union": world.union_b.pk})
    assert resp.status_code == 400
    assert "基层工会只能与所在企业协商。" in resp.context["form"].errors["employer"]
    assert Negotiation.objects.count() == 0


def test_negotiators_form_has_no_union_field(world, client_for):
    form = client_for(world.users.negotiator_a).get(reverse("negotiation:create")).context["form"]
    assert "union" not in form.fields


def test_service_asks_a_caller_without_a_union_to_name_one(world):
    with pytest.raises(ValidationError) as exc:
        services.negotiation_create(actor=world.users.admin, employer=world.emp_a, title="t")
    assert "union" in exc.value.error_dict
    assert Negotiation.objects.count() == 0


def test_firm_list_shows_each_firms_load(client, settings, tmp_path):
    """The partner-firm list (it was a 500: a count annotated under the name of the profile's counter) shows
    each firm's open cases against its capacity, the counter agreeing with a count of the cases."""
    from legal.models import OPEN_FIRM_STATES, FirmProfile, LegalAidCase

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    for who in ("admin", "staff_nm"):
        client.force_login(User.objects.get(username=who))
        resp = client.get(reverse("legal:firm_list"))
        assert resp.status_code == 200
        body = resp.content.decode()
        profiles = list(FirmProfile.objects.all())
        assert profiles
        for p in profiles:
            counted = LegalAidCase.objects.filter(assigned_firm=p.organisation, state__in=OPEN_FIRM_STATES).count()
            assert p.open_cases == counted
            assert f"<td>{counted} / {p.capacity}</td>" in body
