"""One upload pipeline for every workflow: the type is sniffed from the bytes against an allow-list,
the size is bounded, the content hashed, the stored name random; downloads are attachments with
`X-Content-Type-Options: nosniff`.

    accepted = uploads.accept(upload)            # ValidationError({"file": …}) when refused
    obj.file.save(accepted.stored_name, upload, save=False)
    obj.content_type, obj.sha256, obj.size = accepted.content_type, accepted.sha256, accepted.size
    ...
    return uploads.download(obj.file, filename=obj.original_name, content_type=obj.content_type)
"""
from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    DOCX: ".docx",
}

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", DOCX: "DOCX"}


@dataclass(frozen=True)
class Accepted:
    content_type: str
    extension: str
    sha256: str
    size: int
    original_name: str
    stored_name: str


def sniff_type(upload) -> str | None:
    """The real type from the bytes: PDF, JPEG, PNG by signature; DOCX = a zip holding word/document.xml
    and [Content_Types].xml. Anything else (HTML, SVG, executables, other zips) is None."""
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as zf:
                names = set(zf.namelist())
                ok = "word/document.xml" in names and "[Content_Types].xml" in names
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        finally:
            upload.seek(0)
        return DOCX if ok else None
    kind = filetype.guess(head)
    if kind and kind.mime in ("application/pdf", "image/jpeg", "image/png"):
        return kind.mime
    return None


def safe_original_name(name: str | None) -> str:
    """The user's file name for display and download only: no path, no control characters, bounded."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return (base or "file")[:200]


def accept(upload, *, allowed: dict[str, str] | None = None, max_bytes: int | None = None) -> Accepted:
    allowed = allowed or ALLOWED_TYPES
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None) or 0
    if size > limit:
        raise ValidationError({"file": _("文件过大：%(got).1f MB，上限为 %(max).0f MB。") % {"got": size / 1048576, "max": limit / 1048576}})
    if size == 0:
        raise ValidationError({"file": _("文件为空。")})
    mime = sniff_type(upload)
    if mime is None or mime not in allowed:
        names = [TYPE_NAMES.get(m, m) for m in allowed]
        kinds = "、".join(names[:-1]) + (" 或 " if len(names) > 1 else "") + names[-1]
        raise ValidationError({"file": _("只接受 %(kinds)s 文件；系统按文件内容识别类型，该文件的实际内容不是这几种格式。") % {"kinds": kinds}})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = allowed[mime]
    return Accepted(
        content_type=mime, extension=ext, sha256=digest.hexdigest(), size=size,
        original_name=safe_original_name(getattr(upload, "name", "")), stored_name=uuid.uuid4().hex + ext,
    )


def download(file, *, filename: str, content_type: str) -> FileResponse:
    """Always an attachment, with the sniffed type and nosniff: a browser never renders an upload inline."""
    resp = FileResponse(file.open("rb"), as_attachment=True, filename=safe_original_name(filename),
                        content_type=content_type or "application/octet-stream")
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
