"""Writes for generated documents: request a render, run it (from the Celery task), verify a PDF.

Rendering happens in the background (documents.tasks.dispatch: a Celery worker with REDIS_URL, the
in-process render thread without a broker, inline when DOCUMENTS_RENDER="sync" as in tests).
`document_request` answers an unchanged document with its finished render, else records the request
and queues it on commit; `queue_after_change` does the same for a workflow change (documents.apps).
"""
from __future__ import annotations

import functools
import gc
import hashlib
import hmac
import io
import logging
import re
import traceback

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core import realtime
from core.pdf import render_html, html_to_pdf

from . import registry
from .models import GeneratedDocument

log = logging.getLogger(__name__)

DOCUMENT_LANGUAGE = "zh-hans"  # the language of the documents' text (templates/pdf/, lang="zh-Hans")

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


@functools.lru_cache(maxsize=1)
def _stylesheet_digest() -> str:
    """The PDF assets (stylesheet, images) as one hash, so a changed stylesheet is a changed document."""
    from core.pdf import PDF_ASSETS_DIR

    h = hashlib.sha256()
    for path in sorted(PDF_ASSETS_DIR.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _doc_meta(kind: registry.DocumentKind, built: registry.Built, code: str) -> dict:
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


def _draft(kind: registry.DocumentKind, obj) -> tuple[registry.Built, str, str]:
    """(built, draft html, fingerprint): the document without its code, and the hash of its inputs."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _draft_in_language(kind, obj)


def _draft_in_language(kind, obj):
    built = kind.build(obj)
    draft = render_html(template=built.template, context={**built.context, "doc": _doc_meta(kind, built, CODE_PLACEHOLDER)})
    msg = "\0".join([kind.key, obj._meta.label_lower, str(obj.pk), kind.template_version, _stylesheet_digest(), draft])
    return built, draft, hashlib.sha256(msg.encode()).hexdigest()


def fingerprint(*, kind: registry.DocumentKind, obj) -> str:
    """The fingerprint of the document `kind` would render for `obj` now (queries + template, no PDF)."""
    return _draft(kind, obj)[2]


def build_html(*, kind: registry.DocumentKind, obj) -> tuple[registry.Built, str, str]:
    """(built, code, html): the builder's output, its verification code and the final HTML."""
    built, code, html, _fp = _build(kind, obj)
    return built, code, html


def _build(kind, obj) -> tuple[registry.Built, str, str, str]:
    # Documents are Chinese whoever asks (choice labels, translated template words): the same data gives the
    # same text, the same fingerprint and the same code in every language of the site.
    with translation.override(DOCUMENT_LANGUAGE):
        built, draft, fp = _draft_in_language(kind, obj)
        code = _code_for(kind, obj, hashlib.sha256(draft.encode()).hexdigest())
        html = render_html(template=built.template, context={**built.context, "doc": _doc_meta(kind, built, code)})
    return built, code, html, fp


def render_object(*, kind: registry.DocumentKind, obj) -> tuple[registry.Built, str, bytes]:
    """Build and render without storing (bench, previews): (built, code, pdf bytes)."""
    built, code, html = build_html(kind=kind, obj=obj)
    return built, code, html_to_pdf(html)


def _publish(doc: GeneratedDocument) -> None:
    if doc.generated_by_id:
        realtime.publish(realtime.group_for("user", doc.generated_by_id), "document", id=doc.pk, status=doc.status)


def _rows_for(kind: registry.DocumentKind, obj):
    return GeneratedDocument.objects.filter(kind=kind.key, object_label=obj._meta.label_lower, object_id=str(obj.pk))


def current_document(*, kind: registry.DocumentKind, obj, fp: str | None = None) -> GeneratedDocument | None:
    """The finished render of exactly what `kind` would render for `obj` now (same fingerprint), whose
    stored file is present; None when the document changed or was never rendered."""
    fp = fp or fingerprint(kind=kind, obj=obj)
    doc = _rows_for(kind, obj).filter(fingerprint=fp, status=GeneratedDocument.Status.DONE).exclude(file="").order_by("-pk").first()
    if doc is not None and doc.file.storage.exists(doc.file.name):
        return doc
    return None


def _new_row(kind: registry.DocumentKind, obj, actor) -> GeneratedDocument:
    owner = kind.owner(obj)
    doc = GeneratedDocument.objects.create(
        kind=kind.key,
        object_label=obj._meta.label_lower,
        object_id=str(obj.pk),
        owner_label=owner._meta.label_lower,
        owner_id=str(owner.pk),
        generated_by=actor if getattr(actor, "is_authenticated", False) else None,
        template_version=kind.template_version,
    )
    _publish(doc)
    return doc


def _queue(doc: GeneratedDocument) -> None:
    from .tasks import dispatch

    doc_id = doc.pk
    transaction.on_commit(lambda: dispatch(doc_id))


def _fail_stale(busy: GeneratedDocument) -> None:
    # The worker died or the broker lost the task: record it, never leave it "rendering" forever.
    busy.status = GeneratedDocument.Status.FAILED
    busy.error = "生成超时：后台任务未在规定时间内完成。"
    busy.finished_at = timezone.now()
    busy.save(update_fields=["status", "error", "finished_at"])


@transaction.atomic
def document_request(*, kind: registry.DocumentKind, obj, actor) -> GeneratedDocument:
    """Ask for the document: the finished render when nothing changed (no new row, no render), else a
    render queued on commit. The caller has already looked `obj` up as `actor`.

    A render already queued or running for the same object is returned instead of a second one.
    """
    decision = kind.applies(obj)
    if not decision:
        from django.core.exceptions import ValidationError

        raise ValidationError(decision.reason or "该文书现在还不能生成。")
    if actor is not None:
        kind.may_generate(actor, obj).require()
    busy_rows = _rows_for(kind, obj).select_for_update().filter(status__in=["pending", "rendering"])
    for busy in busy_rows:
        if not busy.is_stale:
            return busy
        _fail_stale(busy)
    try:
        done = current_document(kind=kind, obj=obj)
    except Exception:  # a builder that fails here fails in the render too, which records the error
        log.warning("documents: fingerprint of %s %s failed", kind.key, obj.pk, exc_info=True)
        done = None
    if done is not None:
        done.reused = True  # nothing changed since this render: no new row, no render
        return done
    doc = _new_row(kind, obj, actor)
    _queue(doc)
    return doc


def queue_after_change(*, kind: registry.DocumentKind, obj) -> GeneratedDocument | None:
    """A workflow change made the document final (kind.render_on): record one render, queued on commit.

    Runs inside the change's transaction (so a rollback leaves nothing) and does no builder work there:
    the render compares fingerprints and reuses an unchanged document. A render still waiting in the
    queue will read the new data when it starts, so no second one is added; one already running may have
    read the old data, so another follows it."""
    if not kind.applies(obj):
        return None
    waiting = _rows_for(kind, obj).filter(status=GeneratedDocument.Status.PENDING).order_by("-pk").first()
    if waiting is not None and not waiting.is_stale:
        return None
    doc = _new_row(kind, obj, None)
    _queue(doc)
    return doc


def _count_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # pragma: no cover - a count is informative only
        return 0


def store_pdf(pdf: bytes) -> tuple[str, str]:
    """(storage name, sha256): the file stored by its content; an identical file already stored is reused."""
    from django.core.files.storage import default_storage

    from .models import content_path

    digest = hashlib.sha256(pdf).hexdigest()
    name = content_path(digest)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(pdf))
        if saved != name:  # another render stored the same bytes meanwhile: keep one copy
            default_storage.delete(saved)
    return name, digest


def _finish_from(doc: GeneratedDocument, same: GeneratedDocument) -> None:
    """Complete `doc` as a copy of an identical finished render (same fingerprint): no render."""
    for field in ("title", "parties", "doc_date", "code", "template_version", "sha256", "size", "pages", "fingerprint"):
        setattr(doc, field, getattr(same, field))
    doc.file.name = same.file.name


def document_render(*, document_id: int) -> GeneratedDocument | None:
    """Run one queued render. Never raises for a bad render: the row records the error (retry offered).

    When a finished render with the same fingerprint exists (nothing changed since), its file and facts
    are reused instead of running WeasyPrint."""
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if doc is None:
            log.warning("documents: render %s: no such row (rolled back?)", document_id)
            return None
        if doc.status in (GeneratedDocument.Status.DONE, GeneratedDocument.Status.FAILED):
            return doc  # a duplicate delivery of the task, or given up as lost meanwhile
        doc.status = GeneratedDocument.Status.RENDERING
        doc.attempts += 1
        doc.error = ""
        doc.save(update_fields=["status", "attempts", "error"])
        _publish(doc)
    same = None
    try:
        kind = registry.get(doc.kind)
        obj = registry.object_of(kind, doc.object_id)
        built, code, html, fp = _build(kind, obj)
        same = current_document(kind=kind, obj=obj, fp=fp)
        if same is None:
            pdf = html_to_pdf(html)
    except Exception as exc:
        gc.collect()
        with transaction.atomic():
            doc.status = GeneratedDocument.Status.FAILED
            doc.error = f"{type(exc).__name__}: {exc}"[:2000] + "\n" + traceback.format_exc(limit=5)[-3000:]
            doc.finished_at = timezone.now()
            doc.save(update_fields=["status", "error", "finished_at"])
            _publish(doc)
        return doc
    with transaction.atomic():
        if same is not None:
            _finish_from(doc, same)
        else:
            # A render leaves ~40k cyclic objects (WeasyPrint boxes) behind; free them before the worker's
            # next task instead of letting them pile up under the next render (keeps a worker near 220 MiB).
            gc.collect()
            doc.title = built.title[:200]
            doc.parties = [str(p) for p in built.parties]
            doc.doc_date = built.doc_date
            doc.code = code
            doc.template_version = kind.template_version
            doc.fingerprint = fp
            doc.file.name, doc.sha256 = store_pdf(pdf)
            doc.size = len(pdf)
            doc.pages = _count_pages(pdf)
        doc.status = GeneratedDocument.Status.DONE
        doc.finished_at = timezone.now()
        doc.save()
        _publish(doc)
    return doc


def document_generate_now(*, kind: registry.DocumentKind, obj, actor=None) -> GeneratedDocument:
    """Request and render in this process (management command, demo data): returns the finished row
    (the existing one when the document is unchanged)."""
    done = current_document(kind=kind, obj=obj)
    if done is not None:
        return done
    with transaction.atomic():
        doc = _new_row(kind, obj, actor)
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
