"""One live server for all browser stories: daphne on a free loopback port with its own database,
migrated and seeded once per session with the demo data (`manage.py seed_demo`) plus the few objects
each language's run needs for itself (tests/browser/seed.py). Stories log in through the login page.

The server's database is a SQLite file in a temporary folder (the embedded default), or, when
DATABASE_URL points at PostgreSQL, a database of its own beside the suite's test database
(`<TEST_DB_NAME or test>_browser`, dropped afterwards). BROWSER_BASE=http://host:port and
BROWSER_SEED=<json> reuse a server started by hand instead."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import CHROMIUM_ARGS, chromium, seed_line

ROOT = Path(__file__).resolve().parents[2]

LANGS = ["zh-hans", "en"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_env(env):
    """A server database of its own on the same PostgreSQL as the suite (created fresh, dropped after)."""
    import dj_database_url
    import psycopg

    url = env["DATABASE_URL"]
    cfg = dj_database_url.parse(url)
    name = (os.environ.get("TEST_DB_NAME") or "test") + "_browser"
    admin = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                 password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**{k: v for k, v in admin.items() if v is not None or k == "autocommit"}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name

    def drop():
        with psycopg.connect(**{k: v for k, v in admin.items() if v is not None or k == "autocommit"}) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return drop


@pytest.fixture(scope="session")
def story_server(tmp_path_factory):
    """(base URL, seed dict) of a running seeded daphne."""
    if os.environ.get("BROWSER_BASE"):
        yield os.environ["BROWSER_BASE"], json.loads(os.environ.get("BROWSER_SEED", "{}"))
        return
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TEST_DB_NAME")}
    env.update(SQLITE_PATH=str(tmp / "browser.sqlite3"), DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               MEDIA_ROOT=str(tmp / "media"), LOG_LEVEL="ERROR", DJANGO_SETTINGS_MODULE="config.settings",
               SITE_URL=f"http://127.0.0.1:{port}")
    drop = None
    if env.get("DATABASE_URL", "").startswith("postgres"):
        drop = _postgres_env(env)
    else:
        env.pop("DATABASE_URL", None)
    py = sys.executable

    def manage(*args, timeout=300):
        done = subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    # WhiteNoise serves static files from STATIC_ROOT (what `make test` also does first)
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo")
    seed = seed_line(manage("shell", "-c", "from tests.browser.seed import run; run()"))
    daphne = str(Path(py).with_name("daphne"))
    log = open(tmp / "daphne.log", "wb")
    proc = subprocess.Popen([daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("daphne did not start: " + (tmp / "daphne.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", seed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        if drop:
            drop()


@pytest.fixture(scope="session")
def story_browser():
    if not chromium():
        pytest.skip("Debian's chromium is not installed (make browser)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(params=LANGS)
def lang(request):
    return request.param
