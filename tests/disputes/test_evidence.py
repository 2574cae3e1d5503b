"""Evidence files: real type from the bytes, size limit, generated names outside static, scoped downloads."""
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from disputes import services
from disputes.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 40


def zip_bytes(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "<xml/>")
    return buf.getvalue()


DOCX = zip_bytes(["[Content_Types].xml", "word/document.xml"])


def up(name, data, ctype="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=ctype)


@pytest.mark.parametrize("name,data,mime", [
    ("合同.pdf", PDF, "application/pdf"),
    ("工资条.PNG", PNG, "image/png"),
    ("考勤.jpeg", JPEG, "image/jpeg"),
    ("说明.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_accepted_types_are_stored_under_generated_names(world, open_case, _media, name, data, mime):
    case = open_case()
    ev = services.evidence_add(case=case, actor=world.users.staff_hh, upload=up(name, data), title="证据")
    assert ev.content_type == mime and ev.original_name == name and ev.size == len(data)
    stored = _media / ev.file.name
    assert stored.read_bytes() == data
    assert name not in ev.file.name and ev.file.name.startswith(f"disputes/{case.pk}/")
    assert "static" not in str(stored)


@pytest.mark.parametrize("name,data", [
    ("工资表.pdf", EXE),                              # an executable disguised by its extension
    ("照片.png", b"<html><script>alert(1)</script></html>"),
    ("文书.docx", zip_bytes(["readme.txt"])),          # a zip that is not a Word document
    ("表格.xlsx", zip_bytes(["xl/workbook.xml"])),
    ("动图.gif", b"GIF89a" + b"\x00" * 30),
])
def test_wrong_real_type_is_refused_whatever_the_name(world, open_case, _media, name, data):
    case = open_case()
    with pytest.raises(ValidationError, match="只接受 PDF、JPEG、PNG 或 DOCX"):
        services.evidence_add(case=case, actor=world.users.staff_hh, upload=up(name, data, "application/pdf"))
    assert Evidence.objects.count() == 0
    assert not list(_media.rglob("*.*"))


def test_too_large_is_refused(world, open_case, settings, _media):
    settings.UPLOAD_MAX_BYTES = 1024
    case = open_case()
    with pytest.raises(ValidationError, match="文件过大"):
        services.evidence_add(case=case, actor=world.users.staff_hh, upload=up("大.pdf", PDF + b"0" * 2000))
    assert Evidence.objects.count() == 0


def test_another_employers_case_is_invisible(world, open_case, client_for):
    case = open_case()
    with pytest.raises(Http404):
        services.evidence_add(case=case, actor=world.users.employer_b, upload=up("a.pdf", PDF))
    r = client_for(world.users.employer_b).post(f"/disputes/{case.pk}/evidence/", {"file": up("a.pdf", PDF)})
    assert r.status_code == 404
    assert Evidence.objects.count() == 0


def test_employer_uploads_to_own_case_through_the_page(world, open_case, client_for):
    case = open_case()
    c = client_for(world.users.employer_a)
    r = c.post(f"/disputes/{case.pk}/evidence/", {"title": "考勤记录", "file": up("kq.pdf", PDF)})
    assert r.status_code == 302
    ev = Evidence.objects.get()
    assert ev.side == Evidence.Side.EMPLOYER and ev.uploaded_by == world.users.employer_a
    r = c.post(f"/disputes/{case.pk}/evidence/", {"file": up("fake.pdf", EXE)})
    assert r.status_code == 400 and "只接受 PDF、JPEG、PNG 或 DOCX" in r.content.decode()


def test_closed_case_takes_no_more_files(world, open_case):
    case = services.dispute_withdraw(case=open_case(), actor=world.users.staff_hh, reason="撤回")
    with pytest.raises(PermissionDenied, match="已结案或撤回"):
        services.evidence_add(case=case, actor=world.users.staff_hh, upload=up("a.pdf", PDF))


def test_download_only_for_those_who_see_the_case(world, open_case, client_for):
    case = open_case()
    ev = services.evidence_add(case=case, actor=world.users.staff_hh, upload=up("合同.pdf", PDF))
    url = f"/disputes/{case.pk}/evidence/{ev.pk}/"
    for user in (world.users.staff_hh, world.users.staff_nm):
        r = client_for(user).get(url)
        assert r.status_code == 200
        assert b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
    for user in (world.users.employer_b, world.users.staff_bt, world.users.firm_admin_a):
        assert client_for(user).get(url).status_code in (403, 404)
    assert client_for(world.users.employer_b).get(url).status_code == 404
    # The employer named in the case gets its own submissions, not the union's evidence file.
    assert client_for(world.users.employer_a).get(url).status_code == 404
    own = services.evidence_add(case=case, actor=world.users.employer_a, upload=up("考勤.pdf", PDF))
    r = client_for(world.users.employer_a).get(f"/disputes/{case.pk}/evidence/{own.pk}/")
    assert r.status_code == 200
    page = client_for(world.users.employer_a).get(f"/disputes/{case.pk}/").content.decode()
    assert "考勤.pdf" in page and "合同.pdf" not in page


def test_api_upload_refuses_disguised_file(world, open_case, api_for):
    case = open_case()
    api = api_for(world.users.employer_a)
    r = api.post(f"/api/v1/disputes/{case.pk}/evidence/", {"file": up("x.pdf", EXE)}, format="multipart")
    assert r.status_code == 400 and "只接受" in r.json()["file"][0]
    r = api.post(f"/api/v1/disputes/{case.pk}/evidence/", {"file": up("x.pdf", PDF), "title": "合同"}, format="multipart")
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    r = api_for(world.users.employer_b).post(f"/api/v1/disputes/{case.pk}/evidence/", {"file": up("x.pdf", PDF)}, format="multipart")
    assert r.status_code == 404
    services.evidence_add(case=case, actor=world.users.staff_hh, upload=up("union.pdf", PDF))
    body = api_for(world.users.employer_a).get(f"/api/v1/disputes/{case.pk}/").json()
    assert [e["side"] for e in body["evidence"]] == ["employer"] and all(w["phone"] == "" for w in body["workers"])
    assert len(api_for(world.users.staff_hh).get(f"/api/v1/disputes/{case.pk}/").json()["evidence"]) == 2
