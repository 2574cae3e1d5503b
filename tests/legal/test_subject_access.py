"""Issue 13 (个人信息保护法 arts. 45, 50): an export of everything held about one applicant, by ID number — staff-only
page and a management command, JSON, audited."""
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from core.models import AuditEvent
from legal import services
from tests.factories import region

from .conftest import valid_id

ID = valid_id()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def applicant(world, firms, make_case):
    """One applicant (ID) with a consultation turned into a case that went to a firm, a work-log entry and a
    document; a call from the same phone number; and someone else's case."""
    staff = world.users.staff_hh
    call = services.consultation_create(actor=staff, data={"caller_name": "张三", "caller_phone": "13800000000",
                                                           "region": region("150105"), "summary": "被拖欠工资"})
    again = services.consultation_create(actor=staff, data={"caller_name": "张先生", "caller_phone": "13800000000",
                                                            "region": region("150105"), "summary": "询问进展"})
    stranger = services.consultation_create(actor=staff, data={"caller_phone": "13999999999", "region": region("150105"),
                                                               "summary": "别人"})
    case = services.case_create(actor=staff, consultation=call, data=dict(
        applicant_name="张三", id_number=ID, phone="13800000000", applicant_region=region("150105"), is_migrant_worker=True,
        opposing_employer=world.emp_a, matter="pay", facts="拖欠工资", claims="支付工资", summary_for_firms="拖欠工资"))
    services.document_add(actor=staff, case=case.pk, upload=SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 secret"))
    case = services.case_decide(actor=staff, case=case.pk, approve=True, reason="符合条件")
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    services.worklog_add(actor=world.users.lawyer_a, case=case.pk, data={"date": "2026-09-02", "hours": "2", "activity": "会见申请人"})
    other = make_case(id_number=valid_id(seq="999"), applicant_name="王五", phone="13700000000")
    return case, call, again, stranger, other


def test_staff_export_everything_about_the_applicant_as_json(world, applicant, client_for):
    case, call, again, stranger, other = applicant
    client = client_for(world.users.staff_hh)
    assert client.get("/legal-aid/subject-access/").status_code == 200
    resp = client.post("/legal-aid/subject-access/", {"id_number": ID.lower()})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/json")
    assert "attachment" in resp["Content-Disposition"] and resp["Cache-Control"] == "no-store"
    data = json.loads(resp.content)
    assert data["subject"]["id_number"] == ID
    assert [c["number"] for c in data["cases"]] == [case.number]
    exported = data["cases"][0]
    assert exported["id_number"] == ID and exported["phone"] == "13800000000" and exported["applicant_name"] == "张三"
    assert exported["work_log"][0]["activity"] == "会见申请人"
    doc = exported["documents"][0]
    assert doc["original_name"] == "工资条.pdf" and doc["size"] == len(b"%PDF-1.4 secret") and doc["sha256"]
    assert "secret" not in resp.content.decode()  # metadata, not the file
    assert exported["routing_attempts"][0]["firm"]["id"] == world.firm_a.pk
    assert {(c["id"], c["matched_by"]) for c in data["consultations"]} == {(call.pk, "case"), (again.pk, "phone")}
    actions = {(e["object"], e["action"]) for e in data["audit_events"]}
    assert (f"legal.legalaidcase:{case.pk}", "case_create") in actions
    assert (f"legal.legalaidcase:{case.pk}", "worklog_add") in actions
    assert (f"legal.consultation:{call.pk}", "consultation_create") in actions
    assert all(e["label"] for e in data["audit_events"])
    body = resp.content.decode()
    assert "王五" not in body and "别人" not in body and str(other.number) not in body
    # audited: one full view per exported record, by the staff member
    events = AuditEvent.objects.filter(action="view_personal_data", data__what="subject_access_export")
    assert sorted((e.content_type.model, e.object_id) for e in events) == sorted(
        [("legalaidcase", str(case.pk)), ("consultation", str(call.pk)), ("consultation", str(again.pk))])
    assert {e.actor_id for e in events} == {world.users.staff_hh.pk}


def test_export_is_scoped_and_staff_only(world, applicant, client_for):
    data = json.loads(client_for(world.users.staff_bt).post("/legal-aid/subject-access/", {"id_number": ID}).content)
    assert data["cases"] == [] and data["consultations"] == []
    for who in ("firm_admin_a", "lawyer_a", "employer_a"):
        assert client_for(getattr(world.users, who)).post("/legal-aid/subject-access/", {"id_number": ID}).status_code == 403
    resp = client_for(world.users.staff_hh).post("/legal-aid/subject-access/", {"id_number": ""})
    assert resp.status_code == 200 and "json" not in resp["Content-Type"]


def test_export_command_runs_as_the_system_and_is_audited(world, applicant, tmp_path):
    case = applicant[0]
    target = tmp_path / "out.json"
    call_command("export_personal_data", ID, "--output", str(target), stderr=io.StringIO())
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cases"]] == [case.pk] and data["generated_by"] == "system"
    ev = AuditEvent.objects.filter(action="view_personal_data", data__what="subject_access_export", object_id=str(case.pk),
                                content_type__model="legalaidcase").get()
    assert ev.actor is None and ev.data["via"] == "command"
