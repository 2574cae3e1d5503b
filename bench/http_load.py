"""Open-loop HTTP load against the real ASGI server on PostgreSQL.

    .venv/bin/python bench/http_load.py [--rate 50] [--seconds 20] [--rows 1000] [--server daphne]

Creates a throw-away PostgreSQL database (DATABASE_URL's server, default 127.0.0.1:5432, user postgres),
migrates it, seeds the demo organisations plus --rows negotiations, starts the server on a free port
with that database, logs in as the demo negotiator, then for each page sends requests at a fixed rate
whatever the answers (open loop: a request's latency counts from when it was *due*, so a stalled
server cannot hide its queue — no coordinated omission). Prints, per page: requests sent, answers by
status, served rate, p50/p95/p99/max latency. The nearly empty logged-in page (/accounts/me/) is the floor.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(name: str, admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str, admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build(rows: int) -> tuple[str, int]:
    """Migrate, seed, add rows; returns (session cookie of the demo negotiator, a negotiation id they see)."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from negotiation.models import Negotiation, State

    user = get_user_model().objects.get(username="negotiator")
    today = timezone.localdate()
    states = [State.DRAFT, State.PROPOSED, State.IN_ROUNDS, State.EFFECTIVE]
    union = user.organisation
    Negotiation.objects.bulk_create([
        Negotiation(title=f"负载协商{i}", employer_id=union.employer_id, union=union, state=states[i % 4],
                    response_due=today + dt.timedelta(days=i % 20) if states[i % 4] == State.PROPOSED else None,
                    term_start=today, term_end=today + dt.timedelta(days=700), created_by=user)
        for i in range(rows)
    ], batch_size=1000)
    s = SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "accounts.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create()
    neg = Negotiation.objects.filter(union=union).order_by("-pk").first()
    return s.session_key, neg.pk


async def _one(host, port, path, cookie, due, results, pool):
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: sessionid={cookie}\r\n"
               f"Accept-Language: zh-hans\r\nConnection: keep-alive\r\n\r\n").encode()
    try:
        reused = bool(pool)
        reader, writer = pool.pop() if pool else await asyncio.open_connection(host, port)
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line and reused:
            # The server closed this idle keep-alive connection (uvicorn after 5 s): a browser would open a
            # new one and send again, so does this client (the time still counts from `due`).
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "transfer-encoding" and "chunked" in v:
                chunked = True
            elif k == "connection" and "close" in v.lower():
                close = True
        if chunked:
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await reader.readexactly(length)
        results.append((status, time.perf_counter() - due))
        if close:
            writer.close()
        else:
            pool.append((reader, writer))
    except Exception as exc:  # refused connections, resets: counted, never hidden
        results.append((type(exc).__name__, time.perf_counter() - due))


async def load(host, port, path, cookie, rate, seconds):
    results, pool, tasks = [], [], []
    start = time.perf_counter() + 0.2
    n = int(rate * seconds)
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(host, port, path, cookie, due, results, pool)))
    _done, pending = await asyncio.wait(tasks, timeout=30)
    elapsed = time.perf_counter() - start
    for t in pending:  # still unanswered 30 s after the last was due: counted, never dropped
        t.cancel()
        results.append(("no answer in 30 s", float("inf")))
    for _r, w in pool:
        w.close()
    return results, elapsed


def report(name, results, elapsed, rate):
    lat = sorted(t * 1000 for _s, t in results if t != float("inf"))
    by = {}
    for s, _t in results:
        by[s] = by.get(s, 0) + 1
    ok = by.get(200, 0)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")  # noqa: E731
    print(f"{name:<22} offered {rate:>4}/s  answers {dict(sorted(by.items(), key=str))}  served {ok / elapsed:6.1f}/s  "
          f"p50 {q(0.50):7.1f}  p95 {q(0.95):7.1f}  p99 {q(0.99):7.1f}  max {lat[-1] if lat else 0:7.1f} ms")
    return by


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    args = ap.parse_args()
    admin = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"xs_load_{os.getpid()}"
    url = admin.rsplit("/", 1)[0] + "/" + name
    make_database(name, admin)
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("REDIS_URL", None)
    os.environ.update(env)
    proc = None
    try:
        cookie, pk = build(args.rows)
        port = free_port()
        bin_dir = Path(sys.executable).parent
        cmd = ([str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
               if args.server == "daphne" else
               [str(bin_dir / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "config.asgi:application"])
        log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}-server.log", "w")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{args.server} on PostgreSQL ({name}), {args.rows} negotiations, {args.rate}/s for {args.seconds}s per page")
        failures = 0
        for label, path in [("empty (/accounts/me/)", "/accounts/me/"), ("negotiation list", "/negotiations/"),
                            ("negotiation detail", f"/negotiations/{pk}/")]:
            asyncio.run(load("127.0.0.1", port, path, cookie, args.rate, 2))  # warm-up, not reported
            results, elapsed = asyncio.run(load("127.0.0.1", port, path, cookie, args.rate, args.seconds))
            by = report(label, results, elapsed, args.rate)
            failures += sum(v for k, v in by.items() if k != 200)
        with subprocess.Popen(["psql", admin, "-Atc",
                               f"select count(*) from pg_stat_activity where datname='{name}'"],
                              stdout=subprocess.PIPE, text=True) as p:
            print(f"server connections to the database after the run: {p.communicate()[0].strip()}")
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


if __name__ == "__main__":
    main()
