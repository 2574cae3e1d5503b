"""Legal-aid routing benchmark: N approved applications routed across 50 partner firms (issue 14).

    .venv/bin/python bench/routing_bench.py [--cases 10000] [--firms 50] [--seed 7] [--db postgres|sqlite] [--uniform]

`--db postgres` (default) creates a throw-away database on PostgreSQL at 127.0.0.1:5432 (user postgres; env
BENCH_PG_URL to change) and drops it afterwards; `--db sqlite` uses a temporary SQLite file. The dev database
and the shared test databases are never touched. Firms serve 1–3 leagues (every tenth the whole region),
cover random subsets of the art. 31 matters (always pay), have capacities 150–350, and 5 % hold an open
engagement for some employer (conflict). `--uniform`: every firm serves the whole region and every matter
(data where capacity allows an even spread). Each application is routed with the real service
(`legal.services.route`: load candidates → pure choice → run_transition → RoutingAttempt → notify), one
transaction per case.

Prints, with the load average beside the timings: time per routing decision (mean, median, p95, max; and
the median of the first and the last tenth, to show whether it grows with the number of open cases),
queries per decision, the pure choice alone, the resulting load spread (max/min load ratio over firms that
received cases and over all firms), and why each unroutable case found no firm.

Before/after: run this same file from an export of an older commit (`git archive <rev> | tar -x -C DIR`,
copy this file into DIR/bench/), it only uses services.route, routing.load_candidates and the models.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ap = argparse.ArgumentParser()
ap.add_argument("--cases", type=int, default=10_000)
ap.add_argument("--firms", type=int, default=50)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
ap.add_argument("--uniform", action="store_true", help="every firm serves the whole region and every matter")
ap.add_argument("--open", type=int, default=0,
                help="cases already open (offered) before the run, spread over the firms by capacity: "
                     "'--open 10000 --cases 500' times 500 decisions at 10,000 open cases without routing them all")
ap.add_argument("--simulate", action="store_true",
                help="route in memory with the pure choice only (same data, same rules, no writes): fast, for the "
                     "load spread and the reasons a case found no firm at 10,000 cases and beyond")
ARGS = ap.parse_args()

PG_DB = None
TMP = tempfile.TemporaryDirectory(prefix="routing-bench-")
os.environ["MEDIA_ROOT"] = str(Path(TMP.name) / "media")
if ARGS.db == "postgres":
    import psycopg

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    PG_DB = f"routing_bench_{os.getpid()}"
    with psycopg.connect(base + "/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{PG_DB}"')
    os.environ["DATABASE_URL"] = f"{base}/{PG_DB}"
    os.environ["DB_POOL"] = "0"
else:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(Path(TMP.name) / "bench.sqlite3")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def drop_pg():
    if PG_DB:
        import psycopg

        connection.close()
        with psycopg.connect(os.environ["BENCH_PG_URL"] + "/postgres" if "BENCH_PG_URL" in os.environ
                             else "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')


def load():
    return "load avg %.2f %.2f %.2f" % os.getloadavg()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    args = ARGS
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
                    matters=matters if args.uniform else sorted(set(rnd.sample(matters, rnd.randint(2, len(matters)))) | {"pay"}))
        for f in firms
    )
    through = FirmProfile.regions.through
    links = []
    for i, p in enumerate(profiles):
        served = [province] if i % 10 == 0 or args.uniform else rnd.sample(leagues, rnd.randint(1, 3))
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
    if args.open:
        # already-open cases, each firm holding the same share of its capacity (so the run still finds room)
        total_cap = sum(p.capacity for p in profiles)
        share = [(p.organisation_id, args.open * p.capacity // total_cap) for p in profiles]
        share[0] = (share[0][0], share[0][1] + args.open - sum(n for _f, n in share))
        open_rows, k = [], 0
        for firm_id, n in share:
            for _ in range(n):
                open_rows.append(LegalAidCase(
                    number=f"FYO{k:07d}", state="offered", assigned_firm_id=firm_id, applicant_name="基准申请人",
                    id_number=idn(k), phone="13800000000", applicant_region=rnd.choice(counties),
                    opposing_employer=rnd.choice(employers), matter="pay", facts="-", claims="-"))
                k += 1
        LegalAidCase.objects.bulk_create(open_rows, batch_size=2000)
        try:  # the counters (after issue 14); an older version counts the cases at each decision
            from legal.services.load import recount_firm_loads
        except ImportError:
            pass
        else:
            recount_firm_loads()
    print(f"data ({connection.vendor}{', uniform' if args.uniform else ''}): {len(ids)} approved cases, {args.open} already open, {len(firms)} firms "
          f"(total capacity {sum(p.capacity for p in profiles)}), {len(counties)} county regions, {len(employers)} employers")

    # Pure choice alone, on a snapshot of the inputs (no writes).
    sample = LegalAidCase.objects.select_related("applicant_region").get(pk=ids[0])
    info, firm_infos = routing.load_candidates(sample)
    t = time.perf_counter()
    for _ in range(2000):
        routing.choose_firm(info, firm_infos)
    pure_us = (time.perf_counter() - t) / 2000 * 1e6

    if args.simulate:
        simulate(ids, routing)
        return

    times, cpu, queries, db = [], [], [], []
    start_load = load()
    for pk in ids:
        connection.queries_log.clear()  # the log keeps 9,000 statements: counted per decision from empty
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.process_time()
            services.route(case=pk, actor=None)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        # statements sent, without BEGIN/COMMIT/SAVEPOINT bookkeeping
        queries.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))))
    end_load = load()

    from django.db.models import Count, Q

    states = dict(LegalAidCase.objects.values_list("state").annotate(n=Count("pk")))

    loads = FirmProfile.objects.annotate(
        open=Count("organisation__legal_aid_cases", filter=Q(organisation__legal_aid_cases__state="offered"))
    ).values_list("organisation__name", "open", "capacity")
    ratios = [(o / c, n, o, c) for n, o, c in loads]
    used = [r for r in ratios if r[2] > 0]
    ms = [x * 1000 for x in times]
    tenth = max(1, len(ms) // 10)
    print(f"routed: {states}")
    print(f"time per routing decision (full service, {connection.vendor}): mean {statistics.mean(ms):.2f} ms, "
          f"median {statistics.median(ms):.2f} ms, p95 {pct(ms, 95):.2f} ms, max {max(ms):.2f} ms; total {sum(times):.1f} s "
          f"[{start_load} at start, {end_load} at end]")
    cpu_ms = [x * 1000 for x in cpu]
    print(f"CPU time of this process per decision (less sensitive to the shared machine's load, excludes the "
          f"database server's own time): median {statistics.median(cpu_ms):.2f} ms, p95 {pct(cpu_ms, 95):.2f} ms")
    print(f"time waiting on the database per decision (sum of its statements' round trips): median "
          f"{statistics.median(db):.2f} ms, p95 {pct(db, 95):.2f} ms")
    print(f"median of the first {tenth} decisions {statistics.median(ms[:tenth]):.2f} ms, of the last {tenth} "
          f"{statistics.median(ms[-tenth:]):.2f} ms (open cases grow from 0 to {sum(r[2] for r in ratios)})")
    print(f"queries per decision: median {statistics.median(queries):.0f}, min {min(queries)}, max {max(queries)}")
    print(f"pure choice only ({len(firms)} firms, inputs in memory): {pure_us:.1f} µs per decision [{load()}]")
    hi, lo = max(used), min(used)
    print(f"load ratio over firms with cases ({len(used)}): max {hi[0]:.3f} ({hi[1]} {hi[2]}/{hi[3]}), "
          f"min {lo[0]:.3f} ({lo[1]} {lo[2]}/{lo[3]}), max/min {hi[0] / lo[0]:.2f}")
    all_lo = min(ratios)
    print(f"over all {len(ratios)} firms: min {all_lo[0]:.3f}" + (f", max/min {hi[0] / all_lo[0]:.2f}" if all_lo[0] else
                                                                   " (a firm got no case: its regions/matters had no demand left)"))
    unroutable = list(LegalAidCase.objects.filter(state="approved").select_related("applicant_region"))
    print(f"unroutable (no qualified firm): {len(unroutable)}")
    explain_unroutable(unroutable, routing)


def simulate(ids, routing):
    """Route every case in memory in id order with `routing.choose_firm`, each offer adding one to the chosen
    firm's load (nobody accepts, declines or closes: as in the full run)."""
    import dataclasses
    from collections import Counter

    from legal.models import LegalAidCase

    sample = LegalAidCase.objects.get(pk=ids[0])
    _info, firms = routing.load_candidates(sample)
    firms = {f.id: f for f in firms}
    paths = dict(__import__("accounts.models", fromlist=["Region"]).Region.objects.values_list("pk", "path"))
    rows = LegalAidCase.objects.order_by("pk").values_list("pk", "applicant_region_id", "matter", "opposing_employer_id")
    from legal.models import FirmEngagement

    conflicts = {}
    for firm_id, employer_id in FirmEngagement.objects.filter(ended_on__isnull=True).values_list("firm_id", "employer_id"):
        conflicts.setdefault(firm_id, set()).add(employer_id)
    t = time.perf_counter()
    why, where, unroutable = Counter(), Counter(), 0
    for _pk, region_id, matter, employer_id in rows:
        case = routing.CaseInfo(region_path=paths[region_id], matter=matter, employer_id=employer_id)
        inputs = [dataclasses.replace(f, conflict_employer_ids=frozenset(conflicts.get(f.id, ()))) for f in firms.values()]
        result = routing.choose_firm(case, inputs)
        if result.firm is None:
            unroutable += 1
            static = [f for f in inputs if not [r for r in routing.disqualifications(f, case) if "负荷" not in r]]
            why["no firm serves the region and matter without a conflict" if not static else
                "every firm serving the region and matter is full"] += 1
            where[(case.region_path.split("/")[1], matter)] += 1
            continue
        f = firms[result.firm.id]
        firms[f.id] = dataclasses.replace(f, open_cases=f.open_cases + 1)
    elapsed = time.perf_counter() - t
    print_bound(rows, paths, list(firms.values()), conflicts, routing)
    ratios = sorted((f.open_cases / f.capacity, f.name, f.open_cases, f.capacity) for f in firms.values())
    print(f"simulated {len(ids)} decisions in {elapsed:.1f} s [{load()}]; unroutable {unroutable}")
    for reason, n in why.most_common():
        print(f"  {n:5d}  {reason}")
    from accounts.models import Region

    names = dict(Region.objects.values_list("code", "name"))
    if where:
        print("  by league and matter: " + ", ".join(f"{names.get(c, c)}/{m} {n}" for (c, m), n in where.most_common()))
    used = [r for r in ratios if r[2]]
    print(f"load ratio: max {ratios[-1][0]:.3f} ({ratios[-1][2]}/{ratios[-1][3]}), min over firms with cases "
          f"{used[0][0]:.3f} ({used[0][2]}/{used[0][3]}), max/min {ratios[-1][0] / used[0][0]:.2f}")


def print_bound(rows, paths, firms, conflicts, routing):
    """The most cases ANY assignment could place within every firm's capacity and the static rules (region,
    matter, active, conflict): a maximum flow from case groups to firms. If it is below the number of cases,
    no routing policy can place them all; if it is not, the unplaced cases are the price of deciding one case
    at a time (each in its turn, without knowing the ones to come), not of the data."""
    import dataclasses
    from collections import Counter

    conflicted = set().union(*conflicts.values()) if conflicts else set()
    groups = Counter((paths[r], m, e if e in conflicted else None) for _pk, r, m, e in rows)
    empty = [dataclasses.replace(f, open_cases=0, conflict_employer_ids=frozenset(conflicts.get(f.id, ()))) for f in firms]
    # nodes: 0 source, 1 sink, groups, firms
    gid = {g: 2 + i for i, g in enumerate(groups)}
    fid = {f.id: 2 + len(gid) + i for i, f in enumerate(empty)}
    graph: dict[int, dict[int, int]] = {}

    def edge(a, b, c):
        graph.setdefault(a, {})[b] = graph.get(a, {}).get(b, 0) + c
        graph.setdefault(b, {}).setdefault(a, 0)

    for g, n in groups.items():
        edge(0, gid[g], n)
        case = routing.CaseInfo(region_path=g[0], matter=g[1], employer_id=g[2])
        for f in empty:
            if not routing.disqualifications(f, case):
                edge(gid[g], fid[f.id], n)
    for f in empty:
        edge(fid[f.id], 1, f.capacity)
    flow = 0
    while True:  # Edmonds-Karp: shortest augmenting paths
        parent, queue = {0: None}, [0]
        for a in queue:
            for b, c in graph[a].items():
                if c > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if 1 not in parent:
            break
        path, b = [], 1
        while parent[b] is not None:
            path.append((parent[b], b))
            b = parent[b]
        push = min(graph[a][b] for a, b in path)
        for a, b in path:
            graph[a][b] -= push
            graph[b][a] += push
        flow += push
    print(f"most cases any assignment could place (max flow over region, matter, conflict and capacity): "
          f"{flow} of {sum(groups.values())}")


def explain_unroutable(cases, routing):
    """Why each unroutable case found no firm, from the final state. Loads only grew during the run (nobody
    accepted, closed or declined), so a firm that is full now was full when the case was routed, and the
    other rules (active, region, matter, conflict) did not change."""
    from collections import Counter

    why = Counter()
    by_league = Counter()
    for case in cases:
        info, firms = routing.load_candidates(case)
        static = [f for f in firms if not [r for r in routing.disqualifications(f, info) if "负荷" not in r]]
        if not static:
            why["no firm serves the region and matter without a conflict"] += 1
        elif all(f.open_cases >= f.capacity for f in static):
            why["every firm serving the region and matter is full"] += 1
            by_league[case.applicant_region.path.split("/")[1]] += 1
        else:
            why["a firm with a free place qualified (a routing bug)"] += 1
    for reason, n in why.most_common():
        print(f"  {n:5d}  {reason}")
    if by_league:
        from accounts.models import Region

        names = dict(Region.objects.filter(code__in=by_league).values_list("code", "name"))
        print("  full, by league: " + ", ".join(f"{names.get(c, c)} {n}" for c, n in by_league.most_common()))


if __name__ == "__main__":
    try:
        main()
    finally:
        drop_pg()
