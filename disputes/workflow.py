"""The dispute-case workflow, declared once: pages, API actions, buttons, timeline labels, the
websocket route and the runner's rules all read this entry (docs/adr/0004-workflow-mechanism.md)."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.workflow import Action, Workflow, register

from . import forms as f
from . import services as s
from .models import OPEN_STATES, TERMINAL, DisputeCase, State
from .permissions import can_manage, can_recompute_limitation, can_upload
from .selectors import disputes_visible_to

TELLS = "union staff covering the case's region and the employer's representatives, except the actor"


def _detail_url(case) -> str:
    return reverse("disputes:detail", args=[case.pk])


def _not_yet_extended(case) -> bool:
    return not case.award_extended


def _open(case) -> bool:
    return case.is_open


def _set_aside_offered(case) -> bool:
    """Offered on every award still in its appeal period (a non-final one is refused with art. 49/50 as the
    reason) and on an effective final award not yet challenged; the date is the law's (rules.set_aside_refusal)."""
    return case.state == State.AWARDED or (bool(case.award_final) and case.set_aside_applied_on is None)


workflow = Workflow(
    name="disputes",
    model=DisputeCase,
    scope=disputes_visible_to,
    object_kw="case",
    detail_url=_detail_url,
    route="disputes",
    state_narrows_scope=False,  # disputes_visible_to: region, employer, union; never the state
    event_labels={
        "open": _("登记案件"),
        "evidence_add": _("提交材料"),
        "flag_overdue": _("标记逾期"),
        "clear_overdue": _("解除逾期标记"),
        "warn_due": _("期限临近提醒"),
        "make_effective": _("裁决生效"),
        "limitation_recompute": _("重新计算仲裁时效"),
        "set_aside_lapse": _("撤销裁决申请期限届满"),
    },
    state_groups={
        "open": frozenset(OPEN_STATES),
        "closed": frozenset({State.CLOSED}),
        "withdrawn": frozenset({State.WITHDRAWN}),
        "terminal": frozenset(TERMINAL),
        "mediation": frozenset({State.MEDIATION, State.MEDIATED, State.MEDIATION_FAILED}),
        "arbitration": frozenset({State.ARBITRATION_APPLIED, State.ACCEPTED, State.NOT_ACCEPTED, State.HEARING,
                                  State.AWARDED, State.EFFECTIVE, State.SET_ASIDE}),
        # before a court: a payment order (art. 16), an application to set an award aside (art. 49), a suit
        "court": frozenset({State.PAYMENT_ORDER, State.SET_ASIDE_APPLIED, State.COURT}),
    },
)

workflow.add(
    Action("start_negotiation", _("开始协商"), rule=can_manage, service=s.dispute_start_negotiation,
           transitions=("start_negotiation",), form=f.OnForm, notifies=TELLS),
    Action("apply_mediation", _("申请调解"), rule=can_manage, service=s.dispute_apply_mediation,
           transitions=("apply_mediation",), form=f.MediationForm, notifies=TELLS),
    Action("record_mediation_agreement", _("记录调解协议"), rule=can_manage, service=s.dispute_record_mediation_agreement,
           transitions=("record_mediation_agreement",), form=f.AgreementForm, notifies=TELLS),
    Action("apply_payment_order", _("申请支付令"), rule=can_manage, service=s.dispute_apply_payment_order,
           transitions=("apply_payment_order",), form=f.PaymentOrderForm, notifies=TELLS),
    Action("fail_mediation", _("调解不成"), rule=can_manage, service=s.dispute_fail_mediation,
           transitions=("fail_mediation",), form=f.OptionalReasonOnForm, notifies=TELLS),
    Action("apply_arbitration", _("申请仲裁"), rule=can_manage, service=s.dispute_apply_arbitration,
           transitions=("apply_arbitration",), form=f.ArbitrationForm, notifies=TELLS),
    Action("accept", _("仲裁受理"), rule=can_manage, service=s.dispute_accept,
           transitions=("accept",), form=f.OnForm, notifies=TELLS),
    Action("refuse_acceptance", _("不予受理"), rule=can_manage, service=s.dispute_refuse_acceptance,
           transitions=("refuse_acceptance",), form=f.ReasonOnForm, notifies=TELLS),
    Action("start_hearing", _("开庭审理"), rule=can_manage, service=s.dispute_start_hearing,
           transitions=("start_hearing",), form=f.OnForm, notifies=TELLS),
    Action("extend_award", _("延长裁决期限"), rule=can_manage, service=s.dispute_extend_award,
           transitions=("extend_award",), form=f.ExtendForm, when=_not_yet_extended, notifies=TELLS),
    Action("issue_award", _("记录裁决"), rule=can_manage, service=s.dispute_issue_award,
           transitions=("issue_award",), form=f.AwardForm, notifies=TELLS),
    Action("apply_set_aside", _("申请撤销裁决"), rule=can_manage, service=s.dispute_apply_set_aside,
           transitions=("apply_set_aside",), form=f.SetAsideForm, when=_set_aside_offered, notifies=TELLS),
    Action("set_aside_award", _("裁定撤销裁决"), rule=can_manage, service=s.dispute_set_aside_award,
           transitions=("set_aside_award",), form=f.RulingForm, notifies=TELLS),
    Action("dismiss_set_aside", _("驳回撤销申请"), rule=can_manage, service=s.dispute_dismiss_set_aside,
           transitions=("dismiss_set_aside",), form=f.RulingForm, notifies=TELLS),
    Action("withdraw_set_aside", _("撤回撤销申请"), rule=can_manage, service=s.dispute_withdraw_set_aside,
           transitions=("withdraw_set_aside",), form=f.OptionalReasonOnForm, notifies=TELLS),
    Action("file_suit", _("起诉"), rule=can_manage, service=s.dispute_file_suit,
           transitions=("file_suit",), form=f.SuitForm, notifies=TELLS),
    Action("close", _("结案"), rule=can_manage, service=s.dispute_close,
           transitions=("close",), form=f.CloseForm, notifies=TELLS),
    Action("withdraw", _("撤回"), rule=can_manage, service=s.dispute_withdraw,
           transitions=("withdraw",), form=f.WithdrawForm, notifies=TELLS, danger=True),
    # Not buttons: evidence has its own upload form on the case page and its own API endpoint, the
    # recomputation is an admin action; both go through the runner with these rules.
    Action("evidence_add", _("提交材料"), rule=can_upload, service=s.evidence_add, form=f.EvidenceForm, when=_open,
           notifies=TELLS, page=False, api=False),
    Action("limitation_recompute", _("重新计算仲裁时效"), rule=can_recompute_limitation, service=s.limitation_recompute,
           page=False, api=False),
)


def setup() -> Workflow:
    return register(workflow)
