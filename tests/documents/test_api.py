import pytest

from documents.models import GeneratedDocument


@pytest.mark.django_db
def test_generate_and_read_status(negotiation, world, api_for, media, django_capture_on_commit_callbacks):
    api = api_for(world.users.employer_a)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": negotiation.pk}, format="json")
    assert resp.status_code in (200, 202), resp.content
    doc = GeneratedDocument.objects.get()
    data = api.get(f"/api/v1/documents/{doc.pk}/").json()
    assert data["status"] == "done" and data["sha256"] == doc.sha256 and data["download_url"].endswith(f"/{doc.pk}/download/")
    assert data["verify_url"].endswith(f"/documents/verify/{doc.code}/")


@pytest.mark.django_db
def test_outsider_gets_404_and_bad_input_400(negotiation, world, api_for, media):
    from documents import registry, services

    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    api = api_for(world.users.employer_b)
    assert api.get(f"/api/v1/documents/{doc.pk}/").status_code == 404
    assert api.post("/api/v1/documents/generate/", {"kind": "agreement", "object_id": negotiation.pk}, format="json").status_code == 404
    assert api.post("/api/v1/documents/generate/", {"kind": "agreement"}, format="json").status_code == 400
    assert api_for(None).get(f"/api/v1/documents/{doc.pk}/").status_code in (401, 403)
    assert GeneratedDocument.objects.count() == 1
