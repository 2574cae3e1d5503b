"""Labour dispute cases (劳动争议调解仲裁法) and their statutory stages.

Every due date lives on the row (indexed) with the explanation `core.deadlines.compute_due` gave;
`next_due` is the one that matters in the current stage, so "overdue" and "due within N days" are
single indexed queries. Transition bodies only change fields in memory; services compute dates.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition


class State(models.TextChoices):
    FILED = "filed", _("已立案")
    NEGOTIATION = "negotiation", _("协商中")
    MEDIATION = "mediation", _("调解中")
    MEDIATED = "mediated", _("调解成功")
    PAYMENT_ORDER = "payment_order", _("已申请支付令")
    MEDIATION_FAILED = "mediation_failed", _("调解不成")
    ARBITRATION_APPLIED = "arbitration_applied", _("已申请仲裁")
    ACCEPTED = "accepted", _("仲裁已受理")
    NOT_ACCEPTED = "not_accepted", _("仲裁不予受理")
    HEARING = "hearing", _("仲裁审理中")
    AWARDED = "awarded", _("已裁决（起诉期内）")
    SET_ASIDE_APPLIED = "set_aside_applied", _("已申请撤销裁决")
    SET_ASIDE = "set_aside", _("裁决已被撤销（起诉期内）")
    EFFECTIVE = "effective", _("裁决已生效")
    COURT = "court", _("诉讼中")
    CLOSED = "closed", _("已结案")
    WITHDRAWN = "withdrawn", _("已撤回")


TERMINAL = {State.CLOSED, State.WITHDRAWN}
OPEN_STATES = [s for s in State.values if s not in TERMINAL]


class ClaimKind(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("拖欠工资")
    STANDBY_PAY = "standby_pay", _("待岗/停工期间工资")
    PAY_CUT = "pay_cut", _("降薪/低于最低工资")
    DISMISSAL = "dismissal", _("违法解除劳动合同")
    COMPENSATION = "compensation", _("经济补偿/赔偿金")
    CONTRACT_BREACH = "contract_breach", _("违反集体合同")
    WORK_INJURY = "work_injury", _("工伤医疗费")
    HOURS = "hours", _("工作时间")
    REST = "rest", _("休息休假")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    OTHER = "other", _("其他")


# The law's groupings of claim kinds live in disputes.rules (REMUNERATION_KINDS, STANDARDS_KINDS, MONEY_KINDS).


class SetAsideRuling(models.TextChoices):
    """How an employer's application to set a final award aside ended (劳动争议调解仲裁法第49条)."""

    SET_ASIDE = "set_aside", _("裁定撤销裁决")
    DISMISSED = "dismissed", _("驳回撤销申请")
    WITHDRAWN = "withdrawn", _("撤回撤销申请")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("追回款项")
    REINSTATEMENT = "reinstatement", _("恢复劳动关系")
    SETTLED = "settled", _("和解")
    OTHER = "other", _("其他")


class LimitationSuspension(models.Model):
    """A period during which the arbitration limitation does not run (e.g. the 2020 epidemic), entered by an admin."""

    name = models.CharField(_("名称"), max_length=120)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    source = models.CharField(_("依据"), max_length=200, blank=True)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("适用地区"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("留空表示适用于全部地区；填写则适用于该地区及下级地区。"),
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("仲裁时效中止期间")
        verbose_name_plural = _("仲裁时效中止期间")

    def __str__(self):
        return f"{self.name}（{self.start}至{self.end}）"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("结束日期不能早于开始日期。")})


def _not_before(on, earlier, field, what):
    if on and earlier and on < earlier:
        raise ValidationError({field: _("日期不能早于%(what)s（%(date)s）。") % {"what": what, "date": earlier}})


class DisputeCase(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    reference = models.CharField(_("案号"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("案由"), max_length=200)
    state = FSMField(_("阶段"), default=State.FILED, choices=State.choices, protected=True, db_index=True)
    employer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="disputes",
        limit_choices_to={"kind": "employer"},
    )
    region = models.ForeignKey("accounts.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("所在基层工会"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="union_disputes", limit_choices_to={"kind": "union"},
    )
    is_collective = models.BooleanField(_("集体争议"), default=False, db_index=True)
    representative = models.CharField(_("职工代表"), max_length=60, blank=True)
    facts = models.TextField(_("事实与理由"))
    collective_contract = models.ForeignKey(
        "negotiation.Negotiation", verbose_name=_("所涉集体合同"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="disputes",
    )
    known_on = models.DateField(_("知道或应当知道权利被侵害之日"))
    employment_ended_on = models.DateField(_("劳动关系终止之日"), null=True, blank=True)
    limitation_interrupted_on = models.DateField(_("时效中断之日"), null=True, blank=True)

    # Due dates (indexed) with their explanations.
    limitation_due = models.DateField(_("仲裁时效届满日"), null=True, blank=True, db_index=True)
    limitation_explanation = models.TextField(blank=True)
    mediation_due = models.DateField(_("调解期限"), null=True, blank=True, db_index=True)
    mediation_explanation = models.TextField(blank=True)
    acceptance_due = models.DateField(_("受理审查期限"), null=True, blank=True, db_index=True)
    acceptance_explanation = models.TextField(blank=True)
    award_due = models.DateField(_("裁决期限"), null=True, blank=True, db_index=True)
    award_explanation = models.TextField(blank=True)
    appeal_due = models.DateField(_("起诉期限"), null=True, blank=True, db_index=True)
    appeal_explanation = models.TextField(blank=True)
    set_aside_due = models.DateField(_("撤销裁决申请期限"), null=True, blank=True, db_index=True)
    set_aside_explanation = models.TextField(blank=True)
    set_aside_suit_due = models.DateField(_("裁决撤销后起诉期限"), null=True, blank=True, db_index=True)
    set_aside_suit_explanation = models.TextField(blank=True)
    next_due = models.DateField(_("当前阶段期限"), null=True, blank=True, db_index=True)
    is_overdue = models.BooleanField(_("已逾期"), default=False, db_index=True)
    last_warning_key = models.CharField(max_length=80, blank=True, editable=False)

    # Stage dates and records.
    filed_on = models.DateField(_("立案日期"))
    negotiation_started_on = models.DateField(_("协商开始日期"), null=True, blank=True)
    mediation_applied_on = models.DateField(_("申请调解日期"), null=True, blank=True)
    mediation_body = models.CharField(_("调解组织"), max_length=120, blank=True)
    mediation_agreement_on = models.DateField(_("调解协议日期"), null=True, blank=True)
    mediation_terms = models.TextField(_("调解协议内容"), blank=True)
    mediation_performance_due = models.DateField(_("调解协议约定履行期限"), null=True, blank=True)
    payment_order_on = models.DateField(_("申请支付令日期"), null=True, blank=True)
    payment_order_court = models.CharField(_("受理支付令申请的法院"), max_length=120, blank=True)
    mediation_failed_on = models.DateField(_("调解终结日期"), null=True, blank=True)
    arbitration_applied_on = models.DateField(_("申请仲裁日期"), null=True, blank=True)
    arbitration_commission = models.CharField(_("仲裁委员会"), max_length=120, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    not_accepted_on = models.DateField(_("不予受理日期"), null=True, blank=True)
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    hearing_on = models.DateField(_("开庭日期"), null=True, blank=True)
    award_extended = models.BooleanField(_("裁决期限已延长"), default=False)
    award_extension_reason = models.TextField(_("延期理由"), blank=True)
    award_received_on = models.DateField(_("收到裁决书日期"), null=True, blank=True)
    award_amount = models.DecimalField(_("裁决金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    award_final = models.BooleanField(_("终局裁决"), null=True, blank=True)
    award_finality_reason = models.TextField(_("终局性判断"), blank=True)
    effective_on = models.DateField(_("裁决生效日期"), null=True, blank=True)
    set_aside_applied_on = models.DateField(_("申请撤销裁决日期"), null=True, blank=True)
    set_aside_court = models.CharField(_("受理撤销申请的中级人民法院"), max_length=120, blank=True)
    set_aside_ruling = models.CharField(_("撤销申请结果"), max_length=20, choices=SetAsideRuling.choices, blank=True)
    set_aside_ruling_on = models.DateField(_("撤销申请结果日期"), null=True, blank=True)
    set_aside_lapsed_on = models.DateField(_("撤销申请期限届满记录日期"), null=True, blank=True)
    court_filed_on = models.DateField(_("起诉日期"), null=True, blank=True)
    court_name = models.CharField(_("受诉法院"), max_length=120, blank=True)
    court_filed_by = models.CharField(_("起诉方"), max_length=20, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(_("追回金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("劳动争议案件")
        verbose_name_plural = _("劳动争议案件")
        indexes = [models.Index(fields=["state", "next_due"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean_fields(self, exclude=None):
        # django-fsm's protected field refuses the re-assignment clean_fields() does; the state is only
        # ever set by transitions with fixed choices, so there is nothing to clean.
        super().clean_fields(exclude=set(exclude or ()) | {"state"})

    def clean(self):
        # Art. 7: a collective dispute *may* choose representatives; none is required.
        if self.employment_ended_on and self.known_on and self.employment_ended_on > self.filed_on:
            raise ValidationError({"employment_ended_on": _("劳动关系终止日不能晚于立案日。")})

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL

    # --- transitions: fields in memory only -------------------------------------------------------

    @transition(field=state, source=State.FILED, target=State.NEGOTIATION)
    def start_negotiation(self, *, on):
        self.negotiation_started_on = on

    @transition(field=state, source=[State.FILED, State.NEGOTIATION], target=State.MEDIATION)
    def apply_mediation(self, *, on, body, due):
        if not (body or "").strip():
            raise ValidationError({"mediation_body": _("请填写调解组织。")})
        self.mediation_applied_on = on
        self.mediation_body = body
        self.mediation_due, self.mediation_explanation = due

    @transition(field=state, source=State.MEDIATION, target=State.MEDIATED)
    def record_mediation_agreement(self, *, on, terms, performance_due=None):
        _not_before(on, self.mediation_applied_on, "on", _("申请调解日期"))
        if not terms:
            raise ValidationError({"mediation_terms": _("请填写调解协议内容。")})
        _not_before(performance_due, on, "performance_due", _("调解协议日期"))
        self.mediation_agreement_on = on
        self.mediation_terms = terms
        self.mediation_performance_due = performance_due

    @transition(field=state, source=State.MEDIATED, target=State.PAYMENT_ORDER)
    def apply_payment_order(self, *, on, court, performance_due):
        """Art. 16: the worker applies to the court for a payment order on an unhonoured mediation agreement."""
        _not_before(on, self.mediation_agreement_on, "on", _("调解协议日期"))
        if not (court or "").strip():
            raise ValidationError({"court": _("请填写受理支付令申请的法院。")})
        self.payment_order_on = on
        self.payment_order_court = court
        self.mediation_performance_due = performance_due

    @transition(field=state, source=State.MEDIATION, target=State.MEDIATION_FAILED)
    def fail_mediation(self, *, on):
        _not_before(on, self.mediation_applied_on, "on", _("申请调解日期"))
        self.mediation_failed_on = on

    @transition(
        field=state,
        source=[State.FILED, State.NEGOTIATION, State.MEDIATION, State.MEDIATION_FAILED, State.MEDIATED,
                State.PAYMENT_ORDER],
        target=State.ARBITRATION_APPLIED,
    )
    def apply_arbitration(self, *, on, commission, due):
        if not (commission or "").strip():
            raise ValidationError({"arbitration_commission": _("请填写仲裁委员会。")})
        self.arbitration_applied_on = on
        self.arbitration_commission = commission
        self.acceptance_due, self.acceptance_explanation = due

    @transition(field=state, source=State.ARBITRATION_APPLIED, target=State.ACCEPTED)
    def accept(self, *, on, due):
        _not_before(on, self.arbitration_applied_on, "on", _("申请仲裁日期"))
        self.accepted_on = on
        self.award_due, self.award_explanation = due

    @transition(field=state, source=State.ARBITRATION_APPLIED, target=State.NOT_ACCEPTED)
    def refuse_acceptance(self, *, on, reason):
        _not_before(on, self.arbitration_applied_on, "on", _("申请仲裁日期"))
        if not reason:
            raise ValidationError({"not_accepted_reason": _("请填写不予受理的理由。")})
        self.not_accepted_on = on
        self.not_accepted_reason = reason

    @transition(field=state, source=State.ACCEPTED, target=State.HEARING)
    def start_hearing(self, *, on):
        self.hearing_on = on

    def can_extend_award(self) -> bool:
        return not self.award_extended

    @transition(
        field=state,
        source=[State.ACCEPTED, State.HEARING],
        target=GET_STATE(lambda self, **kw: self.state, states=[State.ACCEPTED, State.HEARING]),
    )
    def extend_award(self, *, reason, due):
        """`due(current_award_due) -> (date, explanation)`: the extension runs from the current due date."""
        if self.award_extended:
            raise ValidationError({"award_extension_reason": _("裁决期限只能延长一次（劳动争议调解仲裁法第43条）。")})
        if not (reason or "").strip():
            raise ValidationError({"award_extension_reason": _("延长裁决期限必须写明理由。")})
        self.award_extended = True
        self.award_extension_reason = reason
        self.award_due, self.award_explanation = due(self.award_due) if callable(due) else due

    @transition(field=state, source=[State.ACCEPTED, State.HEARING], target=State.AWARDED)
    def issue_award(self, *, received_on, amount, final, finality_reason, due, set_aside_due=None):
        """`set_aside_due`: for a final award, the employer's 30 days to apply to set it aside (art. 49)."""
        _not_before(received_on, self.accepted_on, "received_on", _("受理日期"))
        self.award_received_on = received_on
        self.award_amount = amount
        self.award_final = final
        self.award_finality_reason = finality_reason
        self.appeal_due, self.appeal_explanation = due
        self.set_aside_due, self.set_aside_explanation = set_aside_due if final and set_aside_due else (None, "")

    @transition(field=state, source=State.AWARDED, target=State.EFFECTIVE)
    def make_effective(self, *, on):
        self.effective_on = on

    @transition(field=state, source=[State.AWARDED, State.EFFECTIVE], target=State.SET_ASIDE_APPLIED)
    def apply_set_aside(self, *, on, court):
        """Art. 49: the employer applies to the intermediate court to set a final award aside."""
        if not self.award_final:
            raise ValidationError({"on": _("只有终局裁决可以申请撤销（劳动争议调解仲裁法第49条）。")})
        _not_before(on, self.award_received_on, "on", _("收到裁决书日期"))
        if not (court or "").strip():
            raise ValidationError({"court": _("请填写受理撤销申请的中级人民法院。")})
        self.set_aside_applied_on = on
        self.set_aside_court = court

    def _set_aside_ruling(self, ruling, on):
        _not_before(on, self.set_aside_applied_on, "on", _("申请撤销裁决日期"))
        self.set_aside_ruling = ruling
        self.set_aside_ruling_on = on

    @transition(field=state, source=State.SET_ASIDE_APPLIED, target=State.SET_ASIDE)
    def set_aside_award(self, *, on, due):
        """Art. 49 para. 2: the court set the award aside; `on` is the day the ruling was received."""
        self._set_aside_ruling(SetAsideRuling.SET_ASIDE, on)
        self.set_aside_suit_due, self.set_aside_suit_explanation = due

    @transition(field=state, source=State.SET_ASIDE_APPLIED, target=State.EFFECTIVE)
    def dismiss_set_aside(self, *, on):
        """The court dismissed the application: the award stays in force."""
        self._set_aside_ruling(SetAsideRuling.DISMISSED, on)

    @transition(field=state, source=State.SET_ASIDE_APPLIED, target=State.EFFECTIVE)
    def withdraw_set_aside(self, *, on):
        """The employer withdrew the application: the award stays in force."""
        self._set_aside_ruling(SetAsideRuling.WITHDRAWN, on)

    @transition(
        field=state,
        source=[State.ARBITRATION_APPLIED, State.NOT_ACCEPTED, State.ACCEPTED, State.HEARING, State.AWARDED,
                State.SET_ASIDE_APPLIED, State.SET_ASIDE],
        target=State.COURT,
    )
    def file_suit(self, *, on, court, by):
        """Where arbitration opens the court (arts. 29, 43, 48, 49, 50); the dates are the law's (rules.suit_refusal)."""
        if by not in ("worker", "employer"):
            raise ValidationError({"by": _("起诉方应为劳动者或用人单位。")})
        if not (court or "").strip():
            raise ValidationError({"court": _("请填写受诉法院。")})
        _not_before(on, self.award_received_on or self.not_accepted_on, "on", _("收到裁决书或不予受理的日期"))
        _not_before(on, self.set_aside_ruling_on if self.state == State.SET_ASIDE else None, "on", _("撤销申请结果日期"))
        self.court_filed_on = on
        self.court_name = court
        self.court_filed_by = by

    @transition(
        field=state,
        source=[State.NEGOTIATION, State.MEDIATED, State.PAYMENT_ORDER, State.NOT_ACCEPTED, State.EFFECTIVE,
                State.SET_ASIDE, State.COURT],
        target=State.CLOSED,
    )
    def close(self, *, on, outcome, amount_recovered=None, note=""):
        if not outcome:
            raise ValidationError({"outcome": _("请选择结案结果。")})
        self.closed_on = on
        self.outcome = outcome
        self.amount_recovered = amount_recovered
        self.outcome_note = note

    @transition(field=state, source=OPEN_STATES, target=State.WITHDRAWN)
    def withdraw(self, *, on, reason):
        if not (reason or "").strip():
            raise ValidationError({"withdrawn_reason": _("撤回必须写明理由。")})
        self.withdrawn_on = on
        self.withdrawn_reason = reason


class DisputeWorker(models.Model):
    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="workers")
    name = models.CharField(_("姓名"), max_length=60)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    position = models.CharField(_("岗位"), max_length=60, blank=True)
    is_migrant_worker = models.BooleanField(_("进城务工人员"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("争议职工")
        verbose_name_plural = _("争议职工")

    def __str__(self):
        return self.name


class DisputeClaim(models.Model):
    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(_("请求类型"), max_length=30, choices=ClaimKind.choices, db_index=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    period_start = models.DateField(_("期间起"), null=True, blank=True)
    period_end = models.DateField(_("期间止"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    awarded_amount = models.DecimalField(_("裁决金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("仲裁请求")
        verbose_name_plural = _("仲裁请求")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount or ''}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("期间止不能早于期间起。")})
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("金额不能为负数。")})


def evidence_path(instance, filename):  # the name is generated by the service, never the user's
    return f"disputes/{instance.case_id}/{filename}"


class Evidence(models.Model):
    class Side(models.TextChoices):
        WORKER = "worker", _("职工/工会方")
        EMPLOYER = "employer", _("用人单位")

    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("名称"), max_length=200)
    stage = models.CharField(_("提交时阶段"), max_length=30, choices=State.choices)
    side = models.CharField(_("提交方"), max_length=10, choices=Side.choices)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")

    def __str__(self):
        return self.title
