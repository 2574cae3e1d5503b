"""Registry: for each model whose history or documents can be opened by id, who may see which rows.

Apps register `(model, visible_to)` in their AppConfig.ready(); generic views (audit history,
documents) look the object up through the registered queryset, so they can never show a row the
app's own pages would hide.
"""
from __future__ import annotations

from typing import Callable

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404

_registry: dict[str, Callable[[object], QuerySet]] = {}


def register(model: type[Model], visible_to: Callable[[object], QuerySet]) -> None:
    _registry[model._meta.label_lower] = visible_to


def visible_queryset(label: str, actor) -> QuerySet:
    try:
        return _registry[label.lower()](actor)
    except KeyError:
        raise Http404("unknown object type") from None


def get_visible(label: str, pk, actor):
    qs = visible_queryset(label, actor)
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def registered_labels() -> list[str]:
    return sorted(_registry)


def model_for(label: str):
    return apps.get_model(label)
