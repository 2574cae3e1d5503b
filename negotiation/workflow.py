"""Collective negotiation's entry in the workflow registry (docs/adr/0004-workflow-mechanism.md).

Every operation a person can ask for is declared here once — its label, the FSM transition(s) it
runs, the rule with its reason, its one form and its service — and the detail page's buttons, the
generic action page (/do/negotiation/<id>/<action>/), the API actions
(/api/v1/negotiations/<id>/<action-slug>/), the timeline labels and the runner's rule check all
follow from it. Registered from NegotiationConfig.ready().
"""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.workflow import Action, Workflow, register

from . import forms as f
from . import permissions as p
from . import services as svc
from .consumers import NegotiationConsumer
from .models import Negotiation, State
from .selectors import negotiations_visible_to

TERMINAL = frozenset({State.EXPIRED, State.CLOSED, State.WITHDRAWN})

STATE_GROUPS = {
    "open": frozenset(State.values) - TERMINAL,
    "agreed": frozenset({State.APPROVED, State.SIGNED, State.UNDER_REVIEW, State.EFFECTIVE, State.EXPIRED}),
    "effective": frozenset({State.EFFECTIVE}),
    "overdue": frozenset({State.OVERDUE}),
    "closed": TERMINAL,
}

# Audit actions that are not a person's action: creation, edits of child rows, sweeps and flags,
# and names written before the registry existed.
EVENT_LABELS = {
    "create": _("创建协商"),
    "update": _("修改基本信息"),
    "representatives_set": _("设置协商代表"),
    "term_add": _("新增条款"),
    "term_revise": _("修改条款/反提案"),
    "round_record": _("记录协商会议"),
    "links_issue": _("发放意见链接"),
    "comments_receive": _("收到职工意见"),
    "comments_closing": _("提醒征求意见即将截止"),
    "sign_side": _("一方首席代表签字"),
    "confirm_draft": _("一方首席代表确认草案"),
    "mark_overdue": _("逾期未回应"),
    "take_effect": _("审查期满生效"),
    "expire": _("期满终止"),
}


def _editable(neg) -> bool:
    return neg.state in svc.EDITABLE_STATES


def _not_extended(neg) -> bool:
    return not neg.coordination_extended


def _comments_open(neg) -> bool:
    return neg.state == State.COMMENTS and svc.comments_period_open(neg) is not None


workflow = Workflow(
    name="negotiation",
    model=Negotiation,
    scope=negotiations_visible_to,
    object_kw="negotiation",
    detail_url=lambda neg: reverse("negotiation:detail", args=[neg.pk]),
    list_url=lambda: reverse("negotiation:list"),
    route="negotiations",
    consumer=NegotiationConsumer,
    event_labels=EVENT_LABELS,
    state_groups=STATE_GROUPS,
    # The scope (negotiations_visible_to) only widens with the state: the employer sees a negotiation once a
    # proposal was served (proposed_at), the bureau once coordination was requested or the contract filed;
    # those dates are never cleared. No state change takes a negotiation away from anyone.
    state_narrows_scope=False,
).add(
    Action("edit", _("修改基本信息"), p.is_union_side, svc.negotiation_update, form=f.NegotiationEditForm, when=_editable),
    Action("propose", _("发出要约"), p.is_union_side, svc.proposal_submit, transitions=("propose",),
           notifies="the employer's representatives"),
    Action("respond", _("书面回应（应约）"), p.is_employer_side, svc.response_record, transitions=("accept", "refuse"),
           form=f.ResponseForm, notifies="the union's negotiators"),
    Action("request_coordination", _("申请劳动保障部门协调"), p.is_union_side, svc.coordination_request,
           transitions=("request_coordination",), notifies="the bureaus with jurisdiction"),
    # 集体合同规定 art. 52: the 30 days run from the bureau's acceptance (受理), not from the application.
    Action("accept_coordination", _("受理协调处理申请"), p.is_bureau, svc.coordination_accept,
           transitions=("accept_coordination",), form=f.CoordinationAcceptForm, notifies="both sides"),
    Action("extend_coordination", _("延长协调期限（15日）"), p.is_bureau, svc.coordination_extend,
           transitions=("extend_coordination",), when=_not_extended),
    Action("finish_coordination", _("记录协调结果"), p.is_bureau, svc.coordination_finish,
           transitions=("coordination_agree", "coordination_close"), form=f.CoordinationForm),
    Action("start_rounds", _("开始协商会议"), p.is_either_side, svc.rounds_start, transitions=("start_rounds",)),
    Action("suspend", _("中止协商"), p.is_either_side, svc.negotiation_suspend, transitions=("suspend",), form=f.SuspendForm),
    Action("resume", _("恢复协商"), p.is_either_side, svc.negotiation_resume, transitions=("resume",)),
    # Both chiefs confirm (one edit per side, `confirm_draft`); the second confirmation is `agree_draft`.
    Action("agree_draft", _("首席代表确认草案"), p.can_confirm_draft, svc.draft_agree, transitions=("agree_draft",),
           audit_names=("confirm_draft", "agree_draft"), notifies="the other side; both sides when agreed"),
    Action("publish_draft", _("公示草案征求职工意见"), p.is_union_side, svc.draft_publish, transitions=("open_comments",),
           form=f.PublishForm),
    Action("close_comments", _("提前结束征求意见"), p.is_union_side, svc.comments_close_early, form=f.CloseCommentsForm,
           when=_comments_open),
    Action("put_to_vote", _("提交职代会审议"), p.is_union_side, svc.vote_put, transitions=("put_to_vote",)),
    Action("vote", _("录入表决结果"), p.is_union_side, svc.vote_record, transitions=("vote_pass", "vote_fail"),
           form=f.VoteForm, notifies="both sides", api_status=201),
    Action("sign", _("首席代表签字"), p.can_sign, svc.sign_record, transitions=("sign",),
           audit_names=("sign_side", "sign")),
    Action("file", _("报送劳动保障部门"), p.is_either_side, svc.filing_record, transitions=("file",), form=f.FilingForm,
           notifies="the bureau's reviewers"),
    Action("return_objection", _("退回审查意见书"), p.is_bureau, svc.objection_return, transitions=("return_objection",),
           form=f.ObjectionForm, notifies="both sides", danger=True),
    Action("no_objection", _("审查无异议"), p.is_bureau, svc.review_no_objection, transitions=("no_objection",),
           notifies="both sides"),
    Action("withdraw", _("撤回协商"), p.is_union_side, svc.negotiation_withdraw, transitions=("withdraw",),
           form=f.ReasonForm, danger=True),
)


def register_workflow() -> Workflow:
    return register(workflow)
