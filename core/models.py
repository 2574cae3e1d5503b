from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only record of every state change and every sensitive read.

    The application only inserts; on PostgreSQL a trigger (migration 0002) rejects UPDATE and DELETE.
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=120)  # kept even if the user is renamed; "system" for sweeps
    action = models.CharField(_("操作"), max_length=80)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class DeadlineRule(models.Model):
    """A statutory (or house) period. Data, editable by administrators, never a literal in code."""

    class Unit(models.TextChoices):
        DAYS = "days", _("自然日")
        WORKING_DAYS = "working_days", _("工作日")
        MONTHS = "months", _("月")
        YEARS = "years", _("年")

    id = models.CharField(_("规则编号"), max_length=60, primary_key=True)
    name = models.CharField(_("名称"), max_length=120)
    length = models.PositiveIntegerField(_("期间长度"))
    unit = models.CharField(_("单位"), max_length=20, choices=Unit.choices)
    roll_to_working_day = models.BooleanField(
        _("期满日为休息日时顺延"), default=True, help_text=_("民法典第203条：期间最后一日是法定休假日的，以法定休假日结束的次日为最后一日。")
    )
    source = models.CharField(_("法律依据"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    needs_verification = models.BooleanField(_("待核实"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")

    def __str__(self):
        return self.name  # the id (negotiation.coordination) is a code, not something to show a person


class CalendarDay(models.Model):
    """An administrator's correction or addition to the official working-day calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class CalendarYear(models.Model):
    """A year whose official calendar an administrator has entered completely by hand."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    note = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已录入日历年份")
        verbose_name_plural = _("已录入日历年份")

    def __str__(self):
        return str(self.year)


class MinimumWage(models.Model):
    """Local minimum wage by region tier and date (data, editable; demo rows are marked as samples)."""

    region = models.ForeignKey("accounts.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="minimum_wages")
    tier = models.CharField(_("档次"), max_length=20, blank=True)
    monthly = models.DecimalField(_("月最低工资（元）"), max_digits=8, decimal_places=2)
    hourly = models.DecimalField(_("小时最低工资（元）"), max_digits=6, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    source = models.CharField(_("依据"), max_length=200)
    is_sample = models.BooleanField(_("示例数据，待核实"), default=True)

    class Meta:
        ordering = ["region__code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["region", "effective_from"], name="uniq_minwage_region_date")]
        verbose_name = _("最低工资标准")
        verbose_name_plural = _("最低工资标准")

    def __str__(self):
        return f"{self.region} {self.effective_from}: {self.monthly}"


class SubmissionKey(models.Model):
    """A form's one-time key: a double-submitted form finds its key used and creates nothing twice."""

    key = models.CharField(max_length=64, unique=True)
    object_label = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交记录")
        verbose_name_plural = _("表单提交记录")
