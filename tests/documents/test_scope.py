"""A document is visible exactly when its object is, through the object's registered scope; downloads are
attachments; the documents app holds only the generic machinery (kinds come from the workflow apps)."""
import ast
import dataclasses
import pathlib

import pytest
from django.urls import reverse

from core import workflow
from documents import registry, services
from documents.models import GeneratedDocument

ROOT = pathlib.Path(__file__).resolve().parents[2]
HUGE = 2**70


def _replace(monkeypatch, key, **changes):
    kind = registry.get(key)
    monkeypatch.setitem(registry._kinds, key, dataclasses.replace(kind, **changes))


@pytest.mark.django_db
def test_download_is_always_an_attachment(negotiation, world, client_for, media):
    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    resp = client_for(world.users.negotiator_a).get(reverse("documents:download", args=[doc.pk]), {"inline": "1"})
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    assert resp["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_kind_cannot_widen_the_objects_registered_scope(negotiation, world, client_for, media, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from negotiation.models import Negotiation, Round

    _replace(monkeypatch, "agreement", visible_to=lambda actor: Negotiation.objects.all())
    _replace(monkeypatch, "minutes", visible_to=lambda actor: Round.objects.all())  # the owner is checked too
    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    minutes = services.document_generate_now(kind=registry.get("minutes"), obj=negotiation.rounds.first())
    outsider = client_for(world.users.negotiator_b)
    with django_capture_on_commit_callbacks(execute=True):
        assert outsider.post(reverse("documents:generate", args=["agreement", negotiation.pk])).status_code == 404
        assert outsider.post(reverse("documents:generate", args=["minutes", minutes.object_id])).status_code == 404
    assert outsider.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    assert outsider.get(reverse("documents:download", args=[minutes.pk])).status_code == 404
    assert client_for(world.users.negotiator_a).get(reverse("documents:download", args=[minutes.pk])).status_code == 200
    assert GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_lookups_follow_the_registered_scope(negotiation, world, client_for, media, monkeypatch):
    """Whatever the workflow registers as the negotiation's scope is what documents use (minutes and panel included)."""
    from negotiation.models import Negotiation

    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    minutes = services.document_generate_now(kind=registry.get("minutes"), obj=negotiation.rounds.first())
    insider = client_for(world.users.negotiator_a)
    assert insider.get(reverse("documents:download", args=[minutes.pk])).status_code == 200
    monkeypatch.setattr(workflow.get("negotiation"), "scope", lambda actor: Negotiation.objects.none())
    assert insider.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    assert insider.get(reverse("documents:download", args=[minutes.pk])).status_code == 404
    assert insider.get(reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk])).status_code == 404


@pytest.mark.django_db
def test_a_kind_without_any_scope_shows_nothing(negotiation, world, client_for, monkeypatch):
    monkeypatch.setitem(registry._kinds, "bare", registry.DocumentKind(
        key="bare", label="x", model="negotiation.round", template_version="1", build=lambda obj: None))
    rnd = negotiation.rounds.first()
    assert client_for(world.users.admin).post(reverse("documents:generate", args=["bare", rnd.pk])).status_code == 404


@pytest.mark.django_db
def test_malformed_or_out_of_range_ids_are_404(negotiation, world, client_for, api_for, media):
    c = client_for(world.users.negotiator_a)
    assert c.post(reverse("documents:generate", args=["agreement", HUGE])).status_code == 404
    assert c.get(reverse("documents:download", args=[HUGE])).status_code == 404
    assert c.get(reverse("documents:panel", args=["negotiation.negotiation", HUGE])).status_code == 404
    # a registered model that lists no documents has no panel
    assert c.get(reverse("documents:panel", args=["accounts.organisation", world.emp_a.pk])).status_code == 404
    api = api_for(world.users.negotiator_a)
    assert api.get(f"/api/v1/documents/{HUGE}/").status_code == 404
    # in a body, a number outside the key range is a field error (the schema gives its bounds), not a 500
    r = api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": HUGE}, format="json")
    assert r.status_code == 400 and "object_id" in r.json()
    assert api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": 0}, format="json").status_code == 400
    assert GeneratedDocument.objects.count() == 0


@pytest.mark.django_db
def test_demo_seed_renders_what_the_kinds_offer_once(negotiation, media):
    from documents import demo

    assert demo.seed(None) == "documents: 1 rendered"
    assert demo.seed(None) == "documents: 0 rendered"
    assert GeneratedDocument.objects.get().kind == "agreement"


def test_the_documents_app_imports_no_workflow_app():
    forbidden = {"negotiation", "disputes", "legal", "overview"}
    bad = []
    for path in sorted((ROOT / "documents").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                fn = node.func
                if (fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")) in {"get_model", "import_module"}:
                    names = [str(node.args[0].value)]
            bad += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in forbidden]
    assert bad == []
    assert not (ROOT / "documents" / "builders.py").exists()
