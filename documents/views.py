from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import public, role_required

from . import registry, selectors, services
from .forms import VerifyForm
from .models import GeneratedDocument


def _back(request, fallback):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(nxt)
    return redirect(fallback)


@role_required(description="any active user; the document's object must be visible to them through its registered scope (404 otherwise)")
@require_POST
def generate(request, kind, pk):
    k = registry.get(kind)
    obj = registry.visible_object(k, pk, request.user)
    try:
        doc = services.document_request(kind=k, obj=obj, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return _back(request, "core:home")
    reused = getattr(doc, "reused", False)
    if not reused:
        doc.refresh_from_db()  # the render may have run on commit (inline mode): say what is true now
    if reused:
        messages.success(request, _("文书内容未变，已是最新版本：%(title)s") % {"title": doc.title})
    elif doc.status == GeneratedDocument.Status.DONE:
        messages.success(request, _("文书已生成：%(title)s") % {"title": doc.title})
    elif doc.status == GeneratedDocument.Status.FAILED:
        messages.error(request, _("文书生成失败，请重试。"))
    elif doc.status == GeneratedDocument.Status.RENDERING:
        messages.info(request, _("文书正在生成，完成后此处会自动更新。"))
    else:
        messages.info(request, _("文书已排队生成，完成后此处会自动更新。"))
    return _back(request, "core:home")


@role_required(description="any active user; the document's object must be visible to them (404 otherwise)")
@require_GET
def download(request, pk):
    doc = selectors.document_visible_to(request.user, pk)
    if doc.status != GeneratedDocument.Status.DONE or not doc.file:
        raise Http404
    kind = registry.get(doc.kind)
    if kind.on_download is not None:
        kind.on_download(request.user, doc.subject)
    try:
        fh = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always an attachment (never rendered in the site's origin), with nosniff: the same as core.uploads.
    resp = FileResponse(fh, content_type="application/pdf", as_attachment=True, filename=doc.filename)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


@role_required(description="any active user; the owner object must be visible to them (404 otherwise)")
@require_GET
def panel(request, label, pk):
    """The panel's body, for live.js to swap into the panel's element when a render finishes."""
    obj = registry.visible_owner(label, pk, request.user)
    nxt = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "/"
    return render(request, "documents/_panel_body.html", {"obj": obj, "next_url": nxt})


@public("verification page: anyone holding a document checks it by code or by upload; shows only title, parties, date and hash")
@require_http_methods(["GET", "POST"])
def verify(request, code=""):
    result = doc = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            data = upload.read() if upload else None
            result, doc = services.verify(code=form.cleaned_data.get("code") or "", data=data)
    else:
        form = VerifyForm(initial={"code": code})
        if code:
            result, doc = services.verify(code=code)
    facts = None
    if doc is not None:
        facts = {"title": doc.title, "parties": doc.parties, "date": doc.doc_date, "sha256": doc.sha256, "code": doc.code}
    return render(request, "documents/verify.html", {"form": form, "result": result, "facts": facts})
