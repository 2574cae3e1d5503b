"""API under /api/v1/legal-aid/: same scoping, redaction and audit rules as the pages.

Reads (list, retrieve), creation and the work-log entry are written here; every workflow action is added
from the registry by `core.workflow_api.add_actions` (`POST /cases/{id}/<action-name-with-dashes>/`), with
its input derived from the action's one form and the same rule, service and errors as the page."""
from __future__ import annotations

import functools

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from core import workflow as registry
from core.api import HasRole, PathIdsMixin
from core.runner import Conflict
from core.workflow_api import add_actions, serializer_for, validated_form
from core.workflow_views import run_action

from . import serializers as s
from . import services
from .models import DISCLOSED_STATES, CaseState
from .selectors import cases_visible_to, consultations_visible_to, firms_visible_to, personal_data_visible

S, FA, L = Role.UNION_STAFF, Role.FIRM_ADMIN, Role.LAWYER

# A case's detail is one of two shapes (personal data or not), and after an action possibly a third (no
# longer visible); each body names its shape in `view`, so exactly one alternative matches.
CASE_VIEW = PolymorphicProxySerializer(
    component_name="LegalAidCaseView",
    serializers={"detail": s.CaseDetailSerializer, "summary": s.CaseSummarySerializer},
    resource_type_field_name="view",
)
CASE_AFTER_ACTION = PolymorphicProxySerializer(
    component_name="LegalAidCaseAfterAction",
    serializers={"detail": s.CaseDetailSerializer, "summary": s.CaseSummarySerializer, "hidden": s.CaseHiddenSerializer},
    resource_type_field_name="view",
)


def render_case(request, case):
    """The detail for whoever may see personal data, the summary otherwise. ID and phone numbers in full only
    for whoever needs them, each such view audited (services.disclose_case); masked for anyone else."""
    user = request.user
    if not personal_data_visible(user, case):
        return s.CaseSummarySerializer(case).data
    full = services.disclose_case(actor=user, case=case, what="api_detail")
    return s.CaseDetailSerializer(case, context={"full_personal_data": full}).data


def present(view, request, case, result):
    fresh = cases_visible_to(request.user).prefetch_related("attempts__firm", "work_log").filter(pk=case.pk).first()
    if fresh is None:  # e.g. a firm that declined no longer sees the case
        return s.CaseHiddenSerializer(case).data
    return render_case(request, fresh)


class CaseViewSet(PathIdsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Legal-aid cases. Lists carry the summary only; a case's detail carries personal data except for a firm
    that has not accepted it. Cases not routed to the caller's firm are 404."""

    may_conflict = True  # writes go through the runner: a stale state, a repeated submission

    permission_classes = [HasRole]
    allowed_roles = [S, FA, L]
    permission_rule = "roles: union_staff (region subtree), firm_admin (routed to firm), lawyer (accepted by firm); " \
                      "each action: its rule in legal/permissions.py"
    serializer_class = s.CaseSummarySerializer

    def get_queryset(self):
        return cases_visible_to(self.request.user).prefetch_related("attempts__firm", "work_log")

    def get_serializer_class(self):
        if self.action == "create":
            return s.CaseCreateSerializer
        return s.CaseSummarySerializer

    @extend_schema(responses=CASE_VIEW)
    def retrieve(self, request, *args, **kwargs):
        return Response(render_case(request, self.get_object()))

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        ser = s.CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = services.case_create(actor=request.user, data=dict(ser.validated_data))  # checks who may create
        return Response(s.CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="legal_worklog_add", summary="记录办案工作",
                   request=serializer_for(registry.get("legal").action("worklog_add"), registry.get("legal")),
                   responses={201: s.WorkLogSerializer})
    @action(detail=True, methods=["post"])
    def worklog(self, request, pk=None):
        """The registry's `worklog_add` action, answering 201 with the new entry (a sub-resource)."""
        wf = registry.get("legal")
        act = wf.action("worklog_add")
        case = wf.get(request.user, pk)
        if not act.is_available(case):
            from django.core.exceptions import ValidationError

            raise ValidationError(_("当前状态“%(s)s”下不能执行此操作。") % {"s": wf.state_label(case.state)})
        act.check(request.user, case).require()
        form = validated_form(act, wf, request, case)
        entry = run_action(wf, act, case, request.user, form.cleaned_data)
        return Response(s.WorkLogSerializer(entry).data, status=status.HTTP_201_CREATED)


add_actions(CaseViewSet, "legal", present=present, response=CASE_AFTER_ACTION)


def _accept_twice_is_a_conflict(handler):
    """Accepting a case the caller's firm already accepted (a double submit, a stale client) is 409 with the
    refresh message, not 400: the client's picture of the case is out of date."""

    @functools.wraps(handler)
    def wrapped(self, request, pk=None):
        case = registry.get("legal").get(request.user, pk)
        if case.state != CaseState.OFFERED and case.state in DISCLOSED_STATES and case.assigned_firm_id == request.user.organisation_id:
            raise Conflict()
        return handler(self, request, pk=pk)

    return wrapped


CaseViewSet.accept = _accept_twice_is_a_conflict(CaseViewSet.accept)


class ConsultationViewSet(PathIdsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Hotline consultations (union staff, their region subtree)."""

    permission_classes = [HasRole]
    allowed_roles = [S]
    permission_rule = "roles: union_staff (region subtree)"
    serializer_class = s.ConsultationSerializer

    def get_queryset(self):
        return consultations_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.consultation_create(actor=self.request.user, data=dict(serializer.validated_data))

    def retrieve(self, request, *args, **kwargs):
        """The caller's phone in full for the region's staff (audited); lists show it masked."""
        obj = self.get_object()
        full = services.disclose_consultation(actor=request.user, consultation=obj, what="api_detail")
        return Response(s.ConsultationSerializer(obj, context={"full_personal_data": full}).data)


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("organisation", int, OpenApiParameter.PATH, description="the firm's organisation id")]
    )
)
class FirmViewSet(PathIdsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partner firms (staff: all; firm users: their own)."""

    permission_classes = [HasRole]
    allowed_roles = [S, FA, L]
    permission_rule = "roles: union_staff (all firms), firm users (own firm)"
    serializer_class = s.FirmSerializer
    lookup_field = "organisation"

    def get_queryset(self):
        return firms_visible_to(self.request.user)
