"""Every page, in both languages (issue 12): no Chinese left in the English pages, no raw codes in the
Chinese ones.

Over the demo data, one login per role walks every GET page it can reach: the fixed pages (lists, the
overview, the deadline calculator, notifications, the to-do list, the account page, the forms to open
things), the detail page of every workflow object it sees, the action page of every action possible on
it (/do/<workflow>/<pk>/<action>/; a refusal page is a page too), and every same-site link those pages
show (history, term versions, comments, organisations, …).

- English: any CJK text that is not user data fails. User data (titles, names, organisations, regions,
  facts, terms' contents, stored notifications, …) is collected from the database and removed from the
  page's text before the check.
- Chinese: any state id, action id or field name shown as text fails (`in_rounds`, `under_review`,
  `pay_rule`, `headcount=`).
"""
from __future__ import annotations

import io
import logging
import os
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PROJECT_APPS = {"core", "accounts", "negotiation", "disputes", "legal", "documents", "notifications", "overview", "worklist"}

# One login per role (the first demo login of each); scope differences between logins of the same role
# are tested in tests/security, language is per template.
LOGINS = ["admin", "staff_hohhot", "negotiator", "employer", "firm_admin", "lawyer", "bureau"]

FIXED_PAGES = [
    "/home/", "/todo/", "/accounts/me/", "/accounts/organisations/", "/accounts/organisations/new/",
    "/negotiations/", "/negotiations/new/", "/disputes/", "/disputes/new/",
    "/legal-aid/consultations/", "/legal-aid/cases/", "/legal-aid/cases/new/", "/legal-aid/inbox/",
    "/legal-aid/firms/", "/legal-aid/subject-access/", "/notifications/", "/overview/", "/overview/deadlines/",
    "/deadlines/calculator/", "/documents/verify/",
]
PUBLIC_PAGES = ["/accounts/login/", "/documents/verify/", "/documents/verify/NO-SUCH-CODE/"]

# Links followed from a page: HTML pages of this site only (no files, exports, API, admin, the
# websocket fragment or the language switch).
FOLLOW = re.compile(r"^/(home|todo|accounts|negotiations|disputes|legal-aid|documents/(verify|panel)|notifications|overview|deadlines|do|history)/")
SKIP = re.compile(r"(download|/export/|\.pdf$|\.csv$|\.xlsx$|/logout/|/read/|/read-all/|/live/)")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
ALLOWED_CJK = {"中文"}  # the language switch names the other language in that language
MAX_PAGES_PER_LOGIN = 400


class _Text(HTMLParser):
    """Visible text: the content of text nodes outside <script>, <style> and <template>; no attributes."""

    SKIP = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag in {"br", "p", "div", "li", "td", "th", "tr", "dt", "dd", "option", "h1", "h2", "h3", "label"}:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        else:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse(html: str) -> tuple[str, list[str]]:
    p = _Text()
    p.feed(html)
    p.close()
    text = "".join(p.parts)
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n+", "\n", text).strip(), p.links


# -- what is user data, what is a code ------------------------------------------------------------
def _strings(value, keys: set | None = None):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if keys is not None and isinstance(k, str):
                keys.add(k)
            yield from _strings(v, keys)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v, keys)


def collect_data() -> tuple[list[str], set[str]]:
    """Every stored string (free-text fields, JSON contents) with CJK or an underscore, longest first,
    split into lines as pages show them; and the keys of stored JSON (term contents: `pay_rule`, …)."""
    values: set[str] = set()
    keys: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        text_fields = [f.attname for f in model._meta.concrete_fields
                       if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name != "password"]
        json_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        if not text_fields and not json_fields:
            continue
        for row in model._default_manager.values_list(*text_fields, *json_fields):
            for v in row[: len(text_fields)]:
                if v:
                    values.add(v)
            for v in row[len(text_fields):]:
                values.update(_strings(v, keys))
    out = set()
    for v in values:
        for line in [v, *v.splitlines()]:
            line = " ".join(line.split())
            if line and (CJK.search(line) or "_" in line):
                out.add(line)
    return sorted(out, key=len, reverse=True), keys


def collect_codes(json_keys: set[str]) -> set[str]:
    from core.workflow import all_workflows

    codes = set()
    for wf in all_workflows():
        codes.update(wf.actions)
        codes.update(str(v) for v, _ in wf.model._meta.get_field("state").flatchoices)
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            codes.update(f.name for f in model._meta.concrete_fields if "_" in f.name)
    codes.update(k for k in json_keys if re.fullmatch(r"[a-z][a-z0-9_]*", k) and "_" in k)
    return {c for c in codes if c}


def strip_data(text: str, data: list[str]) -> str:
    for v in data:
        if v in text:
            text = text.replace(v, "\u2063")
    return text


# -- the walk -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # expected 403s (refused actions) are logged as warnings
    try:
        with override_settings(PASSWORD_HASHERS=FAST_HASHER), django_db_blocker.unblock(), transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            public = PUBLIC_PAGES + comment_links()
            data, keys = collect_data()
            yield data, collect_codes(keys), public
            transaction.set_rollback(True)
    finally:
        request_log.setLevel(level)


def comment_links() -> list[str]:
    """An employee's comment page (public, by a one-time link): a fresh link for each draft out for comments."""
    from negotiation import services
    from negotiation.models import PublishedDraft, State

    urls = []
    for draft in PublishedDraft.objects.filter(negotiation__state=State.COMMENTS).select_related("negotiation__union"):
        union_rep = draft.negotiation.union.members.filter(is_active=True, role="union_negotiator").first()
        for _link, token in services.links_issue(draft=draft, actor=union_rep, count=1, submission_key=f"i18n-{draft.pk}"):
            urls.append(f"/negotiations/{draft.negotiation_id}/c/{token}/")
    return urls


def object_pages(user) -> list[str]:
    """Each visible workflow object's page and the page of every action possible in its state."""
    from core.workflow import all_workflows

    urls = []
    for wf in all_workflows():
        for obj in wf.visible(user):
            urls.append(wf.detail_url(obj))
            for a in wf.actions.values():
                if a.page and a.is_available(obj):
                    urls.append(f"/do/{wf.name}/{obj.pk}/{a.name}/")
    return urls


def walk(client: Client, start: list[str]) -> dict[str, tuple[int, str]]:
    """GET every page reachable from `start` through same-site links: url → (status, html)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = list(dict.fromkeys(start))
    while queue and len(seen) < MAX_PAGES_PER_LOGIN:
        url = queue.pop(0)
        if url in seen:
            continue
        r = client.get(url)
        html = r.content.decode() if r.get("Content-Type", "").startswith("text/html") else ""
        seen[url] = (r.status_code, html)
        if r.status_code != 200 or not html:
            continue
        for href in parse(html)[1]:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            path = parts.path
            if FOLLOW.match(path) and not SKIP.search(path) and path not in seen:
                queue.append(path)
    return seen


def check_pages(lang: str, who: str, pages: dict, data: list[str], codes: set[str], failures: list[str]):
    code_re = re.compile(r"(?<![\w/.-])(%s)(?![\w/-])" % "|".join(sorted(map(re.escape, codes), key=len, reverse=True)))
    assign_re = re.compile(r"(?<![\w/.-])[a-z][a-z0-9_]*=")
    for url, (status, html) in pages.items():
        if status not in (200, 403):
            if status not in (301, 302):
                failures.append(f"[{lang}] {who} {url}: HTTP {status}")
            continue
        if not html:
            continue
        text = parse(html)[0]
        if lang == "en":
            if not CJK.search(text):
                continue
            text = strip_data(text, data)
            for line in text.splitlines():
                for m in CJK.finditer(line):
                    if m.group() not in ALLOWED_CJK:
                        failures.append(f"[en] {who} {url}: {m.group()!r} in {line.strip()[:120]!r}")
        else:
            if not (code_re.search(text) or assign_re.search(text)):
                continue
            text = strip_data(text, data)
            for line in text.splitlines():
                for m in [*code_re.finditer(line), *assign_re.finditer(line)]:
                    failures.append(f"[zh] {who} {url}: {m.group()!r} in {line.strip()[:120]!r}")


def test_every_page_in_both_languages(demo):
    from accounts.models import User

    data, codes, public = demo
    failures: list[str] = []
    counts = defaultdict(int)
    for lang in ("en", "zh-hans"):
        anon = Client()
        anon.cookies["django_language"] = lang
        pages = walk(anon, public)
        counts[lang] += len(pages)
        check_pages(lang, "anonymous", pages, data, codes, failures)
        for username in LOGINS:
            user = User.objects.get(username=username)
            c = Client()
            c.force_login(user)
            c.cookies["django_language"] = lang
            pages = walk(c, FIXED_PAGES + object_pages(user))
            counts[lang] += len(pages)
            check_pages(lang, username, pages, data, codes, failures)
    assert counts["en"] > 100 and counts["en"] == counts["zh-hans"], dict(counts)
    assert any("/c/" in url for url in public), "no draft out for comments in the demo: the employee's page is not walked"
    unique = list(dict.fromkeys(failures))
    if os.environ.get("I18N_REPORT"):  # the whole list, for fixing many at once
        with open(os.environ["I18N_REPORT"], "w", encoding="utf-8") as f:
            f.write("\n".join(unique))
    assert not unique, f"{len(unique)} problems on {counts['en']} pages per language:\n" + "\n".join(unique[:300])
