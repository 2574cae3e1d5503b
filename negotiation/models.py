"""Collective negotiation (集体合同规定, DOMAIN.md §2): one state machine on `Negotiation`.

Transition bodies only change fields in memory; services in `negotiation/services.py` run them
through `core.runner` (lock, scope, expected state, the registry's rule, save, audit, publish).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition


class State(models.TextChoices):
    DRAFT = "draft", _("草拟要约")
    PROPOSED = "proposed", _("已发出要约")
    ACCEPTED = "accepted", _("已同意协商")
    REFUSED = "refused", _("已拒绝协商")
    OVERDUE = "overdue", _("逾期未回应")
    COORDINATION_REQUESTED = "coordination_requested", _("已申请协调，待受理")
    COORDINATION = "coordination", _("劳动保障部门协调中")
    IN_ROUNDS = "in_rounds", _("协商会议进行中")
    SUSPENDED = "suspended", _("协商中止")
    DRAFT_AGREED = "draft_agreed", _("草案已达成一致")
    COMMENTS = "comments", _("职工征求意见中")
    VOTING = "voting", _("提交职代会审议")
    APPROVED = "approved", _("职代会已通过")
    SIGNED = "signed", _("双方首席代表已签字")
    UNDER_REVIEW = "under_review", _("已报送，审查期内")
    EFFECTIVE = "effective", _("已生效")
    EXPIRED = "expired", _("期满终止")
    CLOSED = "closed", _("协商终结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = [
    State.DRAFT, State.PROPOSED, State.ACCEPTED, State.REFUSED, State.OVERDUE, State.COORDINATION_REQUESTED, State.COORDINATION,
    State.IN_ROUNDS, State.SUSPENDED, State.DRAFT_AGREED, State.COMMENTS, State.VOTING, State.APPROVED,
    State.SIGNED, State.UNDER_REVIEW,
]
# A running response/filing/review clock matters only in these states.
STATES_WITH_DUE = {
    State.PROPOSED: "response_due",
    State.COORDINATION: "coordination_due",
    State.SIGNED: "filing_due",
    State.UNDER_REVIEW: "review_ends",
}
# The states in which a negotiation can hold someone's work (the 工作台 to-do list reads only these).
WORK_STATES = (
    State.DRAFT, State.PROPOSED, State.ACCEPTED, State.REFUSED, State.OVERDUE, State.COORDINATION_REQUESTED,
    State.COORDINATION, State.IN_ROUNDS, State.SUSPENDED, State.DRAFT_AGREED, State.COMMENTS, State.VOTING,
    State.APPROVED, State.SIGNED, State.UNDER_REVIEW,
)


def _running_due():
    """The date the current state runs against (STATES_WITH_DUE, or the agreed resumption date while
    suspended), as one SQL expression: stored by the database (a generated column) so the to-do list can
    read the most urgent negotiations of a scope from an index instead of sorting the whole scope."""
    whens = [models.When(state=state, then=models.F(f)) for state, f in STATES_WITH_DUE.items()]
    whens.append(models.When(state=State.SUSPENDED, then=models.F("next_meeting_on")))
    return models.Case(*whens, default=None, output_field=models.DateField())


class Negotiation(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    title = models.CharField(_("协商事项"), max_length=200)
    employer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="negotiations_as_employer",
        limit_choices_to={"kind": "employer"},
    )
    union = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="negotiations_as_union",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_special = models.BooleanField(_("专项集体合同"), default=True)
    headcount = models.PositiveIntegerField(_("覆盖职工人数"), null=True, blank=True)

    proposed_at = models.DateTimeField(_("要约送达时间"), null=True, blank=True)
    response_due = models.DateField(_("应约截止日"), null=True, blank=True, db_index=True)
    response_due_explanation = models.TextField(blank=True)
    responded_at = models.DateTimeField(_("应约时间"), null=True, blank=True)
    response_decision = models.CharField(_("应约结果"), max_length=10, blank=True)
    response_text = models.TextField(_("应约意见"), blank=True)
    refuse_reason = models.TextField(_("拒绝理由"), blank=True)

    coordination_requested_at = models.DateTimeField(null=True, blank=True)
    # 集体合同规定 art. 52: the 30 days run from the bureau's acceptance (受理) of the application.
    coordination_accepted_on = models.DateField(_("协调处理申请受理日期"), null=True, blank=True)
    coordination_due = models.DateField(_("协调处理截止日"), null=True, blank=True, db_index=True)
    coordination_due_explanation = models.TextField(blank=True)
    coordination_extended = models.BooleanField(_("协调期限已延长"), default=False)
    coordination_outcome = models.TextField(_("协调处理协议书摘要"), blank=True)

    vacancy_due = models.DateField(_("代表空缺补足期限"), null=True, blank=True)
    vacancy_explanation = models.TextField(blank=True)

    next_meeting_on = models.DateField(_("下次协商日期"), null=True, blank=True)
    suspend_reason = models.TextField(_("中止原因"), blank=True)

    term_start = models.DateField(_("合同期限起"), null=True, blank=True)
    term_end = models.DateField(_("合同期限止"), null=True, blank=True, db_index=True)
    # Art. 38's 1–3 years is a norm: a term outside it needs the parties' confirmation, not a refusal.
    term_confirmed = models.BooleanField(_("双方确认合同期限（超出一般1至3年）"), default=False)

    # A draft is agreed only when both chiefs have confirmed it (DOMAIN.md §2.5): one edit per side.
    union_draft_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    union_draft_confirmed_at = models.DateTimeField(null=True, blank=True)
    employer_draft_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    employer_draft_confirmed_at = models.DateTimeField(null=True, blank=True)

    union_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    union_signed_at = models.DateTimeField(null=True, blank=True)
    employer_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    employer_signed_at = models.DateTimeField(null=True, blank=True)
    signed_on = models.DateField(_("签字日期"), null=True, blank=True)
    filing_due = models.DateField(_("报送截止日"), null=True, blank=True, db_index=True)
    filing_due_explanation = models.TextField(blank=True)
    filed_on = models.DateField(_("报送（收到）日期"), null=True, blank=True)
    receipt_number = models.CharField(_("报送回执编号"), max_length=60, blank=True)
    filed_late = models.BooleanField(_("逾期报送"), default=False)
    bureau = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("审查部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="negotiations_reviewed", limit_choices_to={"kind": "labour_bureau"},
    )
    review_ends = models.DateField(_("审查期届满日"), null=True, blank=True, db_index=True)
    review_ends_explanation = models.TextField(blank=True)
    objection = models.TextField(_("审查意见书"), blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    closed_reason = models.TextField(_("终结/撤回原因"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived by the database from the state and its due columns; never written by the application.
    running_due = models.GeneratedField(expression=_running_due(), output_field=models.DateField(), db_persist=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("集体协商")
        verbose_name_plural = _("集体协商")
        indexes = [
            models.Index(fields=["state", "response_due"], name="neg_state_response_due"),
            # The to-do list: a scope's open negotiations, most urgent first (worklist.specs).
            models.Index(fields=["union", "running_due", "-id"], name="neg_todo_union",
                         condition=Q(state__in=WORK_STATES)),
            models.Index(fields=["employer", "running_due", "-id"], name="neg_todo_employer",
                         condition=Q(state__in=WORK_STATES)),
            models.Index(fields=["running_due", "-id"], name="neg_todo_order", condition=Q(state__in=WORK_STATES)),
        ]

    def __str__(self):
        return f"{self.title}（{self.employer}）"

    def clean_fields(self, exclude=None):
        # django-fsm's protected field refuses the re-assignment clean_fields() does; the state is
        # only ever set by transitions, whose choices are fixed, so there is nothing to clean.
        exclude = set(exclude or ()) | {"state"}
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.union_id and self.employer_id and self.union.employer_id and self.union.employer_id != self.employer_id:
            errors["union"] = _("该工会不属于所选用人单位。")
        if self.term_start and self.term_end:
            # Only an impossible term is refused here; art. 38's 1–3 years is a norm the services ask the
            # parties to confirm (`term_confirmed`), so a sweep never stumbles on an unconfirmed term.
            check = self.term_check
            if check.error:
                errors["term_end"] = check.error
        if errors:
            raise ValidationError(errors)

    # --- transitions: bodies only change fields in memory -------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.PROPOSED)
    def propose(self, *, proposed_at, response_due, explanation):
        self.proposed_at = proposed_at
        self.response_due = response_due
        self.response_due_explanation = explanation

    @transition(field=state, source=State.PROPOSED, target=State.ACCEPTED)
    def accept(self, *, text=""):
        self.responded_at = timezone.now()
        self.response_decision = "agree"
        self.response_text = text

    @transition(field=state, source=State.PROPOSED, target=State.REFUSED)
    def refuse(self, *, reason):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("拒绝协商必须说明正当理由（集体合同规定第32条）。")})
        self.responded_at = timezone.now()
        self.response_decision = "refuse"
        self.refuse_reason = reason

    @transition(field=state, source=State.PROPOSED, target=State.OVERDUE)
    def mark_overdue(self):
        pass

    @transition(field=state, source=[State.REFUSED, State.OVERDUE], target=State.COORDINATION_REQUESTED)
    def request_coordination(self, *, requested_at):
        self.coordination_requested_at = requested_at

    @transition(field=state, source=State.COORDINATION_REQUESTED, target=State.COORDINATION)
    def accept_coordination(self, *, accepted_on, due, explanation):
        """The bureau accepts (受理) the application: the 30 days of art. 52 start to run."""
        self.coordination_accepted_on = accepted_on
        self.coordination_due = due
        self.coordination_due_explanation = explanation

    @transition(field=state, source=State.COORDINATION, target=State.COORDINATION)
    def extend_coordination(self, *, due, explanation):
        if self.coordination_extended:
            raise ValidationError(_("协调处理期限只能延长一次，延长期限不超过15日（集体合同规定第52条）。"))
        self.coordination_extended = True
        self.coordination_due = due
        self.coordination_due_explanation = explanation

    @transition(field=state, source=State.COORDINATION, target=State.IN_ROUNDS)
    def coordination_agree(self, *, outcome):
        self.coordination_outcome = outcome

    @transition(field=state, source=State.COORDINATION, target=State.CLOSED)
    def coordination_close(self, *, outcome):
        self.coordination_outcome = outcome
        self.closed_reason = outcome

    @transition(field=state, source=State.ACCEPTED, target=State.IN_ROUNDS)
    def start_rounds(self):
        pass

    @transition(field=state, source=State.IN_ROUNDS, target=State.SUSPENDED)
    def suspend(self, *, next_date, reason=""):
        self.next_meeting_on = next_date
        self.suspend_reason = reason

    @transition(field=state, source=State.SUSPENDED, target=State.IN_ROUNDS)
    def resume(self):
        self.suspend_reason = ""

    @transition(field=state, source=State.IN_ROUNDS, target=State.DRAFT_AGREED)
    def agree_draft(self, *, side=None, by=None, at=None):
        """The second chief's confirmation (the first is an edit): both sides recorded, the draft agreed."""
        if side in ("union", "employer"):
            setattr(self, f"{side}_draft_confirmed_by", by)
            setattr(self, f"{side}_draft_confirmed_at", at or timezone.now())
        if not (self.union_draft_confirmed_by_id and self.employer_draft_confirmed_by_id):
            raise ValidationError(_("草案须经双方首席代表确认后方为达成一致。"))

    @transition(field=state, source=State.DRAFT_AGREED, target=State.COMMENTS)
    def open_comments(self):
        pass

    @transition(field=state, source=State.COMMENTS, target=State.VOTING)
    def put_to_vote(self):
        """Only after the comment period has closed, or the union closed it early with a reason (the
        service checks the published draft)."""

    @transition(field=state, source=State.VOTING, target=State.APPROVED)
    def vote_pass(self):
        pass

    @transition(field=state, source=State.VOTING, target=State.IN_ROUNDS)
    def vote_fail(self):
        # Back to the table: the next draft needs both chiefs' confirmation again.
        self.clear_draft_confirmations()

    @transition(field=state, source=State.APPROVED, target=State.SIGNED)
    def sign(self, *, signed_on, filing_due, explanation, side=None, by=None, at=None):
        """The second chief's signature (the first is an edit, `sign_side`), art. 37."""
        if side in ("union", "employer"):
            setattr(self, f"{side}_signed_by", by)
            setattr(self, f"{side}_signed_at", at or timezone.now())
        if not (self.union_signed_by_id and self.employer_signed_by_id):
            raise ValidationError(_("集体合同须由双方首席代表签字（集体合同规定第37条）。"))
        self.signed_on = signed_on
        self.filing_due = filing_due
        self.filing_due_explanation = explanation

    @transition(field=state, source=State.SIGNED, target=State.UNDER_REVIEW)
    def file(self, *, filed_on, receipt_number, bureau, review_ends, explanation):
        self.filed_on = filed_on
        self.receipt_number = receipt_number
        self.bureau = bureau
        self.filed_late = bool(self.filing_due and filed_on > self.filing_due)
        self.review_ends = review_ends
        self.review_ends_explanation = explanation

    @transition(field=state, source=State.UNDER_REVIEW, target=State.IN_ROUNDS)
    def return_objection(self, *, objection):
        if not (objection or "").strip():
            raise ValidationError({"objection": _("请填写审查意见。")})
        self.objection = objection
        # A returned contract is negotiated again: confirmations, signatures and filing start over.
        self.union_signed_by = self.employer_signed_by = None
        self.union_signed_at = self.employer_signed_at = None
        self.clear_draft_confirmations()

    @transition(field=state, source=State.UNDER_REVIEW, target=State.EFFECTIVE)
    def take_effect(self, *, on):
        self.effective_on = on

    @transition(field=state, source=State.UNDER_REVIEW, target=State.EFFECTIVE)
    def no_objection(self, *, on):
        """审查无异议: the bureau records no objection before the review period ends (DOMAIN.md §2.5)."""
        self.effective_on = on

    @transition(field=state, source=State.EFFECTIVE, target=State.EXPIRED)
    def expire(self):
        pass

    # Once both chiefs have signed nobody can withdraw: the contract can only be filed, objected to or
    # expire (DOMAIN.md §2.5). One signature alone (still approved) can be withdrawn.
    @transition(field=state, source=[s for s in OPEN_STATES if s not in (State.SIGNED, State.UNDER_REVIEW)], target=State.WITHDRAWN)
    def withdraw(self, *, reason):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("请说明撤回原因。")})
        self.closed_reason = reason

    # --- helpers -------------------------------------------------------------------------------
    def clear_draft_confirmations(self):
        self.union_draft_confirmed_by = self.employer_draft_confirmed_by = None
        self.union_draft_confirmed_at = self.employer_draft_confirmed_at = None

    @property
    def term_check(self):
        from .rules import TermCheck, contract_term

        if not (self.term_start and self.term_end):
            return TermCheck()
        return contract_term(self.term_start, self.term_end)

    @property
    def current_due(self):
        field = STATES_WITH_DUE.get(self.state)
        return getattr(self, field) if field else None

    @property
    def is_overdue(self):
        due = self.current_due
        return bool(due and due < timezone.localdate())

    @property
    def renewal_window_start(self):
        """Art. 38: the first day of the 3 months before expiry (a term ending 31 Dec: 1 Oct)."""
        if not self.term_end:
            return None
        from .rules import renewal_window

        return renewal_window(self.term_end)[0]

    @property
    def renewal_window_explanation(self) -> str:
        if not self.term_end:
            return ""
        from .rules import renewal_window

        return renewal_window(self.term_end)[1]


class ChiefBasis(models.TextChoices):
    """集体合同规定 arts. 20 (the workers' chief) and 21 (the employer's chief); codes in rules.py."""

    UNION_CHAIR = "union_chair", _("工会主席担任（第20条）")
    CHAIR_DESIGNATED = "chair_designated", _("工会主席书面委托的协商代表（第20条）")
    PRINCIPAL_LEADER = "principal_leader", _("工会主席空缺，由工会主要负责人担任（第20条）")
    ELECTED = "elected", _("未建立工会，民主推举产生（第20条）")
    LEGAL_REP = "legal_rep", _("法定代表人担任（第21条）")
    AUTHORISED_MANAGER = "authorised_manager", _("法定代表人书面委托的其他管理人员（第21条）")


UNION_BASES = (ChiefBasis.UNION_CHAIR, ChiefBasis.CHAIR_DESIGNATED, ChiefBasis.PRINCIPAL_LEADER, ChiefBasis.ELECTED)
EMPLOYER_BASES = (ChiefBasis.LEGAL_REP, ChiefBasis.AUTHORISED_MANAGER)


class Representative(models.Model):
    class Side(models.TextChoices):
        UNION = "union", _("职工方")
        EMPLOYER = "employer", _("用人单位方")

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="representatives")
    side = models.CharField(_("代表方"), max_length=10, choices=Side.choices)
    name = models.CharField(_("姓名"), max_length=60)
    id_last4 = models.CharField(_("身份证后四位"), max_length=4, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    is_chief = models.BooleanField(_("首席代表"), default=False)
    is_outsider = models.BooleanField(_("外聘专家"), default=False)
    # Arts. 20–21: how the chief came to be chief, and for a written designation who, when and by what.
    chief_basis = models.CharField(_("首席代表产生依据"), max_length=20, blank=True, choices=ChiefBasis.choices)
    designated_by = models.CharField(_("委托人"), max_length=60, blank=True)
    designated_on = models.DateField(_("委托/推举日期"), null=True, blank=True)
    designation_document = models.CharField(_("委托书/依据文件"), max_length=120, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["side", "-is_chief", "pk"]
        verbose_name = _("协商代表")
        verbose_name_plural = _("协商代表")

    def __str__(self):
        return self.name

    @property
    def person_key(self):
        return (self.name.strip(), self.id_last4.strip())

    @property
    def basis_text(self) -> str:
        from .rules import basis_text

        return basis_text(self) if self.is_chief else ""


class TermKind(models.TextChoices):
    STAGGERED = "staggered", _("错时上下班")
    PAY = "pay", _("调整薪酬")
    ROTATION = "rotation", _("轮岗轮休")
    SHORT_HOURS = "short_hours", _("缩短工时")
    STANDBY = "standby", _("待岗")
    DEFERRED = "deferred", _("延期支付工资")
    ARTICLE = "article", _("其他条款")


class Term(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveIntegerField(_("条款序号"))
    kind = models.CharField(_("条款类型"), max_length=20, choices=TermKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    current = models.ForeignKey("TermVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["negotiation", "number"], name="uniq_term_number")]
        verbose_name = _("条款")
        verbose_name_plural = _("条款")

    def __str__(self):
        return _("第%(n)s条 %(title)s") % {"n": self.number, "title": self.title}


class TermVersion(models.Model):
    """Every version of every term is kept; `data` holds the kind's structured fields (validated in rules.py)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    side = models.CharField(_("提出方"), max_length=10, choices=Representative.Side.choices)
    data = models.JSONField(_("结构化内容"), default=dict)
    text = models.TextField(_("条款文本"), blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term_id", "number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="uniq_term_version")]
        verbose_name = _("条款版本")
        verbose_name_plural = _("条款版本")

    def __str__(self):
        return f"{self.term} v{self.number}"


class Round(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("轮次"))
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=120, blank=True)
    chair_side = models.CharField(_("主持方"), max_length=10, choices=Representative.Side.choices)
    attendees = models.TextField(_("出席人员"))
    recorder = models.CharField(_("记录员"), max_length=60)
    minutes = models.TextField(_("会议纪要"))
    union_chief_signed = models.BooleanField(_("职工方首席代表已签字"), default=False)
    employer_chief_signed = models.BooleanField(_("企业方首席代表已签字"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["negotiation_id", "number"]
        constraints = [models.UniqueConstraint(fields=["negotiation", "number"], name="uniq_round_number")]
        verbose_name = _("协商会议")
        verbose_name_plural = _("协商会议")

    def __str__(self):
        return _("第%(n)s次协商会议") % {"n": self.number}


class PublishedDraft(models.Model):
    """A frozen draft put to the employees: `versions` pins the exact TermVersion of each term."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveIntegerField(_("草案版次"))
    versions = models.ManyToManyField(TermVersion, related_name="drafts")
    published_at = models.DateTimeField(default=timezone.now)
    comments_close = models.DateTimeField(_("征求意见截止"))
    employee_count = models.PositiveIntegerField(_("征求意见职工人数"), default=0)
    closing_notified = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The union may close the period before `comments_close`, with a recorded reason (DOMAIN.md §2.5).
    closed_early_at = models.DateTimeField(_("提前结束征求意见时间"), null=True, blank=True)
    closed_early_reason = models.TextField(_("提前结束征求意见的理由"), blank=True)
    closed_early_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["negotiation_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["negotiation", "number"], name="uniq_draft_number")]
        verbose_name = _("公示草案")
        verbose_name_plural = _("公示草案")

    def __str__(self):
        return _("草案第%(n)s版") % {"n": self.number}

    @property
    def closes_at(self):
        """When the comment period ends: the published deadline, or the union's early close."""
        return self.closed_early_at or self.comments_close

    @property
    def is_open(self):
        return self.closed_early_at is None and timezone.now() < self.comments_close


class CommentLink(models.Model):
    """One single-use link per employee. Only the token's sha256 is stored."""

    draft = models.ForeignKey(PublishedDraft, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("编号/车间"), max_length=60, blank=True)
    used = models.BooleanField(default=False)
    # The day only: a timestamp could tie an anonymous comment back to its link.
    used_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("意见链接")
        verbose_name_plural = _("意见链接")


class Comment(models.Model):
    draft = models.ForeignKey(PublishedDraft, on_delete=models.CASCADE, related_name="comments")
    term_version = models.ForeignKey(TermVersion, on_delete=models.PROTECT, related_name="comments")
    # Empty for anonymous comments: nothing ties them to a link.
    link = models.ForeignKey(CommentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    text = models.TextField(_("意见"))
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["term_version_id", "pk"]
        verbose_name = _("职工意见")
        verbose_name_plural = _("职工意见")


class CongressVote(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="votes")
    draft = models.ForeignKey(PublishedDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes")
    held_on = models.DateField(_("表决日期"))
    body = models.CharField(_("表决机构"), max_length=20, default="congress",
                            choices=[("congress", _("职工代表大会")), ("all", _("全体职工大会"))])
    total = models.PositiveIntegerField(_("应到人数（全体代表/职工）"))
    present = models.PositiveIntegerField(_("实到人数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    explanation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["negotiation_id", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("total")), name="vote_present_le_total"),
        ]
        verbose_name = _("职代会表决")
        verbose_name_plural = _("职代会表决")


class StandbyAllowanceRate(models.Model):
    """Living allowance during standby as a share of the minimum wage (工资支付暂行规定 art. 12) [verify]."""

    region = models.ForeignKey("accounts.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("占最低工资比例"), max_digits=4, decimal_places=3)
    effective_from = models.DateField(_("执行日期"))
    source = models.CharField(_("依据"), max_length=200)
    is_sample = models.BooleanField(_("示例数据，待核实"), default=True)

    class Meta:
        ordering = ["region__code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["region", "effective_from"], name="uniq_standby_rate")]
        verbose_name = _("待岗生活费标准")
        verbose_name_plural = _("待岗生活费标准")

    def __str__(self):
        return f"{self.region} {self.effective_from}: {self.share}"
