import uuid

import pytest
from django.conf import settings as dj_settings
from django.test import Client


@pytest.fixture(autouse=True)
def _own_channel_layer(settings):
    """A channel layer of our own per test: the in-memory one, or Redis with a unique prefix when
    REDIS_URL is set (other test runs may share the Redis database)."""
    if dj_settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [dj_settings.REDIS_URL], "prefix": f"xs-test-{uuid.uuid4().hex[:8]}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield


@pytest.fixture(autouse=True)
def _own_presence_keys(monkeypatch):
    """Presence lives in the cache (Redis when REDIS_URL is set, shared with other runs): a prefix per test."""
    monkeypatch.setattr("core.consumers.PRESENCE_KEY_PREFIX", f"xs-test-{uuid.uuid4().hex[:8]}:presence:")


@pytest.fixture
def ws():
    """`await ws(path, user=None, origin="http://testserver")` → a WebsocketCommunicator on the real ASGI
    stack (origin validation, session auth, routing)."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    def cookie(user):
        c = Client()
        c.force_login(user)
        return c.cookies[dj_settings.SESSION_COOKIE_NAME].value

    async def make(path, user=None, origin="http://testserver"):
        headers = [(b"host", b"testserver")]
        if origin:
            headers.append((b"origin", origin.encode()))
        if user is not None:
            value = await database_sync_to_async(cookie)(user)
            headers.append((b"cookie", f"{dj_settings.SESSION_COOKIE_NAME}={value}".encode()))
        return WebsocketCommunicator(application, path, headers=headers)

    return make


@pytest.fixture(autouse=True)
def _audit_truncate_allowed_for_flush(request):
    """PostgreSQL: core_auditevent refuses TRUNCATE (a trigger), which breaks the flush that ends every
    transaction=True test. The trigger stays on while the test runs and is switched off only for
    the flush; the next test (and the end of the session) switch it back on."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        c.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_truncate")
    yield
    with connection.cursor() as c:
        c.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_truncate")
