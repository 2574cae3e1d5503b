"""List and detail pages at growing data sizes, over real HTTP, with the empty page as the floor (issue 14).

    .venv/bin/python bench/http_bench.py [--sizes 1000,10000,100000] [--rate 50] [--seconds 20] [--rounds 2]

One throw-away PostgreSQL database (DATABASE_URL's server; BENCH_PG_ADMIN_URL, default
postgresql://postgres@127.0.0.1:5432/postgres), migrated and seeded with the demo, then grown to each size
in turn: --sizes negotiations *and* as many dispute cases, three quarters of them the demo dairy's
(the demo negotiator's union, in 呼和浩特's region subtree), the rest spread over the other demo
employers, with `updated_at` / `filed_on` spread over a year so the lists' order means something
(VACUUM ANALYZE after each growth). One uvicorn server (--workers processes, default one per core, as
`make serve` runs it with Redis; or one daphne process) serves the whole run.

At each size every page is loaded open-loop (http_load.load: latency counts from when a request was
due) at --rate for --seconds, split into --rounds slices taken in turn over the pages, so a burst of
other work on a shared machine lands on every page rather than one. The nearly empty logged-in page
(/accounts/me/: the session's user and their organisation) is measured in the same slices: it is the floor
the budgets are stated above. The 工作台 (/home/, the to-do list) is measured as a page of its own.

Prints per size and page: answers by status, served rate, min / median / p95 / max latency in ms and
p95 above the empty page's p95, with the 1-minute load average before and after; then a summary of p95
per size and the ratio of the largest size to the smallest. Exits 1 on any non-200 answer.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from http_load import drop_database, free_port, load, make_database  # noqa: E402

PAGE_SIZES_DEFAULT = "1000,10000,100000"


def setup() -> dict:
    """Migrate and seed the demo; returns session keys per login and the negotiation detail id."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    from disputes.models import DisputeCase
    from negotiation.models import Negotiation

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["negotiator", "staff_hohhot", "staff_nm", "employer"])}
    cookies = {}
    for name, user in users.items():
        s = SessionStore()
        s["_auth_user_id"] = str(user.pk)
        s["_auth_user_backend"] = "accounts.backends.ModelBackend"
        s["_auth_user_hash"] = user.get_session_auth_hash()
        s.create()
        cookies[name] = s.session_key
    # The detail page: the demo negotiator's richest demo negotiation (terms, representatives, rounds).
    from django.db.models import Count

    neg = (Negotiation.objects.filter(union=users["negotiator"].organisation, title__startswith="【示例】")
           .annotate(n=Count("terms")).order_by("-n", "pk").first())
    return {"cookies": cookies, "negotiation": neg.pk, "case": None}


def pick_case(info) -> None:
    """The dispute detail page: the first case the Hohhot staff sees (a demo case, else a bench one)."""
    from django.contrib.auth import get_user_model

    from disputes.models import DisputeCase

    if info["case"] is None:
        staff = get_user_model().objects.get(username="staff_hohhot")
        case = DisputeCase.objects.filter(region__path__startswith=staff.organisation.region.path).order_by("pk").first()
        info["case"] = case.pk if case else None


def grow(target: int) -> None:
    """Add bench negotiations and dispute cases until there are `target` of each."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organisation
    from disputes.models import ClaimKind, DisputeCase, DisputeClaim
    from disputes.models import State as DState
    from negotiation.models import Negotiation, State

    have_n = Negotiation.objects.filter(title__startswith="负载协商").count()
    have_d = DisputeCase.objects.filter(reference__startswith="LOAD").count()
    creator = get_user_model().objects.get(username="negotiator")
    staff = get_user_model().objects.get(username="staff_nm")
    dairy = creator.organisation.employer
    employers = [dairy] + list(Organisation.objects.filter(kind="employer").exclude(pk=dairy.pk).order_by("pk"))
    unions = {o.employer_id: o for o in Organisation.objects.filter(kind="union", employer__isnull=False)}
    employers = [e for e in employers if e.pk in unions]
    today = timezone.localdate()
    states = [State.DRAFT, State.PROPOSED, State.IN_ROUNDS, State.EFFECTIVE, State.COMMENTS, State.UNDER_REVIEW]
    dstates = [DState.FILED, DState.MEDIATION, DState.HEARING, DState.CLOSED]
    kinds = [k for k, _ in ClaimKind.choices]
    rnd = random.Random(target)

    def employer_for(i):
        return employers[0] if i % 4 else employers[1 + (i // 4) % (len(employers) - 1)]

    batch = 5000
    for start in range(have_n, target, batch):
        rows = []
        for i in range(start, min(target, start + batch)):
            e, st = employer_for(i), states[i % len(states)]
            rows.append(Negotiation(
                title=f"负载协商{i}", employer=e, union=unions[e.pk], state=st, created_by=creator,
                proposed_at=timezone.now() if st != State.DRAFT else None,
                response_due=today + dt.timedelta(days=i % 20 - 5) if st == State.PROPOSED else None,
                review_ends=today + dt.timedelta(days=i % 15) if st == State.UNDER_REVIEW else None,
                term_start=today, term_end=today + dt.timedelta(days=700),
            ))
        Negotiation.objects.bulk_create(rows, batch_size=1000)
    for start in range(have_d, target, batch):
        rows = []
        for i in range(start, min(target, start + batch)):
            e = employer_for(i)
            st = dstates[i % len(dstates)]
            due = today + dt.timedelta(days=i % 400 - 30)
            rows.append(DisputeCase(
                reference=f"LOAD{i:07d}", title=f"负载案件{i}", state=st, employer=e, region=e.region,
                union=unions[e.pk] if i % 3 else None, is_collective=i % 7 == 0, facts="负载",
                known_on=today - dt.timedelta(days=300), filed_on=today - dt.timedelta(days=rnd.randrange(730)),
                limitation_due=due, next_due=None if st == "closed" else due, created_by=staff,
            ))
        made = DisputeCase.objects.bulk_create(rows, batch_size=1000)
        DisputeClaim.objects.bulk_create(
            [DisputeClaim(case_id=c.pk, kind=kinds[c.pk % len(kinds)], amount=Decimal("1000")) for c in made], batch_size=2000)
    with connection.cursor() as cur:
        # bulk_create stamps every row with the same auto_now: spread them over a year, as in use.
        cur.execute("UPDATE negotiation_negotiation SET updated_at = now() - random() * interval '365 days' "
                    "WHERE title LIKE %s AND updated_at > now() - interval '1 hour'", ["负载协商%"])
    connection.close()
    admin_vacuum()


def admin_vacuum() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True) as c:
        c.execute("VACUUM ANALYZE")


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def stats(results):
    lat = sorted(t * 1000 for _s, t in results if t != float("inf"))
    by: dict = {}
    for s, _t in results:
        by[s] = by.get(s, 0) + 1
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")  # noqa: E731
    return {"by": by, "min": lat[0] if lat else float("nan"), "p50": q(0.5), "p95": q(0.95), "max": lat[-1] if lat else float("nan"), "n": len(results)}


def next_link(port, path, cookie) -> str | None:
    """The list page's own link to its next page (whatever form the pager takes)."""
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={cookie}"})
    body = urllib.request.urlopen(req, timeout=30).read().decode()
    m = re.search(r'<a[^>]*href="(\?[^"]+)"[^>]*rel="next"', body) or re.search(r'<nav class="pager">.*?<a href="(\?[^"]+)"[^>]*>(?:下一页|Next)', body, re.S)
    if not m:
        return None
    return path.split("?")[0] + m.group(1).replace("&amp;", "&")


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when the output goes to a file
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=PAGE_SIZES_DEFAULT, help="comma-separated row counts, grown in order")
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=20, help="per page and size, over all rounds")
    ap.add_argument("--rounds", type=int, default=2, help="slices per page, taken in turn over the pages")
    ap.add_argument("--server", choices=["daphne", "uvicorn"], default="uvicorn")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="uvicorn worker processes (as `make serve` with Redis: one per core)")
    ap.add_argument("--pages", default="", help="comma-separated labels to run (default: all)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    admin = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"xs_bench_{os.getpid()}"
    url = admin.rsplit("/", 1)[0] + "/" + name
    make_database(name, admin)
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    if args.workers > 1:  # several processes share the channel layer only through Redis
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    else:
        env.pop("REDIS_URL", None)
    os.environ.update(env)
    proc = None
    summary: dict = {}
    failures = 0
    try:
        info = setup()
        ck = info["cookies"]
        port = free_port()
        bin_dir = Path(sys.executable).parent
        cmd = ([str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
               if args.server == "daphne" else
               [str(bin_dir / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "--workers", str(args.workers), "--ws", "websockets", "--lifespan", "off", "config.asgi:application"])
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}-server.log"
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        print(f"{args.server} ({args.workers if args.server == 'uvicorn' else 1} process(es)) on PostgreSQL ({name}), code at {ROOT} ({git or 'no git'}), {os.cpu_count()} cpus; "
              f"{args.rate}/s for {args.seconds}s per page and size in {args.rounds} rounds; server log {log_path}")
        for size in sizes:
            t = time.perf_counter()
            grow(size)
            pick_case(info)
            pages = [
                ("empty (/accounts/me/)", "/accounts/me/", "negotiator"),
                ("工作台 (union)", "/home/", "negotiator"),
                ("工作台 (employer)", "/home/", "employer"),
                ("工作台 (region)", "/home/", "staff_hohhot"),
                ("neg list (union)", "/negotiations/", "negotiator"),
                ("neg list (region)", "/negotiations/", "staff_hohhot"),
                ("neg list ?state", "/negotiations/?state=proposed", "staff_nm"),
                ("neg list page 2", None, "negotiator"),
                ("neg detail", f"/negotiations/{info['negotiation']}/", "negotiator"),
                ("disputes (region)", "/disputes/", "staff_hohhot"),
                ("disputes ?due", "/disputes/?due_within=30", "staff_nm"),
                ("disputes (employer)", "/disputes/", "employer"),
                ("dispute detail", f"/disputes/{info['case']}/" if info["case"] else None, "staff_hohhot"),
            ]
            nxt = next_link(port, "/negotiations/", ck["negotiator"])
            pages = [(label, path if path is not None else nxt, who) for label, path, who in pages]
            if args.pages:
                wanted = set(args.pages.split(","))
                pages = [p for p in pages if p[0] in wanted or p[0].startswith("empty")]
            pages = [p for p in pages if p[1]]
            print(f"\n== {size} negotiations and {size} dispute cases (built in {time.perf_counter() - t:.0f}s); "
                  f"load average {load_avg()}")
            collected: dict = {label: ([], 0.0) for label, _p, _w in pages}
            for label, path, who in pages:  # warm-up, not reported
                asyncio.run(load("127.0.0.1", port, path, ck[who], args.rate, 1))
            for _r in range(args.rounds):
                for label, path, who in pages:
                    res, el = asyncio.run(load("127.0.0.1", port, path, ck[who], args.rate, args.seconds / args.rounds))
                    acc, tot = collected[label]
                    collected[label] = (acc + res, tot + el)
            floor = stats(collected[pages[0][0]][0])["p95"]
            for label, path, who in pages:
                res, el = collected[label]
                s = stats(res)
                ok = s["by"].get(200, 0)
                failures += s["n"] - ok
                summary.setdefault(label, {})[size] = s["p95"]
                print(f"{label:<20} {who:<12} answers {dict(sorted(s['by'].items(), key=str))!s:<14} served {ok / el:5.1f}/s  "
                      f"min {s['min']:6.1f}  median {s['p50']:6.1f}  p95 {s['p95']:7.1f}  max {s['max']:7.1f} ms  "
                      f"p95-floor {s['p95'] - floor:+7.1f}  {path}")
            print(f"load average after: {load_avg()}")
        print("\np95 (ms) by size" + "".join(f"{s:>10}" for s in sizes) + f"{'max/min size':>14}")
        for label, by in summary.items():
            vals = [by.get(s, float("nan")) for s in sizes]
            print(f"{label:<20}" + "".join(f"{v:10.1f}" for v in vals) + f"{vals[-1] / vals[0] if vals[0] else float('nan'):14.2f}")
        print(f"non-200 answers: {failures}")
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        from django.db import connections

        connections.close_all()
        drop_database(name, admin)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
