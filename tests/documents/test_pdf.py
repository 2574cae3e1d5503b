"""The renderer: real Chinese text, A4 with header and page numbers, and a fetcher that fetches nothing else."""
import datetime as dt
import http.server
import io
import os
import shutil
import subprocess
import threading

import pytest
from pypdf import PdfReader

from core import pdf as core_pdf
from core.pdf import BASE_URL, PDF_ASSETS_DIR, RefusedURL, html_to_pdf, make_url_fetcher, render_pdf
from tests.documents.conftest import pdf_text, squash

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">'
    '<style>body{background:url(http://169.254.169.254/latest/meta-data/)}</style>'
    "<b>加粗</b> http://169.254.169.254/latest/meta-data/ {redirect} "
    '<script>alert(1)</script> "引号" & 符号'
)


@pytest.fixture
def redirect_server():
    """A local server that answers every request with a redirect to the metadata address, and counts hits."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_port}/redirect", hits
    server.shutdown()


def letter_context(paragraph):
    return {
        "doc": {"title": "测试函", "header": "测试函 页眉", "code": "ABCDEFGHJKMN", "date": dt.date(2026, 3, 1),
                "date_iso": "2026-03-01", "verify_url": "http://testserver/documents/verify/", "template_version": "t-1"},
        "addressee": "呼和浩特甲乳业有限公司",
        "paragraphs": [paragraph],
        "sender": "甲乳业工会",
    }


def spy():
    seen = []
    return seen, make_url_fetcher(lambda url, allowed: seen.append((url, allowed)))


def test_fetcher_allows_only_data_and_assets(tmp_path):
    fetcher = make_url_fetcher()
    css = fetcher.fetch(BASE_URL + "document.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,5Lit5paH").read() == "中文".encode()
    outside = tmp_path / "secret.css"
    outside.write_text("secret")
    link = PDF_ASSETS_DIR / "zz-test-link.css"
    refused = [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        outside.as_uri(),
        BASE_URL + "../../config/settings.py",
        BASE_URL + "%2e%2e/%2e%2e/config/settings.py",
        "file://evil.example.com" + str(PDF_ASSETS_DIR) + "/document.css",
        BASE_URL + "missing.css",
        "javascript:alert(1)",
    ]
    try:
        os.symlink(outside, link)
        refused.append(BASE_URL + link.name)
        for url in refused:
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)
    finally:
        link.unlink(missing_ok=True)


def test_chinese_text_is_real_text_with_header_and_page_numbers():
    data = render_pdf(template="pdf/letter.html", context=letter_context("错时上下班：早班06:00—14:00，职工协商代表不列入待岗名单。"))
    text = pdf_text(data)
    assert "呼和浩特甲乳业有限公司" in text
    assert "错时上下班：早班06:00—14:00，职工协商代表不列入待岗名单。" in text
    assert "甲乳业工会" in text
    assert "测试函 页眉" in text  # running header
    assert "第1页共1页" in squash(text)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("CJK" in f and "SC" in f.upper() for f in fonts), fonts


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdftotext_reads_the_same_text(tmp_path):
    data = render_pdf(template="pdf/letter.html", context=letter_context("轮岗轮休周期：工作5天，休息2天。"))
    (tmp_path / "a.pdf").write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "a.pdf"), "-"], capture_output=True, check=True).stdout.decode()
    assert "轮岗轮休周期：工作5天，休息2天。" in out
    assert "呼和浩特甲乳业有限公司" in out


def test_hostile_term_text_renders_as_inert_text(redirect_server):
    url, hits = redirect_server
    hostile = HOSTILE.replace("{redirect}", url)
    seen, fetcher = spy()
    data = render_pdf(template="pdf/letter.html", context=letter_context(hostile), url_fetcher=fetcher)
    text = squash(pdf_text(data))
    assert squash(hostile) in text  # every character printed, nothing interpreted
    assert hits == []
    assert [u for u, _ in seen] == [BASE_URL + "document.css"]
    assert b"/EmbeddedFile" not in data and b"root:x:0:0" not in data


def test_markup_that_reaches_weasyprint_still_fetches_nothing(redirect_server, caplog):
    """Even raw HTML (a template bug) cannot read files or reach the network: the fetcher refuses."""
    url, hits = redirect_server
    html = (
        f'<html lang="zh-Hans"><head><link rel="stylesheet" href="{url}"><link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="../../config/settings.py"></head>'
        f'<body><img src="file:///etc/passwd"><img src="{url}"><img src="http://169.254.169.254/latest/meta-data/">'
        '<p style="background:url(file:///etc/hostname)">正文</p><a href="file:///etc/passwd">链接</a></body></html>'
    )
    seen, fetcher = spy()
    data = html_to_pdf(html, url_fetcher=fetcher)
    assert hits == []
    allowed = [u for u, ok in seen if ok]
    assert allowed == []
    assert {u for u, ok in seen} >= {"file:///etc/passwd", url, "http://169.254.169.254/latest/meta-data/"}
    assert b"/EmbeddedFile" not in data and b"root:x:0:0" not in data
    assert "正文" in pdf_text(data)


def test_same_context_gives_same_bytes():
    ctx = letter_context("同一内容")
    assert render_pdf(template="pdf/letter.html", context=ctx) == render_pdf(template="pdf/letter.html", context=ctx)


def test_subsetter_is_reported():
    assert core_pdf.subsetter() in ("harfbuzz", "fonttools")


def test_pdf_templates_never_mark_text_safe():
    from django.conf import settings

    for folder in ("pdf", "documents"):
        for path in (settings.BASE_DIR / "templates" / folder).glob("*.html"):
            body = path.read_text()
            assert "|safe" not in body and "autoescape off" not in body, path
