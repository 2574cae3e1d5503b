"""Background rendering: nobody waits on WeasyPrint in a request.

`dispatch(document_id)` runs a queued render (called on commit by documents.services) in one of three
ways, chosen by `render_mode()`:

- "celery": a Celery worker (a broker is configured: REDIS_URL);
- "thread": the embedded default (no broker, Celery eager): one in-process render thread with a queue,
  so a request returns at once and renders run one at a time (memory stays at one render's peak);
- "sync": inline, for tests and scripts that want the result at once (settings.DOCUMENTS_RENDER="sync").

settings.DOCUMENTS_RENDER picks one explicitly; unset, it is "sync" in a test environment, else "celery"
unless Celery runs eagerly, then "thread". A render whose row does not exist any more is skipped (documents.services.document_render).
"""
from __future__ import annotations

import logging
import queue
import threading

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)

MODES = ("sync", "thread", "celery")


@shared_task(name="documents.tasks.render_document_task", ignore_result=True, acks_late=True)
def render_document_task(document_id: int) -> None:
    from .services import document_render

    document_render(document_id=document_id)


def _in_test_environment() -> bool:
    from django.core import mail

    return hasattr(mail, "outbox")  # set by django.test.utils.setup_test_environment (Django's runner, pytest-django)


def render_mode() -> str:
    mode = getattr(settings, "DOCUMENTS_RENDER", "") or ""
    if mode in MODES:
        return mode
    if _in_test_environment():
        # Deterministic tests everywhere: a finalising change in another app's test renders inline instead of
        # leaving a thread writing to the test database while it is flushed (or a task in a broker nobody reads).
        return "sync"
    return "thread" if render_document_task.app.conf.task_always_eager else "celery"


class RenderThread:
    """One daemon thread rendering queued documents in order; started on first use (and again after a
    fork, where the parent's thread does not exist)."""

    def __init__(self):
        self._queue: queue.Queue[int] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, document_id: int) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="documents-render", daemon=True)
                self._thread.start()
        self._queue.put(document_id)

    def wait(self) -> None:
        """Block until every submitted render has finished (tests, benchmarks, shutdown)."""
        self._queue.join()

    def _run(self) -> None:
        from django.db import connections

        from .services import document_render

        while True:
            document_id = self._queue.get()
            try:
                document_render(document_id=document_id)
            except Exception:  # document_render records render errors; this is the database failing
                log.exception("documents: background render %s failed", document_id)
            finally:
                connections.close_all()  # this thread's connections only
                self._queue.task_done()


worker = RenderThread()


def dispatch(document_id: int) -> None:
    """Run the render of row `document_id` (already committed) as `render_mode()` says."""
    mode = render_mode()
    if mode == "thread":
        from django.db import connection

        # Called on commit, so normally outside any transaction. Inside one (a caller's outer atomic block,
        # or a test running on-commit callbacks early) another connection could not see the row yet:
        # render here instead.
        if connection.in_atomic_block:
            mode = "sync"
        else:
            worker.submit(document_id)
            return
    if mode == "sync":
        from .services import document_render

        document_render(document_id=document_id)
        return
    render_document_task.delay(document_id)
