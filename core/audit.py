"""The audit trail: one append-only table, written only through `record`."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

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
) -> AuditEvent:
    """Append one event. `actor` None means the system (sweeps, timers)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
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


def history(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
