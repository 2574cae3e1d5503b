"""Legal aid on the one workflow mechanism: services refuse a wrong actor exactly like the page and the API
(nothing written), sweep flags are audited, uploads are sniffed, history is labelled in both languages."""
import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from legal import services
from legal.models import CaseDocument, Consultation, LegalAidCase
from notifications.models import Notification
from tests.factories import region

from .conftest import valid_id


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def application(world, **over):
    data = dict(applicant_name="王五", id_number=valid_id(seq="789"), phone="13800000009", applicant_region=region("150105"),
                is_migrant_worker=True, opposing_employer=world.emp_a, matter="pay", facts="拖欠工资", claims="支付工资",
                summary_for_firms="拖欠工资")
    data.update(over)
    return data


# --- services refuse a wrong actor, like the page and the API --------------------------------------
def test_employer_rep_cannot_create_a_case(world):
    with pytest.raises(PermissionDenied) as exc:
        services.case_create(actor=world.users.employer_a, data=application(world))
    assert "工会工作人员" in str(exc.value)
    assert LegalAidCase.objects.count() == 0 and not AuditEvent.objects.filter(action="case_create").exists()


def test_staff_cannot_create_a_case_for_an_applicant_outside_their_region(world, api_for):
    with pytest.raises(PermissionDenied) as exc:
        services.case_create(actor=world.users.staff_bt, data=application(world))
    assert "管辖范围" in str(exc.value)
    assert LegalAidCase.objects.count() == 0
    # the API refuses the same way, with the same reason
    payload = {**application(world), "applicant_region": region("150105").pk, "opposing_employer": world.emp_a.pk}
    r = api_for(world.users.staff_bt).post("/api/v1/legal-aid/cases/", payload, format="json")
    assert r.status_code == 403 and LegalAidCase.objects.count() == 0


def test_lawyer_cannot_record_a_consultation(world):
    with pytest.raises(PermissionDenied) as exc:
        services.consultation_create(actor=world.users.lawyer_a, data={"region": region("150105"), "topic": "pay", "summary": "x"})
    assert "工会工作人员" in str(exc.value)
    assert Consultation.objects.count() == 0


def test_staff_cannot_record_a_consultation_outside_their_region(world):
    with pytest.raises(PermissionDenied):
        services.consultation_create(actor=world.users.staff_bt, data={"region": region("150105"), "topic": "pay", "summary": "x"})
    assert Consultation.objects.count() == 0


def test_another_firms_lawyer_cannot_close_a_case(world, firms, approved, client_for, api_for):
    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case, conflict_confirmed=True)
    services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case, lawyer=world.users.lawyer_a)
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        services.case_close(actor=world.users.lawyer_b, case=case.pk, outcome="settled")
    assert client_for(world.users.lawyer_b).post(f"/do/legal/{case.pk}/close/", {"outcome": "settled"}).status_code == 404
    assert api_for(world.users.lawyer_b).post(f"/api/v1/legal-aid/cases/{case.pk}/close/", {"outcome": "settled"},
                                              format="json").status_code == 404
    case.refresh_from_db()
    assert case.state == "in_progress" and AuditEvent.objects.count() == before


def test_staff_cannot_close_and_the_reason_is_given(world, firms, approved, client_for):
    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case, conflict_confirmed=True)
    services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case, lawyer=world.users.lawyer_a)
    with pytest.raises(PermissionDenied) as exc:
        services.case_close(actor=world.users.staff_hh, case=case.pk, outcome="settled")
    assert "律所" in str(exc.value)
    r = client_for(world.users.staff_hh).post(f"/do/legal/{case.pk}/close/", {"outcome": "settled"})
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.state == "in_progress"


def test_assigned_lawyer_is_notified(world, firms, approved):
    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case, conflict_confirmed=True)
    services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case, lawyer=world.users.lawyer_a)
    assert Notification.objects.filter(recipient=world.users.lawyer_a, kind="legal.lawyer_assigned").count() == 1


def test_buttons_follow_the_registry(world, firms, approved, client_for):
    case = approved()
    page = client_for(world.users.staff_hh).get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert f"/do/legal/{case.pk}/route_override/" in page
    assert f'data-live-socket="/ws/legal-aid/{case.pk}/"' in page and "data-refresh-url" in page


# --- the sweep: every flag audited as the system -----------------------------------------------------
def _sweep(on: dt.date):
    from core import sweep

    return sweep.run_all(timezone.make_aware(dt.datetime.combine(on, dt.time(10))))["legal"]


def _flags(case, name):
    return AuditEvent.objects.filter(action=name, object_id=str(case.pk), actor__isnull=True)


def test_every_sweep_flag_leaves_an_audit_event(world, firms, make_case, approved):
    today = timezone.localdate()
    case = make_case(limitation_date=today + dt.timedelta(days=60))
    assert not case.urgent and case.decision_due
    # due soon: the day before the decision date
    assert _sweep(case.decision_due - dt.timedelta(days=1))["decision_due_soon"] == 1
    assert _flags(case, "flag_decision_due_soon").count() == 1
    # overdue: the day after
    assert _sweep(case.decision_due + dt.timedelta(days=1))["decision_overdue"] == 1
    assert _flags(case, "flag_decision_overdue").count() == 1
    # urgent: the limitation date comes within the urgent window
    assert _sweep(case.limitation_date - dt.timedelta(days=2))["urgent"] == 1
    assert _flags(case, "flag_urgent").count() == 1
    case.refresh_from_db()
    assert case.urgent and case.decision_overdue
    # the flags went through the runner: e-mailed warnings, the right kinds
    assert Notification.objects.filter(kind="legal.decision_overdue").exists()
    # assignment overdue
    routed = approved()
    assert _sweep(routed.assignment_due + dt.timedelta(days=1))["assignment_overdue"] == 1
    assert _flags(routed, "flag_assignment_overdue").count() == 1
    # idempotent: nothing new
    n = AuditEvent.objects.filter(action__startswith="flag_").count()
    _sweep(routed.assignment_due + dt.timedelta(days=1))
    assert AuditEvent.objects.filter(action__startswith="flag_").count() == n


def test_deadline_warnings_are_emailed(world, make_case, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("notifications.services._queue_email", lambda ids: queued.extend(ids))
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(case.decision_due + dt.timedelta(days=1))
    overdue = set(Notification.objects.filter(kind="legal.decision_overdue").values_list("pk", flat=True))
    assert overdue and overdue <= set(queued)


# --- uploads: the type is sniffed from the bytes -----------------------------------------------------
def _zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a word document")
    return buf.getvalue()


@pytest.mark.parametrize("name,content", [
    ("工资条.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("头像.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("合同.docx", _zip_bytes()),
])
def test_disguised_uploads_are_refused(world, make_case, client_for, name, content):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        services.document_add(actor=world.users.staff_hh, case=case.pk, upload=SimpleUploadedFile(name, content))
    assert "file" in exc.value.message_dict
    r = client_for(world.users.staff_hh).post(f"/do/legal/{case.pk}/document_add/", {"file": SimpleUploadedFile(name, content)})
    assert r.status_code == 400
    assert CaseDocument.objects.count() == 0


def test_accepted_upload_is_hashed_and_downloaded_as_attachment(world, make_case, client_for):
    case = make_case()
    doc = services.document_add(actor=world.users.staff_hh, case=case.pk, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 hello"))
    assert doc.content_type == "application/pdf" and len(doc.sha256) == 64 and doc.size == 14
    # a random stored name, not the uploaded one (a hex name may itself end in "a", hence the basename)
    assert doc.file.name.startswith("legal/") and doc.file.name.rsplit("/", 1)[-1] != "a.pdf"
    r = client_for(world.users.staff_hh).get(f"/legal-aid/cases/{case.pk}/documents/{doc.pk}/")
    assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Disposition"].startswith("attachment")


# --- history in both languages -----------------------------------------------------------------------
@pytest.mark.parametrize("lang,expected", [("zh-hans", ["给予法律援助", "登记法律援助申请"]), ("en", ["Grant legal aid", "Application registered"])])
def test_history_shows_human_labels(world, firms, approved, client_for, settings, lang, expected):
    case = approved()
    client = client_for(world.users.staff_hh)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(f"/history/legal.legalaidcase/{case.pk}/").content.decode()
    for label in expected:
        assert label in html, label
    assert "submitted → approved" not in html and "· approve" not in html and "case_create" not in html


# --- the case page's socket ---------------------------------------------------------------------------
@pytest.fixture
def ws_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def _socket(path, user):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings as dj
    from django.test import Client

    from config.asgi import application

    def cookie():
        c = Client()
        c.force_login(user)
        return c.cookies[dj.SESSION_COOKIE_NAME].value

    value = await database_sync_to_async(cookie)()
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"),
               (b"cookie", f"{dj.SESSION_COOKIE_NAME}={value}".encode())]
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_case_socket_for_the_offered_firm_only(world, firms, approved, ws_layer):
    from channels.db import database_sync_to_async

    case = await database_sync_to_async(approved)()
    assert case.assigned_firm_id == world.firm_a.pk
    other = await _socket(f"/ws/legal-aid/{case.pk}/", world.users.firm_admin_b)
    ok, _code = await other.connect()
    assert not ok
    comm = await _socket(f"/ws/legal-aid/{case.pk}/", world.users.firm_admin_a)
    ok, code = await comm.connect()
    assert ok, code
    await database_sync_to_async(services.case_accept)(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    while True:
        msg = await comm.receive_json_from(timeout=10)
        if msg.get("event") == "transition":
            break
    assert msg["id"] == case.pk and msg["state"] == "accepted" and msg["action"] == "accept"
    await comm.disconnect()
