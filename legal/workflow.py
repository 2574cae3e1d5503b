"""The legal-aid workflow, declared once: its actions, who may do each (permissions.py), the form, the
service, whom it tells. Pages (/do/legal/<id>/<action>/), API actions, buttons, history labels, the
websocket route (/ws/legal-aid/<id>/) and the runner all read this entry. See ADR 0004."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.workflow import Action, Workflow, label_events, register

from . import forms, permissions, services
from .models import OPEN_FIRM_STATES, CaseState, LegalAidCase

REVIEW = (CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS)
# Who can ever take an action (its button is hidden from other roles; core.workflow.Action.roles).
STAFF = (Role.UNION_STAFF,)
FIRM_ADMIN = (Role.FIRM_ADMIN,)
FIRM = (Role.FIRM_ADMIN, Role.LAWYER)
STAFF_OR_FIRM = STAFF + FIRM


def build() -> Workflow:
    wf = Workflow(
        name="legal",
        model=LegalAidCase,
        scope=permissions.cases_visible_to,
        object_kw="case",
        detail_url=lambda case: reverse("legal:case_detail", args=[case.pk]),
        route="legal-aid",
        group_kind="legal",
        event_labels={
            "case_create": _("登记法律援助申请"),
            "case_update": _("修改申请"),
            "offer": _("推送律所"),
            "mark_unroutable": _("无符合条件的律所"),
            "time_out": _("律所超时未答复"),
            "withdraw_offer": _("撤回推送"),
            "flag_decision_overdue": _("标记：审查决定已逾期"),
            "flag_decision_due_soon": _("标记：审查决定期限即将届满"),
            "flag_urgent": _("标记：紧急（时效即将届满）"),
            "flag_assignment_overdue": _("标记：指派律师已逾期"),
            "worklog_add": _("记录办案工作"),
            "document_add": _("上传材料"),
            "view_personal_data": _("查看个人信息"),
            "anonymise": _("保存期限届满，个人信息已匿名化"),
            "request_documents": _("要求补充材料"),
            "documents_received": _("材料已补齐"),
            "approve": _("给予法律援助"),
            "reject": _("不予法律援助"),
            "accept": _("律所接受案件"),
            "decline": _("律所拒绝案件"),
            "assign_lawyer": _("指派承办律师"),
            "close": _("结案"),
            "record_satisfaction": _("记录满意度"),
        },
        state_groups={
            "pending_decision": frozenset({CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS}),
            "approved": frozenset({CaseState.APPROVED, CaseState.OFFERED, CaseState.ACCEPTED, CaseState.IN_PROGRESS,
                                   CaseState.CLOSED}),
            "rejected": frozenset({CaseState.REJECTED}),
            "open_firm": frozenset(OPEN_FIRM_STATES),
            "awaiting_firm": frozenset({CaseState.APPROVED}),
            "closed": frozenset({CaseState.CLOSED}),
        },
    )
    wf.add(
        # --- review (union staff of the applicant's region) ---
        Action(name="request_documents", label=_("要求补充材料"), transitions=("request_documents",),
               rule=permissions.staff_of_region, form=forms.RequestDocumentsForm, service=services.case_request_documents, roles=STAFF),
        Action(name="documents_received", label=_("材料已补齐"), transitions=("documents_received",),
               rule=permissions.staff_of_region, service=services.case_documents_received, roles=STAFF),
        Action(name="decide", label=_("作出审查决定"), transitions=("approve", "reject"),
               rule=permissions.staff_of_region, form=forms.DecisionForm, service=services.case_decide,
               notifies="the offered firm's admins (approval routes the case)", roles=STAFF),
        Action(name="case_update", label=_("修改申请"), rule=permissions.staff_before_decision,
               form=forms.ApplicationForm, service=services.case_update, when=lambda c: c.state in REVIEW,
               page=False, api=False, roles=STAFF),
        # --- routing ---
        Action(name="route", label=_("重新自动分派"), transitions=("offer", "mark_unroutable"),
               rule=permissions.staff_of_region, service=services.route,
               notifies="the chosen firm's admins, or region staff when no firm qualifies", roles=STAFF),
        Action(name="route_override", label=_("人工指定律所"), transitions=("offer", "withdraw_offer"),
               rule=permissions.staff_of_region, form=forms.OverrideForm, service=services.route_override,
               notifies="the chosen firm's admins", roles=STAFF),
        # --- the firm ---
        Action(name="accept", label=_("接受案件"), transitions=("accept",), rule=permissions.firm_admin_of_offered_firm,
               form=forms.AcceptForm, service=services.case_accept, roles=FIRM_ADMIN),
        Action(name="decline", label=_("拒绝案件"), transitions=("decline",), rule=permissions.firm_admin_of_offered_firm,
               form=forms.DeclineForm, service=services.case_decline, danger=True,
               notifies="the next firm's admins (the case is routed again)", roles=FIRM_ADMIN),
        Action(name="assign_lawyer", label=_("指派承办律师"), transitions=("assign_lawyer",),
               rule=permissions.firm_admin_of_assigned_firm, form=forms.AssignForm, service=services.case_assign_lawyer,
               notifies="the assigned lawyer", roles=FIRM_ADMIN),
        Action(name="worklog_add", label=_("记录办案工作"), rule=permissions.lawyer_of_assigned_firm,
               form=forms.WorkLogForm, service=services.worklog_add, when=lambda c: c.state == CaseState.IN_PROGRESS,
               api=False, roles=FIRM),  # the API keeps POST …/worklog/ answering 201 with the entry (api.py)
        Action(name="document_add", label=_("上传材料"), rule=permissions.may_add_document, form=forms.DocumentForm,
               service=services.document_add,
               when=lambda c: c.state not in (CaseState.CLOSED, CaseState.REJECTED), roles=STAFF_OR_FIRM),
        Action(name="close", label=_("结案"), transitions=("close",), rule=permissions.lawyer_of_assigned_firm,
               form=forms.CloseForm, service=services.case_close, roles=FIRM),
        Action(name="record_satisfaction", label=_("记录满意度"), rule=permissions.staff_or_assigned_firm,
               form=forms.SatisfactionForm, service=services.case_record_satisfaction,
               when=lambda c: c.state == CaseState.CLOSED, roles=STAFF_OR_FIRM),
    )
    return wf


def ready() -> Workflow:
    wf = register(build())
    label_events({
        "consultation_create": _("记录热线咨询"),
        "firm_profile_save": _("保存合作律所信息"),
        "engagement_add": _("登记律所代理用人单位事项"),
        "engagement_end": _("结束律所代理用人单位事项"),
        "anonymise": _("保存期限届满，个人信息已匿名化"),
    })
    return wf
