import pytest

pytestmark = pytest.mark.django_db


def test_login_logout_flow(world, client):
    r = client.get("/accounts/login/")
    assert r.status_code == 200 and "登录" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "staff_hh_t", "password": "wrong"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "staff_hh_t", "password": "pw-for-tests-123"})
    assert r.status_code == 302
    r = client.get("/home/")
    assert "李" not in "" and r.status_code == 200
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert client.get("/home/").status_code == 302


def test_navigation_follows_role(world, client_for):
    body = client_for(world.users.employer_a).get("/home/").content.decode()
    assert "期限计算" in body
    assert "组织名录" not in body
    body = client_for(world.users.staff_hh).get("/home/").content.decode()
    assert "组织名录" in body


def test_english_switch(world, client_for):
    c = client_for(world.users.staff_hh)
    c.post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    body = c.get("/home/").content.decode()
    assert 'lang="en"' in body and "中文" in body
    assert "Workbench" in body and "Deadline calculator" in body  # our own catalogue, not just Django's


def test_user_without_role_is_refused(world, client_for):
    assert client_for(world.users.norole).get("/home/").status_code == 403


def test_schema_and_docs(world, client_for):
    c = client_for(world.users.staff_hh)
    r = c.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/organisations/" in r.content
    r = c.get("/api/docs/")
    assert r.status_code == 200 and b"swagger" in r.content.lower()
    assert b"cdn" not in r.content.lower()


def test_chinese_by_default_even_for_english_browsers(world, client_for):
    c = client_for(world.users.staff_hh)
    body = c.get("/home/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in body and "工作台" in body


def test_error_pages_are_ours(world, client_for):
    c = client_for(world.users.employer_a)
    r = c.get("/accounts/organisations/999999/")
    assert r.status_code == 404 and "未找到" in r.content.decode() and "工作台" in r.content.decode()
    r = c.get("/accounts/organisations/new/")
    assert r.status_code == 403 and "无权" in r.content.decode()


def test_my_account_page_shows_who_and_where(world, client_for):
    from django.test import Client

    user = world.users.employer_a
    c = client_for(user)
    body = c.get("/accounts/me/").content.decode()
    assert user.username in body and str(user.organisation) in body and user.organisation.region.name in body
    assert "企业协商代表" in body
    assert 'href="/accounts/me/"' in c.get("/home/").content.decode()  # reached from the name in the header
    c.cookies["django_language"] = "en"
    body = c.get("/accounts/me/").content.decode()
    assert "My account" in body and "Employer representative" in body
    r = Client().get("/accounts/me/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_a_signed_in_request_reads_the_user_with_organisation_and_region_in_one_query(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = client.post("/accounts/login/", {"username": "staff_hh_t", "password": "pw-for-tests-123"})
    assert r.status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/accounts/me/").content.decode()
    assert world.users.staff_hh.organisation.region.name in body
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "accounts_user"' in q for q in sql) == 1
    assert not any(q.startswith('SELECT "accounts_organisation"') or q.startswith('SELECT "accounts_region"') for q in sql)
