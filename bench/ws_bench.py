"""Websocket fan-out benchmark: N clients subscribed to one negotiation, a transition committed.

Starts its own daphne (subprocess, loopback, a free port) against a temporary SQLite database and
the Redis channel layer (REDIS_URL, default redis://127.0.0.1:6379/0), opens N real websockets
(the `websockets` package) to /ws/negotiations/<pk>/ with a logged-in session, then per round:

- "transition": a real transition through core.runner.run_transition (suspend/resume of a
  negotiation in rounds) committed in this process; latency = commit → the client has the message;
- "group_send": a bare `channel_layer.group_send` to the same group (the floor: no ORM, no commit).

Prints p50/p95/p99 latency (ms) and deliveries/s (N / time from commit to the last receipt,
median over rounds). Everything is bounded in time; the server is killed at the end.

    .venv/bin/python bench/ws_bench.py                 # N = 10 100 200 500, both layers
    .venv/bin/python bench/ws_bench.py --clients 200 --rounds 30 --layers pubsub

Clients run in this one asyncio process: their own JSON parsing is part of the figure (it is in
the floor too, so the difference between the two rows is the server's work for a transition).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LAYERS = {"pubsub": "bench.settings_pubsub", "core": "bench.settings_core"}


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


def setup_django(tmp: Path, redis_url: str, settings_module: str):
    os.environ["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def seed(pk: int):
    """Organisations, a negotiator and a negotiation in rounds, all in the temporary database."""
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Organisation, Region, Role, User
    from core.runner import run_transition
    from negotiation.models import Negotiation

    call_command("migrate", verbosity=0, interactive=False)
    region = Region.objects.get(code="150105")
    emp = Organisation.objects.create(kind="employer", name="压测企业", region=region, credit_code=None)
    union = Organisation.objects.create(kind="union", name="压测工会", region=region, employer=emp)
    user = User.objects.create_user("bench", password="x-bench-x", role=Role.UNION_NEGOTIATOR, organisation=union)
    neg = Negotiation.objects.create(pk=pk, title="压测协商", employer=emp, union=union)
    import datetime as dt

    for name, kw in (
        ("propose", {"proposed_at": timezone.now(), "response_due": timezone.localdate() + dt.timedelta(days=20), "explanation": "-"}),
        ("accept", {}),
        ("start_rounds", {}),
    ):
        run_transition(model=Negotiation, pk=neg.pk, actor=None, name=name, kwargs=kw)
    c = Client()
    c.force_login(user)
    from django.conf import settings

    return neg.pk, c.cookies[settings.SESSION_COOKIE_NAME].value


def start_server(port: int, env: dict) -> subprocess.Popen:
    daphne = str(ROOT / ".venv" / "bin" / "daphne")
    if not Path(daphne).exists():
        daphne = shutil.which("daphne") or "daphne"
    proc = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "--websocket_timeout", "600", "--websocket_connect_timeout", "60", "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("daphne exited: " + proc.stderr.read().decode()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("daphne did not start within 30 s")


def stop_server(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class Clients:
    def __init__(self, n, urls, cookie, origins):
        self.n, self.urls, self.cookie, self.origins = n, urls, cookie, origins
        self.socks = []
        self.tasks = []
        self.expect = None  # (marker key, value)
        self.received: list[float] = []
        self.done = asyncio.Event()
        self.last_msg = time.perf_counter()

    async def open(self):
        from websockets.asyncio.client import connect

        sem = asyncio.Semaphore(10)

        async def one(i):
            async with sem:
                k = i % len(self.urls)  # round-robin over the daphne processes
                ws = await connect(
                    self.urls[k], origin=self.origins[k], additional_headers={"Cookie": self.cookie},
                    compression=None, open_timeout=20, ping_interval=None, max_queue=None,
                )
                self.socks.append(ws)
                self.tasks.append(asyncio.create_task(self.reader(ws)))

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(self.n))), timeout=120)

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

    async def quiet(self, seconds=0.5, limit=60):
        """Wait until no message (presence storms after connecting) arrived for `seconds`."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            await asyncio.sleep(seconds / 2)
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


async def run_case(n, rounds, urls, cookie, origins, pk):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.db import transaction

    from core import realtime
    from core.runner import run_transition
    from negotiation.models import Negotiation

    group = realtime.group_for("negotiation", pk)
    clients = Clients(n, urls, cookie, origins)
    await clients.open()
    await clients.quiet()

    def commit_transition(name, kwargs, t0):
        with transaction.atomic():
            transaction.on_commit(lambda: t0.append(time.perf_counter()))  # runs first: right after COMMIT
            obj = run_transition(model=Negotiation, pk=pk, actor=None, name=name, kwargs=kwargs)
        return obj

    results = {"transition": ([], []), "group_send": ([], [])}
    layer = get_channel_layer()
    import datetime as dt

    for r in range(rounds):
        for kind in ("transition", "group_send"):
            t0: list[float] = []
            if kind == "transition":
                neg = await sync_to_async(Negotiation.objects.get)(pk=pk)
                name, kwargs = ("suspend", {"next_date": dt.date(2027, 1, 1), "reason": "bench"}) if neg.state == "in_rounds" else ("resume", {})
                clients.arm("action", name)
                await sync_to_async(commit_transition, thread_sensitive=False)(name, kwargs, t0)
            else:
                marker = f"floor-{r}"
                clients.arm("marker", marker)
                t0.append(time.perf_counter())
                await layer.group_send(group, {"type": realtime.EVENT_TYPE, "group": group, "event": "bench", "marker": marker,
                                               "version": realtime.next_version()})
            try:
                await asyncio.wait_for(clients.done.wait(), timeout=10)
            except asyncio.TimeoutError:
                pass
            lat, rate = results[kind]
            got = clients.received
            lat.extend((t - t0[0]) * 1000 for t in got)
            if got:
                span = max(got) - t0[0]
                rate.append(len(got) / span if span > 0 else float("inf"))
            missing = n - len(got)
            if missing:
                print(f"   ! {kind} round {r}: {missing} of {n} clients got nothing within 10 s", flush=True)
            clients.expect = None
            await asyncio.sleep(0.05 + random.random() * 0.05)
    await clients.close()
    await asyncio.sleep(0.5)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 100, 200, 500])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--layers", nargs="+", default=["pubsub", "core"], choices=sorted(LAYERS))
    ap.add_argument("--servers", type=int, default=1, help="daphne processes; clients are spread over them")
    ap.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    ap.add_argument("--layer", dest="_child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._child is None:
        # one child process per layer: Django settings are fixed per process
        for layer in args.layers:
            cmd = [sys.executable, __file__, "--layer", layer, "--rounds", str(args.rounds), "--redis", args.redis,
                   "--servers", str(args.servers), "--clients", *map(str, args.clients)]
            try:
                subprocess.run(cmd, check=True, timeout=900)
            except subprocess.TimeoutExpired:
                print(f"!! layer {layer}: gave up after 900 s")
        return

    layer = args._child
    with tempfile.TemporaryDirectory(prefix="xs-wsbench-") as tmpdir:
        tmp = Path(tmpdir)
        setup_django(tmp, args.redis, LAYERS[layer])
        from django.conf import settings

        pk = 900_000 + random.randint(0, 99_999)  # pub/sub channel names are global in Redis
        pk, session = seed(pk)
        ports = [free_port() for _ in range(args.servers)]
        env = dict(os.environ, LOG_LEVEL="ERROR")
        procs = [start_server(port, env) for port in ports]
        ok = False
        try:
            print(f"== layer {settings.CHANNEL_LAYERS['default']['BACKEND']} · {len(ports)} daphne process(es) · "
                  f"{os.cpu_count()} CPUs · {args.rounds} rounds", flush=True)
            print(f"{'clients':>7} {'path':<11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'deliv/s':>9}", flush=True)
            for n in args.clients:
                rounds = args.rounds if n <= 200 else max(5, args.rounds // 2)
                res = asyncio.run(asyncio.wait_for(
                    run_case(n, rounds, [f"ws://127.0.0.1:{port}/ws/negotiations/{pk}/" for port in ports],
                             f"{settings.SESSION_COOKIE_NAME}={session}", [f"http://127.0.0.1:{port}" for port in ports], pk),
                    timeout=300,
                ))
                for kind in ("transition", "group_send"):
                    lat, rate = res[kind]
                    med_rate = statistics.median(rate) if rate else float("nan")
                    print(f"{n:>7} {kind:<11} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} {pct(lat, 99):8.1f} {med_rate:9.0f}", flush=True)
            ok = True
        finally:
            for proc in procs:
                stop_server(proc)
                if not ok:
                    print("daphne stderr (tail):\n" + proc.stderr.read().decode(errors="replace")[-3000:], flush=True)


if __name__ == "__main__":
    main()
