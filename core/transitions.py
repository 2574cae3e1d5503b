"""One way to run a state transition, for every state machine in the service.

In order: lock the row → check the expected state (409 when someone else moved it) → check the
actor's permission (with a reason) → check the transition's conditions → call the FSM method (which
only changes fields in memory) → full_clean() and save → audit event → publish on commit.
"""
from __future__ import annotations

from typing import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from . import audit, realtime
from .permissions import Decision


from .runner import Conflict  # noqa: E402  (one Conflict for old and new callers)


def _state_label(obj, state: str) -> str:
    field = obj._meta.get_field("state")
    return str(dict(field.flatchoices).get(state, state))


def run_transition(
    *,
    model,
    pk,
    actor,
    name: str,
    queryset=None,
    expected_state: str | None = None,
    permission: Callable[[object, object], Decision] | None = None,
    kwargs: dict | None = None,
    reason: str = "",
    data: dict | None = None,
    groups: Iterable[str] = (),
    before_save: Callable[[object], None] | None = None,
):
    """Run transition `name` on `model` row `pk` as `actor` (None = system). Returns the saved object.

    `queryset` (the actor's visible rows) turns an invisible row into 404 rather than 403.
    `permission(actor, obj)` returns a Decision; the transition's own `permission=` is also checked.
    """
    with transaction.atomic():
        # Lock only the row itself: a scoped queryset may join nullable relations, and PostgreSQL
        # refuses FOR UPDATE on the nullable side of an outer join.
        qs = (queryset if queryset is not None else model.objects).select_for_update(of=("self",))
        try:
            obj = qs.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if expected_state is not None and obj.state != expected_state:
            raise Conflict(
                f"该记录的状态已由“{_state_label(obj, expected_state)}”变为“{_state_label(obj, obj.state)}”，"
                "请刷新页面后重试。"
            )
        method = getattr(obj, name)
        if actor is not None:
            if permission is not None:
                decision = permission(actor, obj)
                if not decision:
                    raise PermissionDenied(decision.reason or "您无权执行此操作。")
        if not can_proceed(method, check_conditions=False):
            raise ValidationError(f"当前状态“{_state_label(obj, obj.state)}”下不能执行此操作。", code="invalid_state")
        if not can_proceed(method):
            # django-fsm's has_transition_perm also fails on unmet conditions: name them as such.
            raise ValidationError(
                f"当前状态“{_state_label(obj, obj.state)}”下此操作的前提条件尚未满足。", code="condition_unmet"
            )
        if actor is not None and not has_transition_perm(method, actor):
            raise PermissionDenied("您的角色无权执行此操作。")
        from_state = obj.state
        method(**(kwargs or {}))
        if before_save:
            before_save(obj)
        # The FSM field is protected: the transition itself set it, validation must not touch it.
        obj.full_clean(exclude=["state"])
        try:
            obj.save()
        except ConcurrentTransition:
            raise Conflict() from None
        audit.record(
            actor=actor, action=name, obj=obj, from_state=from_state, to_state=obj.state, reason=reason, data=data
        )
        for group in groups:
            realtime.publish(group, "transition", id=obj.pk, state=obj.state, action=name)
    return obj
