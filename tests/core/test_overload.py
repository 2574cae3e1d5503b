"""A request that finds every database connection taken answers 503 with Retry-After, not a 500 (issue 14).

Under load the psycopg pool raises PoolTimeout (re-raised by Django as OperationalError) when no connection
frees up within DB_POOL_TIMEOUT. The request never held a connection, so nothing was written: the client may
simply retry. Any other failure stays a 500.
"""
import pytest
from django.db import OperationalError
from django.test import Client
from psycopg_pool import PoolTimeout

pytestmark = pytest.mark.django_db


def _pool_timeout(*args, **kwargs):
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as exc:
        raise OperationalError(str(exc)) from exc


def _defect(*args, **kwargs):
    raise RuntimeError("a defect")


@pytest.fixture
def negotiator_client(django_user_model):
    from accounts.models import Organisation, Region, Role

    region = Region.objects.get(code="150100")
    union = Organisation.objects.create(kind="union", name="测试工会", region=region)
    user = django_user_model.objects.create_user("n1", password="pw-Strong-123", role=Role.UNION_NEGOTIATOR, organisation=union)
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def test_page_answers_503_with_retry_after_when_the_pool_is_exhausted(negotiator_client, monkeypatch):
    monkeypatch.setattr("worklist.templatetags.worklist.items_for", _pool_timeout)
    r = negotiator_client.get("/home/")
    assert r.status_code == 503
    assert r["Retry-After"] == "2"
    body = r.content.decode()
    assert "服务繁忙" in body and "The service is busy" in body


def test_api_answers_503_json_when_the_pool_is_exhausted(negotiator_client, monkeypatch):
    monkeypatch.setattr("worklist.api.items_for", _pool_timeout)
    r = negotiator_client.get("/api/v1/todo/")
    assert r.status_code == 503
    assert r["Retry-After"] == "2"
    assert r["Content-Type"].startswith("application/json")
    assert "busy" in r.json()["detail"]


def test_other_failures_stay_500(negotiator_client, monkeypatch):
    monkeypatch.setattr("worklist.templatetags.worklist.items_for", _defect)
    r = negotiator_client.get("/home/")
    assert r.status_code == 500 and not r.has_header("Retry-After")
    monkeypatch.setattr("worklist.api.items_for", _defect)
    r = negotiator_client.get("/api/v1/todo/")
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
