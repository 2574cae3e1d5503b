"""Story 5: staff_nm (自治区总工会) reads the region-wide overview and the deadline board and downloads
the exports. Both languages."""
import pytest

from .helpers import Checker, login

pytestmark = pytest.mark.browser

SEEN = {"zh-hans": "集体合同已生效", "en": "effective"}


def test_staff_nm_overview_and_exports(story_browser, story_server, lang):
    base, _seed = story_server
    ck = Checker(story_browser, base, lang)
    _c, staff = login(story_browser, base, "staff_nm", lang)
    staff.goto(f"{base}/overview/")
    ck.check(staff, "o01-overview")
    text = staff.locator("main").inner_text()
    assert SEEN[lang] in text, text
    for region in ("呼和浩特市", "包头市", "鄂尔多斯市"):
        assert region in text
    exports = staff.eval_on_selector_all("main a[href^='/overview/export/']", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.endswith(".csv") for h in exports) and any(h.endswith(".xlsx") for h in exports), exports
    for href in exports:
        with staff.expect_download() as dl:
            staff.locator(f"main a[href='{href}']").first.click()
        download = dl.value
        path = download.path()
        data = open(path, "rb").read()
        assert len(data) > 100, href
        if href.endswith(".csv"):
            assert "呼和浩特" in data.decode("utf-8-sig"), href
        else:
            assert data[:2] == b"PK", href  # an xlsx is a zip
    staff.goto(f"{base}/overview/deadlines/")
    ck.check(staff, "o02-deadlines")
    assert staff.locator("main table, main ul").count()
    ck.assert_clean()
