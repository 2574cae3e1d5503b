"""`notify` is how every workflow tells people something happened.

Rows are written inside the caller's transaction; the websocket push happens on commit, and so
does the email for deadline warnings (a Celery task: eager in the embedded default).

A notification is also emailed when the caller says so (`email=True`): the workflows do for their
deadline warnings (a period closing soon or passed, an urgent limitation), which people must not miss
when they are not looking at the service.
"""
from __future__ import annotations

import logging
from typing import Iterable

from django.db import transaction
from django.utils import timezone

from core import realtime

from .models import Notification

log = logging.getLogger(__name__)

def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", obj=None, email: bool = False
) -> list[Notification]:
    """One message to `recipients` (each active one once): rows now, the push and the email on commit."""
    from .bulk import Message, notify_many

    return notify_many([Message(recipients=recipients, kind=kind, title=title, body=body, url=url, obj=obj, email=email)])


def _queue_email(ids: list[int]) -> None:
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # broker down: the change is committed and the notification row is there
        log.exception("could not queue deadline-warning email for notifications %s", ids)


@transaction.atomic
def notification_mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when `notification_ids` is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    changed = qs.update(read_at=timezone.now())
    if changed:
        realtime.publish(realtime.group_for("user", actor.pk), "read", count=changed)
    return changed


def notification_mark_all_read(*, actor) -> int:
    return notification_mark_read(actor=actor, notification_ids=None)


@transaction.atomic
def notification_send_emails(*, notification_ids: Iterable[int]) -> int:
    """Email each notification once (rows already emailed or without an address are skipped)."""
    from django.conf import settings
    from django.core.mail import send_mail

    sent = 0
    rows = (
        Notification.objects.select_for_update()
        .select_related("recipient")
        .filter(pk__in=list(notification_ids), emailed_at__isnull=True)
    )
    for n in rows:
        if not n.recipient.email or not n.recipient.is_active:
            continue
        link = (settings.SITE_URL.rstrip("/") + n.url) if n.url.startswith("/") else n.url
        text = "\n\n".join(p for p in (n.title, n.body, link) if p)
        send_mail(subject=f"[协商] {n.title}", message=text, from_email=None, recipient_list=[n.recipient.email])
        n.emailed_at = timezone.now()
        n.save(update_fields=["emailed_at"])
        sent += 1
    return sent
