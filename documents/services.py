"""Writes for generated documents: request a render, run it (from the Celery task), verify a PDF.

Rendering happens in `documents.tasks.render_document_task` (eager without a broker, a worker with
REDIS_URL). `document_request` only records the request and queues the task on commit.
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import io
import re
import traceback

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import realtime
from core.pdf import render_html, html_to_pdf

from . import registry
from .models import GeneratedDocument

CODE_LENGTH = 12
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read off paper
CODE_RE = re.compile(r"\b([%s]{%d})\b" % (CODE_ALPHABET, CODE_LENGTH))
CODE_PLACEHOLDER = "#" * CODE_LENGTH


def verify_url(code: str = "") -> str:
    path = reverse("documents:verify_code", args=[code]) if code else reverse("documents:verify")
    return settings.SITE_URL.rstrip("/") + path


def _code_for(kind: registry.DocumentKind, obj, fingerprint: str) -> str:
    """Short, unguessable without SECRET_KEY, and the same for the same content (deterministic text)."""
    msg = f"{kind.key}|{obj._meta.label_lower}|{obj.pk}|{kind.template_version}|{fingerprint}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).digest()
    n = int.from_bytes(digest[:10], "big")
    out = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[r])
    return "".join(out)


def _qr_data_uri(url: str) -> str:
    try:
        import segno
    except ImportError:  # pragma: no cover
        return ""
    return segno.make(url, error="m").png_data_uri(scale=4, border=0)


def build_html(*, kind: registry.DocumentKind, obj) -> tuple[registry.Built, str, str]:
    """(built, code, html): the builder's output, its verification code and the final HTML."""
    built = kind.build(obj)

    def doc_meta(code: str) -> dict:
        url = verify_url(code) if code != CODE_PLACEHOLDER else verify_url()
        return {
            "title": built.title,
            "header": built.header or built.title,
            "parties": built.parties,
            "date": built.doc_date,
            "date_iso": built.doc_date.isoformat() if built.doc_date else "",
            "code": code,
            "template_version": kind.template_version,
            "verify_url": url,
            "qr_data_uri": _qr_data_uri(url) if code != CODE_PLACEHOLDER else "",
        }

    draft = render_html(template=built.template, context={**built.context, "doc": doc_meta(CODE_PLACEHOLDER)})
    code = _code_for(kind, obj, hashlib.sha256(draft.encode()).hexdigest())
    html = render_html(template=built.template, context={**built.context, "doc": doc_meta(code)})
    return built, code, html


def render_object(*, kind: registry.DocumentKind, obj) -> tuple[registry.Built, str, bytes]:
    """Build and render without storing (bench, previews): (built, code, pdf bytes)."""
    built, code, html = build_html(kind=kind, obj=obj)
    return built, code, html_to_pdf(html)


def _publish(doc: GeneratedDocument) -> None:
    if doc.generated_by_id:
        realtime.publish(realtime.group_for("user", doc.generated_by_id), "document", id=doc.pk, status=doc.status)


@transaction.atomic
def document_request(*, kind: registry.DocumentKind, obj, actor) -> GeneratedDocument:
    """Record a render request and queue it. The caller has already looked `obj` up as `actor`.

    A render already queued or running for the same object is returned instead of a second one.
    """
    decision = kind.applies(obj)
    if not decision:
        from django.core.exceptions import ValidationError

        raise ValidationError(decision.reason or "该文书现在还不能生成。")
    if actor is not None:
        kind.may_generate(actor, obj).require()
    label = obj._meta.label_lower
    busy_rows = GeneratedDocument.objects.select_for_update().filter(
        kind=kind.key, object_label=label, object_id=str(obj.pk), status__in=["pending", "rendering"]
    )
    for busy in busy_rows:
        if not busy.is_stale:
            return busy
        # The worker died or the broker lost the task: record it, never leave it "rendering" forever.
        busy.status = GeneratedDocument.Status.FAILED
        busy.error = "生成超时：后台任务未在规定时间内完成。"
        busy.finished_at = timezone.now()
        busy.save(update_fields=["status", "error", "finished_at"])
    owner = kind.owner(obj)
    doc = GeneratedDocument.objects.create(
        kind=kind.key,
        object_label=label,
        object_id=str(obj.pk),
        owner_label=owner._meta.label_lower,
        owner_id=str(owner.pk),
        generated_by=actor if getattr(actor, "is_authenticated", False) else None,
        template_version=kind.template_version,
    )
    _publish(doc)
    from .tasks import render_document_task

    transaction.on_commit(lambda: render_document_task.delay(doc.pk))
    return doc


def _count_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # pragma: no cover - a count is informative only
        return 0


def document_render(*, document_id: int) -> GeneratedDocument:
    """Run one queued render. Never raises for a bad render: the row records the error (retry offered)."""
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if doc.status == GeneratedDocument.Status.DONE:
            return doc  # a duplicate delivery of the task
        doc.status = GeneratedDocument.Status.RENDERING
        doc.attempts += 1
        doc.error = ""
        doc.save(update_fields=["status", "attempts", "error"])
        _publish(doc)
    try:
        kind = registry.get(doc.kind)
        obj = registry.object_of(kind, doc.object_id)
        built, code, pdf = render_object(kind=kind, obj=obj)
    except Exception as exc:
        gc.collect()
        with transaction.atomic():
            doc.status = GeneratedDocument.Status.FAILED
            doc.error = f"{type(exc).__name__}: {exc}"[:2000] + "\n" + traceback.format_exc(limit=5)[-3000:]
            doc.finished_at = timezone.now()
            doc.save(update_fields=["status", "error", "finished_at"])
            _publish(doc)
        return doc
    # A render leaves ~40k cyclic objects (WeasyPrint boxes) behind; free them before the worker's next
    # task instead of letting them pile up under the next render (keeps a worker near 220 MiB).
    gc.collect()
    with transaction.atomic():
        doc.title = built.title[:200]
        doc.parties = [str(p) for p in built.parties]
        doc.doc_date = built.doc_date
        doc.code = code
        doc.template_version = kind.template_version
        doc.sha256 = hashlib.sha256(pdf).hexdigest()
        doc.size = len(pdf)
        doc.pages = _count_pages(pdf)
        if doc.file:
            doc.file.delete(save=False)
        doc.file.save("document.pdf", ContentFile(pdf), save=False)
        doc.status = GeneratedDocument.Status.DONE
        doc.finished_at = timezone.now()
        doc.save()
        _publish(doc)
    return doc


def document_generate_now(*, kind: registry.DocumentKind, obj, actor=None) -> GeneratedDocument:
    """Request and render in this process (management command, demo data): returns the finished row."""
    with transaction.atomic():
        label = obj._meta.label_lower
        owner = kind.owner(obj)
        doc = GeneratedDocument.objects.create(
            kind=kind.key,
            object_label=label,
            object_id=str(obj.pk),
            owner_label=owner._meta.label_lower,
            owner_id=str(owner.pk),
            generated_by=actor,
            template_version=kind.template_version,
        )
    return document_render(document_id=doc.pk)


# ---- verification -------------------------------------------------------------------------------

AUTHENTIC, ALTERED, UNKNOWN = "authentic", "altered", "unknown"


def _normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())[:CODE_LENGTH * 2]


def find_by_code(code: str) -> GeneratedDocument | None:
    code = _normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return GeneratedDocument.objects.filter(code=code, status=GeneratedDocument.Status.DONE).order_by("-pk").first()


def code_in_pdf(data: bytes) -> str:
    """The verification code printed in a PDF, if its text can be read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
        text = "\n".join((page.extract_text() or "") for page in pages[:1] + pages[-2:])
    except Exception:
        return ""
    m = re.search(r"验证码[：:\s]*([%s]{%d})" % (CODE_ALPHABET, CODE_LENGTH), text)
    return m.group(1) if m else ""


def verify(*, code: str = "", data: bytes | None = None) -> tuple[str, GeneratedDocument | None]:
    """(result, document). With a file: authentic when its sha256 is one we produced; altered when
    it names (or is checked against) a known code but the bytes differ; unknown otherwise.
    With only a code: authentic (the facts to compare against the paper) or unknown."""
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
        doc = find_by_code(code) if code else None
        if doc is not None:
            same = GeneratedDocument.objects.filter(code=doc.code, sha256=digest, status=GeneratedDocument.Status.DONE)
            return (AUTHENTIC if same.exists() else ALTERED), doc
        match = GeneratedDocument.objects.filter(sha256=digest, status=GeneratedDocument.Status.DONE).order_by("-pk").first()
        if match is not None:
            return AUTHENTIC, match
        printed = find_by_code(code_in_pdf(data))
        if printed is not None:
            return ALTERED, printed
        return UNKNOWN, None
    doc = find_by_code(code)
    return (AUTHENTIC, doc) if doc else (UNKNOWN, None)
