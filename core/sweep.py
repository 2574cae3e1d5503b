"""Time-driven transitions. Apps register sweepers; `sweep_deadlines` (command and Celery task) runs them.

Each sweeper takes `now` and returns a dict of counts; it must be idempotent (safe every minute).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from django.utils import timezone

_sweepers: dict[str, Callable[[dt.datetime], dict]] = {}


def register(name: str, fn: Callable[[dt.datetime], dict]) -> None:
    _sweepers[name] = fn


def run_all(now: dt.datetime | None = None) -> dict[str, dict]:
    now = now or timezone.now()
    return {name: fn(now) for name, fn in sorted(_sweepers.items())}
