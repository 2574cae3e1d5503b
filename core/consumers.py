"""Websocket consumers: the base every socket shares, and the generic one per workflow object.

Workflow apps subclass `ObjectConsumer` when they need more (negotiation's presence); routes are
built from the workflow registry in config/routing.py. Core imports no workflow app.

Rules (see docs/adr/0002-channel-layer.md):
- permission is checked in connect() BEFORE accept(), awaited (database_sync_to_async), with the
  same rules as the pages: the object must be in its workflow's scope for the user; the user must
  be active and hold a role. Anything else is refused (close before accept = HTTP 403).
- revocation is pushed, never polled (issue 14; core/realtime.py): every socket also joins `user.<pk>`;
  saving a User (role, organisation, active flag) or their Organisation sends `xs.recheck` there on
  commit (accounts/signals.py), and the socket re-checks at once and closes with 4403. The event of a
  write that changed a workflow object's state carries `recheck` (and `realtime.recheck_object` sends it
  alone): the sockets confirm the object is still in their scope before forwarding it, one query per kind
  of viewer (role, organisation, sysadmin, active) per process, shared by all its sockets
  (`shared_check`), since scopes depend on nothing else of the user (accounts/scoping.py). Any other
  event costs no query, however long the socket was idle: 200 sockets re-checking on the first event
  after 30 s of quiet was a 2.5 s p95 (bench/ws_bench.py). A revocation written without signals
  (`QuerySet.update()`, raw SQL) must call `realtime.recheck_users`. Events carry only ids and every
  re-fetch goes through the page's own permission check. A closed socket forwards nothing more, even
  messages already queued for it.
- messages to the browser are `{"event", "version", ...ids}`; the page re-fetches what changed.
"""
from __future__ import annotations

import asyncio
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import realtime

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
SHARED_CHECK_TTL = 30.0  # seconds a finished shared check stays answerable (late sockets of one request)

_shared: dict[tuple, asyncio.Future] = {}


async def shared_check(key: tuple, make) -> bool:
    """Run `make()` (a coroutine function returning bool) once per `key` in this process; every socket
    asking with the same key awaits the same answer. An error is a refusal (fail closed)."""
    fut = _shared.get(key)
    if fut is None or fut.get_loop() is not asyncio.get_running_loop():
        fut = asyncio.ensure_future(make())
        _shared[key] = fut

        def forget(_f, key=key, fut=fut):
            asyncio.get_running_loop().call_later(SHARED_CHECK_TTL, lambda: _shared.get(key) is fut and _shared.pop(key))

        fut.add_done_callback(forget)
    try:
        return bool(await asyncio.shield(fut))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("shared permission check %s failed: refusing", key)
        return False


def viewer_kind(user) -> tuple:
    """What a scope depends on (accounts.scoping.scope and the workflow selectors): two users with the
    same answer here see the same objects."""
    return (bool(user.is_active), bool(user.is_sysadmin), user.role or "", user.organisation_id)


def _user_may_connect(user) -> bool:
    """The same gate as `role_required()` without roles: active and holding a role (or sysadmin)."""
    return bool(user and user.is_active and (user.is_sysadmin or user.role))


@database_sync_to_async
def _fresh_user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("organisation", "organisation__region").filter(pk=pk).first()


class BaseConsumer(AsyncJsonWebsocketConsumer):
    user_pk = None
    closed = False
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
        """The full check, from the database: at connect and when this user's account changed."""
        user = await _fresh_user(self.user_pk)
        ok = bool(user) and _user_may_connect(user) and await self.is_allowed(user)
        self.user = user
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
        self.closed = True
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    async def close_forbidden(self):
        if self.closed:
            return
        await self.disconnect(CLOSE_FORBIDDEN)
        await self.close(code=CLOSE_FORBIDDEN)

    # -- messages from the channel layer -------------------------------------------------------
    async def xs_event(self, message):
        """Forward an event: no query, unless the write changed the object's state (`recheck`): then
        the object must still be in this socket's scope, checked once per kind of viewer."""
        if self.closed or message.get("group") not in self.forward_groups:
            return
        if message.get("recheck") and not await self.scope_still_allowed(message["group"], message["recheck"]):
            await self.close_forbidden()
            return
        await self.send_json({k: v for k, v in message.items() if k not in ("type", "recheck")})

    async def scope_still_allowed(self, group, rid) -> bool:
        user = self.user
        return await shared_check((rid, group, viewer_kind(user)), lambda: self.is_allowed(user))

    async def xs_recheck(self, message):
        if self.closed:
            return
        if message.get("scope"):
            group = message.get("group")
            ok = group not in self.forward_groups or await self.scope_still_allowed(group, message.get("rid"))
        else:
            ok = await self.check()
        if not ok:
            await self.close_forbidden()


class ObjectConsumer(BaseConsumer):
    """`/ws/<route>/<id>/` for any registered workflow object: its timeline events, for the people
    whose scope includes the object (checked before accept, re-checked when a recheck is pushed)."""

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
        if not self.closed and isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong"})


@database_sync_to_async
def _visible(kind, user, pk) -> bool:
    from . import workflow

    wf = workflow.for_group_kind(kind)
    if wf is None:  # fail closed
        return False
    return wf.visible(user).filter(pk=pk).exists()
