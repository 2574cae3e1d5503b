"""What every browser story does: log a role in through the login page in a language, check a page
with axe-core and at phone width, keep a screenshot."""
import json
import os
import shutil
from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SHOTS = Path(os.environ.get("BROWSER_SHOTS", "/tmp/shots"))
PASSWORD = "xieshang2026"  # accounts.demo.DEMO_PASSWORD
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--disable-background-timer-throttling",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium():
    return shutil.which("chromium")


def new_context(browser, base, lang, viewport=DESKTOP):
    # bypass_csp: the site's CSP (script-src 'self') would refuse the injected axe-core
    ctx = browser.new_context(locale="en-US" if lang == "en" else "zh-CN", viewport=viewport, bypass_csp=True)
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    ctx.set_default_timeout(15000)
    return ctx


def login(browser, base, username, lang, viewport=DESKTOP):
    """A new browser context for `username`, logged in through the login form."""
    ctx = new_context(browser, base, lang, viewport)
    page = ctx.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    return ctx, page


SERIOUS = ("serious", "critical")


def axe(page):
    """Serious or critical axe-core violations on the page as it is now, as readable lines."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 200))}));
    }""")
    return [f"{v['impact']} {v['id']}: {v['help']} @ {page.url}\n    " + "\n    ".join(v["nodes"])
            for v in result if v["impact"] in SERIOUS]


def overflow(page):
    """Horizontal overflow at the current viewport: (scrollWidth, innerWidth) when the page is wider."""
    w, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return (w, inner) if w > inner else None


class Checker:
    """Collects every story page's axe and 390 px findings; the story fails at the end with all of them."""

    def __init__(self, browser, base, lang):
        self.browser, self.base, self.lang = browser, base, lang
        self.problems = []
        self.seen = set()
        self._phone = None

    def check(self, page, name=None):
        self.problems += axe(page)
        if self.lang == "en":
            self.problems += [f"Chinese in English mode: {t!r} @ {page.url}" for t in chinese_chrome(page)]
        url = page.url
        key = url.split("?")[0]
        if key not in self.seen:
            self.seen.add(key)
            # the same page at 390 px: reuse the page's own cookies in a phone-sized page
            vp = page.viewport_size
            page.set_viewport_size(PHONE)
            too_wide = overflow(page)
            if too_wide:
                self.problems.append(f"horizontal overflow at 390 px: scrollWidth {too_wide[0]} > {too_wide[1]} @ {url}")
            page.set_viewport_size(vp)
        if name:
            shot(page, f"{name}-{self.lang}")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def chinese_chrome(page):
    """Text of the page's own furniture (labels, buttons, table and list headings, help lines, navigation)
    that is still Chinese: in English mode that is an untranslated string, not user data."""
    return page.evaluate("""() => {
        const cjk = /[\\u4e00-\\u9fff]/;
        const out = new Set();
        for (const el of document.querySelectorAll('label, button, th, dt, legend, .help, nav a, .badge')) {
            if (el.closest('.userbox, [data-user-data]')) continue;
            if (el.matches('.help') && el.closest('td')) continue;  // a row's secondary data (region, dates)
            if (el.matches('th[scope=row]')) continue;  // a row's name: a region, a firm, an arrangement
            // only the element's own text, not user data nested inside it
            let own = '';
            for (const n of el.childNodes) if (n.nodeType === 3) own += n.textContent;
            own = own.trim();
            if (own && cjk.test(own)) out.add(own.slice(0, 80));
        }
        return [...out];
    }""")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def seed_line(out):
    return json.loads(next(line for line in out.splitlines() if line.startswith("SEED "))[5:])
