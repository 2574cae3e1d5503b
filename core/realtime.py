"""Publishing events to websocket groups, only after the transaction commits.

Messages carry ids and a version, never the data itself: the page re-fetches what changed, the
database stays the source of truth. Group names come from primary keys only.

Every message sent to a group is `{"type": "xs.event", "group": ..., "event": ..., "version": ..., "ts": ..., **ids}`:
- `version` increases with every message this process sends (milliseconds since the epoch, made
  strictly increasing), so a page can ignore an event older than what it last fetched;
- `ts` is the wall-clock send time (seconds, float), used by bench/ws_bench.py.

`recheck_user(pk)` tells every socket of one user to re-check its permission now (role removed,
account deactivated); consumers close when the check fails.
"""
from __future__ import annotations

import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

EVENT_TYPE = "xs.event"
RECHECK_TYPE = "xs.recheck"

_version_lock = threading.Lock()
_last_version = 0


def next_version() -> int:
    """A strictly increasing number per process, close to the epoch in milliseconds."""
    global _last_version
    with _version_lock:
        _last_version = max(_last_version + 1, int(time.time() * 1000))
        return _last_version


def group_for(kind: str, pk) -> str:
    return f"{kind}.{int(pk)}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a realtime hiccup must never break a committed change
        log.exception("publish to %s failed", group)


def send_now(group: str, event: str, payload: dict) -> None:
    message = {"version": next_version(), **payload, "type": EVENT_TYPE, "group": group, "event": event, "ts": time.time()}
    _send(group, message)


def publish(group: str, event: str, **payload) -> None:
    """Send `event` with `payload` (ids only) to `group` once the current transaction commits."""
    transaction.on_commit(lambda: send_now(group, event, payload))


def recheck_user(user_pk) -> None:
    """On commit, make every open socket of this user re-check its permission (and close if refused)."""
    group = group_for("user", user_pk)
    transaction.on_commit(lambda: _send(group, {"type": RECHECK_TYPE}))

