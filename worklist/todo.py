"""工作台 as a to-do list: for one person, every item that waits for them, most urgent first.

Derived from the workflow registry: for each registered workflow, the rows the actor may see
(`Workflow.visible`, the same scope as each object's page), narrowed to those that can hold work, then
for each row the actions possible in its state (`Action.is_available`) that this actor's rule allows now
(`Action.check`: the rule the buttons, the API and the runner use). Options that are always there
(withdraw, edit, …) are not work and are skipped (worklist.specs). The due date is the one running in the
object's state, with the explanation computed when it was set and the article of its DeadlineRule.

Queries: one per workflow (plus its declared prefetches), one for the DeadlineRule sources; never one per
item. Candidates per workflow are capped (`LIMIT`), most urgent first, so a very large scope stays bounded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core import workflow as registry

from .specs import Due, Spec, specs

LIMIT = 200  # candidate rows per workflow


@dataclass
class Task:
    name: str
    label: str
    url: str


@dataclass
class Item:
    workflow: str
    object_id: int
    title: str
    state: str
    state_label: str
    url: str
    tasks: list[Task]
    due: dt.date | None = None
    due_what: str = ""
    explanation: str = ""
    rule: str = ""
    article: str = ""
    days_left: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue else 0

    @property
    def due_today(self) -> bool:
        return self.days_left == 0

    @property
    def urgent(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 3

    @property
    def label(self) -> str:
        return self.tasks[0].label if self.tasks else ""


def _sources(rule_ids: set[str]) -> dict[str, str]:
    if not rule_ids:
        return {}
    from core.models import DeadlineRule

    return dict(DeadlineRule.objects.filter(pk__in=rule_ids).values_list("id", "source"))


def _rows(wf: registry.Workflow, spec: Spec, actor, today: dt.date, limit: int = LIMIT) -> list:
    qs = spec.candidates(wf.visible(actor), actor, today)
    if spec.select_related:
        qs = qs.select_related(*spec.select_related)
    if spec.prefetch:
        qs = qs.prefetch_related(*spec.prefetch)
    return list(qs.order_by(*spec.order)[:limit])


def _action_urls(wf: registry.Workflow) -> dict[str, tuple[str, str]]:
    """Each action's page URL split around the object id: reversed once per list, not once per item."""
    out = {}
    for a in wf.actions.values():
        url = reverse("core:workflow-action", args=[wf.name, 1, a.name])
        head, _, tail = url.rpartition(f"/1/{a.name}/")
        out[a.name] = (head + "/", f"/{a.name}/" + tail)
    return out


def _tasks(wf: registry.Workflow, spec: Spec, actor, obj, urls, memo) -> list[Task]:
    out = []
    for a in wf.actions.values():
        if a.name in spec.skip or not a.page:
            continue
        key = (a.name, obj.state)
        possible = memo.get(key)
        if possible is None:  # the FSM sources depend on the state alone: asked once per state
            possible = memo[key] = a.is_available_in_state(obj)
        if not possible or not a.when(obj) or not a.check(actor, obj):
            continue
        head, tail = urls[a.name]
        label = memo.get(a.name) or memo.setdefault(a.name, str(a.label))
        out.append(Task(a.name, label, f"{head}{obj.pk}{tail}"))
    for name, label, url in spec.extra(actor, obj):
        out.append(Task(name, str(label), url))
    return out


class Items(list):
    """The items, and whether a workflow had more candidates than were read (`truncated`)."""

    truncated = False


def items_for(actor, *, today: dt.date | None = None, limit: int = LIMIT) -> Items:
    """Everything waiting for `actor`, most urgent first (overdue, then by due date; undated last).

    `limit` bounds the candidate rows read per workflow (most urgent first): the page asks for a few more
    than it shows, so the landing page costs the same whatever the scope holds; the API reads `LIMIT`."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.role:
        return Items()
    if actor.is_sysadmin:
        return Items()  # administrators keep the system, they are not a party to any workflow's work
    today = today or timezone.localdate()
    table = specs()
    found: list[tuple[Item, Due | None]] = []
    truncated = False
    for wf in registry.all_workflows():
        spec = table.get(wf.name)
        if spec is None or (spec.roles is not None and actor.role not in spec.roles):
            continue
        urls = _action_urls(wf)
        labels = {}
        memo: dict = {}
        rows = _rows(wf, spec, actor, today, limit)
        truncated = truncated or len(rows) >= limit
        for obj in rows:
            if not spec.mine(actor, obj):
                continue
            tasks = _tasks(wf, spec, actor, obj, urls, memo)
            if not tasks:
                continue
            due = spec.due(obj)
            found.append((Item(
                workflow=wf.name, object_id=obj.pk, title=str(obj), state=obj.state,
                state_label=labels.setdefault(obj.state, wf.state_label(obj.state)),
                url=wf.detail_url(obj), tasks=tasks,
            ), due))
    sources = _sources({d.rule for _, d in found if d is not None and d.rule})
    items = Items()
    items.truncated = truncated
    for item, due in found:
        if due is not None and due.on:
            item.due = due.on
            item.due_what = str(due.what)
            item.explanation = due.explanation or ""
            item.rule = due.rule
            item.article = sources.get(due.rule, "") or str(due.article or "")
            item.days_left = (due.on - today).days
        items.append(item)
    items.sort(key=lambda i: (i.due is None, i.due or dt.date.max, i.workflow, -i.object_id))
    return items
