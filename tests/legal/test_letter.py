"""The assignment letter (指派函) through the documents registry."""
import pytest

from legal import services


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_assignment_letter_text_and_visibility(world, firms, approved):
    from documents import registry
    from documents.services import build_html

    kind = registry.get("assignment")
    case = approved()
    assert not kind.applies(case)
    assert not kind.visible_to(world.users.firm_admin_a).filter(pk=case.pk).exists()
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    case = services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    assert kind.applies(case)
    built, code, html = build_html(kind=kind, obj=case)
    assert "指派" in built.title and case.number in html and world.firm_a.name in html
    assert "张三" not in " ".join(built.parties) and "张三" not in built.title
    assert kind.visible_to(world.users.lawyer_a).filter(pk=case.pk).exists()
    assert not kind.visible_to(world.users.lawyer_b).filter(pk=case.pk).exists()
    # deterministic: same data, same text
    assert build_html(kind=kind, obj=case)[2] == html


def test_firm_download_of_the_letter_is_audited_as_a_personal_data_view(world, firms, approved, client_for):
    from core.models import AuditEvent
    from documents import registry
    from documents.services import document_generate_now

    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    case = services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    doc = document_generate_now(kind=registry.get("assignment"), obj=case, actor=world.users.firm_admin_a)
    url = f"/documents/{doc.pk}/download/"
    views = AuditEvent.objects.filter(action="view_personal_data", object_id=str(case.pk), data__what="assignment_letter")

    assert client_for(world.users.lawyer_b).get(url).status_code == 404
    assert not views.exists()
    r = client_for(world.users.lawyer_a).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert list(views.values_list("actor", flat=True)) == [world.users.lawyer_a.pk]
    client_for(world.users.staff_hh).get(url)  # staff are not firm users: nothing more recorded
    assert views.count() == 1
