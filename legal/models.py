"""Legal aid: hotline consultations, applications (LegalAidCase), partner firms and routing attempts.

Personal data of the applicant lives only on `LegalAidCase` fields listed in `PERSONAL_FIELDS` and in
`CaseDocument` files; firm users see them only after their firm accepted the case (see permissions.py).
"""
from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.pii import mask_id_number, mask_phone
from core.validators import validate_id_number

FIRM_KINDS = ("law_firm", "legal_aid_centre")


class Matter(models.TextChoices):
    """Labour matters covered by 法律援助法 art. 31."""

    EMPLOYMENT_RELATIONSHIP = "employment_relationship", _("请求确认劳动关系")
    PAY = "pay", _("请求支付劳动报酬")
    WORK_INJURY = "work_injury", _("请求工伤事故人身损害赔偿")
    SOCIAL_INSURANCE = "social_insurance", _("请求给予社会保险待遇")
    OTHER = "other", _("其他劳动争议")


# art. 42(3): migrant workers applying for pay or work-injury compensation are exempt from the hardship check.
EXEMPT_MATTERS = frozenset({Matter.PAY, Matter.WORK_INJURY})


class ExemptionGround(models.TextChoices):
    """Why an applicant is not subject to the financial-hardship test (法律援助法).

    Art. 32: the hardship condition does not apply at all (不受经济困难条件的限制). Art. 42: the applicant
    proves with documents that they belong to a group whose hardship is not checked (免予核查经济困难状况).
    `ARTICLES` gives the provision each ground rests on; the explanation of a proposal cites it.
    """

    HERO_RELATIVE = "hero_relative", _("英雄烈士近亲属为维护英雄烈士的人格权益")
    GOOD_SAMARITAN = "good_samaritan", _("因见义勇为行为主张相关民事权益")
    WRONGFUL_CONVICTION = "wrongful_conviction", _("再审改判无罪请求国家赔偿")
    ABUSE_VICTIM = "abuse_victim", _("遭受虐待、遗弃或者家庭暴力的受害人主张相关权益")
    OTHER_CIRCUMSTANCE = "other_circumstance", _("法律、法规、规章规定的其他情形")
    NO_FIXED_INCOME = "no_fixed_income", _("无固定生活来源的未成年人、老年人、残疾人等特定群体")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助对象（最低生活保障、特困人员供养等）")
    JUDICIAL_ASSISTANCE = "judicial_assistance", _("司法救助对象")
    SPECIAL_CARE = "special_care", _("优抚对象")
    MIGRANT_WORKER = "migrant_worker", _("申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员")
    OTHER_PERSON = "other_person", _("法律、法规、规章规定的其他人员")


# The provision each ground rests on: (article, item). Art. 32 grounds lift the hardship condition;
# art. 42 grounds exempt from checking it.
EXEMPTION_ARTICLES = {
    ExemptionGround.HERO_RELATIVE: (32, 1),
    ExemptionGround.GOOD_SAMARITAN: (32, 2),
    ExemptionGround.WRONGFUL_CONVICTION: (32, 3),
    ExemptionGround.ABUSE_VICTIM: (32, 4),
    ExemptionGround.OTHER_CIRCUMSTANCE: (32, 5),
    ExemptionGround.NO_FIXED_INCOME: (42, 1),
    ExemptionGround.SOCIAL_ASSISTANCE: (42, 2),
    ExemptionGround.JUDICIAL_ASSISTANCE: (42, 2),
    ExemptionGround.SPECIAL_CARE: (42, 2),
    ExemptionGround.MIGRANT_WORKER: (42, 3),
    ExemptionGround.OTHER_PERSON: (42, 4),
}


class HardshipStandard(models.Model):
    """Financial-hardship standard (art. 34) per region and date: data, admin-editable, inherited downwards."""

    region = models.ForeignKey("accounts.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="hardship_standards")
    monthly_income_per_capita = models.DecimalField(_("家庭人均月收入上限（元）"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    source = models.CharField(_("依据"), max_length=200)
    is_sample = models.BooleanField(_("示例数据，待核实"), default=True)

    class Meta:
        ordering = ["region__code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["region", "effective_from"], name="uniq_hardship_region_date")]
        verbose_name = _("经济困难标准")
        verbose_name_plural = _("经济困难标准")

    def __str__(self):
        return f"{self.region} {self.effective_from}: {self.monthly_income_per_capita}"


class FirmProfile(models.Model):
    """A partner firm's routing data. The firm itself is an accounts.Organisation (law firm / legal-aid centre)."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("律所"),
        on_delete=models.CASCADE,
        related_name="firm_profile",
        limit_choices_to={"kind__in": FIRM_KINDS},
    )
    regions = models.ManyToManyField("accounts.Region", verbose_name=_("服务地区（含下级）"), related_name="+", blank=True)
    matters = models.JSONField(_("承办事项"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("同时承办案件上限"), default=10)
    is_active = models.BooleanField(_("接受指派"), default=True)
    response_rule = models.ForeignKey(
        "core.DeadlineRule", verbose_name=_("答复期限规则"), on_delete=models.PROTECT, default="legal_aid.firm_response", related_name="+"
    )
    last_assigned_at = models.DateTimeField(_("最近一次指派"), null=True, blank=True)
    # The firm's open cases (offered, accepted or in progress: OPEN_FIRM_STATES), kept by the services in the
    # same transaction as every offer, withdrawal, decline, timeout and closing (legal.services.load), so a
    # routing decision reads one row per firm instead of counting every open case. `recount_firm_loads`
    # (management command) recomputes it from the cases.
    open_cases = models.PositiveIntegerField(_("在办案件数"), default=0, editable=False)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("合作律所")
        verbose_name_plural = _("合作律所")

    def __str__(self):
        return str(self.organisation)

    def clean(self):
        if self.organisation_id and self.organisation.kind not in FIRM_KINDS:
            raise ValidationError({"organisation": _("只能为律师事务所或法律援助中心设置合作信息。")})
        bad = [m for m in self.matters or [] if m not in Matter.values]
        if bad:
            raise ValidationError({"matters": _("未知事项：%(m)s") % {"m": ", ".join(bad)}})

    def matter_labels(self):
        return [str(Matter(m).label) for m in self.matters or [] if m in Matter.values]


class FirmEngagement(models.Model):
    """A firm acting for an employer in a matter. While open (no end date) it is a conflict for legal-aid
    cases against that employer. Entered by staff or declared by the firm (admin-editable)."""

    firm = models.ForeignKey("accounts.Organisation", verbose_name=_("律所"), on_delete=models.CASCADE, related_name="engagements")
    employer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("委托单位"), on_delete=models.CASCADE, related_name="firm_engagements",
        limit_choices_to={"kind": "employer"},
    )
    description = models.CharField(_("事项"), max_length=200, blank=True)
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("律所代理用人单位事项")
        verbose_name_plural = _("律所代理用人单位事项")
        indexes = [models.Index(fields=["employer", "ended_on"])]

    def __str__(self):
        return f"{self.firm} ↔ {self.employer}"


class Consultation(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("热线电话")
        WALK_IN = "walk_in", _("来访")
        ONLINE = "online", _("网上咨询")
        WECHAT = "wechat", _("微信")

    received_at = models.DateTimeField(_("咨询时间"), default=timezone.now, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    caller_name = models.CharField(_("咨询人"), max_length=60, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    region = models.ForeignKey("accounts.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("咨询事项"), max_length=30, choices=Matter.choices, default=Matter.PAY)
    summary = models.TextField(_("咨询内容"))
    advice = models.TextField(_("解答意见"), blank=True)
    follow_up = models.CharField(_("后续跟进"), max_length=200, blank=True)
    follow_up_due = models.DateField(_("跟进日期"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接线人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention period ended and the caller's data was blanked (services/privacy.py).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("热线咨询")
        verbose_name_plural = _("热线咨询")

    def __str__(self):
        return _("咨询 #%(pk)s %(topic)s") % {"pk": self.pk, "topic": self.get_topic_display()}

    @property
    def masked_phone(self):
        return mask_phone(self.caller_phone)


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("待审查")
    AWAITING_DOCUMENTS = "awaiting_documents", _("待补充材料")
    REJECTED = "rejected", _("不予援助")
    APPROVED = "approved", _("待指派律所")
    OFFERED = "offered", _("待律所答复")
    ACCEPTED = "accepted", _("律所已接受")
    IN_PROGRESS = "in_progress", _("承办中")
    CLOSED = "closed", _("已结案")


OPEN_FIRM_STATES = (CaseState.OFFERED, CaseState.ACCEPTED, CaseState.IN_PROGRESS)
# Firm users see personal data only in these states (after their firm accepted).
DISCLOSED_STATES = (CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.CLOSED)

# Fields that identify the applicant: never in a firm's pre-acceptance summary (HTML or JSON).
PERSONAL_FIELDS = (
    "applicant_name", "id_number", "phone", "address", "household_size", "household_monthly_income", "facts", "claims",
)


# Blanked when a case's retention period ends (services/privacy.py): everything that identifies or
# describes the applicant. Kept: matter, region, employer, amounts, dates, states, firm, outcome (statistics).
ANONYMISED_CASE_FIELDS = (
    "applicant_name", "id_number", "phone", "address", "household_size", "household_monthly_income", "facts", "claims",
    "eligibility_explanation", "decision_reason", "next_steps", "satisfaction_note",
)
ANONYMISED_CONSULTATION_FIELDS = ("caller_name", "caller_phone", "summary", "advice", "follow_up")


class Eligibility(models.TextChoices):
    HARDSHIP = "hardship", _("符合经济困难标准")
    EXEMPT = "exempt", _("免予经济困难审查（法律援助法第32条、第42条）")
    NOT_ELIGIBLE = "not_eligible", _("不符合经济困难标准")
    UNKNOWN = "unknown", _("无法判断（缺少标准或收入信息）")


class Outcome(models.TextChoices):
    SETTLED = "settled", _("和解")
    MEDIATED = "mediated", _("调解")
    AWARD_WON = "award_won", _("仲裁胜诉")
    AWARD_LOST = "award_lost", _("仲裁败诉")
    JUDGMENT = "judgment", _("判决")
    WITHDRAWN = "withdrawn", _("撤回")


class LegalAidCase(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    state = FSMField(_("状态"), choices=CaseState.choices, default=CaseState.SUBMITTED, protected=True, db_index=True)

    # applicant (personal data)
    applicant_name = models.CharField(_("申请人姓名"), max_length=60)
    id_number = models.CharField(_("身份证号码"), max_length=18, validators=[validate_id_number])
    phone = models.CharField(_("联系电话"), max_length=30)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    applicant_region = models.ForeignKey("accounts.Region", verbose_name=_("申请人所在地区"), on_delete=models.PROTECT, related_name="+")
    is_migrant_worker = models.BooleanField(_("进城务工人员"), default=False)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), null=True, blank=True)
    household_monthly_income = models.DecimalField(_("家庭月收入（元）"), max_digits=10, decimal_places=2, null=True, blank=True)

    # the matter
    opposing_employer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("对方用人单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="legal_aid_cases_against", limit_choices_to={"kind": "employer"},
    )
    opposing_employer_name = models.CharField(_("对方单位名称（未入库时填写）"), max_length=120, blank=True)
    matter = models.CharField(_("援助事项"), max_length=30, choices=Matter.choices)
    facts = models.TextField(_("案情"))
    claims = models.TextField(_("请求事项"))
    claim_amount = models.DecimalField(_("请求金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    summary_for_firms = models.TextField(
        _("案情摘要（供律所接案前查看，不得含个人信息）"), blank=True,
    )
    limitation_date = models.DateField(_("时效或期限届满日"), null=True, blank=True)
    urgent = models.BooleanField(_("紧急（先行援助）"), default=False, db_index=True)

    # review
    received_on = models.DateField(_("收到申请日期"), default=timezone.localdate)
    decision_due = models.DateField(_("审查决定截止日"), null=True, blank=True, db_index=True)
    decision_due_explanation = models.TextField(blank=True)
    document_pauses = models.JSONField(_("补充材料期间"), default=list, blank=True)
    waiting_since = models.DateField(_("补充材料起始日"), null=True, blank=True)
    decision_due_soon = models.BooleanField(default=False)
    decision_overdue = models.BooleanField(default=False, db_index=True)
    eligibility_proposal = models.CharField(_("系统建议"), max_length=20, choices=Eligibility.choices, blank=True)
    eligibility_explanation = models.TextField(_("建议依据"), blank=True)
    exemption_ground = models.CharField(
        _("免予经济困难审查的情形"), max_length=30, choices=ExemptionGround.choices, blank=True,
        help_text=_("法律援助法第32条（不受经济困难条件限制）或第42条（凭证明材料免予核查）。进城务工人员追索劳动报酬或工伤赔偿由系统自动认定。"),
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    assignment_due = models.DateField(_("指派截止日"), null=True, blank=True)
    # Set by the sweep once no lawyer is assigned by the art. 43 assignment date; staff are told once.
    assignment_overdue = models.BooleanField(default=False, db_index=True)

    # routing and firm work
    assigned_firm = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("承办律所"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="legal_aid_cases",
    )
    assigned_lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办律师"), null=True, blank=True, on_delete=models.PROTECT, related_name="legal_aid_cases",
    )
    no_firm_available = models.BooleanField(_("无合格律所"), default=False, db_index=True)
    conflict_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    next_steps = models.TextField(_("下一步工作"), blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(_("挽回金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("申请人满意度（1–5）"), null=True, blank=True)
    satisfaction_note = models.CharField(_("满意度说明"), max_length=200, blank=True)

    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    dispute = models.ForeignKey(
        "disputes.DisputeCase", verbose_name=_("关联劳动争议"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="legal_aid_cases",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention period ended and the applicant's data was blanked (services/privacy.py).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("法律援助案件")
        verbose_name_plural = _("法律援助案件")
        indexes = [models.Index(fields=["assigned_firm", "state"])]

    def __str__(self):
        return _("法援 %(number)s") % {"number": self.number}

    def save(self, *args, **kwargs):
        if not self.number:
            self.number = "FY" + timezone.localdate().strftime("%Y%m") + uuid.uuid4().hex[:6].upper()
        super().save(*args, **kwargs)

    @property
    def masked_id(self):
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def employer_label(self):
        return str(self.opposing_employer) if self.opposing_employer_id else self.opposing_employer_name

    def clean_fields(self, exclude=None):
        # clean_fields() re-assigns every field; a protected FSM field refuses that (django-fsm-2), and the
        # state is only ever set by transitions, so it is left out here.
        # An anonymised case keeps its row (statistics) with the applicant's fields blanked: they are no
        # longer validated as an application's would be.
        anonymised = ANONYMISED_CASE_FIELDS if self.anonymised_at else ()
        super().clean_fields(exclude={*(exclude or ()), "state", *anonymised})

    def clean(self):
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
        if not self.opposing_employer_id and not self.opposing_employer_name:
            raise ValidationError({"opposing_employer": _("请选择或填写对方用人单位。")})
        if self.satisfaction is not None and not 1 <= self.satisfaction <= 5:
            raise ValidationError({"satisfaction": _("满意度应为1到5。")})

    # --- transitions: fields in memory only -------------------------------------------------------
    @transition(field=state, source=CaseState.SUBMITTED, target=CaseState.AWAITING_DOCUMENTS)
    def request_documents(self, *, on):
        self.waiting_since = on

    @transition(field=state, source=CaseState.AWAITING_DOCUMENTS, target=CaseState.SUBMITTED)
    def documents_received(self, *, on):
        """`on`: the day the documents arrived. The days the applicant spent supplying them are stored as a
        pause of the decision period (art. 43; rules.document_pause)."""
        from .rules import document_pause

        pause = document_pause(self.waiting_since, on, self.received_on) if self.waiting_since else None
        if pause:
            self.document_pauses = [*self.document_pauses, [pause[0].isoformat(), pause[1].isoformat()]]
        self.waiting_since = None

    def can_approve_now(self):
        # art. 44: an urgent case may start before the review is complete (documents still missing).
        return self.state == CaseState.SUBMITTED or self.urgent

    @transition(
        field=state, source=[CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS], target=CaseState.APPROVED, conditions=[can_approve_now],
    )
    def approve(self, *, by, reason, at):
        self.decision_reason = reason
        self.decided_by = by
        self.decided_at = at
        self.decision_overdue = self.decision_due_soon = False

    @transition(field=state, source=[CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS], target=CaseState.REJECTED)
    def reject(self, *, by, reason, at):
        self.decision_reason = reason
        self.decided_by = by
        self.decided_at = at
        self.decision_overdue = self.decision_due_soon = False

    @transition(field=state, source=CaseState.APPROVED, target=CaseState.OFFERED)
    def offer(self, *, firm):
        """`firm`: the Organisation or its id (routing knows only the id: no query for the row)."""
        if isinstance(firm, int):
            self.assigned_firm_id = firm
        else:
            self.assigned_firm = firm
        self.no_firm_available = False

    @transition(field=state, source=CaseState.APPROVED, target=CaseState.APPROVED)
    def mark_unroutable(self):
        self.no_firm_available = True

    @transition(field=state, source=CaseState.OFFERED, target=CaseState.APPROVED)
    def withdraw_offer(self):
        self.assigned_firm = None

    @transition(field=state, source=CaseState.OFFERED, target=CaseState.ACCEPTED)
    def accept(self, *, by, at):
        self.conflict_checked_by = by
        self.accepted_at = at

    @transition(field=state, source=CaseState.OFFERED, target=CaseState.APPROVED)
    def decline(self):
        self.assigned_firm = None

    @transition(field=state, source=CaseState.OFFERED, target=CaseState.APPROVED)
    def time_out(self):
        self.assigned_firm = None

    @transition(field=state, source=[CaseState.ACCEPTED, CaseState.IN_PROGRESS], target=CaseState.IN_PROGRESS)
    def assign_lawyer(self, *, lawyer):
        self.assigned_lawyer = lawyer

    @transition(field=state, source=CaseState.IN_PROGRESS, target=CaseState.CLOSED)
    def close(self, *, outcome, amount_recovered, at):
        self.outcome = outcome
        self.amount_recovered = amount_recovered
        self.closed_at = at


class RoutingAttempt(models.Model):
    """One row per firm a case was offered to."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已拒绝")
        TIMED_OUT = "timed_out", _("超时未答复")
        WITHDRAWN = "withdrawn", _("工作人员撤回")

    case = models.ForeignKey(LegalAidCase, on_delete=models.CASCADE, related_name="attempts")
    firm = models.ForeignKey("accounts.Organisation", verbose_name=_("律所"), on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(_("推送时间"), default=timezone.now)
    response_due = models.DateField(_("答复截止日"), db_index=True)
    response_due_explanation = models.TextField(blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Result.choices, default=Result.PENDING, db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    explanation = models.TextField(_("选择依据"), blank=True)
    override_reason = models.TextField(_("人工指定理由"), blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["offered_at", "pk"]
        verbose_name = _("律所推送记录")
        verbose_name_plural = _("律所推送记录")

    def __str__(self):
        return f"{self.case} → {self.firm} ({self.get_outcome_display()})"


class WorkLogEntry(models.Model):
    case = models.ForeignKey(LegalAidCase, on_delete=models.CASCADE, related_name="work_log")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"), default=timezone.localdate)
    hours = models.DecimalField(_("用时（小时）"), max_digits=5, decimal_places=2)
    activity = models.TextField(_("工作内容"))
    next_deadline = models.DateField(_("下一期限"), null=True, blank=True)
    next_deadline_note = models.CharField(_("期限事项"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("办案记录")
        verbose_name_plural = _("办案记录")

    def __str__(self):
        return f"{self.case} {self.date} {self.hours}h"


def _upload_to(instance, filename):
    ext = PurePosixPath(filename).suffix.lower()[:10]
    return f"legal/{uuid.uuid4().hex}{ext}"


class CaseDocument(models.Model):
    case = models.ForeignKey(LegalAidCase, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("文件"), upload_to=_upload_to)
    original_name = models.CharField(_("文件名"), max_length=200)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("案件材料")
        verbose_name_plural = _("案件材料")

    def __str__(self):
        return self.original_name
