"""`/ws/negotiations/<id>/`: the generic workflow socket plus presence and "the other side is editing term N"."""
from __future__ import annotations

import asyncio
import time

from django.core.cache import cache

from core import realtime
from core.consumers import ObjectConsumer

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



class NegotiationConsumer(ObjectConsumer):
    """`/ws/negotiations/<id>/`: timeline events, presence, "the other side is editing term N"."""

    kind = "negotiation"

    @property
    def negotiation_pk(self):
        return self.object_pk

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
        if self.closed or not isinstance(content, dict):
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
