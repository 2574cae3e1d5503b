"""Pages users meet: consultations, applications (also from a consultation or a dispute), staff actions,
firm management, inbox; list pages with bounded query counts."""
import datetime as dt
from decimal import Decimal

import pytest

from legal import services
from legal.models import Consultation, FirmEngagement, FirmProfile, LegalAidCase
from tests.factories import region

from .conftest import valid_id

D = dt.date


def app_post(world, **over):
    data = {"applicant_name": "李四", "id_number": valid_id(seq="456"), "phone": "13900000001", "applicant_region": region("150105").pk,
            "matter": "pay", "facts": "拖欠工资", "claims": "支付工资", "opposing_employer": world.emp_a.pk, "received_on": "2026-09-01",
            "is_migrant_worker": "on", "summary_for_firms": "拖欠工资"}
    data.update(over)
    return data


def test_consultation_logged_and_converted(world, client_for):
    client = client_for(world.users.staff_hh)
    resp = client.post("/legal-aid/consultations/", {"received_at": "2026-09-01T10:30", "channel": "phone", "caller_name": "刘女士",
                                                     "caller_phone": "13700000000", "region": region("150105").pk, "topic": "pay",
                                                     "summary": "工资迟发三个月", "advice": "保留证据"})
    assert resp.status_code == 302
    c = Consultation.objects.get()
    assert c.handled_by == world.users.staff_hh
    page = client.get(f"/legal-aid/cases/new/?consultation={c.pk}").content.decode()
    assert "刘女士" in page and "工资迟发三个月" in page
    resp = client.post(f"/legal-aid/cases/new/?consultation={c.pk}", app_post(world, applicant_name="刘女士"))
    case = LegalAidCase.objects.get()
    assert resp.status_code == 302 and case.consultation == c and case.applicant_name == "刘女士"
    assert "已转申请" in client.get("/legal-aid/consultations/").content.decode()
    # another region's staff cannot use it
    assert client_for(world.users.staff_bt).get(f"/legal-aid/cases/new/?consultation={c.pk}").status_code == 404


def test_form_errors_rerender(world, client_for):
    resp = client_for(world.users.staff_hh).post("/legal-aid/cases/new/", app_post(world, facts="", opposing_employer="", opposing_employer_name=""))
    assert resp.status_code == 200
    assert LegalAidCase.objects.count() == 0
    assert 'class="error"' in resp.content.decode()


def test_staff_decide_request_documents_and_override_through_pages(world, firms, client_for):
    client = client_for(world.users.staff_hh)
    client.post("/legal-aid/cases/new/", app_post(world))
    case = LegalAidCase.objects.get()
    client.post(f"/do/legal/{case.pk}/request_documents/", {"what": "劳动合同"})
    case.refresh_from_db()
    assert case.state == "awaiting_documents"
    client.post(f"/do/legal/{case.pk}/documents_received/")
    case.refresh_from_db()
    assert case.state == "submitted"
    resp = client.post(f"/do/legal/{case.pk}/decide/", {"decision": "approve", "reason": ""}, follow=True)
    case.refresh_from_db()
    assert case.state == "submitted" and "理由" in resp.content.decode()
    client.post(f"/do/legal/{case.pk}/decide/", {"decision": "approve", "reason": "免审"})
    case.refresh_from_db()
    assert case.state == "offered" and case.assigned_firm == world.firm_a
    page = client.get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert "选择" in page and "负载" in page  # the routing explanation is shown to staff
    client.post(f"/do/legal/{case.pk}/route_override/", {"firm": world.firm_b.pk, "reason": "申请人住在包头"})
    case.refresh_from_db()
    assert case.assigned_firm == world.firm_b
    # firm users may not use staff actions
    r = client_for(world.users.firm_admin_b).post(f"/do/legal/{case.pk}/route_override/", {"firm": world.firm_a.pk, "reason": "x"})
    assert r.status_code == 403


def test_firm_admin_accepts_assigns_and_lawyer_works_through_pages(world, firms, approved, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = approved()
    admin = client_for(world.users.firm_admin_a)
    admin.post(f"/do/legal/{case.pk}/accept/", {"conflict_confirmed": "on"})
    admin.post(f"/do/legal/{case.pk}/assign_lawyer/", {"lawyer": world.users.lawyer_a.pk})
    case.refresh_from_db()
    assert case.state == "in_progress" and case.assigned_lawyer == world.users.lawyer_a
    lawyer = client_for(world.users.lawyer_a)
    lawyer.post(f"/do/legal/{case.pk}/worklog_add/", {"date": "2026-09-03", "hours": "1.5", "activity": "调查取证", "next_steps": "立案"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    lawyer.post(f"/do/legal/{case.pk}/document_add/", {"file": SimpleUploadedFile("证据.pdf", b"%PDF-1.4 x"), "description": "证据"})
    page = lawyer.get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert "调查取证" in page and "证据.pdf" in page and "立案" in page
    doc = case.documents.get()
    assert not doc.file.name.endswith("证据.pdf") and doc.file.name.startswith("legal/")
    lawyer.post(f"/do/legal/{case.pk}/close/", {"outcome": "award_won", "amount_recovered": "9000"})
    case.refresh_from_db()
    assert case.state == "closed" and case.amount_recovered == Decimal("9000")


def test_inbox_shows_load_and_offers(world, firms, approved, client_for):
    approved()
    page = client_for(world.users.firm_admin_a).get("/legal-aid/inbox/").content.decode()
    assert "1 / 10" in page
    assert client_for(world.users.lawyer_a).get("/legal-aid/inbox/").status_code == 403


def test_firm_management(world, client_for):
    client = client_for(world.users.staff_hh)
    assert world.firm_a.name in client.get("/legal-aid/firms/").content.decode()
    resp = client.post(f"/legal-aid/firms/{world.firm_a.pk}/", {"save_profile": "1", "p-regions": [region("150100").pk],
                                                                  "p-matters": ["pay", "work_injury"], "p-capacity": "5",
                                                                  "p-is_active": "on", "p-response_rule": "legal_aid.firm_response"})
    assert resp.status_code == 302
    p = FirmProfile.objects.get(organisation=world.firm_a)
    assert p.capacity == 5 and p.matters == ["pay", "work_injury"]
    client.post(f"/legal-aid/firms/{world.firm_a.pk}/", {"add_engagement": "1", "e-employer": world.emp_a.pk, "e-description": "顾问"})
    assert FirmEngagement.objects.filter(firm=world.firm_a, employer=world.emp_a, ended_on__isnull=True).exists()
    assert client_for(world.users.firm_admin_a).get("/legal-aid/firms/").status_code == 403


def test_application_from_dispute_prefills_parties_and_claims(world, client_for):
    from disputes import services as dispute_services
    from disputes.models import ClaimKind

    dispute = dispute_services.dispute_open(
        actor=world.users.staff_hh, employer=world.emp_a, title="拖欠工资争议", facts="停工期间未发工资。", known_on=D(2026, 9, 1),
        filed_on=D(2026, 11, 2), workers=[{"name": "乔海燕", "phone": "13900000000"}],
        claims=[{"kind": ClaimKind.WAGE_ARREARS, "amount": Decimal("20000")}],
    )
    client = client_for(world.users.staff_hh)
    page = client.get(f"/legal-aid/cases/from-dispute/{dispute.pk}/").content.decode()
    assert "乔海燕" in page and "停工期间未发工资" in page and "20000" in page
    resp = client.post(f"/legal-aid/cases/from-dispute/{dispute.pk}/", app_post(world, applicant_name="乔海燕"))
    assert resp.status_code == 302
    assert LegalAidCase.objects.get().dispute == dispute
    assert client_for(world.users.staff_bt).get(f"/legal-aid/cases/from-dispute/{dispute.pk}/").status_code == 404


def test_list_pages_query_counts_do_not_grow(world, firms, approved, make_case, client_for, django_assert_max_num_queries):
    for _ in range(3):
        approved()
        make_case()
    services.case_accept(actor=world.users.firm_admin_a, case=LegalAidCase.objects.filter(state="offered").first().pk, conflict_confirmed=True)
    for user, url in [(world.users.staff_hh, "/legal-aid/cases/"), (world.users.firm_admin_a, "/legal-aid/cases/"),
                      (world.users.firm_admin_a, "/legal-aid/inbox/"), (world.users.staff_hh, "/legal-aid/firms/"),
                      (world.users.staff_hh, "/legal-aid/consultations/")]:
        client = client_for(user)
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, (user.role, url)


def test_nav_links_for_staff(world, client_for):
    page = client_for(world.users.staff_hh).get("/legal-aid/cases/").content.decode()
    for url in ("/legal-aid/consultations/", "/legal-aid/cases/", "/legal-aid/firms/"):
        assert f'href="{url}"' in page
