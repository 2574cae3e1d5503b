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


workflow = Workflow(
    name="disputes",
    model=DisputeCase,
    scope=disputes_visible_to,
    object_kw="case",
    detail_url=_detail_url,
    route="disputes",
    event_labels={
        "open": _("登记案件"),
        "evidence_add": _("提交材料"),
        "flag_overdue": _("标记逾期"),
        "clear_overdue": _("解除逾期标记"),
        "warn_due": _("期限临近提醒"),
        "make_effective": _("裁决生效"),
        "limitation_recompute": _("重新计算仲裁时效"),
    },
    state_groups={
        "open": frozenset(OPEN_STATES),
        "closed": frozenset({State.CLOSED}),
        "withdrawn": frozenset({State.WITHDRAWN}),
        "terminal": frozenset(TERMINAL),
        "mediation": frozenset({State.MEDIATION, State.MEDIATED, State.MEDIATION_FAILED}),
        "arbitration": frozenset({State.ARBITRATION_APPLIED, State.ACCEPTED, State.NOT_ACCEPTED, State.HEARING,
                                  State.AWARDED, State.EFFECTIVE}),
        "court": frozenset({State.COURT}),
    },
)

workflow.add(
    Action("start_negotiation", _("开始协商"), rule=can_manage, service=s.dispute_start_negotiation,
           transitions=("start_negotiation",), form=f.OnForm, notifies=TELLS),
    Action("apply_mediation", _("申请调解"), rule=can_manage, service=s.dispute_apply_mediation,
           transitions=("apply_mediation",), form=f.MediationForm, notifies=TELLS),
    Action("record_mediation_agreement", _("记录调解协议"), rule=can_manage, service=s.dispute_record_mediation_agreement,
           transitions=("record_mediation_agreement",), form=f.AgreementForm, notifies=TELLS),
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
