"""Issue 13 (个人信息保护法 arts. 6, 28, 51): ID and phone numbers in full only for whoever needs them — the staff
deciding the case and the firm that accepted it — masked in lists, summaries and for anyone else; every full view
audited as `view_personal_data`, whatever the viewer's role."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from core.pii import mask_id_number, mask_phone
from legal import services
from legal.models import Consultation
from legal.permissions import needs_full_caller_data, needs_full_personal_data
from legal.serializers import CaseDetailSerializer, ConsultationSerializer
from tests.factories import region

from .conftest import valid_id

ID, PHONE = valid_id(), "13800000000"
MASKED_ID, MASKED_PHONE = mask_id_number(ID), mask_phone(PHONE)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def views(**kw):
    return AuditEvent.objects.filter(action="view_personal_data", **kw)


def test_masks():
    assert MASKED_ID == ID[:6] + "********" + ID[-4:] and MASKED_PHONE == "138****0000"


def test_who_needs_the_numbers_in_full(world, firms, approved):
    case = approved()
    u = world.users
    assert needs_full_personal_data(u.staff_hh, case) and needs_full_personal_data(u.staff_nm, case)
    assert needs_full_personal_data(u.admin, case)
    assert not needs_full_personal_data(u.staff_bt, case)  # another region
    assert not needs_full_personal_data(u.firm_admin_a, case)  # offered, not yet accepted
    for who in ("employer_a", "negotiator_a", "bureau_hh", "firm_admin_b", "lawyer_b"):
        assert not needs_full_personal_data(getattr(u, who), case)
    services.case_accept(actor=u.firm_admin_a, case=case.pk, conflict_confirmed=True)
    case.refresh_from_db()
    assert needs_full_personal_data(u.firm_admin_a, case) and needs_full_personal_data(u.lawyer_a, case)
    assert not needs_full_personal_data(u.lawyer_b, case)


def test_serializers_mask_unless_told_otherwise(world, make_case):
    case = make_case()
    data = CaseDetailSerializer(case).data
    assert data["id_number"] == MASKED_ID and data["phone"] == MASKED_PHONE
    full = CaseDetailSerializer(case, context={"full_personal_data": True}).data
    assert full["id_number"] == ID and full["phone"] == PHONE


def test_staff_list_shows_masked_numbers_only(world, make_case, client_for):
    case = make_case()
    html = client_for(world.users.staff_hh).get("/legal-aid/cases/").content.decode()
    assert case.number in html and MASKED_ID in html
    assert ID not in html and PHONE not in html
    assert not views().exists()  # a masked list is not a full view


def test_staff_deciding_the_case_see_it_in_full_and_each_view_is_audited(world, make_case, client_for, api_for):
    case = make_case()
    html = client_for(world.users.staff_hh).get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert ID in html and PHONE in html
    data = api_for(world.users.staff_hh).get(f"/api/v1/legal-aid/cases/{case.pk}/").json()
    assert data["id_number"] == ID and data["phone"] == PHONE
    # the parent league's staff decide too (their region contains the applicant's)
    assert ID in client_for(world.users.staff_nm).get(f"/legal-aid/cases/{case.pk}/").content.decode()
    whats = sorted((e.actor_id, e.data["what"]) for e in views(object_id=str(case.pk)))
    assert whats == sorted([(world.users.staff_hh.pk, "case_page"), (world.users.staff_hh.pk, "api_detail"),
                            (world.users.staff_nm.pk, "case_page")])


def test_api_lists_never_carry_the_numbers(world, firms, make_case, approved, api_for):
    make_case()
    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    for user in (world.users.staff_hh, world.users.firm_admin_a, world.users.lawyer_a):
        body = api_for(user).get("/api/v1/legal-aid/cases/").content.decode()
        assert ID not in body and PHONE not in body
    assert not views().exists()


def test_api_create_echoes_the_numbers_masked(world, api_for):
    r = api_for(world.users.staff_hh).post("/api/v1/legal-aid/cases/", {
        "applicant_name": "李四", "id_number": ID, "phone": PHONE, "applicant_region": region("150105").pk,
        "matter": "pay", "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk}, format="json")
    assert r.status_code == 201
    assert r.json()["id_number"] == MASKED_ID and r.json()["phone"] == MASKED_PHONE


def test_accepted_firm_sees_in_full_and_every_view_is_audited(world, firms, approved, client_for, api_for):
    case = approved()
    assert PHONE not in api_for(world.users.firm_admin_a).get(f"/api/v1/legal-aid/cases/{case.pk}/").content.decode()
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    data = api_for(world.users.lawyer_a).get(f"/api/v1/legal-aid/cases/{case.pk}/").json()
    assert data["id_number"] == ID and data["phone"] == PHONE
    assert views(actor=world.users.lawyer_a, data__what="api_detail").count() == 1


def test_edit_form_and_document_downloads_are_audited_for_staff(world, make_case, client_for):
    case = make_case()
    services.document_add(actor=world.users.staff_hh, case=case.pk, upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 x"))
    client = client_for(world.users.staff_hh)
    assert ID in client.get(f"/legal-aid/cases/{case.pk}/edit/").content.decode()
    doc = case.documents.get()
    assert client.get(f"/legal-aid/cases/{case.pk}/documents/{doc.pk}/").status_code == 200
    whats = sorted(views(actor=world.users.staff_hh).values_list("data__what", flat=True))
    assert whats == sorted(["case_edit", f"document:{doc.pk}"])


# --- hotline consultations ----------------------------------------------------------------------------
@pytest.fixture
def consultation(world):
    return services.consultation_create(actor=world.users.staff_hh, data={
        "caller_name": "刘女士", "caller_phone": "13700001234", "region": region("150105"), "topic": "pay",
        "summary": "工资迟发三个月", "channel": "phone"})


def test_consultation_list_masks_and_detail_is_full_and_audited(world, consultation, client_for):
    client = client_for(world.users.staff_hh)
    html = client.get("/legal-aid/consultations/").content.decode()
    assert "137****1234" in html and "13700001234" not in html
    assert not views().exists()
    page = client.get(f"/legal-aid/consultations/{consultation.pk}/").content.decode()
    assert "13700001234" in page
    assert views(actor=world.users.staff_hh, object_id=str(consultation.pk), data__what="consultation_page").count() == 1
    assert client_for(world.users.staff_bt).get(f"/legal-aid/consultations/{consultation.pk}/").status_code == 404
    assert client_for(world.users.firm_admin_a).get(f"/legal-aid/consultations/{consultation.pk}/").status_code == 403


def test_consultation_api_list_masks_and_retrieve_is_full_and_audited(world, consultation, api_for):
    api = api_for(world.users.staff_hh)
    listing = api.get("/api/v1/legal-aid/consultations/").json()["results"]
    assert listing[0]["caller_phone"] == "137****1234"
    assert not views().exists()
    assert api.get(f"/api/v1/legal-aid/consultations/{consultation.pk}/").json()["caller_phone"] == "13700001234"
    assert views(data__what="api_detail", object_id=str(consultation.pk)).count() == 1
    created = api.post("/api/v1/legal-aid/consultations/", {"caller_phone": "13911112222", "region": region("150105").pk,
                                                          "summary": "咨询"}, format="json").json()
    assert created["caller_phone"] == "139****2222"
    assert ConsultationSerializer(consultation).data["caller_phone"] == "137****1234"


def test_converting_a_consultation_shows_the_phone_and_is_audited(world, consultation, client_for):
    page = client_for(world.users.staff_hh).get(f"/legal-aid/cases/new/?consultation={consultation.pk}").content.decode()
    assert "13700001234" in page
    assert views(data__what="application_prefill", object_id=str(consultation.pk)).count() == 1


def test_only_region_staff_need_the_caller_phone(world, consultation):
    assert needs_full_caller_data(world.users.staff_hh, consultation)
    assert not needs_full_caller_data(world.users.staff_bt, consultation)
    assert not needs_full_caller_data(world.users.lawyer_a, consultation)
    assert isinstance(consultation, Consultation)
