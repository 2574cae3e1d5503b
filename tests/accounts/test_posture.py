"""Posture a hostile client meets: login lockout, Content-Security-Policy, no caching of personal data."""
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

GOOD = "pw-for-tests-123"


def _login(client, username, password, ip="10.9.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_with_a_clear_message(world, client, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        r = _login(client, "staff_hh_t", f"wrong{i}")
        assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = _login(client, "staff_hh_t", "wrong-last")
    assert r.status_code == 429
    # locked: even the right password is refused, with the explanation, and no session is made
    r = _login(client, "staff_hh_t", GOOD)
    assert r.status_code == 429 and "锁定" in r.content.decode()
    assert client.get("/home/").status_code == 302
    # another address is refused too (the user name is locked), another user from elsewhere is not
    assert _login(client, "staff_hh_t", GOOD, ip="10.9.0.2").status_code == 429
    assert _login(client, "staff_bt_t", GOOD, ip="10.9.0.3").status_code == 302


def test_one_address_guessing_many_names_is_locked(world, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"nobody{i}", "x", ip="10.9.0.7")
    assert _login(client, "staff_hh_t", GOOD, ip="10.9.0.7").status_code == 429
    assert _login(client, "staff_hh_t", GOOD, ip="10.9.0.8").status_code == 302


def test_administrator_unlocks(world, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "staff_hh_t", f"wrong{i}")
    assert _login(client, "staff_hh_t", GOOD).status_code == 429
    call_command("axes_reset_username", "staff_hh_t")
    assert _login(client, "staff_hh_t", GOOD).status_code == 302


def test_success_resets_the_count(world, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "staff_hh_t", f"wrong{i}")
    assert _login(client, "staff_hh_t", GOOD).status_code == 302
    client.post("/accounts/logout/")
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "staff_hh_t", f"again{i}").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/", "/home/", "/negotiations/", "/disputes/", "/legal-aid/cases/",
                                  "/deadlines/calculator/", "/api/docs/", "/notifications/"])
def test_csp_without_inline_code_on_every_page_type(world, client_for, path):
    r = client_for(world.users.staff_hh).get(path)
    assert r.status_code in (200, 302, 403), (path, r.status_code)
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    if r.status_code == 200 and r["Content-Type"].startswith("text/html"):
        body = r.content.decode()
        assert "<script>" not in body and " style=" not in body, path  # nothing the policy would block


@pytest.mark.parametrize("path", ["/home/", "/legal-aid/cases/", "/api/v1/legal-aid/cases/", "/api/v1/me/"])
def test_signed_in_answers_are_not_cached(world, client_for, api_for, path):
    c = api_for(world.users.staff_hh) if path.startswith("/api/") else client_for(world.users.staff_hh)
    r = c.get(path)
    assert r.status_code == 200, path
    assert "no-store" in r["Cache-Control"]


def test_cookies_are_http_only_and_same_site(world, client):
    r = _login(client, "staff_hh_t", GOOD)
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/negotiations/?state=%00", "/disputes/?state=%00", "/api/v1/negotiations/?state=%00",
                                  "/deadlines/calculator/?rule=%00&start=2026-01-01"])
def test_nul_in_a_parameter_is_a_400(world, client_for, path):
    assert client_for(world.users.staff_hh).get(path).status_code == 400


@pytest.mark.parametrize("query", ["limit=99999999999999999999999", "offset=99999999999999999999999", "limit=-1", "limit=abc"])
def test_pagination_parameters_out_of_range_are_a_400(world, api_for, query):
    r = api_for(world.users.staff_hh).get(f"/api/v1/negotiations/?{query}")
    assert r.status_code == 400
    assert set(r.json()) & {"limit", "offset"}


def test_large_limit_is_capped(world, api_for):
    r = api_for(world.users.staff_hh).get("/api/v1/negotiations/?limit=100000")
    assert r.status_code == 200
