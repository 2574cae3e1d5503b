"""`notify` is how every workflow tells people something happened.

Rows are written inside the caller's transaction; the websocket push happens on commit.
"""
from __future__ import annotations

from typing import Iterable

from core import realtime

from .models import Notification


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", obj=None) -> list[Notification]:
    label = obj._meta.label_lower if obj is not None else ""
    oid = str(obj.pk) if obj is not None else ""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url, object_label=label, object_id=oid)
        )
    created = Notification.objects.bulk_create(rows)
    for n in rows:
        realtime.publish(realtime.group_for("user", n.recipient_id), "notification", kind=kind, object=label, id=oid)
    return created
