"""One workflow mechanism for every main object (negotiation, dispute case, legal-aid case).

A workflow app declares, once, in its own `workflow.py`:

- a `Workflow`: the model, the scope selector (`<things>_visible_to(actor)`), the realtime group kind,
  the keyword its services take the object by, the detail page, labels for audit events that are not
  user actions (creations, sweeps), and what its states mean (open, closed, …) for cross-workflow
  readers such as the overview;
- an `Action` per operation a person can ask for: name, human label, the FSM transition(s) it performs
  (or none for a field edit), the rule that says whether this actor may do it now *with a reason*, its
  one input form, the service it calls, and whom it notifies.

and calls `register(workflow)` from its AppConfig.ready(). Core never imports a workflow app: pages,
API actions, buttons, the timeline, history, websocket routes and the transition runner all read this
registry, so they cannot disagree with each other. See docs/adr/0004-workflow-mechanism.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from django.db.models import Model, QuerySet
from django.http import Http404
from django_fsm import can_proceed

from .permissions import Decision

Rule = Callable[[Any, Any], Decision]


def _always(obj) -> bool:
    return True


@dataclass(frozen=True)
class Action:
    """One operation on a workflow object.

    - `name`: snake_case; the audit action, the page URL segment and (with dashes) the API path;
    - `label`: translatable, shown on buttons, in flash messages and on the timeline;
    - `transitions`: the FSM method(s) this action may run (e.g. a vote → `vote_pass` or `vote_fail`);
      empty for an edit that changes fields without changing the state;
    - `rule(actor, obj) -> Decision`: who may do it (side, role, organisation), with the reason shown on a
      disabled button and in the 403; checked again by the runner inside the transaction;
    - `when(obj) -> bool`: extra availability beyond the FSM sources (e.g. "not yet extended");
    - `form`: the one input (a Django form; the API serializer is derived from it). Forms may take
      `actor=` and `obj=` keyword arguments to scope their choices;
    - `service(**{workflow.object_kw: obj}, actor=actor, **cleaned_data)`: the write;
    - `notifies`: whom the service tells (documentation, checked by the registry test);
    - `audit_names`: the audit action names a successful run writes (defaults to the transitions, or
      the name for an edit), so the timeline labels every one of them;
    - `roles`: the roles that can ever take it (sysadmins aside). A page shows its button to these
      roles only: a disabled button with the rule's reason is for someone who could act but not now,
      not for a role that never can (union staff and a firm's "accept"). Empty: every role sees it.
    """

    name: str
    label: Any
    rule: Rule
    service: Callable[..., Any]
    transitions: tuple[str, ...] = ()
    form: type | None = None
    when: Callable[[Any], bool] = _always
    notifies: str = ""
    audit_names: tuple[str, ...] = ()
    danger: bool = False
    api: bool = True
    page: bool = True
    api_status: int = 200  # 201 for an action that creates a child row (a work-log entry, a round)
    roles: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def writes(self) -> tuple[str, ...]:
        return self.audit_names or self.transitions or (self.name,)

    @property
    def has_input(self) -> bool:
        if self.form is None:
            return False
        return any(n != "expected_state" for n in self.form.base_fields)

    def is_available(self, obj) -> bool:
        """Possible in the object's current state (FSM sources and `when`), regardless of who asks."""
        return self.is_available_in_state(obj) and bool(self.when(obj))

    def is_available_in_state(self, obj) -> bool:
        """One of the transitions leaves the object's state (FSM sources only; no `when`, no conditions).
        Depends on the state alone: a list may ask it once per state."""
        if not self.transitions:
            return True
        for t in self.transitions:
            method = getattr(obj, t, None)
            if method is not None and can_proceed(method, check_conditions=False):
                return True
        return False

    def offered_to(self, actor) -> bool:
        """Whether `actor`'s role can ever take this action (its button is shown, maybe disabled)."""
        if not self.roles or actor is None or getattr(actor, "is_sysadmin", False):
            return True
        return getattr(actor, "role", "") in self.roles

    def check(self, actor, obj) -> Decision:
        if actor is None:  # the system (sweeps, timers)
            return Decision.allow()
        return self.rule(actor, obj)


@dataclass
class Workflow:
    name: str
    model: type[Model]
    scope: Callable[[Any], QuerySet]
    object_kw: str
    detail_url: Callable[[Any], str]
    group_kind: str = ""
    actions: dict[str, Action] = field(default_factory=dict)
    event_labels: dict[str, Any] = field(default_factory=dict)
    state_groups: dict[str, frozenset] = field(default_factory=dict)
    consumer: Any = None  # a core.consumers.ObjectConsumer subclass; defaults to the generic one
    route: str = ""  # websocket path segment: /ws/<route>/<id>/ (default: the name plus "s")
    list_url: Callable[[], str] | None = None  # where to go when an action made the object invisible to its actor
    # Whether a change of state can take the object out of someone's scope (a legal-aid case a firm declined
    # leaves the firm). When it can, the event of every state change makes open sockets re-check their scope
    # first (a query per kind of viewer); a workflow whose scope a state change never narrows says False
    # (checked by tests/realtime/test_scope_narrowing.py).
    state_narrows_scope: bool = True

    def __post_init__(self):
        self.group_kind = self.group_kind or self.name
        self.route = self.route or f"{self.name}s"

    # -- registry of actions -------------------------------------------------------------------
    def add(self, *actions: Action) -> "Workflow":
        for a in actions:
            if a.name in self.actions:
                raise ValueError(f"{self.name}: action {a.name} declared twice")
            self.actions[a.name] = a
        return self

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise Http404(f"unknown action {name}") from None

    def action_for_transition(self, transition: str) -> Action | None:
        for a in self.actions.values():
            if transition in a.transitions:
                return a
        return None

    # -- objects -------------------------------------------------------------------------------
    def visible(self, actor) -> QuerySet:
        if actor is None:
            return self.model._default_manager.all()
        return self.scope(actor)

    def get(self, actor, pk):
        """The object through the actor's scope; anything not visible (or a malformed id) is 404."""
        try:
            return self.visible(actor).get(pk=int(pk))
        except (self.model.DoesNotExist, ValueError, TypeError, OverflowError):
            raise Http404 from None

    def group(self, obj_or_pk) -> str:
        pk = getattr(obj_or_pk, "pk", obj_or_pk)
        return f"{self.group_kind}.{int(pk)}"

    # -- labels --------------------------------------------------------------------------------
    def state_label(self, state: str) -> str:
        try:
            f = self.model._meta.get_field("state")
        except Exception:  # pragma: no cover - every workflow model has a state
            return state
        return str(dict(f.flatchoices).get(state, state)) if state else ""

    def event_label(self, name: str) -> str:
        if name in self.event_labels:
            return str(self.event_labels[name])
        for a in self.actions.values():
            if name == a.name or name in a.writes:
                return str(a.label)
        return common_event_label(name)

    def labelled(self, events: Iterable) -> list:
        out = []
        for e in events:
            e.label = self.event_label(e.action)
            e.from_label = self.state_label(e.from_state)
            e.to_label = self.state_label(e.to_state)
            out.append(e)
        return out

    def states_in(self, group: str) -> frozenset:
        return self.state_groups.get(group, frozenset())

    # -- buttons -------------------------------------------------------------------------------
    def buttons(self, actor, obj) -> list["Button"]:
        """Every action possible in the object's state that the actor's role can ever take, enabled or
        disabled with the reason."""
        out = []
        for a in self.actions.values():
            if not a.page or not a.is_available(obj) or not a.offered_to(actor):
                continue
            d = a.check(actor, obj)
            out.append(Button(action=a, ok=bool(d), reason=d.reason, workflow=self, obj=obj))
        return out


@dataclass
class Button:
    action: Action
    ok: bool
    reason: str
    workflow: Workflow
    obj: Any

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self):
        return self.action.label

    @property
    def simple(self) -> bool:
        return not self.action.has_input

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("core:workflow-action", args=[self.workflow.name, self.obj.pk, self.action.name])


# Audit actions written by core itself or common to every workflow.
from django.utils.translation import gettext_lazy as _  # noqa: E402

_COMMON_EVENT_LABELS = {
    "view_personal_data": _("查看个人信息"),
    "document_render": _("生成文书"),
    "document_download": _("下载文书"),
}

_extra_labels: dict[str, Any] = {}


def label_events(labels: dict[str, Any]) -> None:
    """Labels for audit actions of objects that are not workflow objects (a consultation, a firm profile)."""
    _extra_labels.update(labels)


def common_event_label(name: str) -> str:
    return str(_extra_labels.get(name) or _COMMON_EVENT_LABELS.get(name, name))


_registry: dict[str, Workflow] = {}
_by_model: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    from . import visibility

    _registry[workflow.name] = workflow
    _by_model[workflow.model._meta.label_lower] = workflow
    visibility.register(workflow.model, workflow.scope)
    return workflow


def get(name: str) -> Workflow:
    try:
        return _registry[name]
    except KeyError:
        raise Http404(f"unknown workflow {name}") from None


def for_model(model_or_obj) -> Workflow | None:
    meta = getattr(model_or_obj, "_meta", None)
    if meta is None:
        return None
    return _by_model.get(meta.label_lower)


def all_workflows() -> list[Workflow]:
    return list(_registry.values())


def for_group_kind(kind: str) -> Workflow | None:
    for wf in _registry.values():
        if wf.group_kind == kind:
            return wf
    return None
