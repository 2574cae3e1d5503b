"""Generated documents: one row per render request, with the PDF's hash and verification code."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


STALE_AFTER_SECONDS = 15 * 60


def content_path(sha256: str) -> str:
    """Where a PDF with this sha256 is stored: by content, so identical renders share one file."""
    return f"documents/sha256/{sha256[:2]}/{sha256}.pdf"


def document_upload_to(instance, filename):
    # Generated names only; never the user's text. Stored under MEDIA_ROOT, served by a view.
    return content_path(instance.sha256) if instance.sha256 else f"documents/{instance.kind}/pending.pdf"


class GeneratedDocument(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RENDERING = "rendering", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("文书类型"), max_length=40, db_index=True)
    # The object the document is about (e.g. negotiation.negotiation 5, negotiation.round 12) ...
    object_label = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    # ... and the page it is listed on (the negotiation for its rounds' minutes).
    owner_label = models.CharField(max_length=80)
    owner_id = models.CharField(max_length=40)

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    title = models.CharField(_("标题"), max_length=200, blank=True)
    parties = models.JSONField(_("当事方"), default=list, blank=True)
    doc_date = models.DateField(_("文书日期"), null=True, blank=True)
    code = models.CharField(_("验证码"), max_length=20, blank=True, db_index=True)
    template_version = models.CharField(_("模板版本"), max_length=40, blank=True)
    # sha256 of what the render was made from (kind, template version, the builder's data as the template
    # prints it, the PDF stylesheet): the same fingerprint is the same document, served without a render.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=document_upload_to, blank=True, max_length=300)

    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("生成文书")
        verbose_name_plural = _("生成文书")
        indexes = [models.Index(fields=["owner_label", "owner_id", "kind"]), models.Index(fields=["object_label", "object_id"])]

    def __str__(self):
        return self.title or f"{self.kind} #{self.pk}"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RENDERING)

    @property
    def is_stale(self) -> bool:
        """Queued or rendering for longer than any render may take (the task's hard limit is 120 s)."""
        from django.utils import timezone

        return self.is_busy and (timezone.now() - self.created_at).total_seconds() > STALE_AFTER_SECONDS

    @property
    def error_summary(self) -> str:
        """First line of the error, for pages (the traceback stays in the row and the admin)."""
        return (self.error or "").strip().splitlines()[0][:200] if (self.error or "").strip() else ""

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.object_id}-{self.code or self.pk}.pdf"
