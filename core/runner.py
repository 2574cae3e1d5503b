"""The one runner for every write to a workflow object: state transitions and field edits alike.

In order, inside one transaction:

    lock the row → scope (404: the actor may not see it) → expected state / version (409: someone
    else moved it) → the action's rule (403 with the reason) → the transition is possible here (400,
    naming the state) and its conditions hold → the FSM method or the edit (fields in memory) →
    `full_clean()` → save (a concurrent transition is 409) → audit event → publish on commit.

Scope and rule come from the workflow registry (`core.workflow`): callers name the model and the
action, never a queryset or a permission function, so a service called from anywhere refuses a wrong
actor exactly as the page and the API do. `actor=None` is the system (sweeps, timers): no scope and
no rule, but still locked, validated, audited and published.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Any, Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from . import audit, batch, realtime, signals
from . import workflow as registry


class Conflict(Exception):
    """Someone else changed the object first (or the form was already submitted). HTTP 409; nothing written."""

    def __init__(self, message: str | None = None):
        message = message or _("该记录已被他人更新，请刷新页面后重试。")
        super().__init__(message)
        self.message = message


def _workflow(model) -> registry.Workflow:
    wf = registry.for_model(model)
    if wf is None:  # a programming error, not a user's
        raise RuntimeError(f"{model._meta.label} is not a registered workflow model")
    return wf


def _lock(wf: registry.Workflow, pk, actor):
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    # A sweep's batch locked its rows with one statement (core.batch.in_batches(lock=…)): the system's
    # write takes its row from there.
    obj = batch.locked(wf.model, pk) if actor is None else None
    if obj is not None:
        obj._runner_loaded = _values(obj)
        return obj
    # Lock only the row itself (FOR UPDATE OF self), then check the scope: a scope may join nullable
    # relations, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    obj = wf.model._default_manager.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None or (actor is not None and not wf.visible(actor).filter(pk=pk).exists()):
        raise Http404
    obj._runner_loaded = _values(obj)
    return obj


def _values(obj) -> dict:
    # Copies of mutable values (JSON dicts and lists): a change made in place must show as a change.
    return {f.attname: (copy.deepcopy(v) if isinstance(v, (dict, list)) else v)
            for f in obj._meta.concrete_fields if not f.generated for v in (getattr(obj, f.attname),)}


def _unchanged(obj) -> list[str]:
    """Fields whose value is the one read under the lock: `full_clean` skips them (a foreign key's check
    is a query; what was valid when stored stays valid), so validation costs what the write changed."""
    loaded = getattr(obj, "_runner_loaded", None)
    if loaded is None:
        return []
    return [f.name for f in obj._meta.concrete_fields
            if not f.generated and f.attname in loaded and getattr(obj, f.attname) == loaded[f.attname]]


def _changed(obj) -> list[str] | None:
    """The fields the write changed (None: unknown, the object was not read by the runner)."""
    if getattr(obj, "_runner_loaded", None) is None:
        return None
    same = set(_unchanged(obj))
    return [f.name for f in obj._meta.concrete_fields if not f.generated and not f.primary_key and f.name not in same]


@contextlib.contextmanager
def _events():
    """Every event one write publishes (its own, and the notifications its receivers send) leaves after
    the commit together (realtime.outbox: the object's group first, the groups concurrently), instead of
    one after another: a suspension telling 200 people made the page's own event wait behind 200 sends."""
    with realtime.outbox():
        yield


def _unit(wf, pk, actor):
    """The transaction of one write. Normally a savepoint of its own (inside a caller's transaction), so
    a refusal rolls back only this write. The system's write of a row a sweep's batch locked
    (core.batch.in_batches(lock=…)) runs in the batch's transaction instead: every check comes before the
    first statement (`_finish(batched=True)`), so a refusal has written nothing, and the savepoint's two
    round trips per row are saved."""
    if actor is None and batch.holds(wf.model, pk):
        return contextlib.nullcontext(True)
    return _atomic_unit()


@contextlib.contextmanager
def _atomic_unit():
    with transaction.atomic():
        yield False


def _expect(wf, obj, expected_state, expected_version) -> None:
    if expected_state not in (None, "") and obj.state != expected_state:
        raise Conflict(
            _("该记录的状态已由“%(a)s”变为“%(b)s”，请刷新页面后重试。")
            % {"a": wf.state_label(expected_state), "b": wf.state_label(obj.state)}
        )
    if expected_version not in (None, "") and hasattr(obj, "version") and int(obj.version) != int(expected_version):
        raise Conflict(
            _("该记录已被他人更新（版本 %(a)s → %(b)s），请刷新页面后重试。") % {"a": expected_version, "b": obj.version}
        )


def _rule(action: registry.Action | None, actor, obj, name: str) -> None:
    if actor is None:
        return
    if action is None:
        raise PermissionDenied(_("此操作只能由系统按期限自动执行。"))
    decision = action.check(actor, obj)
    if not decision:
        raise PermissionDenied(decision.reason or _("您无权执行此操作。"))


def _finish(wf, obj, *, actor, name, from_state, reason, data, event, update_fields=None, batched=False):
    if hasattr(obj, "version"):
        obj.version += 1
    # The FSM field is protected: only the transition sets it, validation must not touch it. Fields the
    # write left as they were are not validated again (model-wide clean() still runs).
    obj.full_clean(exclude=sorted({"state", *_unchanged(obj)}))
    if batched:
        # Everything above may refuse (nothing written yet); from here on a failure is not a refusal: it
        # runs in an atomic block without a savepoint, so any error marks the batch's transaction for
        # rollback rather than leaving half a write. Only the changed columns are written.
        with transaction.atomic(savepoint=False):
            return _write(wf, obj, actor=actor, name=name, from_state=from_state, reason=reason, data=data,
                          event=event, update_fields=update_fields if update_fields is not None else _changed(obj),
                          batched=True)
    return _write(wf, obj, actor=actor, name=name, from_state=from_state, reason=reason, data=data, event=event,
                  update_fields=update_fields)


def _write(wf, obj, *, actor, name, from_state, reason, data, event, update_fields, batched=False):
    try:
        if update_fields is not None:
            fields = set(update_fields) | ({"version"} if hasattr(obj, "version") else set())
            if any(f.name == "updated_at" for f in obj._meta.fields):
                fields.add("updated_at")
            obj.save(update_fields=sorted(fields))
        else:
            obj.save()
    except ConcurrentTransition:
        raise Conflict() from None
    audit.record(actor=actor, action=name, obj=obj, from_state=from_state, to_state=obj.state if obj.state != from_state else "",
                 reason=reason, data=data, batched=batched)
    signals.object_changed.send(sender=type(obj), obj=obj, action=name, from_state=from_state, to_state=obj.state, actor=actor)
    payload = {"id": obj.pk, "state": obj.state, "action": name}
    if hasattr(obj, "version"):
        payload["version"] = obj.version
    realtime.publish(wf.group(obj), event, **payload)
    return obj


def run_transition(
    *,
    model,
    pk,
    actor,
    name: str,
    action: str | None = None,
    expected_state: str | None = None,
    expected_version: int | None = None,
    kwargs: dict | None = None,
    reason: str = "",
    data: dict | None = None,
    before_save: Callable[[Any], None] | None = None,
    submission_key: str | None = None,
):
    """Run FSM transition `name` on row `pk` as `actor` (None = the system). Returns the saved object.

    `action` names the registered Action whose rule applies (default: the action declaring `name`).
    """
    wf = _workflow(model)
    act = wf.action(action) if action else wf.action_for_transition(name)
    with _unit(wf, pk, actor) as batched, _events():
        obj = _lock(wf, pk, actor)
        _expect(wf, obj, expected_state, expected_version)
        _rule(act, actor, obj, name)
        method = getattr(obj, name)
        if not can_proceed(method, check_conditions=False):
            raise ValidationError(
                _("当前状态“%(s)s”下不能执行此操作。") % {"s": wf.state_label(obj.state)}, code="invalid_state"
            )
        if not can_proceed(method):
            raise ValidationError(
                _("当前状态“%(s)s”下此操作的前提条件尚未满足。") % {"s": wf.state_label(obj.state)}, code="condition_unmet"
            )
        claim(submission_key)
        from_state = obj.state
        method(**(kwargs or {}))
        if before_save:
            before_save(obj)
        _finish(wf, obj, actor=actor, name=name, from_state=from_state, reason=reason, data=data, event="transition",
                batched=batched)
        store(submission_key, obj)
    return obj


def run_edit(
    *,
    model,
    pk,
    actor,
    action: str,
    change: Callable[[Any], dict | None],
    expected_state: str | None = None,
    expected_version: int | None = None,
    reason: str = "",
    update_fields: list[str] | None = None,
    submission_key: str | None = None,
):
    """A change that is not a state transition (an edit, a flag, a side's signature): same lock, scope,
    rule, validation, audit and publish as a transition. `change(obj)` sets fields in memory (it may raise
    ValidationError, or write child rows) and returns the audit data. `update_fields` limits the save to
    what changed (sweeps setting a flag must not overwrite a concurrent edit)."""
    wf = _workflow(model)
    act = wf.actions.get(action)
    with _unit(wf, pk, actor) as batched, _events():
        obj = _lock(wf, pk, actor)
        _expect(wf, obj, expected_state, expected_version)
        _rule(act, actor, obj, action)
        if act is not None and not act.is_available(obj):
            raise ValidationError(
                _("当前状态“%(s)s”下不能执行此操作。") % {"s": wf.state_label(obj.state)}, code="invalid_state"
            )
        claim(submission_key)
        from_state = obj.state
        data = change(obj)
        _finish(wf, obj, actor=actor, name=action, from_state=from_state, reason=reason, data=data, event="changed",
                update_fields=update_fields, batched=batched)
        store(submission_key, obj)
    return obj


def lock_for(model, pk, actor, *, action: str | None = None):
    """Lock and return a workflow object for a service that writes child rows (a comment, an evidence
    file, a work-log entry): scope (404) and, when `action` is given, its rule (403) and availability.
    Call inside the service's transaction; finish with `record_edit`."""
    wf = _workflow(model)
    obj = _lock(wf, pk, actor)
    if action is not None:
        act = wf.actions.get(action)
        _rule(act, actor, obj, action)
        if act is not None and not act.is_available(obj):
            raise ValidationError(
                _("当前状态“%(s)s”下不能执行此操作。") % {"s": wf.state_label(obj.state)}, code="invalid_state"
            )
    return obj


def record_edit(obj, *, actor, action: str, data: dict | None = None, reason: str = "") -> None:
    """After a locked service wrote child rows: bump the version, audit, publish (same transaction)."""
    wf = _workflow(type(obj))
    fields = ["version"] if hasattr(obj, "version") else []
    with _events():
        _finish(wf, obj, actor=actor, name=action, from_state=obj.state, reason=reason, data=data, event="changed",
                update_fields=fields)


# --- double submits --------------------------------------------------------------------------------
def seen(key: str | None):
    """The object a form's one-time key already created, or None."""
    if not key:
        return None
    from .models import SubmissionKey

    row = SubmissionKey.objects.filter(key=key).first()
    if row is None:
        return None
    from django.apps import apps

    model = apps.get_model(row.object_label)
    return model._default_manager.filter(pk=row.object_id).first()


def claim(key: str | None) -> None:
    if key and seen(key) is not None:
        raise Conflict(_("该表单已提交过，请勿重复提交。"))


def store(key: str | None, obj) -> None:
    if not key:
        return
    from .models import SubmissionKey

    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key, object_label=obj._meta.label_lower, object_id=str(obj.pk))
    except IntegrityError:
        raise Conflict(_("该表单已提交过，请勿重复提交。")) from None
