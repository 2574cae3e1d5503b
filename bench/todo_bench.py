"""The 工作台 to-do list at data size: queries and milliseconds of worklist.todo.items_for, the home page and
GET /api/v1/todo/ per role, on a throw-away PostgreSQL database built as bench/http_bench.py builds it (the
demo plus N bench negotiations and N dispute cases).

    .venv/bin/python bench/todo_bench.py [--rows 1000,10000] [--runs 15]

Prints per role and size: items found, queries, median and min wall milliseconds (Django's test client, no
HTTP server), and the load average beside each figure (other people share the machine).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from http_load import drop_database, make_database  # noqa: E402

ROLES = ["negotiator", "employer", "staff_hohhot", "staff_nm"]


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def measure(fn, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return result, queries, statistics.median(times), min(times)


def main():
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000,10000")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"xs_todo_{os.getpid()}"
    make_database(name, admin)
    os.environ.update(DATABASE_URL=admin.rsplit("/", 1)[0] + "/" + name, DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.pop("REDIS_URL", None)
    try:
        import http_bench

        http_bench.setup()
        from django.contrib.auth import get_user_model
        from django.test import Client

        from worklist.todo import items_for

        User = get_user_model()
        print(f"{'rows':>6} {'who':<13} {'what':<9} {'items':>5} {'queries':>7} {'median ms':>9} {'min ms':>7}  load")
        for rows in [int(x) for x in args.rows.split(",")]:
            http_bench.grow(rows)
            for who in ROLES:
                user = User.objects.get(username=who)
                c = Client()
                c.force_login(user)

                def todo():
                    return len(items_for(User.objects.get(pk=user.pk)))

                n, q, med, mn = measure(todo, args.runs)
                print(f"{rows:>6} {who:<13} {'items_for':<9} {n:>5} {q:>7} {med:>9.1f} {mn:>7.1f}  {load_avg()}")
                for label, url in (("home", "/home/"), ("api", "/api/v1/todo/")):
                    r, q, med, mn = measure(lambda: c.get(url), args.runs)
                    assert r.status_code == 200, (url, r.status_code)
                    print(f"{rows:>6} {who:<13} {label:<9} {'':>5} {q:>7} {med:>9.1f} {mn:>7.1f}  {load_avg()}")
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(name, admin)


if __name__ == "__main__":
    main()
