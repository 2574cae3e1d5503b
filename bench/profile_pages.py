"""Where a page's time goes: in-process timings, query counts and a cProfile of the list/detail pages,
on a throw-away PostgreSQL database built as bench/http_bench.py builds it (issue 14).

    .venv/bin/python bench/profile_pages.py [--rows 1000] [--runs 30] [--profile "neg list (union)"] [--top 30]

Prints per page: queries, wall and CPU (this process: Python, not PostgreSQL) milliseconds, median and
min over --runs (Django's test client, no HTTP server),
and the SQL of each page's queries with `--sql`; with --profile LABEL, the cProfile of that page (top
functions by own time and by cumulative time).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from http_load import drop_database, make_database  # noqa: E402


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when the output goes to a file
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--profile", default="")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sql", action="store_true")
    ap.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's queries")
    ap.add_argument("--pages", default="", help="comma-separated labels to run (default: all)")
    args = ap.parse_args()
    admin = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"xs_prof_{os.getpid()}"
    make_database(name, admin)
    os.environ.update(DATABASE_URL=admin.rsplit("/", 1)[0] + "/" + name, DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.pop("REDIS_URL", None)
    try:
        import http_bench

        info = http_bench.setup()
        http_bench.grow(args.rows)
        http_bench.pick_case(info)
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.ALLOWED_HOSTS = ["*"]
        pages = [
            ("empty (/accounts/me/)", "/accounts/me/", "negotiator"),
            ("工作台 (/home/)", "/home/", "negotiator"),
            ("neg list (union)", "/negotiations/", "negotiator"),
            ("neg list (region)", "/negotiations/", "staff_hohhot"),
            ("neg list ?state", "/negotiations/?state=proposed", "staff_nm"),
            ("neg detail", f"/negotiations/{info['negotiation']}/", "negotiator"),
            ("neg live", f"/negotiations/{info['negotiation']}/live/", "negotiator"),
            ("disputes (region)", "/disputes/", "staff_hohhot"),
            ("disputes ?due", "/disputes/?due_within=30", "staff_nm"),
            ("disputes (employer)", "/disputes/", "employer"),
            ("dispute detail", f"/disputes/{info['case']}/", "staff_hohhot"),
        ]
        if args.pages:
            pages = [p for p in pages if p[0] in args.pages.split(",")]
        print(f"PostgreSQL ({name}), {args.rows} negotiations and dispute cases; {args.runs} runs per page")
        for label, path, who in pages:
            c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            c.cookies["sessionid"] = info["cookies"][who]
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
            times, cpu = [], []
            for _ in range(args.runs):
                t, p = time.perf_counter(), time.process_time()
                c.get(path)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - p) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                c.get(path)
            print(f"{label:<20} {len(ctx.captured_queries):>3} queries  wall median {statistics.median(times):6.1f} min {min(times):6.1f}  "
                  f"this process's CPU median {statistics.median(cpu):6.1f} min {min(cpu):6.1f} ms  {path}")
            if args.sql or args.explain:
                for q in ctx.captured_queries:
                    print(f"    {q['time']}s  {q['sql'][:300]}")
                    if args.explain and q["sql"].lstrip().upper().startswith("SELECT") and "django_session" not in q["sql"]:
                        with connection.cursor() as cur:
                            cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + q["sql"])
                            for (line,) in cur.fetchall():
                                print("        " + line)
            if args.profile and args.profile == label:
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(args.runs):
                    c.get(path)
                prof.disable()
                for key in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
                    print(out.getvalue())
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(name, admin)


if __name__ == "__main__":
    main()
