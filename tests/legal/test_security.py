"""Pre-acceptance redaction (HTML and JSON), 404 for cases not routed to the firm (pages, API, downloads),
lawyer isolation across firms, audit of every personal-data view, employers see nothing."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from legal import services

from .conftest import valid_id

NAME, PHONE, ADDRESS, FACT = "张三", "13800000000", "呼和浩特市赛罕区某街1号", "2026年8月起被拖欠工资三个月。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def personal_bits():
    return [NAME, valid_id(), PHONE, ADDRESS, FACT]


@pytest.fixture
def offered(world, firms, approved):
    case = approved()
    services.document_add(actor=world.users.staff_hh, case=case.pk, upload=SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 x"))
    assert case.assigned_firm == world.firm_a
    return case


def accept(world, case):
    return services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)


def test_summary_before_acceptance_has_no_personal_fields_html(world, offered, client_for):
    client = client_for(world.users.firm_admin_a)
    html = client.get(f"/legal-aid/cases/{offered.pk}/").content.decode()
    assert offered.number in html and "拖欠工资三个月，约1.5万元" in html
    for bit in personal_bits():
        assert bit not in html
    assert "工资条.pdf" not in html
    inbox = client.get("/legal-aid/inbox/").content.decode()
    assert offered.number in inbox and NAME not in inbox and PHONE not in inbox
    assert not AuditEvent.objects.filter(action="view_personal_data").exists()


def test_summary_before_acceptance_has_no_personal_fields_json(world, offered, api_for):
    api = api_for(world.users.firm_admin_a)
    data = api.get(f"/api/v1/legal-aid/cases/{offered.pk}/").json()
    for key in ("applicant_name", "id_number", "phone", "address", "facts", "claims", "household_monthly_income", "attempts"):
        assert key not in data
    body = api.get(f"/api/v1/legal-aid/cases/{offered.pk}/").content.decode()
    listing = api.get("/api/v1/legal-aid/cases/").content.decode()
    for bit in personal_bits():
        assert bit not in body and bit not in listing


def test_history_hidden_from_firm_until_acceptance(world, offered, client_for):
    client = client_for(world.users.firm_admin_a)
    assert client.get(f"/history/legal.legalaidcase/{offered.pk}/").status_code == 404
    accept(world, offered)
    assert client.get(f"/history/legal.legalaidcase/{offered.pk}/").status_code == 200


def test_documents_not_downloadable_before_acceptance(world, offered, client_for):
    doc = offered.documents.get()
    assert client_for(world.users.firm_admin_a).get(f"/legal-aid/cases/{offered.pk}/documents/{doc.pk}/").status_code == 404


def test_accept_requires_conflict_confirmation(world, offered, client_for):
    client = client_for(world.users.firm_admin_a)
    client.post(f"/do/legal/{offered.pk}/accept/", {})
    offered.refresh_from_db()
    assert offered.state == "offered"
    client.post(f"/do/legal/{offered.pk}/accept/", {"conflict_confirmed": "on"})
    offered.refresh_from_db()
    assert offered.state == "accepted" and offered.conflict_checked_by == world.users.firm_admin_a


def test_after_acceptance_firm_sees_everything_and_each_view_is_audited(world, offered, client_for, api_for):
    accept(world, offered)
    html = client_for(world.users.firm_admin_a).get(f"/legal-aid/cases/{offered.pk}/").content.decode()
    for bit in personal_bits():
        assert bit in html
    data = api_for(world.users.firm_admin_a).get(f"/api/v1/legal-aid/cases/{offered.pk}/").json()
    assert data["applicant_name"] == NAME and data["id_number"] == valid_id()
    doc = offered.documents.get()
    resp = client_for(world.users.firm_admin_a).get(f"/legal-aid/cases/{offered.pk}/documents/{doc.pk}/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == b"%PDF-1.4 x"
    events = AuditEvent.objects.filter(action="view_personal_data", actor=world.users.firm_admin_a, object_id=str(offered.pk))
    assert sorted(e.data["what"] for e in events) == ["api_detail", "case_page", f"document:{doc.pk}"]


def test_staff_views_are_not_counted_as_firm_views(world, offered, client_for):
    # Issue 13 (个人信息保护法): every full view is audited whatever the role, so the staff view is now recorded
    # — as the staff member's own view; nothing is attributed to a firm. (Was: no event at all.)
    client_for(world.users.staff_hh).get(f"/legal-aid/cases/{offered.pk}/")
    events = AuditEvent.objects.filter(action="view_personal_data")
    assert list(events.values_list("actor", flat=True)) == [world.users.staff_hh.pk]
    assert not events.filter(actor__role__in=["firm_admin", "lawyer"]).exists()


def test_other_firm_gets_404_everywhere(world, offered, client_for, api_for):
    doc = offered.documents.get()
    accept(world, offered)
    for user in (world.users.firm_admin_b, world.users.lawyer_b):
        c = client_for(user)
        assert c.get(f"/legal-aid/cases/{offered.pk}/").status_code == 404
        assert c.get(f"/legal-aid/cases/{offered.pk}/documents/{doc.pk}/").status_code == 404
        assert c.post(f"/do/legal/{offered.pk}/worklog_add/", {"date": "2026-09-01", "hours": "1", "activity": "x"}).status_code == 404
        api = api_for(user)
        assert api.get(f"/api/v1/legal-aid/cases/{offered.pk}/").status_code == 404
        assert api.post(f"/api/v1/legal-aid/cases/{offered.pk}/close/", {"outcome": "settled"}, format="json").status_code == 404
        listing = c.get("/legal-aid/cases/")
        assert listing.status_code == 200 and offered.number not in listing.content.decode()
        r = api.get("/api/v1/legal-aid/cases/")
        assert r.status_code == 200 and r.json()["results"] == []
        assert c.get(f"/history/legal.legalaidcase/{offered.pk}/").status_code == 404


def test_lawyer_sees_only_cases_their_firm_accepted(world, offered, client_for, api_for):
    lawyer = world.users.lawyer_a
    assert client_for(lawyer).get(f"/legal-aid/cases/{offered.pk}/").status_code == 404  # offered, not accepted
    accept(world, offered)
    assert client_for(lawyer).get(f"/legal-aid/cases/{offered.pk}/").status_code == 200
    assert offered.number in client_for(lawyer).get("/legal-aid/cases/").content.decode()
    assert api_for(lawyer).get(f"/api/v1/legal-aid/cases/{offered.pk}/").json()["applicant_name"] == NAME


def test_declining_firm_loses_access(world, offered, client_for, firms):
    services.case_decline(actor=world.users.firm_admin_a, case=offered.pk, reason="冲突")
    assert client_for(world.users.firm_admin_a).get(f"/legal-aid/cases/{offered.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["employer_a", "negotiator_a", "bureau_hh"])
def test_employers_and_others_never_see_legal_aid(world, offered, client_for, api_for, who):
    user = getattr(world.users, who)
    assert client_for(user).get(f"/legal-aid/cases/{offered.pk}/").status_code in (403, 404)
    assert api_for(user).get(f"/api/v1/legal-aid/cases/{offered.pk}/").status_code in (403, 404)
    from legal.selectors import cases_visible_to

    assert not cases_visible_to(user).exists()


def test_staff_of_other_region_get_404(world, offered, client_for):
    assert client_for(world.users.staff_bt).get(f"/legal-aid/cases/{offered.pk}/").status_code == 404
    assert client_for(world.users.staff_nm).get(f"/legal-aid/cases/{offered.pk}/").status_code == 200


def test_full_firm_workflow_through_the_api(world, offered, api_for):
    admin = api_for(world.users.firm_admin_a)
    assert admin.post(f"/api/v1/legal-aid/cases/{offered.pk}/accept/", {"conflict_confirmed": False}, format="json").status_code == 400
    assert admin.post(f"/api/v1/legal-aid/cases/{offered.pk}/accept/", {"conflict_confirmed": True}, format="json").status_code == 200
    # a lawyer of another firm cannot be assigned
    r = admin.post(f"/api/v1/legal-aid/cases/{offered.pk}/assign-lawyer/", {"lawyer": world.users.lawyer_b.pk}, format="json")
    assert r.status_code == 403
    r = admin.post(f"/api/v1/legal-aid/cases/{offered.pk}/assign-lawyer/", {"lawyer": world.users.lawyer_a.pk}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    lawyer = api_for(world.users.lawyer_a)
    r = lawyer.post(f"/api/v1/legal-aid/cases/{offered.pk}/worklog/",
                    {"date": "2026-09-02", "hours": "2.5", "activity": "会见申请人", "next_steps": "申请仲裁"}, format="json")
    assert r.status_code == 201
    # accepting twice is a conflict: 409 with a message, nothing written
    r = admin.post(f"/api/v1/legal-aid/cases/{offered.pk}/accept/", {"conflict_confirmed": True}, format="json")
    assert r.status_code == 409 and "刷新" in r.json()["detail"]
    r = lawyer.post(f"/api/v1/legal-aid/cases/{offered.pk}/close/", {"outcome": "mediated", "amount_recovered": "12000"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "mediated"
    r = api_for(world.users.staff_hh).post(f"/api/v1/legal-aid/cases/{offered.pk}/record-satisfaction/", {"score": 5}, format="json")
    assert r.status_code == 200 and r.json()["satisfaction"] == 5
