"""Legal-aid routing benchmark: 10,000 approved applications routed across 50 partner firms.

    .venv/bin/python bench/routing_bench.py [--cases 10000] [--firms 50] [--seed 7]

Builds its data in a throw-away SQLite database (SQLITE_PATH in a temp dir, migrated here), so the dev
database (and any shared PostgreSQL) is never touched. Firms serve 1–3 leagues (a few the whole region),
cover random subsets of the art. 31 matters, have capacities 150–350, and 5 % hold an open engagement for
some employer (conflict). Each application is routed with the real service (`legal.services.route`:
load candidates → pure choice → run_transition → RoutingAttempt → notify), one transaction per case.

Prints: time per routing decision (mean, median, p95, max) for the whole service and for the pure choice
alone, queries per decision, and the resulting load spread (max/min load ratio over firms that
received cases, and over all firms).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _throwaway import setup_django  # noqa: E402

TMP = setup_django("routing-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--firms", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)

    call_command("migrate", verbosity=0)
    from accounts.models import Organisation, Region
    from core.validators import id_check_char, uscc_check_char
    from legal import routing, services
    from legal.models import FirmEngagement, FirmProfile, LegalAidCase, Matter

    province = Region.objects.get(code="150000")
    leagues = list(Region.objects.filter(level=2))
    counties = list(Region.objects.filter(level=3)) or leagues
    employers = Organisation.objects.bulk_create(
        Organisation(kind="employer", name=f"基准企业{i}", region=rnd.choice(counties),
                     credit_code=(lambda b: b + uscc_check_char(b))(f"91150100MA{i:07d}"))
        for i in range(200)
    )
    firms = Organisation.objects.bulk_create(
        Organisation(kind="law_firm", name=f"基准律所{i}", region=rnd.choice(leagues)) for i in range(args.firms)
    )
    matters = list(Matter.values)
    profiles = FirmProfile.objects.bulk_create(
        FirmProfile(organisation=f, capacity=rnd.randint(150, 350),
                    matters=sorted(set(rnd.sample(matters, rnd.randint(2, len(matters)))) | {"pay"}))
        for f in firms
    )
    through = FirmProfile.regions.through
    links = []
    for i, p in enumerate(profiles):
        served = [province] if i % 10 == 0 else rnd.sample(leagues, rnd.randint(1, 3))
        links += [through(firmprofile_id=p.pk, region_id=r.pk) for r in served]
    through.objects.bulk_create(links)
    FirmEngagement.objects.bulk_create(
        FirmEngagement(firm=f, employer=rnd.choice(employers), description="基准") for f in rnd.sample(firms, max(1, args.firms // 20))
    )

    def idn(i):
        body = f"15010519900101{i % 1000:03d}"
        return body + id_check_char(body)

    weights = [0.5, 0.2, 0.15, 0.1, 0.05]
    LegalAidCase.objects.bulk_create(
        LegalAidCase(
            number=f"FYB{i:07d}", state="approved", applicant_name="基准申请人", id_number=idn(i), phone="13800000000",
            applicant_region=rnd.choice(counties), opposing_employer=rnd.choice(employers),
            matter=rnd.choices(matters, weights=weights[: len(matters)])[0], facts="-", claims="-",
        )
        for i in range(args.cases)
    )
    ids = list(LegalAidCase.objects.order_by("pk").values_list("pk", flat=True))
    print(f"data: {len(ids)} approved cases, {len(firms)} firms (total capacity {sum(p.capacity for p in profiles)}), "
          f"{len(counties)} county regions, {len(employers)} employers")

    # Pure choice alone, on a snapshot of the inputs (no writes).
    sample = LegalAidCase.objects.select_related("applicant_region").get(pk=ids[0])
    info, firm_infos = routing.load_candidates(sample)
    t = time.perf_counter()
    for _ in range(2000):
        routing.choose_firm(info, firm_infos)
    pure_us = (time.perf_counter() - t) / 2000 * 1e6

    from django.conf import settings

    settings.DEBUG = True  # count queries
    times, queries = [], []
    for pk in ids:
        reset_queries()
        t = time.perf_counter()
        services.route(case=pk, actor=None)
        times.append(time.perf_counter() - t)
        queries.append(len(connection.queries))
    settings.DEBUG = False

    from django.db.models import Count, Q

    states = dict(LegalAidCase.objects.values_list("state").annotate(n=Count("pk")))

    loads = FirmProfile.objects.annotate(
        open=Count("organisation__legal_aid_cases", filter=Q(organisation__legal_aid_cases__state="offered"))
    ).values_list("organisation__name", "open", "capacity")
    ratios = [(o / c, n, o, c) for n, o, c in loads]
    used = [r for r in ratios if r[2] > 0]
    ms = [x * 1000 for x in times]
    print(f"routed: {states}")
    print(f"time per routing decision (full service, SQLite): mean {statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms, "
          f"p95 {pct(ms, 95):.2f} ms, max {max(ms):.2f} ms; total {sum(times):.1f} s")
    print(f"queries per decision: median {statistics.median(queries):.0f}, max {max(queries)}")
    print(f"pure choice only (50 firms, inputs in memory): {pure_us:.1f} µs per decision")
    hi, lo = max(used), min(used)
    print(f"load ratio over firms with cases ({len(used)}): max {hi[0]:.3f} ({hi[1]} {hi[2]}/{hi[3]}), "
          f"min {lo[0]:.3f} ({lo[1]} {lo[2]}/{lo[3]}), max/min {hi[0] / lo[0]:.2f}")
    all_lo = min(ratios)
    print(f"over all {len(ratios)} firms: min {all_lo[0]:.3f}" + (f", max/min {hi[0] / all_lo[0]:.2f}" if all_lo[0] else
                                                                   " (a firm got no case: its regions/matters had no demand left)"))
    print(f"unroutable (no qualified firm): {states.get('approved', 0)}")


if __name__ == "__main__":
    main()
