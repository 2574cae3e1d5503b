from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import validate_credit_code


class Region(models.Model):
    """An administrative division (GB/T 2260 code). `path` makes subtree queries one index scan."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("盟市")
        COUNTY = 3, _("旗县区")

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    def clean(self):
        if not (len(self.code or "") == 6 and self.code.isdigit()):
            raise ValidationError({"code": _("行政区划代码应为6位数字（GB/T 2260）。")})

    def save(self, *args, **kwargs):
        # The materialised path is derived data, kept with the row.
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this region itself."""
        return [c for c in self.path.strip("/").split("/") if c]

    def subtree_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}path__startswith": self.path})


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FEDERATION = "federation", _("工会联合会/总工会")
        UNION = "union", _("基层工会")
        EMPLOYER = "employer", _("用人单位")
        LAW_FIRM = "law_firm", _("律师事务所")
        LEGAL_AID_CENTRE = "legal_aid_centre", _("法律援助中心")
        LABOUR_BUREAU = "labour_bureau", _("劳动保障行政部门")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=120)
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A grass-roots union belongs to the enterprise whose workers it represents.
    employer = models.ForeignKey(
        "self",
        verbose_name=_("所在企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unions",
        limit_choices_to={"kind": "employer"},
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True, validators=[validate_credit_code]
    )
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    headcount = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    is_small_micro = models.BooleanField(_("小微企业"), default=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"], name="uniq_org_kind_name", violation_error_message=_("同类组织中已存在同名组织。")
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.kind == self.Kind.EMPLOYER and not self.credit_code:
            errors["credit_code"] = _("用人单位必须填写统一社会信用代码。")
        if self.kind == self.Kind.UNION and not self.employer_id:
            errors["employer"] = _("基层工会必须关联所在企业。")
        if self.employer_id and self.employer.kind != self.Kind.EMPLOYER:
            errors["employer"] = _("所在企业必须是用人单位。")
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    UNION_NEGOTIATOR = "union_negotiator", _("工会协商代表")
    UNION_STAFF = "union_staff", _("工会工作人员")
    EMPLOYER_REP = "employer_rep", _("企业协商代表")
    FIRM_ADMIN = "firm_admin", _("律所管理员")
    LAWYER = "lawyer", _("律师")
    BUREAU_REVIEWER = "bureau_reviewer", _("劳动保障部门审查员")
    SYSADMIN = "sysadmin", _("系统管理员")


# Which organisation kinds may hold which role.
ROLE_ORG_KINDS = {
    Role.UNION_NEGOTIATOR: {Organisation.Kind.UNION, Organisation.Kind.FEDERATION},
    Role.UNION_STAFF: {Organisation.Kind.FEDERATION},
    Role.EMPLOYER_REP: {Organisation.Kind.EMPLOYER},
    Role.FIRM_ADMIN: {Organisation.Kind.LAW_FIRM, Organisation.Kind.LEGAL_AID_CENTRE},
    Role.LAWYER: {Organisation.Kind.LAW_FIRM, Organisation.Kind.LEGAL_AID_CENTRE},
    Role.BUREAU_REVIEWER: {Organisation.Kind.LABOUR_BUREAU},
}


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True, db_index=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.role and self.role != Role.SYSADMIN:
            if not self.organisation_id:
                raise ValidationError({"organisation": _("该角色必须属于一个组织。")})
            allowed = ROLE_ORG_KINDS.get(self.role, set())
            if self.organisation.kind not in allowed:
                raise ValidationError({"role": _("该组织类型不能担任此角色。")})

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles

    @property
    def is_sysadmin(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.SYSADMIN)
