"""`notify_many`: the one writer of notifications (`notify` is one message through it; the sweeps'
catch-up sends many, issue 14).

One INSERT for all rows, a realtime event per recipient and one email task per `EMAIL_CHUNK` notifications to
be emailed (a task sends each mail on its own connection and has a time limit), both on commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.db import transaction

from core import realtime

from . import services
from .models import Notification

EMAIL_CHUNK = 50


@dataclass
class Message:
    """What one `notify(recipients=…, kind=…, title=…, body=…, url=…, obj=…, email=…)` call would send."""

    recipients: Iterable
    kind: str
    title: str
    body: str = ""
    url: str = ""
    obj: object = None
    email: bool = False
    rows: list = field(default_factory=list, repr=False)


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    messages = list(messages)
    rows: list[Notification] = []
    for m in messages:
        label = m.obj._meta.label_lower if m.obj is not None else ""
        oid = str(m.obj.pk) if m.obj is not None else ""
        seen: set[int] = set()
        for user in m.recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            n = Notification(recipient=user, kind=m.kind, title=m.title[:200], body=m.body, url=m.url,
                             object_label=label, object_id=oid)
            m.rows.append(n)
            rows.append(n)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    # One event per recipient (their page re-fetches its unread count): a sweep's batch that tells one
    # member of staff about 40 cases sends them one message, not 40. It names the latest and the count.
    latest: dict[int, tuple[Notification, int]] = {}
    for n in created:
        latest[n.recipient_id] = (n, latest.get(n.recipient_id, (None, 0))[1] + 1)
    for recipient_id, (n, count) in latest.items():
        realtime.publish(realtime.group_for("user", recipient_id), "notification", kind=n.kind, object=n.object_label,
                         id=n.object_id, notification=n.pk, count=count)
    ids = [n.pk for m in messages if m.email for n in m.rows if n.pk is not None]
    for i in range(0, len(ids), EMAIL_CHUNK):
        chunk = ids[i:i + EMAIL_CHUNK]
        transaction.on_commit(lambda chunk=chunk: services._queue_email(chunk))
    return created
