"""Celery: eager in the embedded default; a real worker against the real Redis when REDIS_URL is set."""
import threading
import uuid

import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app
from core import sweep
from core.tasks import ping, sweep_deadlines_task


@pytest.fixture
def recording_sweeper():
    calls = []
    done = threading.Event()

    def fn(now):
        calls.append(now)
        done.set()
        return {"seen": 1}

    sweep.register("zz_test_recorder", fn)
    yield calls, done
    sweep._sweepers.pop("zz_test_recorder", None)


def test_beat_runs_the_sweep_every_minute_with_limits():
    entry = app.conf.beat_schedule["sweep-deadlines"]
    assert entry["task"] == "core.tasks.sweep_deadlines_task" and entry["schedule"] == 60.0
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.worker_max_memory_per_child
    # one sweep never outlasts the next tick
    assert sweep_deadlines_task.time_limit < 60 and sweep_deadlines_task.soft_time_limit < sweep_deadlines_task.time_limit


@pytest.mark.django_db
def test_sweep_task_runs_every_registered_sweeper(recording_sweeper):
    calls, _ = recording_sweeper
    result = sweep_deadlines_task.apply().get()
    assert result["zz_test_recorder"] == {"seen": 1} and len(calls) == 1


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="eager mode is the embedded default (no REDIS_URL)")
@pytest.mark.django_db
def test_embedded_default_runs_tasks_eagerly_in_process(recording_sweeper):
    assert app.conf.task_always_eager
    calls, _ = recording_sweeper
    sweep_deadlines_task.delay()
    assert len(calls) == 1
    assert ping.delay().get() == "pong"


@pytest.fixture
def real_worker():
    """A real worker thread on its own queue of the real Redis (other runs may share the database)."""
    from celery.contrib.testing.worker import start_worker

    queue = f"xs-test-{uuid.uuid4().hex[:8]}"
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = old_queue


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs the real Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_tasks_from_redis(real_worker, recording_sweeper, world):
    from django.core import mail

    from notifications.models import Notification
    from notifications.services import notify

    assert not app.conf.task_always_eager
    assert ping.delay().get(timeout=20) == "pong"

    calls, done = recording_sweeper
    sweep_deadlines_task.delay()
    assert done.wait(20), "the worker did not run the sweep"

    # a deadline warning committed by a service is emailed by the worker, once
    neg = world.users.negotiator_a
    neg.email = "neg@example.com"
    neg.save()
    with transaction.atomic():
        (n,) = notify(recipients=[neg], kind="deadline_approaching", title="应约期限即将届满", email=True)
    for _ in range(200):
        if Notification.objects.filter(pk=n.pk, emailed_at__isnull=False).exists():
            break
        threading.Event().wait(0.1)
    assert Notification.objects.get(pk=n.pk).emailed_at is not None
    assert any("应约期限即将届满" in m.subject for m in mail.outbox)
