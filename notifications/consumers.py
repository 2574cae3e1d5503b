"""`/ws/notifications/`: the user's own notification events."""
from __future__ import annotations

from channels.db import database_sync_to_async

from core import realtime
from core.consumers import BaseConsumer


@database_sync_to_async
def _unread_count(user_pk) -> int:
    from .selectors import unread_count

    return unread_count(user_pk)


class UserConsumer(BaseConsumer):
    """`/ws/notifications/`: the user's own notification events; unread count on connect."""

    def groups_for(self):
        return (realtime.group_for("user", self.user_pk),)

    async def is_allowed(self, user) -> bool:
        return True

    async def after_accept(self):
        await self.send_json({"event": "hello", "unread": await _unread_count(self.user_pk), "version": realtime.next_version()})

    async def receive_json(self, content, **kwargs):
        if not self.closed and isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong"})


