"""End to end in Debian's Chromium: the employer responds, the union negotiator's open page shows it
without a reload. The test starts its own daphne (embedded default: SQLite file, in-memory layer)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server_proc(tmp_path):
    """daphne on a free loopback port against a temporary SQLite database; seeded; killed afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TEST_DB_NAME")}
    env.update(SQLITE_PATH=str(tmp_path / "browser.sqlite3"), DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               MEDIA_ROOT=str(tmp_path / "media"), LOG_LEVEL="ERROR", DJANGO_SETTINGS_MODULE="config.settings")
    py = sys.executable

    def manage(*args, timeout=240):
        done = subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    # WhiteNoise serves static/js/live.js from STATIC_ROOT (what `make test` also does first)
    manage("collectstatic", "--noinput", "-v0")
    out = manage("shell", "-c", "from tests.realtime.browser_seed import run; run()")
    seed = json.loads(next(line for line in out.splitlines() if line.startswith("SEED "))[5:])
    daphne = str(Path(py).with_name("daphne"))
    proc = subprocess.Popen([daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("daphne did not start: " + (proc.stderr.read() or b"").decode()[-2000:]) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", seed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (make browser)")
def test_employer_response_appears_on_the_negotiators_page_without_reload(live_server_proc):
    playwright = pytest.importorskip("playwright.sync_api")
    base, seed = live_server_proc
    pk = seed["negotiation"]
    detail = f"{base}/negotiations/{pk}/"

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = {}
            for who in ("negotiator", "employer"):
                ctx[who] = browser.new_context(locale="zh-CN")
                ctx[who].add_cookies([{"name": "sessionid", "value": seed["cookies"][who], "url": base}])
            union = ctx["negotiator"].new_page()
            union.set_default_timeout(15000)
            union.goto(detail)
            union.evaluate("window.__noReload = true")
            live = union.locator("#negotiation-live")
            assert "要约" in live.inner_text()

            employer = ctx["employer"].new_page()
            employer.set_default_timeout(15000)
            employer.goto(detail)
            # presence: the negotiator sees the employer looking at the same negotiation
            union.locator("#presence li", has_text=seed["names"]["employer"]).wait_for()

            employer.goto(f"{base}/do/negotiation/{pk}/respond/")
            employer.check("input[name=decision][value=agree]")
            employer.fill("textarea[name=text]", "同意下周二在会议室协商")
            employer.locator("form[method=post] button[type=submit]").last.click()
            employer.wait_for_url(detail)

            # the negotiator's page updates by itself
            live.get_by_text("同意下周二在会议室协商").wait_for()
            assert union.evaluate("window.__noReload") is True
            badge = union.locator("#notif-badge")
            union.wait_for_function("() => Number(document.getElementById('notif-badge').dataset.count) > 0")
            assert badge.is_visible()
        finally:
            browser.close()
