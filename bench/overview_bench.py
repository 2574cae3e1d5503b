"""Regional overview benchmark: 100,000 negotiations, 50,000 disputes, 50,000 legal-aid cases on PostgreSQL + Redis.

    .venv/bin/python bench/overview_bench.py [--negotiations 100000] [--disputes 50000] [--legal 50000] [--runs 21]
                                             [--pg postgres://postgres@127.0.0.1:5432] [--redis redis://127.0.0.1:6379/0]
                                             [--db xs_overview] [--keep] [--reuse]

Runs with Redis as in production (REDIS_URL: the Redis cache, channel layer and broker), the overview's own
figure cache disabled (OVERVIEW_CACHE_SECONDS=0: every request computes), and never clears the shared Redis.

Creates a THROW-AWAY database `xs_overview` (--db) on the given server (dropped first if left over, and dropped at the
end unless --keep), migrates it, bulk-creates the rows spread over the 12 leagues' counties (states, due dates
around today, headcounts, terms, claims, routing attempts), ANALYZEs, then renders through the real views
(Django test client, logged in):

  - /overview/            (every figure, charts, region table)
  - /overview/deadlines/  (next 14 days across the three workflows)
  - /api/v1/stats/overview/

for a league-level user (呼和浩特 union staff) and a top-level user (autonomous-region union staff), and prints
the median / p90 wall time and the number of queries per request. Target: median ≤ 300 ms.
Never touches the `test` database or the development SQLite file.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

parser = argparse.ArgumentParser()
parser.add_argument("--negotiations", type=int, default=100_000)
parser.add_argument("--disputes", type=int, default=50_000)
parser.add_argument("--legal", type=int, default=50_000)
parser.add_argument("--runs", type=int, default=21)
parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
parser.add_argument("--db", default="xs_overview", help="name of the throw-away database")
parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
parser.add_argument("--reuse", action="store_true", help="measure a database left by --keep (no rebuild)")
parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest overview queries")
args = parser.parse_args()
DB_NAME = args.db
assert DB_NAME.startswith("xs_"), "refusing: the throw-away database's name starts with xs_"

import psycopg  # noqa: E402

admin_dsn = f"{args.pg}/postgres"


def admin(sql):
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        c.execute(sql)


if not args.reuse:
    admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB_NAME}"')

os.environ["DATABASE_URL"] = f"{args.pg}/{DB_NAME}"
os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or args.redis
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MEDIA_ROOT"] = "/tmp/xs_bench_media"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

assert connection.vendor == "postgresql" and connection.settings_dict["NAME"] == DB_NAME, "refusing: not the throw-away database"


def main():
    try:
        if args.reuse:
            from accounts.models import User

            call_command("migrate", verbosity=0)  # other apps may have grown fields since the build

            u = {x.username: x for x in User.objects.filter(username__startswith="bench_")}
            users = {"league (呼和浩特 staff)": u["bench_league"], "top (自治区 staff)": u["bench_top"],
                     "sysadmin": u["bench_admin"]}
        else:
            t0 = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"migrated {DB_NAME} in {time.perf_counter() - t0:.1f} s")
            users = build()
        rebuild()
        check(users)
        measure(users)
        ab(users)
    finally:
        connections.close_all()
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            print(f"dropped {DB_NAME}")


def build():
    from accounts.models import Organisation, Region, Role, User
    from core import workflow
    from disputes.models import ClaimKind, DisputeCase, DisputeClaim
    from legal.models import CaseState, FirmProfile, LegalAidCase, Outcome, RoutingAttempt
    from negotiation.models import State as NS
    from negotiation.models import Term, TermKind

    # What states mean comes from the workflow registry, as in the overview (in declared order: the same data set every run).
    agreed = workflow.get("negotiation").states_in("agreed")
    d_open = workflow.get("disputes").states_in("open")
    D_OPEN = [v for v, _l in DisputeCase._meta.get_field("state").flatchoices if v in d_open]  # declared order
    legal_wf = workflow.get("legal")
    pending_decision, awaiting_firm = legal_wf.states_in("pending_decision"), legal_wf.states_in("awaiting_firm")
    with_firm = legal_wf.states_in("open_firm") | legal_wf.states_in("closed")
    rnd = random.Random(8)
    today = timezone.localdate()
    now = timezone.now()
    t0 = time.perf_counter()
    province = Region.objects.get(level=1)
    leagues = list(Region.objects.filter(level=2).order_by("code"))
    counties = {lg.pk: list(Region.objects.filter(parent=lg)) or [lg] for lg in leagues}
    fed_top = Organisation.objects.create(kind="federation", name="内蒙古自治区总工会(bench)", region=province)
    feds = {lg.pk: Organisation.objects.create(kind="federation", name=f"{lg.name}总工会(bench)", region=lg, parent=fed_top)
            for lg in leagues}
    employers, unions = [], []
    n = 0
    for lg in leagues:
        for i in range(40):
            n += 1
            reg = rnd.choice(counties[lg.pk])
            employers.append(Organisation(kind="employer", name=f"bench企业{n}", region=reg, headcount=rnd.randint(20, 2000),
                                          credit_code=None))
    Organisation.objects.bulk_create(employers)
    for e in employers:
        unions.append(Organisation(kind="union", name=f"{e.name}工会", region=e.region, employer=e, parent=feds[e.region.parent_id or e.region_id] if (e.region.parent_id in feds) else fed_top))
    Organisation.objects.bulk_create(unions)
    firms = Organisation.objects.bulk_create(
        [Organisation(kind="law_firm", name=f"bench律所{lg.code}-{k}", region=lg) for lg in leagues for k in range(3)])
    FirmProfile.objects.bulk_create([FirmProfile(organisation=f, capacity=rnd.randint(50, 400)) for f in firms])
    firms_by_league = {}
    for f in firms:
        firms_by_league.setdefault(f.region_id, []).append(f)
    hohhot = next(lg for lg in leagues if lg.code == "150100")
    league_user = User.objects.create(username="bench_league", role=Role.UNION_STAFF, organisation=feds[hohhot.pk])
    top_user = User.objects.create(username="bench_top", role=Role.UNION_STAFF, organisation=fed_top)
    sys_user = User.objects.create(username="bench_admin", role=Role.SYSADMIN, is_superuser=True, is_staff=True)

    # --- negotiations ---
    weights = {NS.DRAFT: 6, NS.PROPOSED: 10, NS.ACCEPTED: 4, NS.REFUSED: 2, NS.OVERDUE: 4, NS.COORDINATION: 3,
               NS.IN_ROUNDS: 10, NS.SUSPENDED: 2, NS.DRAFT_AGREED: 3, NS.COMMENTS: 3, NS.VOTING: 2, NS.APPROVED: 2,
               NS.SIGNED: 3, NS.UNDER_REVIEW: 4, NS.EFFECTIVE: 30, NS.EXPIRED: 6, NS.CLOSED: 3, NS.WITHDRAWN: 3}
    states, w = list(weights), list(weights.values())
    pairs = list(zip(employers, unions))
    rows = []
    for i in range(args.negotiations):
        e, u = rnd.choice(pairs)
        st = rnd.choices(states, w)[0]
        proposed = now - dt.timedelta(days=rnd.randint(5, 700)) if st != NS.DRAFT else None
        due = lambda: today + dt.timedelta(days=rnd.randint(-30, 40))  # noqa: E731
        rows.append(dict(
            title=f"协商{i}", employer_id=e.pk, union_id=u.pk, state=st, headcount=rnd.choice([None, rnd.randint(10, 800)]),
            proposed_at=proposed,
            response_due=due() if proposed else None,
            coordination_due=due() if st == NS.COORDINATION else None,
            filing_due=due() if st in (NS.SIGNED, NS.UNDER_REVIEW, NS.EFFECTIVE) else None,
            review_ends=due() if st in (NS.UNDER_REVIEW, NS.EFFECTIVE) else None,
            effective_on=(proposed.date() + dt.timedelta(days=rnd.randint(40, 120))) if st in (NS.EFFECTIVE, NS.EXPIRED) else None,
        ))
    from negotiation.models import Negotiation

    objs = Negotiation.objects.bulk_create([Negotiation(**r) for r in rows], batch_size=5000)
    # created_at is auto_now_add: spread it over two years so the period picker has something to cut.
    with connection.cursor() as cur:
        cur.execute("UPDATE negotiation_negotiation SET created_at = now() - (random() * interval '700 days')")
    kinds = [k for k in TermKind]
    terms = []
    for o in objs:
        if o.state in agreed:
            for num, k in enumerate(rnd.sample(kinds, rnd.randint(1, 3)), start=1):
                terms.append(Term(negotiation_id=o.pk, number=num, kind=k, title=str(k.label)))
    Term.objects.bulk_create(terms, batch_size=5000)
    print(f"negotiations: {len(objs):,} (+{len(terms):,} terms)")

    # --- disputes ---
    dweights = {s: 1 for s in D_OPEN}
    dweights.update({"closed": 12, "withdrawn": 2})
    dstates, dw = list(dweights), list(dweights.values())
    drows = []
    for i in range(args.disputes):
        e = rnd.choice(employers)
        st = rnd.choices(dstates, dw)[0]
        filed = today - dt.timedelta(days=rnd.randint(1, 700))
        drows.append(DisputeCase(
            reference=f"B{i:07d}", title="争议", state=st, employer_id=e.pk, region_id=e.region_id, facts="事实",
            known_on=filed - dt.timedelta(days=10), filed_on=filed, created_by_id=league_user.pk,
            next_due=(today + dt.timedelta(days=rnd.randint(-20, 40))) if st in D_OPEN else None,
            mediation_agreement_on=filed if rnd.random() < 0.2 else None,
            award_received_on=filed if rnd.random() < 0.15 else None,
            court_filed_on=filed if rnd.random() < 0.05 else None,
            amount_recovered=Decimal(rnd.randint(0, 50000)) if st == "closed" else None,
            is_collective=rnd.random() < 0.1,
        ))
    dobjs = DisputeCase.objects.bulk_create(drows, batch_size=5000)
    ckinds = list(ClaimKind)
    DisputeClaim.objects.bulk_create(
        [DisputeClaim(case_id=d.pk, kind=rnd.choice(ckinds), amount=Decimal(rnd.randint(100, 90000))) for d in dobjs],
        batch_size=5000)
    print(f"disputes: {len(dobjs):,} (+{len(dobjs):,} claims)")

    # --- legal aid ---
    lweights = {CaseState.SUBMITTED: 5, CaseState.AWAITING_DOCUMENTS: 2, CaseState.REJECTED: 4, CaseState.APPROVED: 3,
                CaseState.OFFERED: 4, CaseState.ACCEPTED: 3, CaseState.IN_PROGRESS: 10, CaseState.CLOSED: 20}
    lstates, lw = list(lweights), list(lweights.values())
    outcomes = list(Outcome)
    lrows = []
    for i in range(args.legal):
        e = rnd.choice(employers)
        st = rnd.choices(lstates, lw)[0]
        received = today - dt.timedelta(days=rnd.randint(0, 700))
        firm = rnd.choice(firms_by_league[e.region.parent_id or e.region_id]) if st in with_firm else None
        lrows.append(LegalAidCase(
            number=f"FYB{i:07d}", state=st, applicant_name="申请人", id_number="110101199003070011", phone="13800000000",
            applicant_region_id=e.region_id, matter="pay", facts="案情", claims="请求", opposing_employer_id=e.pk,
            received_on=received,
            decision_due=(today + dt.timedelta(days=rnd.randint(-10, 20))) if st in pending_decision else None,
            assignment_due=(today + dt.timedelta(days=rnd.randint(-5, 10))) if st in awaiting_firm else None,
            assigned_firm=firm, urgent=rnd.random() < 0.05,
            outcome=rnd.choice(outcomes) if st == CaseState.CLOSED else "",
            amount_recovered=Decimal(rnd.randint(0, 30000)) if st == CaseState.CLOSED else None,
            satisfaction=rnd.choice([None, 2, 3, 4, 5, 5]) if st == CaseState.CLOSED else None,
        ))
    lobjs = LegalAidCase.objects.bulk_create(lrows, batch_size=5000)
    attempts = []
    for c in lobjs:
        if c.assigned_firm_id:
            offered = now - dt.timedelta(days=rnd.randint(1, 600))
            pending = c.state == CaseState.OFFERED
            attempts.append(RoutingAttempt(
                case_id=c.pk, firm_id=c.assigned_firm_id, offered_at=offered,
                response_due=(today + dt.timedelta(days=rnd.randint(-3, 5))) if pending else offered.date(),
                outcome="pending" if pending else "accepted",
                responded_at=None if pending else offered + dt.timedelta(hours=rnd.randint(1, 72)),
            ))
    RoutingAttempt.objects.bulk_create(attempts, batch_size=5000)
    print(f"legal-aid cases: {len(lobjs):,} (+{len(attempts):,} routing attempts)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"built in {time.perf_counter() - t0:.1f} s")
    return {"league (呼和浩特 staff)": league_user, "top (自治区 staff)": top_user, "sysadmin": sys_user}


def rebuild():
    """Bulk-created rows bypass the services: backfill the overview's daily aggregates (when the code has them)."""
    from django.core.management import get_commands

    if "rebuild_overview" not in get_commands():
        print("no rebuild_overview command: the overview reads the workflow tables directly")
        return
    from disputes.models import DisputeCase
    from legal.models import LegalAidCase
    from negotiation.models import Negotiation
    from overview.models import OverviewDaily, OverviewItem

    objects = Negotiation.objects.count() + DisputeCase.objects.count() + LegalAidCase.objects.count()
    if args.reuse and OverviewItem.objects.count() == objects:
        print(f"aggregates already built for {objects:,} objects ({OverviewDaily.objects.count():,} rows)")
        return
    t = time.perf_counter()
    call_command("rebuild_overview", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"rebuild_overview in {time.perf_counter() - t:.1f} s for {objects:,} objects: "
          f"{OverviewDaily.objects.count():,} aggregate rows, "
          f"{OverviewDaily.objects.filter(grain='a').count():,} of them all-time (load avg {os.getloadavg()[0]:.2f})")


def check(users):
    """The aggregate-backed figures equal the direct recount (overview/recount.py) at this size."""
    try:
        from overview.recount import figures_direct
    except ImportError:
        return
    from overview.selectors import Filters, figures

    for label, user in users.items():
        for period in ("all", "year"):
            from overview.selectors import period_from

            f = Filters(user, period=period_from(period))
            t = time.perf_counter()
            direct = figures_direct(f)
            t_direct = (time.perf_counter() - t) * 1000
            print(f"{label:<24} period={period:<5} figures equal the direct recount: {figures(f) == direct} "
                  f"(recount {t_direct:.0f} ms, load avg {os.getloadavg()[0]:.2f})", flush=True)


def ab(users):
    """Before/after under the same load: the direct recount (the pre-aggregate selectors, overview/recount.py)
    and the aggregate-backed selectors, run alternately in this process on the same database."""
    try:
        from overview.recount import figures_direct
    except ImportError:
        return
    from overview.selectors import Filters, figures, period_from

    print(f"\n{'selectors, alternating':<24} {'period':<7} {'direct median':>14} {'p95':>8} {'aggregates median':>18} "
          f"{'p95':>8}  load avg (1/5/15 min)")
    for label, user in users.items():
        for period in ("all", "year"):
            f = Filters(user, period=period_from(period))
            before, after = [], []
            for _ in range(max(5, args.runs // 2)):
                for fn, out in ((figures_direct, before), (figures, after)):
                    t = time.perf_counter()
                    fn(f)
                    out.append((time.perf_counter() - t) * 1000)
            b, a = sorted(before), sorted(after)
            p95 = lambda xs: xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]  # noqa: E731
            load = "/".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{label:<24} {period:<7} {statistics.median(b):>14.1f} {p95(b):>8.1f} {statistics.median(a):>18.1f} "
                  f"{p95(a):>8.1f}  {load}", flush=True)


def measure(users):
    settings.DEBUG = False
    settings.OVERVIEW_CACHE_SECONDS = 0  # no figure cache: every request computes (the shared Redis is never cleared)
    from django.core.cache import cache

    print(f"cache backend: {type(cache).__name__}, REDIS_URL={settings.REDIS_URL}, overview cache disabled")
    cases = ["/overview/", "/overview/?period=year", "/api/v1/stats/overview/", "/overview/deadlines/"]
    print(f"\n{'user':<24} {'url':<28} {'median ms':>10} {'p95 ms':>8} {'min ms':>8} {'queries':>8}  load avg (1/5/15 min)")
    for label, user in users.items():
        c = Client()
        c.force_login(user)
        for url in cases:
            c.get(url)  # warm up (templates, connection)
            times, nq = [], set()
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    r = c.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
                nq.add(len(ctx.captured_queries))
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            load = "/".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{label:<24} {url:<28} {statistics.median(times):>10.1f} {p95:>8.1f} {times[0]:>8.1f} "
                  f"{'/'.join(map(str, sorted(nq))):>8}  {load}", flush=True)
        if args.explain:
            explain(user)
    print(f"\n{os.cpu_count()} CPUs; {args.runs} runs per line")


def explain(user):
    from overview import selectors

    with CaptureQueriesContext(connection) as ctx:
        selectors.figures(selectors.Filters(user))
    timed = []
    for q in ctx.captured_queries:
        timed.append((float(q["time"]), q["sql"]))
    timed.sort(reverse=True)
    for t, sql in timed[:4]:
        print(f"\n--- {t * 1000:.1f} ms\n{sql[:600]}")
        with connection.cursor() as cur:
            cur.execute("EXPLAIN ANALYZE " + sql)
            for (line,) in cur.fetchall()[:25]:
                print("   ", line)


if __name__ == "__main__":
    main()
