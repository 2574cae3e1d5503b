"""Websocket consumers: the base every socket shares, and the generic one per workflow object.

Workflow apps subclass `ObjectConsumer` when they need more (negotiation's presence); routes are
built from the workflow registry in config/routing.py. Core imports no workflow app.

Rules (see docs/adr/0002-channel-layer.md):
- permission is checked in connect() BEFORE accept(), awaited (database_sync_to_async), with the
  same rules as the pages: the object must be in its workflow's scope for the user; the user must
  be active and hold a role. Anything else is refused (close before accept = HTTP 403).
- revocation: every socket also joins `user.<pk>`; saving a User (role removed, deactivated)
  sends `xs.recheck` there on commit (notifications/apps.py), and the consumer re-checks at once
  and closes with 4403. As a backstop each forwarded event re-checks when the last check is older
  than RECHECK_SECONDS, so a revocation made without the signal (raw SQL, another process's
  `QuerySet.update()`) still ends the socket on its next event. Events carry only ids, and every
  re-fetch goes through the page's own permission check, so the window leaks nothing but "something
  changed".
- messages to the browser are `{"event", "version", ...ids}`; the page re-fetches what changed.
"""
from __future__ import annotations

import asyncio
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.consumer import get_handler_name
from django.core.cache import cache

from . import realtime

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

def _user_may_connect(user) -> bool:
    """The same gate as `role_required()` without roles: active and holding a role (or sysadmin)."""
    return bool(user and user.is_active and (user.is_sysadmin or user.role))


@database_sync_to_async
def _fresh_user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("organisation", "organisation__region").filter(pk=pk).first()


class BaseConsumer(AsyncJsonWebsocketConsumer):
    RECHECK_SECONDS = 30.0

    user_pk = None
    checked_at = 0.0
    forward_groups: tuple[str, ...] = ()
    joined: tuple[str, ...] = ()

    async def dispatch(self, message):
        """Channels' own dispatch hops to the single thread-sensitive executor for every message
        (`aclose_old_connections`) even when the handler touches no database: with 200 sockets on one
        negotiation that hop, serialised, was most of the fan-out time (bench/ws_bench.py). Our only
        database access goes through `database_sync_to_async`, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # -- permission --------------------------------------------------------------------------
    async def is_allowed(self, user) -> bool:  # pragma: no cover - overridden
        return False

    async def check(self) -> bool:
        user = await _fresh_user(self.user_pk)
        ok = bool(user) and _user_may_connect(user) and await self.is_allowed(user)
        self.user = user
        self.checked_at = time.monotonic()
        return ok

    async def refuse(self, code: int) -> None:
        await self.close(code=code)

    # -- lifecycle ---------------------------------------------------------------------------
    def groups_for(self) -> tuple[str, ...]:  # pragma: no cover - overridden
        return ()

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        self.user_pk = user.pk
        if not await self.check():
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.forward_groups = self.groups_for()
        own = realtime.group_for("user", self.user_pk)
        self.joined = tuple(dict.fromkeys((*self.forward_groups, own)))
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.after_accept()

    async def after_accept(self):
        pass

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    async def close_forbidden(self):
        await self.disconnect(CLOSE_FORBIDDEN)
        await self.close(code=CLOSE_FORBIDDEN)

    async def ensure_still_allowed(self) -> bool:
        if time.monotonic() - self.checked_at < self.RECHECK_SECONDS:
            return True
        if await self.check():
            return True
        await self.close_forbidden()
        return False

    # -- messages from the channel layer -------------------------------------------------------
    async def xs_event(self, message):
        if message.get("group") not in self.forward_groups:
            return
        if not await self.ensure_still_allowed():
            return
        await self.send_json({k: v for k, v in message.items() if k != "type"})

    async def xs_recheck(self, message):
        if not await self.check():
            await self.close_forbidden()


class ObjectConsumer(BaseConsumer):
    """`/ws/<route>/<id>/` for any registered workflow object: its timeline events, for the people
    whose scope includes the object (checked before accept, re-checked on revocation)."""

    kind: str = ""
    object_pk = None

    def groups_for(self):
        return (realtime.group_for(self.kind, self.object_pk),)

    async def connect(self):
        try:
            self.kind = self.scope["url_route"]["kwargs"]["kind"]
            self.object_pk = int(self.scope["url_route"]["kwargs"]["pk"])
        except (KeyError, TypeError, ValueError):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        await super().connect()

    async def is_allowed(self, user) -> bool:
        return await _visible(self.kind, user, self.object_pk)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            if await self.ensure_still_allowed():
                await self.send_json({"event": "pong"})


@database_sync_to_async
def _visible(kind, user, pk) -> bool:
    from . import workflow

    wf = workflow.for_group_kind(kind)
    if wf is None:  # fail closed
        return False
    return wf.visible(user).filter(pk=pk).exists()
