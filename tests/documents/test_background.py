"""Issues 14 and 12: documents stored by content and rendered in the background.

- an unchanged document asked for again is served from its stored render (no WeasyPrint run, no new row);
- a changed one is rendered again; identical renders share one file (stored by sha256);
- the change that makes a document final (the agreement filed) queues exactly one render, on commit only;
- the panel shows the real status (queued / rendering / failed with retry / done with download) in
  Chinese and English, and asks to be re-fetched only while something is queued or running;
- without a broker, renders run in the in-process render thread, not in the request.

`renders` (conftest) counts WeasyPrint runs; tests run queued renders inline (DOCUMENTS_RENDER="sync")
except the thread test.
"""
import datetime as dt
import hashlib

import pytest
from django.db import transaction
from django.urls import reverse

from documents import registry, services, tasks
from documents.models import GeneratedDocument

PANEL = "documents:panel"


def _files(media):
    return sorted(p for p in media.rglob("*.pdf")) if media.exists() else []


def _generate(client, kind, pk, capture):
    with capture(execute=True):
        return client.post(reverse("documents:generate", args=[kind, pk]), {"next": "/back/"})


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content)


@pytest.mark.django_db
def test_unchanged_document_is_served_from_its_render(negotiation, world, client_for, media, renders,
                                                      django_capture_on_commit_callbacks, django_assert_num_queries):
    c = client_for(world.users.negotiator_a)
    first = _generate(c, "agreement", negotiation.pk, django_capture_on_commit_callbacks)
    assert first.status_code == 302 and len(renders) == 1
    doc = GeneratedDocument.objects.get()
    assert doc.status == "done" and len(doc.fingerprint) == 64

    for _ in range(2):
        again = _generate(c, "agreement", negotiation.pk, django_capture_on_commit_callbacks)
        assert again.status_code == 302 and again["Location"] == "/back/"
    assert len(renders) == 1  # three requests, one WeasyPrint run
    assert GeneratedDocument.objects.count() == 1

    # The request for an unchanged document: session, and the user with their organisation (2: one query,
    # accounts.backends), the negotiation in scope (1), SAVEPOINT/RELEASE (2), terms exist (1), busy rows (1),
    # the builder's reads (employer, vote, union, representatives, terms with their current versions: 5),
    # the render by fingerprint (1).
    with django_assert_num_queries(13):
        assert c.post(reverse("documents:generate", args=["agreement", negotiation.pk])).status_code == 302
    bodies = {hashlib.sha256(_body(c.get(reverse("documents:download", args=[doc.pk])))).hexdigest() for _ in range(3)}
    assert bodies == {doc.sha256} and len(renders) == 1
    assert _files(media) == [media / doc.file.name]
    assert doc.file.name == f"documents/sha256/{doc.sha256[:2]}/{doc.sha256}.pdf"


@pytest.mark.django_db
def test_changed_document_is_rendered_again(negotiation, world, client_for, media, renders, django_capture_on_commit_callbacks):
    c = client_for(world.users.negotiator_a)
    _generate(c, "agreement", negotiation.pk, django_capture_on_commit_callbacks)
    before = GeneratedDocument.objects.get()
    term = negotiation.terms.get(number=8)
    term.current.text = "修改后的争议处理条款。"
    term.current.save()
    _generate(c, "agreement", negotiation.pk, django_capture_on_commit_callbacks)
    assert len(renders) == 2
    after = GeneratedDocument.objects.exclude(pk=before.pk).get()
    assert after.status == "done"
    assert after.fingerprint != before.fingerprint and after.sha256 != before.sha256 and after.code != before.code
    assert len(_files(media)) == 2
    # asked again: the new render, not a third one
    _generate(c, "agreement", negotiation.pk, django_capture_on_commit_callbacks)
    assert len(renders) == 2 and GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_a_template_version_bump_is_a_changed_document(negotiation, media, renders, monkeypatch):
    import dataclasses

    kind = registry.get("agreement")
    services.document_generate_now(kind=kind, obj=negotiation)
    monkeypatch.setitem(registry._kinds, "agreement", dataclasses.replace(kind, template_version="agreement-2"))
    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    assert len(renders) == 2 and doc.template_version == "agreement-2"


@pytest.mark.django_db
def test_identical_renders_share_one_file(negotiation, media, renders, django_capture_on_commit_callbacks):
    """A render queued for an unchanged document (here by hand, as a workflow change would) reuses the
    finished render: a second row, no second WeasyPrint run, one file on disk."""
    kind = registry.get("agreement")
    first = services.document_generate_now(kind=kind, obj=negotiation)
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.queue_after_change(kind=kind, obj=negotiation)
    queued.refresh_from_db()
    assert queued.pk != first.pk and queued.status == "done"
    assert (queued.sha256, queued.code, queued.file.name) == (first.sha256, first.code, first.file.name)
    assert len(renders) == 1 and len(_files(media)) == 1
    # the same bytes stored twice are one file
    name, digest = services.store_pdf(b"%PDF-1.7 same")
    assert services.store_pdf(b"%PDF-1.7 same") == (name, digest) and len(_files(media)) == 2


def _file_agreement(negotiation, world):
    from negotiation import services as neg_services

    return neg_services.filing_record(negotiation=negotiation, actor=world.users.negotiator_a, filed_on=dt.date(2026, 3, 1),
                                      receipt_number="呼人社集备〔2026〕第099号", bureau=world.bureau_hh)


@pytest.fixture
def signed(world):
    from negotiation.documents import build_sample_negotiation

    return build_sample_negotiation(employer=world.emp_a, union=world.union_a, workshops=1, state="signed")


@pytest.mark.django_db
def test_filing_queues_exactly_one_render_on_commit(signed, world, media, renders, monkeypatch, django_capture_on_commit_callbacks):
    dispatched = []
    monkeypatch.setattr(tasks, "dispatch", dispatched.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _file_agreement(signed, world)
        queued = GeneratedDocument.objects.get()  # recorded in the change's own transaction
        assert dispatched == []  # nothing runs before the commit
    assert (queued.kind, queued.object_id, queued.status, queued.generated_by) == ("agreement", str(signed.pk), "pending", None)
    for callback in callbacks:
        callback()
    assert dispatched == [queued.pk] and renders == []  # queued, not rendered in the request


@pytest.mark.django_db
def test_filing_renders_the_filed_agreement_in_the_background_task(signed, world, media, renders, client_for,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _file_agreement(signed, world)
    doc = GeneratedDocument.objects.get()
    assert doc.status == "done" and len(renders) == 1
    from tests.documents.conftest import pdf_text, squash

    with doc.file.open("rb") as fh:
        assert "呼人社集备〔2026〕第099号" in squash(pdf_text(fh.read()))
    # the first person to ask gets it at once
    c = client_for(world.users.negotiator_a)
    _generate(c, "agreement", signed.pk, django_capture_on_commit_callbacks)
    assert len(renders) == 1 and GeneratedDocument.objects.count() == 1


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing(signed, world, media, renders, monkeypatch, django_capture_on_commit_callbacks):
    dispatched = []
    monkeypatch.setattr(tasks, "dispatch", dispatched.append)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _file_agreement(signed, world)
                raise RuntimeError("later step failed")
    assert GeneratedDocument.objects.count() == 0 and dispatched == [] and renders == []
    signed.refresh_from_db()
    assert signed.state == "signed"


@pytest.mark.django_db
def test_changes_that_do_not_finalise_queue_nothing(world, negotiation, media, monkeypatch, django_capture_on_commit_callbacks):
    """Only the kinds' render_on changes queue: the bureau returning the contract (back to the table) does not."""
    from core.runner import run_transition
    from negotiation.models import Negotiation

    dispatched = []
    monkeypatch.setattr(tasks, "dispatch", dispatched.append)
    with django_capture_on_commit_callbacks(execute=True):
        run_transition(model=Negotiation, pk=negotiation.pk, actor=None, name="return_objection", kwargs={"objection": "第5条不符合规定"})
    negotiation.refresh_from_db()
    assert negotiation.state == "in_rounds"
    assert dispatched == [] and GeneratedDocument.objects.count() == 0


@pytest.mark.django_db
def test_a_second_change_while_queued_adds_no_second_render(signed, world, media, monkeypatch, django_capture_on_commit_callbacks):
    dispatched = []
    monkeypatch.setattr(tasks, "dispatch", dispatched.append)
    kind = registry.get("agreement")
    with django_capture_on_commit_callbacks(execute=True):
        _file_agreement(signed, world)
        services.queue_after_change(kind=kind, obj=signed)  # as a second change before the first render starts
    assert GeneratedDocument.objects.count() == 1 and len(dispatched) == 1


def _row(negotiation, status, **extra):
    return GeneratedDocument.objects.create(
        kind="agreement", object_label="negotiation.negotiation", object_id=str(negotiation.pk),
        owner_label="negotiation.negotiation", owner_id=str(negotiation.pk), status=status, **extra,
    )


def _agreement_row(html):
    start = html.index('data-kind="agreement"')
    return html[start:html.index("</li>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("lang,texts", [
    ("zh-hans", {"pending": "排队中…", "rendering": "生成中…", "failed": "生成失败", "retry": "重试", "download": "下载PDF"}),
    ("en", {"pending": "Queued…", "rendering": "Rendering…", "failed": "Failed", "retry": "Retry", "download": "Download PDF"}),
])
def test_panel_shows_the_real_status(negotiation, world, client_for, media, lang, texts):
    c = client_for(world.users.negotiator_a)
    c.cookies["django_language"] = lang
    url = reverse(PANEL, args=["negotiation.negotiation", negotiation.pk])

    def agreement():
        return _agreement_row(c.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())

    row = _row(negotiation, "pending")
    html = agreement()
    assert 'data-doc-status="pending"' in html and "data-doc-busy" in html and texts["pending"] in html
    assert "<form" not in html  # no second request while one is queued

    GeneratedDocument.objects.filter(pk=row.pk).update(status="rendering")
    html = agreement()
    assert 'data-doc-status="rendering"' in html and "data-doc-busy" in html and texts["rendering"] in html

    GeneratedDocument.objects.filter(pk=row.pk).update(status="failed", error="RuntimeError: 字体缺失")
    html = agreement()
    assert 'data-doc-status="failed"' in html and "data-doc-busy" not in html
    assert texts["failed"] in html and "RuntimeError: 字体缺失" in html and texts["retry"] in html

    done = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    html = agreement()
    assert 'data-doc-status="done"' in html and "data-doc-busy" not in html
    assert reverse("documents:download", args=[done.pk]) in html and texts["download"] in html
    assert texts["pending"] not in html and texts["rendering"] not in html


@pytest.mark.django_db
def test_panel_page_loads_the_refresh_script_and_no_inline_script(negotiation, world, client_for):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/negotiations/1/")
    request.user = world.users.negotiator_a
    html = Template('{% include "documents/_panel.html" with obj=negotiation %}').render(
        Context({"negotiation": negotiation, "request": request}))
    assert '<script src="/static/js/documents.js" defer></script>' in html
    assert html.count("<script") == 1 and "style=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang,expected", [
    ("zh-hans", "文书内容未变，已是最新版本"), ("en", "The document has not changed; this is the current version"),
])
def test_generate_says_when_the_document_is_unchanged(negotiation, world, client_for, media, renders, lang, expected,
                                                      django_capture_on_commit_callbacks):
    services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    c = client_for(world.users.negotiator_a)
    c.cookies["django_language"] = lang
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(reverse("documents:generate", args=["agreement", negotiation.pk]), HTTP_ACCEPT_LANGUAGE=lang, follow=True)
    assert expected in resp.content.decode() and len(renders) == 1


@pytest.mark.django_db
def test_api_answers_an_unchanged_document_with_its_render(negotiation, world, api_for, media, renders,
                                                           django_capture_on_commit_callbacks):
    api = api_for(world.users.negotiator_a)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": negotiation.pk}, format="json")
    assert first.status_code == 202 and first.json()["status"] == "pending"  # queued; rendered on commit
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": negotiation.pk}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert again.json()["id"] == first.json()["id"] and again.json()["download_url"]
    assert len(renders) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_renders_run_in_the_render_thread(negotiation, world, client_for, media, renders, settings):
    """The embedded default: the request queues and returns; the render thread renders."""
    import threading

    settings.DOCUMENTS_RENDER = ""
    assert tasks.render_mode() == "sync"  # the default in a test environment: other apps' tests stay deterministic
    settings.DOCUMENTS_RENDER = "thread"  # the embedded default outside tests (no broker: Celery eager)
    c = client_for(world.users.negotiator_a)
    resp = c.post(reverse("documents:generate", args=["agreement", negotiation.pk]))
    assert resp.status_code == 302
    tasks.worker.wait()
    doc = GeneratedDocument.objects.get()
    assert doc.status == "done" and doc.generated_by == world.users.negotiator_a
    assert len(renders) == 1 and renders[0] != threading.get_ident()


@pytest.mark.django_db
def test_assigning_the_lawyer_renders_the_assignment_letter_once(world, media, renders, django_capture_on_commit_callbacks):
    """legal/documents.py: the letter names the lawyer, so assigning one makes it final."""
    from decimal import Decimal

    from legal import services as legal
    from tests.factories import region
    from tests.legal.conftest import make_profile, valid_id

    make_profile(world.firm_a, regions=("150100",))
    case = legal.case_create(actor=world.users.staff_hh, data=dict(
        applicant_name="张三", id_number=valid_id(), phone="13800000000", address="呼和浩特市赛罕区某街1号",
        applicant_region=region("150105"), is_migrant_worker=True, household_size=3,
        household_monthly_income=Decimal("3000"), opposing_employer=world.emp_a, matter="pay",
        facts="拖欠工资三个月。", claims="支付拖欠工资15000元。", claim_amount=Decimal("15000"), summary_for_firms="拖欠工资。"))
    case = legal.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
    with django_capture_on_commit_callbacks(execute=True):
        legal.case_accept(actor=world.users.firm_admin_a, case=case, conflict_confirmed=True)
    assert GeneratedDocument.objects.count() == 0  # accepted, no lawyer yet: the letter is not final
    with django_capture_on_commit_callbacks(execute=True):
        legal.case_assign_lawyer(actor=world.users.firm_admin_a, case=case, lawyer=world.users.lawyer_a)
    doc = GeneratedDocument.objects.get()
    assert (doc.kind, doc.object_id, doc.status) == ("assignment", str(case.pk), "done") and len(renders) == 1


def test_render_mode_outside_tests_follows_the_broker(settings, monkeypatch):
    from django.core import mail

    monkeypatch.delattr(mail, "outbox")  # as outside a test environment
    settings.DOCUMENTS_RENDER = ""
    app = tasks.render_document_task.app
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    assert tasks.render_mode() == "thread"  # no broker: the in-process render thread
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    assert tasks.render_mode() == "celery"
    settings.DOCUMENTS_RENDER = "sync"
    assert tasks.render_mode() == "sync"
