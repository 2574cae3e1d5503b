"""Publishing events to websocket groups, only after the transaction commits.

Messages carry ids and a version, never the data itself: the page re-fetches what changed, the
database stays the source of truth. Group names come from primary keys only.

Every message sent to a group is `{"type": "xs.event", "group": ..., "event": ..., "version": ..., "ts": ..., **ids}`:
- `version` increases with every message this process sends (milliseconds since the epoch, made
  strictly increasing), so a page can ignore an event older than what it last fetched;
- `ts` is the wall-clock send time (seconds, float), used by bench/ws_bench.py.

Revocation is pushed, never polled (issue 14): a socket checks its permission when it connects and
again only when told, so an event costs no query however long the socket was idle.
- `recheck_user(pk)` / `recheck_users(pks)`: every socket of these users re-checks now (role removed,
  account deactivated, moved to another organisation, their organisation changed); accounts/signals.py
  calls them on User and Organisation saves. A bulk `QuerySet.update()` on users sends no signal: its
  caller calls `recheck_users`.
- a state change of a workflow object (object_changed below: a legal-aid case declined by a firm leaves
  that firm's scope) marks the runner's event for it with `recheck`; `recheck_object(obj)` sends the
  same check alone, for a service that moves an object's scope by an edit. The sockets re-check that
  the object is still in their scope before forwarding anything more, with one query per kind of
  viewer (role, organisation) per process, not one per socket.
All are sent on commit; a user's recheck goes before the runner's event of the same transaction, so a
socket that loses access is closed before that event reaches it.
"""
from __future__ import annotations

import contextvars
import logging
import threading
from contextlib import contextmanager
import time
import uuid

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
    _send(group, _message(group, event, payload))


def _message(group: str, event: str, payload: dict) -> dict:
    return {"version": next_version(), **payload, "type": EVENT_TYPE, "group": group, "event": event, "ts": time.time()}


# A runner write (and a sweep's whole batch, core.batch.in_batches) collects its events in an outbox and
# sends them together after the commit from one coroutine: one hop to the event loop, not one per message.
_outbox = contextvars.ContextVar("realtime_outbox", default=None)


@contextmanager
def outbox():
    """Inside one transaction: events published in the block are sent after the commit as one batch, in
    the order published. Each still joins its own savepoint's on-commit list, so an event of a write a
    savepoint rolled back is dropped exactly as it would be alone."""
    if _outbox.get() is not None:
        yield
        return
    box: list = []
    token = _outbox.set(box)
    try:
        yield
    finally:
        _outbox.reset(token)
    transaction.on_commit(lambda: send_many(box))  # registered last: runs after every message joined the box


def send_many(messages: list) -> None:
    """Send (group, message) pairs from one coroutine: in order within each group, the groups concurrently
    (their round trips to the channel layer overlap). Only `publish` events come here: user re-checks,
    whose order against events matters, are sent on their own (`recheck_users`)."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    by_group: dict[str, list] = {}
    for group, message in messages:
        by_group.setdefault(group, []).append(message)

    async def send_group(group, items):
        for message in items:
            try:
                await layer.group_send(group, message)
            except Exception:  # a realtime hiccup must never break a committed change
                log.exception("publish to %s failed", group)

    async def send_all():
        import asyncio

        # The objects' own groups first (the pages someone is looking at), then people's notification groups.
        objects = [item for item in by_group.items() if not item[0].startswith("user.")]
        people = [item for item in by_group.items() if item[0].startswith("user.")]
        for groups in (objects, people):
            for i in range(0, len(groups), 100):  # a bounded number in flight
                await asyncio.gather(*(send_group(g, items) for g, items in groups[i:i + 100]))

    async_to_sync(send_all)()


def publish(group: str, event: str, **payload) -> None:
    """Send `event` with `payload` (ids only) to `group` once the current transaction commits.

    When the same write changed the object's state (`_object_changed`, just before), the event itself
    carries `recheck`: the sockets confirm the object is still in their scope before forwarding it, so
    a socket that lost it is closed without seeing it, at no extra message."""
    if _take_scope_change(group):
        payload = {**payload, "recheck": uuid.uuid4().hex}
    box = _outbox.get()
    if box is not None:
        transaction.on_commit(lambda: box.append((group, _message(group, event, payload))))
        return
    transaction.on_commit(lambda: send_now(group, event, payload))


def _on_commit_once(tag, fn) -> None:
    """`transaction.on_commit(fn)` unless a callback with the same tag is already pending in this
    transaction (two receivers of one save, a service saving a user twice): one message, not two.
    A pending callback is only dropped by rolling back a savepoint the later call was inside too."""
    from django.db import connection

    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            if getattr(entry[1], "xs_tag", None) == tag:
                return
    fn.xs_tag = tag
    transaction.on_commit(fn)


def send_recheck_users(user_pks) -> None:
    """Now (not on commit): tell every socket of these users to re-check."""
    for pk in dict.fromkeys(int(p) for p in user_pks):
        _send(group_for("user", pk), {"type": RECHECK_TYPE})


def recheck_user(user_pk) -> None:
    """On commit, make every open socket of this user re-check its permission (and close if refused)."""
    recheck_users([user_pk])


def recheck_users(user_pks) -> None:
    """On commit, make every open socket of these users re-check (and close if refused)."""
    for pk in dict.fromkeys(int(p) for p in user_pks):
        _on_commit_once(("user", pk), lambda pk=pk: send_recheck_users([pk]))


def recheck_group(group: str) -> None:
    """On commit, make the sockets subscribed to `group` (a workflow object's) re-check that the object
    is still in their scope. `rid` identifies this one request: a process's sockets share one check per
    kind of viewer."""
    _on_commit_once(("group", group), lambda: _send(group, {"type": RECHECK_TYPE, "group": group, "scope": True,
                                                             "rid": uuid.uuid4().hex}))


def recheck_object(obj) -> None:
    from . import workflow

    wf = workflow.for_model(obj)
    if wf is not None:
        recheck_group(wf.group(obj))


_scope_changes = threading.local()


def _take_scope_change(group: str) -> bool:
    pending = getattr(_scope_changes, "groups", None)
    if pending and group in pending:
        pending.discard(group)
        return True
    return False


def _object_changed(sender, obj, from_state=None, to_state=None, **kwargs) -> None:
    """A state change may take a workflow object out of someone's scope (a case leaves a firm, a lawyer's
    disclosed states): the runner's event for this write, published right after this signal in the same
    thread, carries `recheck`. An edit that keeps the state changes no scope today; a service whose
    edit does calls `recheck_object`."""
    if from_state == to_state:
        return
    from . import workflow

    wf = workflow.for_model(obj)
    if wf is not None and wf.state_narrows_scope:
        if getattr(_scope_changes, "groups", None) is None:
            _scope_changes.groups = set()
        _scope_changes.groups.add(wf.group(obj))


def _connect() -> None:
    from . import signals

    signals.object_changed.connect(_object_changed, dispatch_uid="core.realtime.object_scope", weak=False)


_connect()
