"""Websocket commit → receipt latency, before and after an idle gap (issue 14).

    .venv/bin/python bench/ws_bench.py                                  # daphne and uvicorn, 200 clients
    .venv/bin/python bench/ws_bench.py --servers uvicorn uvicorn-sansio --clients 200 --rounds 20 --idle 60

Per server (a child process each, so nothing leaks between them): a throw-away PostgreSQL database
(BENCH_PG_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres; dropped at the end),
migrated, with one negotiation in rounds and N union negotiators of its union, each its own user with
its own session; the server (daphne, or uvicorn with its `websockets` or `websockets-sansio` protocol,
both on the `websockets` package) is a real process on loopback with the Redis channel layer
(REDIS_URL, default redis://127.0.0.1:6379/0). N real websockets (the `websockets` package) open
/ws/negotiations/<id>/, one per user. Then:

1. "warm": --rounds transitions (suspend/resume through core.runner.run_transition, committed in
   this process), each measured from right after COMMIT to each client's receipt;
2. an idle gap of --idle seconds (no message at all);
3. "after idle": the same again. Its first round is also shown alone: it is the event that used to
   make every socket re-check its permission with two queries (the old 30 s poll: p95 2.5 s);

plus a bare `channel_layer.group_send` per round (the floor: no ORM, no commit). Each row prints
min / median / p95 / max ms over all receipts and the 1-minute load average when it was measured.
Everything is bounded in time; the server is killed and the database dropped at the end. The clients
run in this one asyncio process: their own JSON parsing is in every row, the floor too.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PASSWORD = "x-bench-x"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def load1() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def admin_url() -> str:
    return os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def make_database(name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return admin_url().rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(n: int):
    """A negotiation in rounds and n negotiators of its union, each with a session; returns (pk, cookies)."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Organisation, Region, Role, User
    from core.runner import run_transition
    from negotiation.models import Negotiation

    call_command("migrate", verbosity=0, interactive=False)
    region = Region.objects.get(code="150105")
    emp = Organisation.objects.create(kind="employer", name="压测企业", region=region, credit_code=None)
    union = Organisation.objects.create(kind="union", name="压测工会", region=region, employer=emp)
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        User(username=f"bench{i:04d}", password=password, role=Role.UNION_NEGOTIATOR, organisation=union) for i in range(n)
    )
    pk = 900_000 + random.randint(0, 99_999)  # pub/sub channel names are global in Redis
    neg = Negotiation.objects.create(pk=pk, title="压测协商", employer=emp, union=union)
    for name, kw in (
        ("propose", {"proposed_at": timezone.now(), "response_due": timezone.localdate() + dt.timedelta(days=20), "explanation": "-"}),
        ("accept", {}),
        ("start_rounds", {}),
    ):
        run_transition(model=Negotiation, pk=neg.pk, actor=None, name=name, kwargs=kw)
    backend = "accounts.backends.ModelBackend"
    from importlib import import_module

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in User.objects.filter(username__startswith="bench").order_by("username"):
        s = SessionStore()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY], s[HASH_SESSION_KEY] = str(user.pk), backend, user.get_session_auth_hash()
        s.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={s.session_key}")
    return neg.pk, cookies


def start_server(kind: str, port: int, env: dict) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "--websocket_timeout", "600",
               "--websocket_connect_timeout", "60", "config.asgi:application"]
    else:  # uvicorn's `websockets` implementation (deprecated by uvicorn) or its `websockets-sansio` one
        ws_impl = "websockets-sansio" if kind == "uvicorn-sansio" else "websockets"
        cmd = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--ws", ws_impl,
               "--lifespan", "off", "--log-level", "warning", "--timeout-keep-alive", "60", "config.asgi:application"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{kind} exited: " + proc.stderr.read().decode()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"{kind} did not start within 30 s")


def stop_server(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class Clients:
    def __init__(self, url, origin, cookies):
        self.url, self.origin, self.cookies = url, origin, cookies
        self.n = len(cookies)
        self.socks, self.tasks = [], []
        self.expect = None  # (key, value)
        self.received: list[float] = []
        self.done = asyncio.Event()
        self.last_msg = time.perf_counter()
        self.closed = 0

    async def open(self):
        from websockets.asyncio.client import connect

        sem = asyncio.Semaphore(10)

        async def one(cookie):
            async with sem:
                ws = await connect(self.url, origin=self.origin, additional_headers={"Cookie": cookie},
                                   compression=None, open_timeout=30, ping_interval=None, max_queue=None)
                self.socks.append(ws)
                self.tasks.append(asyncio.create_task(self.reader(ws)))

        await asyncio.wait_for(asyncio.gather(*(one(c) for c in self.cookies)), timeout=180)

    async def reader(self, ws):
        try:
            async for raw in ws:
                now = time.perf_counter()
                self.last_msg = now
                if self.expect is None:
                    continue
                msg = json.loads(raw)
                key, value = self.expect
                if msg.get(key) == value:
                    self.received.append(now)
                    if len(self.received) >= self.n:
                        self.done.set()
        except Exception:
            pass
        self.closed += 1

    async def quiet(self, seconds=1.0, limit=60):
        """Wait until no message (the presence broadcasts after connecting) arrived for `seconds`."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            await asyncio.sleep(seconds / 4)
            if time.perf_counter() - self.last_msg > seconds:
                return

    def arm(self, key, value):
        self.expect = (key, value)
        self.received = []
        self.done = asyncio.Event()

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in self.socks), return_exceptions=True)


async def run(url, origin, cookies, pk, rounds, idle):
    import datetime as dt

    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.db import transaction

    from core import realtime
    from core.runner import run_transition
    from negotiation.models import Negotiation

    group = realtime.group_for("negotiation", pk)
    layer = get_channel_layer()
    clients = Clients(url, origin, cookies)
    t_open = time.perf_counter()
    await clients.open()
    print(f"   {clients.n} sockets open in {time.perf_counter() - t_open:.1f} s", flush=True)
    await clients.quiet()

    def commit_transition(name, kwargs, t0):
        with transaction.atomic():
            transaction.on_commit(lambda: t0.append(time.perf_counter()))  # runs first: right after COMMIT
            run_transition(model=Negotiation, pk=pk, actor=None, name=name, kwargs=kwargs)

    async def one_round(kind, r):
        t0: list[float] = []
        if kind == "transition":
            state = await sync_to_async(lambda: Negotiation.objects.get(pk=pk).state)()
            name, kwargs = (("suspend", {"next_date": dt.date(2027, 1, 1), "reason": "bench"}) if state == "in_rounds"
                            else ("resume", {}))
            clients.arm("action", name)
            await sync_to_async(commit_transition, thread_sensitive=False)(name, kwargs, t0)
        else:
            marker = f"floor-{r}-{random.random()}"
            clients.arm("marker", marker)
            t0.append(time.perf_counter())
            await layer.group_send(group, {"type": realtime.EVENT_TYPE, "group": group, "event": "bench", "marker": marker,
                                           "version": realtime.next_version()})
        try:
            await asyncio.wait_for(clients.done.wait(), timeout=15)
        except asyncio.TimeoutError:
            pass
        got = list(clients.received)
        clients.expect = None
        if len(got) < clients.n:
            print(f"   ! {kind} round {r}: {clients.n - len(got)} of {clients.n} clients got nothing within 15 s", flush=True)
        return [(t - t0[0]) * 1000 for t in got]

    async def phase(label):
        rows = {"transition": [], "group_send": []}
        first = None
        loads = []
        for r in range(rounds):
            for kind in ("transition", "group_send"):
                lat = await one_round(kind, r)
                if first is None and kind == "transition":
                    first = lat
                rows[kind].extend(lat)
                await asyncio.sleep(0.05 + random.random() * 0.05)
            loads.append(os.getloadavg()[0])
        la = f"{statistics.mean(loads):.2f}"
        out = [(f"{label}, first transition", first, la)] if label != "warm" else []
        out += [(f"{label}, transition", rows["transition"], la), (f"{label}, group_send", rows["group_send"], la)]
        return out

    results = await phase("warm")
    print(f"   idle {idle:.0f} s (load {load1()}) …", flush=True)
    await asyncio.sleep(idle)
    results += await phase("after idle")
    still_open = clients.n - clients.closed
    await clients.close()
    return results, still_open


def child(args):
    name = f"xs_wsbench_{os.getpid()}"
    url = make_database(name)
    os.environ.update(DATABASE_URL=url, REDIS_URL=args.redis, DJANGO_SETTINGS_MODULE="bench.settings_pubsub",
                      DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="ERROR")
    proc = None
    try:
        import django

        django.setup()
        from django.conf import settings

        t = time.perf_counter()
        pk, cookies = seed(args.clients)
        print(f"== {args.server} · {args.clients} clients (distinct users) · PostgreSQL · "
              f"{settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 2)[-2]} layer · {os.cpu_count()} CPUs · "
              f"{args.rounds} rounds per phase · seeded in {time.perf_counter() - t:.0f} s", flush=True)
        port = free_port()
        proc = start_server(args.server, port, dict(os.environ))
        res, still_open = asyncio.run(asyncio.wait_for(
            run(f"ws://127.0.0.1:{port}/ws/negotiations/{pk}/", f"http://127.0.0.1:{port}", cookies, pk, args.rounds, args.idle),
            timeout=args.idle + 600,
        ))
        print(f"{'':4}{'phase, path':<30} {'n':>6} {'min ms':>8} {'median':>8} {'p95 ms':>8} {'max ms':>8} {'load1':>6}")
        for label, lat, la in res:
            print(f"{'':4}{label:<30} {len(lat):>6} {min(lat, default=float('nan')):8.1f} {pct(lat, 50):8.1f} "
                  f"{pct(lat, 95):8.1f} {max(lat, default=float('nan')):8.1f} {la:>6}", flush=True)
        print(f"    sockets still open at the end: {still_open} of {args.clients}", flush=True)
    finally:
        if proc is not None:
            stop_server(proc)
        from django.db import connections

        connections.close_all()
        drop_database(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", nargs="+", default=["daphne", "uvicorn"], choices=["daphne", "uvicorn", "uvicorn-sansio"])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--idle", type=float, default=60.0, help="seconds of quiet between the two phases")
    ap.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    ap.add_argument("--server", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.server:
        child(args)
        return
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for server in args.servers:
        cmd = [sys.executable, __file__, "--server", server, "--clients", str(args.clients), "--rounds", str(args.rounds),
               "--idle", str(args.idle), "--redis", args.redis]
        try:
            subprocess.run(cmd, check=True, timeout=args.idle + 900)
        except subprocess.TimeoutExpired:
            print(f"!! {server}: gave up after {args.idle + 900:.0f} s")
        except subprocess.CalledProcessError as e:
            print(f"!! {server}: exited {e.returncode}")


if __name__ == "__main__":
    main()
