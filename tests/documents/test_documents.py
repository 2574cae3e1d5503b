"""Each document kind's text, generation through the task, downloads scoped to who may see the negotiation."""
import io

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from documents import registry, services
from documents.models import GeneratedDocument
from tests.documents.conftest import pdf_text, squash


def render_text(kind_key, obj):
    built, code, data = services.render_object(kind=registry.get(kind_key), obj=obj)
    return built, code, data, pdf_text(data)


@pytest.mark.django_db
def test_agreement_text(negotiation, world):
    built, code, data, text = render_text("agreement", negotiation)
    flat = squash(text)
    assert built.title == "呼和浩特甲乳业有限公司专项集体合同"
    for expected in [
        "呼和浩特甲乳业有限公司", "甲乳业工会", world.emp_a.credit_code, "呼和浩特市赛罕区乳业大街8号",
        "李秀英", "王建国", "错时上下班", "为减少人员聚集，各车间实行错时上下班，各班次交接时间错开不少于三十分钟。",
        "待岗职工名单经工会审核后公示；职工协商代表在任期内不列入待岗名单。", "液态奶车间早班",
        "工作5天，休息2天", "呼人社集备〔2026〕第018号", "2026年2月20日", code,
    ]:
        assert squash(expected) in flat, expected
    assert "应到120人，实到96人" in flat and "表决通过" in flat
    pages = len(__import__("pypdf").PdfReader(io.BytesIO(data)).pages)
    assert f"第1页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat
    assert services.verify_url(code) in text.replace("\n", "")


@pytest.mark.django_db
def test_proposal_response_and_minutes_text(negotiation):
    _, _, _, text = render_text("proposal", negotiation)
    assert "集体协商要约书" in text and "甲乳业工会" in text and "阶段性调整薪酬" in squash(text)
    _, _, _, text = render_text("response", negotiation)
    assert "集体协商应约书" in text and "同意就阶段性稳定就业事项进行协商。" in text
    assert "对要约条款的修改意见" in text  # the employer's counter-version of the pay term
    rnd = negotiation.rounds.get(number=2)
    built, _, _, text = render_text("minutes", rnd)
    assert built.title == "集体协商会议纪要（第2次）"
    assert "双方就调整比例达成一致" in squash(text) and "周丽" in text


@pytest.mark.django_db
def test_user_text_in_terms_is_inert(negotiation):
    term = negotiation.terms.get(number=7)
    hostile = '<img src="file:///etc/passwd"><link rel="attachment" href="http://169.254.169.254/">职工之家'
    term.current.text = hostile
    term.current.save()
    _, _, data, text = render_text("agreement", negotiation)
    assert squash(hostile) in squash(text)
    assert b"/EmbeddedFile" not in data


@pytest.mark.django_db
def test_regenerating_unchanged_document_gives_same_text_and_code(negotiation, media):
    kind = registry.get("agreement")
    a = services.document_generate_now(kind=kind, obj=negotiation)
    b = services.document_generate_now(kind=kind, obj=negotiation)
    assert a.status == b.status == "done"
    assert a.code == b.code and a.sha256 == b.sha256
    assert len(a.code) == services.CODE_LENGTH
    term = negotiation.terms.get(number=8)
    term.current.text = "修改后的争议处理条款。"
    term.current.save()
    c = services.document_generate_now(kind=kind, obj=negotiation)
    assert c.code != a.code and c.sha256 != a.sha256


@pytest.mark.django_db
def test_generate_view_renders_through_the_task_and_publishes(negotiation, world, client_for, media, django_capture_on_commit_callbacks, monkeypatch):
    published = []
    monkeypatch.setattr(services.realtime, "publish", lambda group, event, **ids: published.append((group, event, ids)))
    c = client_for(world.users.negotiator_a)
    url = reverse("documents:generate", args=["agreement", negotiation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(url, {"next": "/somewhere/"})
    assert resp.status_code == 302 and resp["Location"] == "/somewhere/"
    doc = GeneratedDocument.objects.get()
    assert doc.status == "done" and doc.generated_by == world.users.negotiator_a and doc.pages >= 2
    assert doc.template_version == "agreement-1" and len(doc.sha256) == 64
    assert doc.file.path.startswith(str(media))
    group = f"user.{world.users.negotiator_a.pk}"
    assert (group, "document", {"id": doc.pk, "status": "done"}) in published
    dl = c.get(reverse("documents:download", args=[doc.pk]))
    assert dl.status_code == 200 and dl["Content-Type"] == "application/pdf"
    body = b"".join(dl.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == doc.sha256


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["negotiator_b", "employer_b", "staff_bt", "lawyer_a", "firm_admin_a", "norole"])
def test_outsiders_can_neither_generate_nor_download(negotiation, world, client_for, media, who, django_capture_on_commit_callbacks):
    doc = services.document_generate_now(kind=registry.get("agreement"), obj=negotiation)
    c = client_for(getattr(world.users, who))
    expected = {404} if who != "norole" else {403}
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(reverse("documents:generate", args=["agreement", negotiation.pk])).status_code in expected
    assert c.get(reverse("documents:download", args=[doc.pk])).status_code in expected
    rnd = negotiation.rounds.first()
    assert c.post(reverse("documents:generate", args=["minutes", rnd.pk])).status_code in expected
    assert c.get(reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk])).status_code in expected
    assert GeneratedDocument.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["negotiator_a", "employer_a", "staff_hh", "staff_nm", "bureau_hh", "admin"])
def test_insiders_can_download(negotiation, world, client_for, media, who):
    doc = services.document_generate_now(kind=registry.get("minutes"), obj=negotiation.rounds.first())
    c = client_for(getattr(world.users, who))
    assert c.get(reverse("documents:download", args=[doc.pk])).status_code == 200


@pytest.mark.django_db
def test_failed_render_is_recorded_and_offers_retry(negotiation, world, client_for, media, monkeypatch, django_capture_on_commit_callbacks):
    kind = registry.get("agreement")

    def broken(obj):
        raise RuntimeError("模板数据缺失")

    monkeypatch.setitem(registry._kinds, "agreement", registry.DocumentKind(**{**kind.__dict__, "build": broken}))
    c = client_for(world.users.negotiator_a)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("documents:generate", args=["agreement", negotiation.pk]))
    doc = GeneratedDocument.objects.get()
    assert doc.status == "failed" and "模板数据缺失" in doc.error
    page = c.get(reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk])).content.decode()
    assert "生成失败" in page and "重试" in page
    monkeypatch.setitem(registry._kinds, "agreement", kind)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("documents:generate", args=["agreement", negotiation.pk]))
    assert GeneratedDocument.objects.filter(status="done").count() == 1


@pytest.mark.django_db
def test_panel_is_safe_before_any_document_and_lists_kinds(negotiation, world, rf, django_assert_max_num_queries):
    tpl = Template('{% include "documents/_panel.html" with obj=negotiation %}')
    request = rf.get("/negotiations/1/")
    request.user = world.users.negotiator_a
    with django_assert_max_num_queries(20):
        html = tpl.render(Context({"negotiation": negotiation, "request": request}))
    assert 'data-live-topic="user"' in html
    assert reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk]) in html
    for label in ("集体合同文本", "要约书", "应约书", "第1次协商会议纪要", "第2次协商会议纪要"):
        assert label in html
    assert tpl.render(Context({"negotiation": None, "request": request})).strip() == ""


@pytest.mark.django_db
def test_render_document_command(negotiation, media, tmp_path):
    out = tmp_path / "a.pdf"
    call_command("render_document", "agreement", str(negotiation.pk), "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and "甲乳业工会" in pdf_text(data)
    assert GeneratedDocument.objects.get().sha256 == __import__("hashlib").sha256(data).hexdigest()


@pytest.mark.django_db
@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils not installed")
def test_agreement_pdftotext_yields_names_and_terms_exactly(negotiation, tmp_path):
    import subprocess

    _, _, data, _ = render_text("agreement", negotiation)
    (tmp_path / "a.pdf").write_bytes(data)
    lines = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "a.pdf"), "-"], capture_output=True, check=True).stdout.decode().splitlines()
    assert "呼和浩特甲乳业有限公司专项集体合同" in lines
    assert "甲方（用人单位）：呼和浩特甲乳业有限公司" in lines
    assert "乙方（工会）：甲乳业工会" in lines
    assert any("延期支付工资" in line for line in lines)


@pytest.mark.django_db
def test_panel_refresh_returns_the_body_only(negotiation, world, client_for, media):
    c = client_for(world.users.negotiator_a)
    url = reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk])
    html = c.get(url, {"next": f"/negotiations/{negotiation.pk}/"}).content.decode()
    assert "data-live-topic" not in html  # live.js replaces the panel's innerHTML with this
    assert f'name="next" value="/negotiations/{negotiation.pk}/"' in html
    html = c.get(url, {"next": "https://evil.example.com/"}).content.decode()
    assert "evil.example.com" not in html


@pytest.mark.django_db
def test_a_render_lost_by_the_worker_is_reported_and_can_be_retried(negotiation, world, client_for, media, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    lost = GeneratedDocument.objects.create(
        kind="agreement", object_label="negotiation.negotiation", object_id=str(negotiation.pk),
        owner_label="negotiation.negotiation", owner_id=str(negotiation.pk), status="rendering",
    )
    GeneratedDocument.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    c = client_for(world.users.negotiator_a)
    page = c.get(reverse("documents:panel", args=["negotiation.negotiation", negotiation.pk])).content.decode()
    assert "生成超时" in page and "重试" in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("documents:generate", args=["agreement", negotiation.pk]))
    lost.refresh_from_db()
    assert lost.status == "failed" and "超时" in lost.error
    assert GeneratedDocument.objects.filter(status="done").count() == 1
