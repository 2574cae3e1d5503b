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
    monkeypatch.setattr("negotiation.consumers.PRESENCE_KEY_PREFIX", f"xs-test-{uuid.uuid4().hex[:8]}:presence:")


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
