"""Dispute list and sweep at scale: query counts and timings for the region list, the filters and the sweep.

    .venv/bin/python bench/disputes_bench.py [--cases 5000] [--runs 5] [--due 5000] [--pg [URL]]

Builds its data in a throw-away database and MEDIA_ROOT (the dev database is never touched): SQLite by
default; with --pg, a fresh PostgreSQL database `xs_disputes_bench` on that server (default
postgres://postgres@127.0.0.1:5432), dropped at the end. REDIS_URL, when set, is the channel layer the
sweep publishes to (as in production); without it, the in-memory layer.

Prints, per page/filter: queries and median milliseconds over --runs, for the province staff (all cases)
and a league's staff; then one sweep over those cases (and a second, idempotent one); then the catch-up:
--due items owed a sweep change (a fifth each: mediation period over, appeal window over, a final award's
set-aside window over, an overdue flag, a due-soon warning) among as many that are not due, swept twice.
Queries are counted with a connection execute_wrapper (connection.queries stops at 9,000). Every figure
carries the load average (other people share the machine).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ap = argparse.ArgumentParser()
ap.add_argument("--cases", type=int, default=5000, help="cases for the pages (0: skip the pages)")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--due", type=int, default=5000, help="due items for the sweep's catch-up (0: skip)")
ap.add_argument("--pg", nargs="?", const="postgres://postgres@127.0.0.1:5432", default=None,
                help="run on a throw-away PostgreSQL database on this server")
args = ap.parse_args()

PG_DB = os.environ.get("BENCH_PG_DB", "xs_disputes_bench")
if args.pg:
    import psycopg

    def _admin(sql):
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as c:
            c.execute(sql)

    _admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{PG_DB}"')
    import tempfile

    TMP = tempfile.TemporaryDirectory(prefix="disputes-bench-")
    os.environ["DATABASE_URL"] = f"{args.pg}/{PG_DB}"
    os.environ["DB_POOL"] = "0"
    os.environ["MEDIA_ROOT"] = str(Path(TMP.name) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from _throwaway import measure  # noqa: E402
else:
    from _throwaway import measure, setup_django  # noqa: E402

    TMP = setup_django("disputes-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

DB = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


class Counter:
    """Every statement the connection executes (no cap, unlike connection.queries)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def build(n: int) -> dict:
    from accounts import demo
    from accounts.models import Organisation
    from disputes.models import ClaimKind, DisputeCase, DisputeClaim, DisputeWorker, State

    base = demo.seed()
    staff = base["users"]["staff_nm"]
    employers = list(Organisation.objects.filter(kind="employer"))
    today = timezone.localdate()
    kinds = [k for k, _ in ClaimKind.choices]
    cases = []
    for i in range(n):
        e = employers[i % len(employers)]
        due = today + dt.timedelta(days=(i % 400) - 30)
        mediating = i % 10 == 0  # a tenth in mediation, its period just over (the sweep's catch-up work)
        cases.append(DisputeCase(
            state=State.MEDIATION if mediating else State.FILED,
            mediation_due=today - dt.timedelta(days=1) if mediating else None,
            reference=f"B{i:06d}", title=f"基准案件{i}", employer=e, region=e.region, is_collective=i % 7 == 0,
            representative="代表" if i % 7 == 0 else "", facts="基准", known_on=today - dt.timedelta(days=300),
            filed_on=today, limitation_due=due, next_due=due, created_by=staff,
            limitation_explanation="基准数据",
        ))
    DisputeCase.objects.bulk_create(cases, batch_size=1000)
    ids = list(DisputeCase.objects.values_list("pk", flat=True))
    DisputeClaim.objects.bulk_create([DisputeClaim(case_id=pk, kind=kinds[pk % len(kinds)], amount=Decimal("1000")) for pk in ids], batch_size=2000)
    DisputeWorker.objects.bulk_create([DisputeWorker(case_id=pk, name="职工") for pk in ids], batch_size=2000)
    return base["users"]


def build_due(n: int) -> None:
    """n cases the sweep owes a change (five kinds, a fifth each) and n it owes nothing."""
    from accounts.models import Organisation, User
    from disputes.models import DisputeCase, State

    staff = User.objects.get(username="staff_nm")
    employers = list(Organisation.objects.filter(kind="employer"))
    today = timezone.localdate()
    past, later = today - dt.timedelta(days=3), today + dt.timedelta(days=90)
    rows = []
    for i in range(2 * n):
        e = employers[i % len(employers)]
        due = i < n
        kind = i % 5
        kw = dict(reference=f"D{i:06d}", title=f"追赶案件{i}", employer=e, region=e.region, facts="基准",
                  known_on=today - dt.timedelta(days=300), filed_on=today - dt.timedelta(days=200),
                  limitation_due=today + dt.timedelta(days=65), limitation_explanation="基准数据", created_by=staff)
        if kind == 0:  # mediation period over (art. 14) → mediation failed
            d = past if due else later
            kw.update(state=State.MEDIATION, mediation_applied_on=today - dt.timedelta(days=20), mediation_due=d, next_due=d)
        elif kind == 1:  # appeal window over (art. 50) → effective
            d = past if due else later
            kw.update(state=State.AWARDED, award_received_on=today - dt.timedelta(days=20), award_final=False,
                      appeal_due=d, next_due=d)
        elif kind == 2:  # a final award's 30 days to apply to set it aside over (art. 49)
            d = past if due else later
            kw.update(state=State.EFFECTIVE, award_received_on=today - dt.timedelta(days=40), award_final=True,
                      effective_on=today - dt.timedelta(days=20), set_aside_due=d, next_due=d)
        elif kind == 3:  # the limitation date passed: overdue flag
            d = past if due else later
            kw.update(state=State.FILED, limitation_due=d, next_due=d)
        else:  # the limitation date within its 30 days' lead: one warning
            d = today + dt.timedelta(days=10) if due else later
            kw.update(state=State.FILED, limitation_due=d, next_due=d)
        rows.append(DisputeCase(**kw))
    DisputeCase.objects.bulk_create(rows, batch_size=1000)


def run_sweep(label: str, now) -> None:
    from disputes.services import sweep

    c = Counter()
    with connection.execute_wrapper(c):
        t, cpu = time.perf_counter(), time.process_time()
        counts = sweep(now)
        ms, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000
    # cpu: this process's own CPU time (threads included), less sensitive to other people's load than wall time
    print(f"{label:<34} {ms:8.0f} ms (cpu {cpu:6.0f} ms) {c.n:>7} queries  {load()}  {counts}", flush=True)


def main():
    call_command("migrate", verbosity=0)
    channel = "Redis" if os.environ.get("REDIS_URL") else "in-memory"
    print(f"{DB}, channel layer {channel}, {load()}")
    now = timezone.now()
    if args.cases:
        t = time.perf_counter()
        users = build(args.cases)
        print(f"built {args.cases} cases in {time.perf_counter() - t:.1f}s ({DB})")
        urls = ["/disputes/", "/disputes/?page=20", "/disputes/?due_within=7", "/disputes/?overdue=on",
                "/disputes/?kind=wage_arrears&collective=1", "/disputes/?state=mediation", "/api/v1/disputes/?due_within=30"]
        for who in ("staff_nm", "staff_hohhot", "employer"):
            c = Client()
            c.force_login(users[who])
            for url in urls:
                q, ms = measure(c, url, args.runs)
                print(f"{who:<13} {url:<45} {q:>3} queries  {ms:7.1f} ms  {load()}")
        run_sweep("sweep 1", now)
        run_sweep("sweep 2 (idempotent)", now)
    if args.due:
        if not args.cases:
            from accounts import demo

            demo.seed()
        build_due(args.due)
        run_sweep(f"sweep catching up {args.due} due items", now)
        run_sweep("again (idempotent)", now)


if __name__ == "__main__":
    try:
        main()
    finally:
        if args.pg:
            connection.close()
            _admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
