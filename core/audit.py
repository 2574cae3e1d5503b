"""The audit trail: one append-only table, written only through `record`."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from . import batch
from .middleware import current_request_id
from .models import AuditEvent

SYSTEM_LABEL = "system"


def record(
    *,
    actor,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    batched: bool = False,
) -> AuditEvent:
    """Append one event. `actor` None means the system (sweeps, timers).

    `batched`: the write is part of a sweep's batch that has no savepoint per row (core.runner, batched
    writes): the event is inserted with the batch's others in one statement when the batch ends, in the
    same transaction (a failure rolls back the batch, events included)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_label=(str(user) if user else SYSTEM_LABEL)[:120],
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data or {},
        request_id=current_request_id(),
    )
    if batched and batch.defer(("audit",), event, _insert_many):
        return event
    event.save()
    return event


def _insert_many(events: list) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=500)


def history(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
