"""Shared by the benchmarks: Django on a throw-away SQLite database and media folder (the dev database
and the shared PostgreSQL are never touched), and a page timer that also counts queries."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(prefix: str) -> tempfile.TemporaryDirectory:
    """Point settings at a fresh temporary SQLite file and media folder, then django.setup().
    Keep the returned directory object alive for the run (it is removed when collected)."""
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(Path(tmp.name) / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(Path(tmp.name) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return tmp


def measure(client, url: str, runs: int) -> tuple[int, float]:
    """(queries of the last run, median milliseconds) for GET `url`, which must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times)
