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
    # chart labels as drawn on screen (font size x the SVG's scale), not as declared: at least 12px
    drawn = staff.eval_on_selector_all(
        "main #disputes svg.ov-chart text, main svg.ov-chart text.ov-label",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a)")
    assert drawn and min(drawn) >= 12, drawn
    exports = staff.eval_on_selector_all("main a[href^='/overview/export/']", "els => els.map(e => e.getAttribute('href'))")
    names = [h.split("?")[0] for h in exports]
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".xlsx") for n in names), exports
    for href in exports:
        with staff.expect_download() as dl:
            staff.locator(f"main a[href='{href}']").first.click()
        download = dl.value
        path = download.path()
        data = open(path, "rb").read()
        assert len(data) > 100, href
        if href.split("?")[0].endswith(".csv"):
            rows = data.decode("utf-8-sig").splitlines()
            assert len(rows) >= 2 and "," in rows[0], href  # a header and at least one row
            if "regions" in href:
                assert "呼和浩特市" in "\n".join(rows), href
        else:
            assert data[:2] == b"PK", href  # an xlsx is a zip
    staff.goto(f"{base}/overview/deadlines/")
    ck.check(staff, "o02-deadlines")
    assert staff.locator("main table, main ul").count()
    ck.assert_clean()
