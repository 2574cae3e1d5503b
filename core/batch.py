"""Many audited writes in one go: the sweeps' catch-up after a pause (issue 14).

A sweep finds what is due with one query per rule, then changes the rows through the one runner
(`core.runner`: locked, validated, audited, published) in batches of `BATCH` rows per transaction, so a
catch-up of thousands of rows is thousands of runner calls but only a few dozen commits.

`in_one_loop(fn)` runs `fn` in this thread while an event loop runs beside it. Everything published on
commit inside it (the runner's events, notifications) goes through `async_to_sync`, which then hands the
send to that one loop and its channel-layer connection, instead of starting a thread, an event loop and
a Redis connection for every message (measured: ~90 ms of a ~100 ms sweep change on Redis). The
messages and their order are unchanged.
"""
from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager
from itertools import islice
from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from asgiref.sync import SyncToAsync, async_to_sync, sync_to_async

T = TypeVar("T")
R = TypeVar("R")

BATCH = 200  # rows per transaction: short enough locks, few enough commits


def chunks(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """Lists of `size` items (default `BATCH`, read at each call)."""
    size = size or BATCH
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def in_batches(items: Iterable[T], write: Callable[[T], R | None],
               after: Callable[[list[R]], Any] | None = None, size: int | None = None, lock=None,
               key: Callable[[T], Any] | None = None, related: tuple[str, ...] = ()) -> int:
    """The sweeps' loop: `write(item)` for each item (the saved object, or None: nothing to do), `size` items
    per transaction (default `BATCH`), receivers' batchable work deferred to the end of each one
    (`deferring`), then `after(changed)` in the same transaction (one `notify_many` for the batch).

    `lock=<model>` (items are primary keys, or `key(item)` is): each batch's rows are locked with one
    SELECT … FOR UPDATE, in
    key order, and the runner's system writes (`actor=None`) take their row from there instead of locking
    it again one by one (`locked`); `related` are foreign keys read with them (what validation and the
    audit's label read per row). Returns how many were changed."""
    from django.db import transaction

    from . import realtime

    n = 0
    for chunk in chunks(items, size):
        with transaction.atomic(), realtime.outbox(), deferring():
            token = None
            if lock is not None:
                pks = [key(i) for i in chunk] if key is not None else chunk
                rows = (lock._default_manager.select_for_update(of=("self",)).select_related(*related)
                        .filter(pk__in=pks).order_by("pk"))
                token = _locked.set({(lock._meta.label_lower, o.pk): o for o in rows})
            try:
                changed = [obj for obj in map(write, chunk) if obj is not None]
            finally:
                if token is not None:
                    _locked.reset(token)
            if changed and after is not None:
                after(changed)
        n += len(changed)
    return n


_locked: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch_locked", default=None)


def holds(model, pk) -> bool:
    """Whether the current batch locked row `pk` of `model` and has not handed it out yet."""
    rows = _locked.get()
    try:
        return bool(rows) and (model._meta.label_lower, int(pk)) in rows
    except (TypeError, ValueError):
        return False


def locked(model, pk):
    """The row `pk` of `model` locked by the current batch (handed out once), or None."""
    rows = _locked.get()
    if not rows:
        return None
    return rows.pop((model._meta.label_lower, pk), None)


def in_one_loop(fn: Callable[..., R], *args, **kwargs) -> R:
    """`fn(*args, **kwargs)` in this thread (same database connection and transaction), with one event
    loop serving every `async_to_sync` call it makes. Inside a loop already (a sync_to_async thread),
    just calls `fn`."""
    # asgiref leaves the thread's last loop in its threadlocal after it closed: only a running one counts.
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is not None and loop.is_running():
        return fn(*args, **kwargs)
    return async_to_sync(sync_to_async(functools.partial(fn, *args, **kwargs), thread_sensitive=True))()


# --- work a receiver can do once for a whole batch ------------------------------------------------------
_pending: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch_pending", default=None)


@contextmanager
def deferring():
    """Inside one transaction, lets receivers of each write (`core.signals.object_changed`) put off work
    they can do for many objects at once (`defer`): it runs when the block ends without an error, still
    inside the transaction, once per key with every item deferred under it, keys in the order first used.
    On an error nothing deferred runs (the transaction rolls back anyway). Nested blocks join the outer
    one. Deferred work must be a recomputation from the database (so an item whose row a savepoint later
    rolled back is merely recomputed to what it was), or belong to a write that has no savepoint of its own
    (the runner's batched system writes: their audit events), whose failure rolls back the whole batch."""
    if _pending.get() is not None:
        yield
        return
    pending: dict[Hashable, tuple[Callable[[list], Any], list]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for flush, items in pending.values():  # after the reset: work done by a flush is not deferred again
        flush(items)


def defer(key: Hashable, item, flush: Callable[[list], Any]) -> bool:
    """Inside `deferring()`: add `item` under `key` (first `flush` given for the key is the one that runs
    with all its items) and return True. Outside: return False, and the caller does the work now."""
    pending = _pending.get()
    if pending is None:
        return False
    entry = pending.get(key)
    if entry is None:
        pending[key] = (flush, [item])
    else:
        entry[1].append(item)
    return True
