"""Celery tasks owned by core. Eager in the embedded default (no REDIS_URL), Redis otherwise.

Global limits live in settings (CELERY_TASK_TIME_LIMIT / SOFT_TIME_LIMIT, WORKER_MAX_MEMORY_PER_CHILD);
the sweep has tighter ones: it runs every minute, so one run must never outlast the next.
"""
from celery import shared_task

from . import sweep


@shared_task(
    name="core.tasks.sweep_deadlines_task",
    ignore_result=True,
    soft_time_limit=45,
    time_limit=55,
    expires=55,  # a sweep queued while no worker ran is pointless a minute later: the next one covers it
)
def sweep_deadlines_task():
    return sweep.run_all()


@shared_task(name="core.tasks.ping", soft_time_limit=5, time_limit=10)
def ping():
    """A worker answers "pong" (health checks, the real-worker test)."""
    return "pong"
