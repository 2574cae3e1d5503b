"""The public verification page: authentic, altered, unknown; and it reveals only title, parties, date, hash."""
import pytest
from django.urls import reverse
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import registry, services


@pytest.fixture
def doc(negotiation, media):
    return services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)


def original_bytes(doc):
    with doc.file.open("rb") as fh:
        return fh.read()


@pytest.mark.django_db
def test_verify_by_code_shows_only_public_facts(doc, client):
    resp = client.get(reverse("documents:verify_code", args=[doc.code]))
    page = resp.content.decode()
    assert resp.status_code == 200 and 'data-result="authentic"' in page
    assert doc.title in page and "呼和浩特甲乳业有限公司" in page and "甲乳业工会" in page
    assert doc.sha256 in page and "2026-02-20" in page
    for private in ("李秀英", "王建国", "错时上下班", "为减少人员聚集", "呼人社集备", "/documents/%d/download/" % doc.pk):
        assert private not in page


@pytest.mark.django_db
def test_code_is_case_and_space_insensitive(doc, client):
    resp = client.post(reverse("documents:verify"), {"code": " " + doc.code.lower()[:6] + " " + doc.code.lower()[6:]})
    assert 'data-result="authentic"' in resp.content.decode()


@pytest.mark.django_db
def test_unknown_code(doc, client):
    page = client.get(reverse("documents:verify_code", args=["ABCDEFGHJKMN"])).content.decode()
    assert 'data-result="unknown"' in page and doc.title not in page


@pytest.mark.django_db
def test_upload_original_is_authentic(doc, client):
    f = SimpleUploadedFile("a.pdf", original_bytes(doc), content_type="application/pdf")
    page = client.post(reverse("documents:verify"), {"file": f}).content.decode()
    assert 'data-result="authentic"' in page and doc.sha256 in page


@pytest.mark.django_db
def test_upload_altered_pdf_is_altered(doc, client):
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(original_bytes(doc)))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Title": "changed"})
    buf = io.BytesIO()
    writer.write(buf)
    altered = buf.getvalue()
    # with the code typed in
    f = SimpleUploadedFile("a.pdf", altered, content_type="application/pdf")
    page = client.post(reverse("documents:verify"), {"code": doc.code, "file": f}).content.decode()
    assert 'data-result="altered"' in page
    # without it: the code printed in the PDF is read back
    f = SimpleUploadedFile("a.pdf", altered, content_type="application/pdf")
    page = client.post(reverse("documents:verify"), {"file": f}).content.decode()
    assert 'data-result="altered"' in page and doc.title in page


@pytest.mark.django_db
def test_upload_unrelated_file_is_unknown(doc, client):
    f = SimpleUploadedFile("a.pdf", b"%PDF-1.4 not ours", content_type="application/pdf")
    page = client.post(reverse("documents:verify"), {"file": f}).content.decode()
    assert 'data-result="unknown"' in page


@pytest.mark.django_db
def test_empty_form_is_refused(client):
    resp = client.post(reverse("documents:verify"), {})
    assert resp.status_code == 200 and "请输入验证码或上传PDF文件" in resp.content.decode()
