"""Issue 13: every URL that names an object is looked up through that object's scope.

For every URL pattern of the site (pages and /api/v1/, walked from the resolver) that takes an object id,
for every demo login and every object of its kind (the demo, plus evidence, case files and generated
documents added below), the expectation is derived from what the same user gets on the object's own page:

- READ (history, download, panel, live fragment, API detail, API sub-lists, ...): page 200 <=> 200, except
  where the app narrows it on purpose (listed in NARROWED with the function that decides; the page must
  still be 200 there);
- GATED (action pages, edit forms, POST-only endpoints, sent empty): a rule may refuse (403), input may
  be refused (400), a POST-only URL may redirect (302) or refuse the method (405), but when the page is
  not 200 the answer is 403 or 404, never anything that reveals or touches the object.

No answer may be a 5xx. A pattern with a path parameter that is neither mapped here nor listed in
UNMAPPED (with the reason) fails `test_every_url_naming_an_object_is_decided`, so a new URL fails until
someone decides what its object is. POSTs run in a savepoint rolled back after the call.
"""
from __future__ import annotations

import io
import logging
import re
import tempfile
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
READ, GATED = "read", "gated"


# -- the site's URL patterns ------------------------------------------------------------------------
def _walk(patterns, prefix="", ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = p.namespace or ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            yield name, prefix + str(p.pattern)


def _has_parameter(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\(\?P<", route))


def object_routes() -> dict[str, str]:
    """URL name -> route, for every non-admin pattern that takes a path parameter."""
    out = {}
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or not _has_parameter(route):
            continue
        out[name or route] = route
    return out


# Patterns with a path parameter that do not name an object a scope decides on, and why.
UNMAPPED = {
    "overview:export": "the parameters are an export's name and format; the rows inside are scoped (tests/overview)",
    "documents:verify_code": "public by design: a verification code shows only title, parties, date and hash (tests/documents/test_verify.py)",
    "negotiation:public_comment": "public by a one-time unguessable token, not by login scope (tests/negotiation: token reuse and guessing)",
    "region-detail": "regions are reference data (the administrative divisions), listed to every user by regions_visible_to; no object page",
    "legal:application_from_dispute": "checked below against the dispute's page, narrowed to union staff (test_application_from_dispute_follows_the_dispute)",
    "legal:firm_edit": "a firm profile has no read page; compared with firms_visible_to in test_firm_profile_follows_firms_visible_to",
    "legal-firm-detail": "as legal:firm_edit (test_firm_profile_follows_firms_visible_to)",
    "notification-detail": "a user's own inbox row, no object page: compared with the recipient in test_notifications_are_the_recipients",
    "notification-read": "as notification-detail",
    "notifications:read": "as notification-detail",
}


# -- the world ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The demo, plus for every dispute an evidence file per side, for every legal-aid case a case file,
    and a finished generated document for every negotiation, round and case; one transaction rolled back
    after the module."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of expected 403/404 warnings; a 500 is still logged
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER):
            with django_db_blocker.unblock(), transaction.atomic():
                call_command("seed_demo", stdout=io.StringIO())
                _add_files()
                yield _users()
                transaction.set_rollback(True)
    finally:
        request_log.setLevel(level)


def _users():
    from accounts.models import User

    return list(User.objects.filter(is_active=True).order_by("username"))


def _add_files():
    from accounts.models import User
    from disputes.models import DisputeCase, Evidence
    from documents.models import GeneratedDocument
    from legal.models import CaseDocument, LegalAidCase
    from negotiation.models import Negotiation, Round

    admin = User.objects.get(username="admin")
    pdf = b"%PDF-1.4\n%matrix\n"
    for case in DisputeCase.objects.all():
        for side in (Evidence.Side.WORKER, Evidence.Side.EMPLOYER):
            ev = Evidence(case=case, title=f"{side} evidence", stage=case.state, side=side, original_name="e.pdf",
                          content_type="application/pdf", size=len(pdf), sha256="0" * 64, uploaded_by=admin)
            ev.file.save("e.pdf", ContentFile(pdf), save=True)
    for case in LegalAidCase.objects.all():
        doc = CaseDocument(case=case, original_name="c.pdf", content_type="application/pdf", size=len(pdf), uploaded_by=admin)
        doc.file.save("c.pdf", ContentFile(pdf), save=True)
    targets = [("agreement", n, n) for n in Negotiation.objects.all()]
    targets += [("minutes", r, r.negotiation) for r in Round.objects.select_related("negotiation")]
    targets += [("assignment", c, c) for c in LegalAidCase.objects.all()]
    for kind, obj, owner in targets:
        doc = GeneratedDocument(kind=kind, object_label=obj._meta.label_lower, object_id=str(obj.pk),
                                owner_label=owner._meta.label_lower, owner_id=str(owner.pk),
                                status=GeneratedDocument.Status.DONE, title=f"{kind} {obj.pk}", size=len(pdf))
        doc.file.save(f"{kind}-{obj.pk}.pdf", ContentFile(pdf), save=True)


# -- kinds of object: their own page -----------------------------------------------------------------
@dataclass
class Kind:
    objects: Callable[[], list]
    page: Callable[[object], str]  # the object's own page; its answer decides the expectation


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


KINDS = {
    "negotiation": Kind(lambda: list(_model("negotiation.Negotiation").objects.order_by("pk")),
                        lambda o: reverse("negotiation:detail", args=[o.pk])),
    "dispute": Kind(lambda: list(_model("disputes.DisputeCase").objects.order_by("pk")),
                    lambda o: reverse("disputes:detail", args=[o.pk])),
    "legal_case": Kind(lambda: list(_model("legal.LegalAidCase").objects.order_by("pk")),
                       lambda o: reverse("legal:case_detail", args=[o.pk])),
    "consultation": Kind(lambda: list(_model("legal.Consultation").objects.order_by("pk")),
                         lambda o: reverse("legal:consultation_detail", args=[o.pk])),
    "organisation": Kind(lambda: list(_model("accounts.Organisation").objects.order_by("pk")),
                         lambda o: reverse("accounts:organisation_detail", args=[o.pk])),
}


def _documents(obj, kinds):
    GeneratedDocument = _model("documents.GeneratedDocument")
    return list(GeneratedDocument.objects.filter(owner_label=obj._meta.label_lower, owner_id=str(obj.pk), kind__in=kinds,
                                                 status=GeneratedDocument.Status.DONE).exclude(file=""))


def _actions(workflow_name):
    from core import workflow

    return [name for name, action in workflow.get(workflow_name).actions.items() if action.page]  # others have no page (404)


def _api_action_names(prefix):
    """API action URL names of one viewset (`api-negotiation-…`), the detail itself excluded."""
    return [n for n in object_routes() if n.startswith(prefix) and not n.endswith(("-detail", "-list"))]


# -- what each URL is: kind, mode, the URLs for one object -----------------------------------------
@dataclass
class Sub:
    kind: str
    mode: str
    urls: Callable[[object], list[str]]
    method: str = "get"
    api: bool = False
    narrowed: Callable[[object, object], bool] | None = None  # (user, obj) -> may see, beyond the page
    why_narrowed: str = ""


def _one(name, *args):
    return lambda o: [reverse(name, args=[o.pk, *args])]


def _history(label):
    return lambda o: [reverse("core:history", args=[label, o.pk])]


def _api_history(label):
    return lambda o: [f"/api/v1/history/{label}/{o.pk}/"]


def _is_firm(user):
    from legal.permissions import is_firm_user

    return is_firm_user(user)


def _legal_history_visible(user, case):
    from legal.models import DISCLOSED_STATES

    return not _is_firm(user) or case.state in DISCLOSED_STATES


def _personal_data_visible(user, case):
    from legal.permissions import personal_data_visible

    return personal_data_visible(user, case)


def _draft_content_visible(user, neg):
    from negotiation.selectors import draft_content_visible

    return draft_content_visible(user, neg)


def _evidence_urls(side):
    def urls(case):
        return [reverse("disputes:evidence_download", args=[case.pk, ev.pk]) for ev in case.evidence.filter(side=side)]
    return urls


def _sub_table() -> dict[str, list[Sub]]:
    neg, dis, case = "negotiation", "dispute", "legal_case"
    t: dict[str, list[Sub]] = {
        # core
        "core:history": [
            Sub(neg, READ, _history("negotiation.negotiation")),
            Sub(dis, READ, _history("disputes.disputecase")),
            Sub(case, READ, _history("legal.legalaidcase"), narrowed=_legal_history_visible,
                why_narrowed="legal/apps.py: a firm reads the case's history only once it accepted (staff's reasons)"),
            Sub("consultation", READ, _history("legal.consultation")),
            Sub("organisation", READ, _history("accounts.organisation")),
        ],
        "api-history": [
            Sub(neg, READ, _api_history("negotiation.negotiation"), api=True),
            Sub(dis, READ, _api_history("disputes.disputecase"), api=True),
            Sub(case, READ, _api_history("legal.legalaidcase"), api=True, narrowed=_legal_history_visible,
                why_narrowed="as core:history"),
            Sub("consultation", READ, _api_history("legal.consultation"), api=True),
            Sub("organisation", READ, _api_history("accounts.organisation"), api=True),
        ],
        "core:workflow-action": [
            Sub(neg, GATED, lambda o: [reverse("core:workflow-action", args=["negotiation", o.pk, a]) for a in _actions("negotiation")]),
            Sub(dis, GATED, lambda o: [reverse("core:workflow-action", args=["disputes", o.pk, a]) for a in _actions("disputes")]),
            Sub(case, GATED, lambda o: [reverse("core:workflow-action", args=["legal", o.pk, a]) for a in _actions("legal")]),
        ],
        # documents
        "documents:panel": [
            Sub(neg, READ, lambda o: [reverse("documents:panel", args=["negotiation.negotiation", o.pk])]),
            Sub(case, READ, lambda o: [reverse("documents:panel", args=["legal.legalaidcase", o.pk])]),
        ],
        "documents:download": [
            Sub(neg, READ, lambda o: [reverse("documents:download", args=[d.pk]) for d in _documents(o, ["agreement", "minutes"])]),
            Sub(case, READ, lambda o: [reverse("documents:download", args=[d.pk]) for d in _documents(o, ["assignment"])],
                narrowed=lambda u, c: _documents_kind_visible("assignment", u, c),
                why_narrowed="legal/documents.py: the assignment letter's own visible_to"),
        ],
        "api-document-detail": [
            Sub(neg, READ, lambda o: [f"/api/v1/documents/{d.pk}/" for d in _documents(o, ["agreement", "minutes"])], api=True),
            Sub(case, READ, lambda o: [f"/api/v1/documents/{d.pk}/" for d in _documents(o, ["assignment"])], api=True,
                narrowed=lambda u, c: _documents_kind_visible("assignment", u, c), why_narrowed="as documents:download"),
        ],
        "documents:generate": [
            Sub(neg, GATED, lambda o: [reverse("documents:generate", args=[k, o.pk]) for k in ("agreement", "proposal", "response")]
                + [reverse("documents:generate", args=["minutes", r.pk]) for r in o.rounds.all()], method="post"),
            Sub(case, GATED, lambda o: [reverse("documents:generate", args=["assignment", o.pk])], method="post",
                narrowed=lambda u, c: _documents_kind_visible("assignment", u, c), why_narrowed="as documents:download"),
        ],
        # negotiation pages
        "negotiation:live_fragment": [Sub(neg, READ, _one("negotiation:live_fragment"))],
        "negotiation:representatives": [Sub(neg, GATED, lambda o: [reverse("negotiation:representatives", args=[o.pk, s]) for s in ("union", "employer")])],
        "negotiation:term_add": [Sub(neg, GATED, _one("negotiation:term_add"))],
        "negotiation:term_revise": [Sub(neg, GATED, lambda o: [reverse("negotiation:term_revise", args=[o.pk, t.pk]) for t in o.terms.all()])],
        "negotiation:term_versions": [Sub(neg, READ, lambda o: [reverse("negotiation:term_versions", args=[o.pk, t.pk]) for t in o.terms.all()],
                                          narrowed=_draft_content_visible, why_narrowed="negotiation.selectors.draft_content_visible: a union's draft is its own until served")],
        "negotiation:round_add": [Sub(neg, GATED, _one("negotiation:round_add"))],
        "negotiation:comments": [Sub(neg, GATED, lambda o: [reverse("negotiation:comments", args=[o.pk, d.pk]) for d in o.drafts.all()])],
        "negotiation:links_issue": [Sub(neg, GATED, lambda o: [reverse("negotiation:links_issue", args=[o.pk, d.pk]) for d in o.drafts.all()], method="post")],
        # negotiation API
        "api-negotiation-detail": [Sub(neg, READ, lambda o: [f"/api/v1/negotiations/{o.pk}/"], api=True)],
        "api-negotiation-comments": [Sub(neg, GATED, lambda o: [f"/api/v1/negotiations/{o.pk}/drafts/{d.pk}/comments/" for d in o.drafts.all()], api=True)],
        "api-negotiation-revise-term": [Sub(neg, GATED, lambda o: [f"/api/v1/negotiations/{o.pk}/terms/{t.pk}/revise/" for t in o.terms.all()],
                                            api=True, method="post")],
        # disputes
        "disputes:evidence_upload": [Sub(dis, GATED, _one("disputes:evidence_upload"), method="post")],
        "disputes:evidence_download": [
            Sub(dis, READ, _evidence_urls("employer")),
            Sub(dis, READ, _evidence_urls("worker"), narrowed=lambda u, c: _worker_evidence_visible(u),
                why_narrowed="disputes.selectors.evidence_visible_to: an employer sees its own side's submissions only"),
        ],
        "api-disputes-detail": [Sub(dis, READ, lambda o: [f"/api/v1/disputes/{o.pk}/"], api=True)],
        # legal aid
        "legal:case_edit": [Sub(case, GATED, _one("legal:case_edit"))],
        "legal:document_download": [Sub(case, READ, lambda o: [reverse("legal:document_download", args=[o.pk, d.pk]) for d in o.documents.all()],
                                        narrowed=_personal_data_visible, why_narrowed="legal.permissions.personal_data_visible: a firm sees files once it accepted")],
        "legal-case-detail": [Sub(case, READ, lambda o: [f"/api/v1/legal-aid/cases/{o.pk}/"], api=True)],
        "legal-consultation-detail": [Sub("consultation", READ, lambda o: [f"/api/v1/legal-aid/consultations/{o.pk}/"], api=True)],
        # accounts
        "organisation-detail": [Sub("organisation", READ, lambda o: [f"/api/v1/organisations/{o.pk}/"], api=True)],
    }
    # Every other API route of the three workflow viewsets is an action: POST-only, gated.
    for prefix, kind, base in (("api-negotiation-", neg, "/api/v1/negotiations/{pk}/"),
                               ("api-disputes-", dis, "/api/v1/disputes/{pk}/"),
                               ("legal-case-", case, "/api/v1/legal-aid/cases/{pk}/")):
        for name in _api_action_names(prefix):
            if name in t:
                continue
            route = object_routes()[name]
            slug = route.rstrip("/$").rsplit("/", 1)[-1]
            t[name] = [Sub(kind, GATED, (lambda b, s: lambda o: [b.format(pk=o.pk) + f"{s}/"])(base, slug), api=True, method="post")]
    return t


def _documents_kind_visible(key, user, obj):
    from documents import registry

    kind = registry.get(key)
    return kind.visible_to is None or kind.visible_to(user).filter(pk=obj.pk).exists()


def _worker_evidence_visible(user):
    from accounts.models import Role

    return user.is_sysadmin or user.role != Role.EMPLOYER_REP


# Pages that are themselves an object's page (the reference), not a sub-resource.
OWN_PAGES = {"negotiation:detail", "disputes:detail", "legal:case_detail", "legal:consultation_detail",
             "accounts:organisation_detail"}


# -- calling --------------------------------------------------------------------------------------
class Caller:
    def __init__(self, user):
        self.user = user
        self.page = Client(raise_request_exception=False)
        self.page.force_login(user)
        self.api = APIClient(raise_request_exception=False)
        self.api.force_authenticate(user)
        self._pages: dict[str, int] = {}

    def page_status(self, url):
        if url not in self._pages:
            self._pages[url] = self.page.get(url).status_code
        return self._pages[url]

    def status(self, url, method, api):
        client = self.api if api else self.page
        with transaction.atomic():
            resp = getattr(client, method)(url, **({"format": "json"} if api and method == "post" else {}))
            transaction.set_rollback(True)
        return resp.status_code


GATED_OK = {200, 302, 400, 403, 405, 409}


def _judge(sub: Sub, page: int, got: int, user, obj) -> str | None:
    if got >= 500:
        return "server error"
    if page != 200:
        return None if got in (403, 404) else f"page {page} but {got}"
    if sub.narrowed is not None and not sub.narrowed(user, obj):
        return None if got in (403, 404) else f"narrowed ({sub.why_narrowed}) but {got}"
    if sub.mode == READ:
        return None if got == 200 else f"page 200 but {got}"
    return None if got in GATED_OK else f"page 200 but {got}"


# -- tests ------------------------------------------------------------------------------------------
def test_every_url_naming_an_object_is_decided():
    table = _sub_table()
    undecided = sorted(set(object_routes()) - set(table) - set(UNMAPPED) - OWN_PAGES)
    assert undecided == [], f"URLs taking an id with no scope expectation: map them in _sub_table or list them in UNMAPPED: {undecided}"
    stale = sorted((set(table) | set(UNMAPPED) | OWN_PAGES) - set(object_routes()))
    assert stale == [], f"entries for URLs that no longer exist: {stale}"


@pytest.fixture(scope="module")
def callers(matrix_world):
    return [Caller(u) for u in matrix_world]


def _names():
    return sorted(_sub_table())


def _representatives(kind: Kind, callers) -> list:
    """Objects such that every login meets one whose page it may open and one whose page it may not (where
    the demo has them): GATED URLs (every action of a workflow) are tried on these only, READ URLs on all."""
    chosen = []
    objs = kind.objects()
    for caller in callers:
        for want_open in (True, False):
            if any((caller.page_status(kind.page(o)) == 200) == want_open for o in chosen):
                continue
            hit = next((o for o in objs if (caller.page_status(kind.page(o)) == 200) == want_open), None)
            if hit is not None:
                chosen.append(hit)
    return chosen


@pytest.mark.parametrize("name", _names())
def test_sub_resources_follow_their_objects_page(name, callers):
    problems = []
    checked = 0
    for sub in _sub_table()[name]:
        kind = KINDS[sub.kind]
        for obj in (kind.objects() if sub.mode == READ else _representatives(kind, callers)):
            urls = sub.urls(obj)
            for caller in callers:
                page = caller.page_status(kind.page(obj))
                for url in urls:
                    got = caller.status(url, sub.method, sub.api)
                    checked += 1
                    why = _judge(sub, page, got, caller.user, obj)
                    if why:
                        problems.append(f"{caller.user.username} {sub.method.upper()} {url} ({sub.kind} {obj.pk}): {why}")
    assert checked, f"{name}: no URL was tried (the demo lacks the objects it needs)"
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} of {checked})"


def test_application_from_dispute_follows_the_dispute(callers):
    """The legal-aid application pre-filled from a dispute: union staff (and the administrator) get it exactly
    for the disputes whose page they may open; every other role is refused whatever the dispute."""
    from accounts.models import Role

    problems = []
    for case in KINDS["dispute"].objects():
        url = reverse("legal:application_from_dispute", args=[case.pk])
        for caller in callers:
            page = caller.page_status(KINDS["dispute"].page(case))
            got = caller.status(url, "get", False)
            staff = caller.user.is_sysadmin or caller.user.role == Role.UNION_STAFF
            if (got == 200) != (staff and page == 200) or got not in (200, 403, 404):
                problems.append(f"{caller.user.username} {url}: dispute page {page}, got {got}")
    assert problems == []


def test_firm_profile_follows_firms_visible_to(callers):
    """A firm's profile: the API detail answers 200 exactly for the profiles firms_visible_to gives the caller
    (staff: all, a firm's users: their own); the management page is union staff's (and the administrator's)."""
    from accounts.models import Organisation, Role
    from legal.permissions import firms_visible_to

    firms = list(Organisation.objects.filter(kind__in=["law_firm", "legal_aid_centre"]).order_by("pk"))
    assert firms
    problems = []
    for caller in callers:
        mine = set(firms_visible_to(caller.user).values_list("organisation_id", flat=True))
        staff = caller.user.is_sysadmin or caller.user.role == Role.UNION_STAFF
        for org in firms:
            api = caller.status(f"/api/v1/legal-aid/firms/{org.pk}/", "get", True)
            page = caller.status(reverse("legal:firm_edit", args=[org.pk]), "get", False)
            if (api == 200) != (org.pk in mine) or api not in (200, 403, 404):
                problems.append(f"{caller.user.username} API firm {org.pk}: {api}")
            if (page == 200) != staff or page not in (200, 403, 404):
                problems.append(f"{caller.user.username} firm page {org.pk}: {page}")
    assert problems == []


def test_notifications_are_the_recipients(callers):
    """A notification (one per recipient in the demo) is read and marked read by its recipient only; anyone
    else gets 404 on the API detail, the API's mark-read and the page's mark-read."""
    from notifications.models import Notification

    sample = {}
    for n in Notification.objects.order_by("pk"):
        sample.setdefault(n.recipient_id, n)
    assert len(sample) > 3
    problems = []
    for caller in callers:
        for n in sample.values():
            own = n.recipient_id == caller.user.pk
            got = (caller.status(f"/api/v1/notifications/{n.pk}/", "get", True),
                   caller.status(f"/api/v1/notifications/{n.pk}/read/", "post", True),
                   caller.status(reverse("notifications:read", args=[n.pk]), "post", False))
            ok = got[0] == 200 and got[1] in (200, 204) and got[2] == 302 if own else all(g in (403, 404) for g in got)
            if not ok:
                problems.append(f"{caller.user.username} notification {n.pk} (recipient {n.recipient_id}): {got}")
    assert problems == []
