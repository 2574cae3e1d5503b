"""End to end in Chromium: the employer responds, the union negotiator's open page shows it without a
reload (moved from tests/realtime/test_browser.py onto the shared story server)."""
import pytest

from .helpers import login

pytestmark = pytest.mark.browser


def test_employer_response_appears_on_the_negotiators_page_without_reload(story_browser, story_server):
    base, seed = story_server
    pk = seed["proposed"]
    detail = f"{base}/negotiations/{pk}/"
    _u, union = login(story_browser, base, "negotiator", "zh-hans")
    union.goto(detail)
    union.evaluate("window.__noReload = true")
    live = union.locator("#negotiation-live")
    assert "已发出要约" in live.inner_text()

    _e, employer = login(story_browser, base, "employer", "zh-hans")
    employer.goto(detail)
    # presence: the negotiator sees the employer looking at the same negotiation
    union.locator("#presence li", has_text="孙立").wait_for()

    employer.goto(f"{base}/do/negotiation/{pk}/respond/")
    employer.check("input[name=decision][value=agree]")
    employer.fill("textarea[name=text]", "同意下周二在会议室协商")
    employer.locator("main form[method=post] button[type=submit]").last.click()
    employer.wait_for_url(detail)

    # the negotiator's page updates by itself
    live.get_by_text("同意下周二在会议室协商").wait_for()
    assert union.evaluate("window.__noReload") is True
    union.wait_for_function("() => Number(document.getElementById('notif-badge').dataset.count) > 0")
    assert union.locator("#notif-badge").is_visible()
