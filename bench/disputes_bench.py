"""Dispute list and sweep at scale: query counts and timings for the region list, the filters and the sweep.

    .venv/bin/python bench/disputes_bench.py [--cases 5000] [--runs 5]

Builds its data in a throw-away SQLite database and MEDIA_ROOT (the dev database is never touched).
Prints, per page/filter: queries and median milliseconds over --runs, for the province staff (all cases)
and a league's staff; then one sweep over all cases (and a second, idempotent one).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _throwaway import measure, setup_django  # noqa: E402

TMP = setup_django("disputes-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


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




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    users = build(args.cases)
    print(f"built {args.cases} cases in {time.perf_counter() - t:.1f}s (SQLite)")
    urls = ["/disputes/", "/disputes/?page=20", "/disputes/?due_within=7", "/disputes/?overdue=on",
            "/disputes/?kind=wage_arrears&collective=1", "/disputes/?state=mediation", "/api/v1/disputes/?due_within=30"]
    for who in ("staff_nm", "staff_hohhot", "employer"):
        c = Client()
        c.force_login(users[who])
        for url in urls:
            q, ms = measure(c, url, args.runs)
            print(f"{who:<13} {url:<45} {q:>3} queries  {ms:7.1f} ms")
    from disputes.services import sweep

    now = timezone.now()
    for label in ("sweep 1", "sweep 2 (idempotent)"):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            counts = sweep(now)
            ms = (time.perf_counter() - t) * 1000
        print(f"{label:<21} {ms:8.0f} ms {len(ctx.captured_queries):>6} queries {counts}")


if __name__ == "__main__":
    main()
