"""The one PDF renderer: Django template → HTML → WeasyPrint → bytes.

Safety (see ARCHITECTURE.md "PDFs"):
- templates are rendered by Django's engine with autoescaping, so user text (term texts,
  names, minutes) reaches WeasyPrint as inert text, never as markup;
- WeasyPrint may fetch only `data:` URIs and files inside PDF_ASSETS_DIR (static/pdf/).
  No http(s), no redirects (we never open a network connection), no other `file:` path,
  no symlink escape. Every refused URL raises, WeasyPrint logs it and renders without it;
- an explicit `base_url` (the assets folder) so relative URLs can only point there.

Fonts are named explicitly in static/pdf/document.css ("Noto Serif CJK SC" / "Noto Sans CJK SC",
from the Debian package fonts-noto-cjk) and the root element carries lang="zh-Hans" so Pango
picks the Simplified Chinese glyph forms. Subsetting uses HarfBuzz when libharfbuzz-subset0 is
installed (a tenth of a second per page) and falls back to fontTools (seconds): see `subsetter()`.
"""
from __future__ import annotations

import gc
import logging
import os
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template import Template, engines

log = logging.getLogger(__name__)

PDF_ASSETS_DIR = Path(getattr(settings, "PDF_ASSETS_DIR", Path(settings.BASE_DIR) / "static" / "pdf")).resolve()
BASE_URL = PDF_ASSETS_DIR.as_uri() + "/"


class RefusedURL(ValueError):
    """The fetcher refused a URL: not data:, not a file inside the PDF assets folder."""


def _asset_path(url: str) -> Path | None:
    """The local path for an allowed `file:` URL, or None when it points outside the assets."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(unquote(parts.path)).resolve(strict=True)  # follows symlinks, collapses ../
    except (OSError, RuntimeError):
        return None
    if path.is_file() and path.is_relative_to(PDF_ASSETS_DIR):
        return path
    return None


def make_url_fetcher(record: Callable[[str, bool], None] | None = None):
    """A WeasyPrint 70 URL fetcher (a `weasyprint.urls.URLFetcher` subclass overriding `fetch`).

    `record(url, allowed)` is called for every request WeasyPrint makes (tests pass a spy).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedFetcher(URLFetcher):
        def __init__(self):
            # No redirects, no fatal errors: a refused resource is logged and left out.
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                if record:
                    record(url, True)
                return super().fetch(url, headers)  # urllib's DataHandler: decodes in memory only
            path = _asset_path(url) if scheme == "file" else None
            if record:
                record(url, path is not None)
            if path is None:
                log.warning("pdf: refused to fetch %.200s", url)
                raise RefusedURL(f"refused: {url[:200]}")
            mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix.lower(), "")
            headers = {"Content-Type": mime} if mime else {}
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers=headers)

    return LockedFetcher()


def subsetter() -> str:
    """Which font subsetter WeasyPrint uses here: 'harfbuzz' (fast) or 'fonttools' (slow)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

        if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
            return "harfbuzz"
    except Exception:  # pragma: no cover - depends on system libraries
        pass
    return "fonttools"


def render_html(*, template: str | Template, context: dict, lang: str = "zh-Hans") -> str:
    """Render the document's HTML with Django's autoescaping engine (no request, no |safe)."""
    ctx = {**context, "lang": lang, "pdf_assets_url": BASE_URL}
    if isinstance(template, str):
        tpl = engines["django"].get_template(template)
        return tpl.render(ctx)
    from django.template import Context

    return template.render(Context(ctx, autoescape=True))


def html_to_pdf(html: str, *, url_fetcher=None) -> bytes:
    """HTML → PDF bytes through the locked fetcher with the assets folder as base_url."""
    import weasyprint

    fetcher = url_fetcher or make_url_fetcher()
    # The cyclic collector would otherwise rescan the whole process (Django, templates, the ORM)
    # many times during layout; WeasyPrint's boxes stay alive until the end anyway. Callers that
    # render in a loop (the Celery task) run gc.collect() afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(*, template: str | Template, context: dict, lang: str = "zh-Hans", url_fetcher=None) -> bytes:
    """Render `template` (a name under templates/, normally templates/pdf/…) with `context` to PDF bytes.

    The template should extend "pdf/base.html", which sets A4, the running header, the page
    numbers "第 N 页 共 M 页", the CJK fonts and `<html lang=…>`. Deterministic: the same
    context gives the same bytes (no dates unless the context supplies them).
    """
    html = render_html(template=template, context=context, lang=lang)
    return html_to_pdf(html, url_fetcher=url_fetcher)


def assets_dir() -> str:
    return os.fspath(PDF_ASSETS_DIR)
