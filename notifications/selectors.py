"""Reads for the notification centre: always the actor's own rows."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notifications_for(actor) -> QuerySet:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=actor)


def unread_count(user_or_pk) -> int:
    pk = getattr(user_or_pk, "pk", user_or_pk)
    if pk is None:
        return 0
    return Notification.objects.filter(recipient_id=pk, read_at__isnull=True).count()
