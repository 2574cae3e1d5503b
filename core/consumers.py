"""Websocket consumers: one per negotiation, one per user.

Rules (see docs/adr/0002-channel-layer.md):
- permission is checked in connect() BEFORE accept(), awaited (database_sync_to_async), with the
  same rules as the pages: the negotiation must be in `negotiations_visible_to(user)`; the user must
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

PRESENCE_TTL = 90  # seconds without a heartbeat before a viewer drops off the list
PRESENCE_CACHE_TTL = 3600
PRESENCE_KEY_PREFIX = "xs:presence:negotiation:"  # tests use their own
PRESENCE_WINDOW = 1  # seconds (int: cache timeouts); presence broadcasts are coalesced per window

_background: set = set()  # keep announce tasks referenced until they finish


def _side(user) -> str:
    role = getattr(user, "role", "")
    if role == "union_negotiator":
        return "union"
    if role == "employer_rep":
        return "employer"
    return "staff"


def _user_may_connect(user) -> bool:
    """The same gate as `role_required()` without roles: active and holding a role (or sysadmin)."""
    return bool(user and user.is_active and (user.is_sysadmin or user.role))


@database_sync_to_async
def _fresh_user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("organisation", "organisation__region").filter(pk=pk).first()


@database_sync_to_async
def _negotiation_visible(user, negotiation_pk) -> bool:
    try:
        from negotiation.selectors import negotiations_visible_to
    except ImportError:  # fail closed until the negotiation app provides its selector
        return False
    return negotiations_visible_to(user).filter(pk=negotiation_pk).exists()


@database_sync_to_async
def _unread_count(user_pk) -> int:
    from notifications.selectors import unread_count

    return unread_count(user_pk)


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


class UserConsumer(BaseConsumer):
    """`/ws/notifications/`: the user's own notification events; unread count on connect."""

    def groups_for(self):
        return (realtime.group_for("user", self.user_pk),)

    async def is_allowed(self, user) -> bool:
        return True

    async def after_accept(self):
        await self.send_json({"event": "hello", "unread": await _unread_count(self.user_pk), "version": realtime.next_version()})

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            if await self.ensure_still_allowed():
                await self.send_json({"event": "pong"})


class NegotiationConsumer(BaseConsumer):
    """`/ws/negotiations/<id>/`: timeline events, presence, "the other side is editing term N"."""

    negotiation_pk = None

    def groups_for(self):
        return (realtime.group_for("negotiation", self.negotiation_pk),)

    async def connect(self):
        try:
            self.negotiation_pk = int(self.scope["url_route"]["kwargs"]["pk"])
        except (KeyError, TypeError, ValueError):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        await super().connect()

    async def is_allowed(self, user) -> bool:
        return await _negotiation_visible(user, self.negotiation_pk)

    # presence ---------------------------------------------------------------------------------
    @property
    def presence_key(self) -> str:
        return f"{PRESENCE_KEY_PREFIX}{self.negotiation_pk}"

    def me(self) -> dict:
        u = self.user
        return {"id": u.pk, "name": str(u), "side": _side(u), "at": time.time()}

    async def presence_update(self, *, present: bool, announce: bool = True) -> None:
        viewers = await cache.aget(self.presence_key) or {}
        now = time.time()
        viewers = {ch: v for ch, v in viewers.items() if now - v.get("at", 0) < PRESENCE_TTL}
        was_there = self.channel_name in viewers
        if present:
            viewers[self.channel_name] = self.me()
        else:
            viewers.pop(self.channel_name, None)
        await cache.aset(self.presence_key, viewers, PRESENCE_CACHE_TTL)
        if announce or (present and not was_there):
            await self.schedule_presence_announce()

    async def schedule_presence_announce(self) -> None:
        """Coalesce: at most one presence broadcast per negotiation per PRESENCE_WINDOW seconds.

        Announcing every join to every viewer is quadratic: 500 sockets joining one negotiation
        made 125,000 messages and stalled new handshakes past daphne's connect timeout. The first
        change in a window schedules one broadcast at its end, read from the cache then, so every
        join and leave in the window is in it."""
        if not await cache.aadd(f"{self.presence_key}:announce", 1, PRESENCE_WINDOW):
            return
        task = asyncio.get_running_loop().create_task(self._announce_presence(self.channel_layer, self.negotiation_pk))
        _background.add(task)
        task.add_done_callback(_background.discard)

    @classmethod
    async def _announce_presence(cls, layer, negotiation_pk) -> None:
        await asyncio.sleep(PRESENCE_WINDOW)
        key = f"{PRESENCE_KEY_PREFIX}{negotiation_pk}"
        viewers = await cache.aget(key) or {}
        now = time.time()
        seen, people = set(), []
        for v in sorted(viewers.values(), key=lambda v: v["at"]):
            if now - v.get("at", 0) < PRESENCE_TTL and v["id"] not in seen:
                seen.add(v["id"])
                people.append({"id": v["id"], "name": v["name"], "side": v["side"]})
        group = realtime.group_for("negotiation", negotiation_pk)
        await layer.group_send(
            group,
            {
                "type": realtime.EVENT_TYPE, "group": group, "event": "presence", "id": negotiation_pk,
                "viewers": people, "version": realtime.next_version(), "ts": time.time(),
            },
        )

    async def after_accept(self):
        await self.presence_update(present=True)

    async def disconnect(self, code):
        if self.negotiation_pk is not None and self.user_pk is not None and self.joined:
            await self.presence_update(present=False)
        await super().disconnect(code)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        if not await self.ensure_still_allowed():
            return
        kind = content.get("type")
        if kind == "ping":
            await self.presence_update(present=True, announce=False)
            await self.send_json({"event": "pong"})
        elif kind in ("editing", "editing_done"):
            try:
                term = int(content.get("term"))
            except (TypeError, ValueError):
                return
            group = realtime.group_for("negotiation", self.negotiation_pk)
            await self.channel_layer.group_send(
                group,
                {
                    "type": realtime.EVENT_TYPE,
                    "group": group,
                    "event": kind,
                    "id": self.negotiation_pk,
                    "term": term,
                    "user": self.user_pk,
                    "side": _side(self.user),
                    "version": realtime.next_version(),
                    "ts": time.time(),
                },
            )
