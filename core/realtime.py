"""Publishing events to websocket groups, only after the transaction commits.

Messages carry ids and a version, never the data itself: the page re-fetches what changed, the
database stays the source of truth. Group names come from primary keys only.
"""
from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def group_for(kind: str, pk) -> str:
    return f"{kind}.{int(pk)}"


def send_now(group: str, event: str, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "xs.event", "event": event, **payload})
    except Exception:  # a realtime hiccup must never break a committed change
        log.exception("publish to %s failed", group)


def publish(group: str, event: str, **payload) -> None:
    transaction.on_commit(lambda: send_now(group, event, payload))
