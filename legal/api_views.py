"""API under /api/v1/legal-aid/: same scoping, redaction and audit rules as the pages."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organisation, Role, User
from core.api import HasRole

from . import serializers as s
from . import services
from .selectors import cases_visible_to, consultations_visible_to, firms_visible_to, is_firm_user, personal_data_visible

S, FA, L = Role.UNION_STAFF, Role.FIRM_ADMIN, Role.LAWYER

CASE_VIEW = PolymorphicProxySerializer(
    component_name="LegalAidCaseView",
    serializers=[s.CaseDetailSerializer, s.CaseSummarySerializer],
    resource_type_field_name=None,
)


def _require(user, *roles):
    if not (user.is_sysadmin or user.role in roles):
        raise PermissionDenied("您的角色无权执行此操作。")


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Legal-aid cases. Lists carry the summary only; a case's detail carries personal data except for a firm
    that has not accepted it. Cases not routed to the caller's firm are 404."""

    permission_classes = [HasRole]
    allowed_roles = [S, FA, L]
    permission_rule = "roles: union_staff (region subtree), firm_admin (routed to firm), lawyer (accepted by firm)"
    serializer_class = s.CaseSummarySerializer

    def get_queryset(self):
        return cases_visible_to(self.request.user).prefetch_related("attempts__firm", "work_log")

    def get_serializer_class(self):
        if self.action == "create":
            return s.CaseCreateSerializer
        return s.CaseSummarySerializer

    @extend_schema(responses=CASE_VIEW)
    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        return Response(self._render(case))

    def _render(self, case):
        user = self.request.user
        if not personal_data_visible(user, case):
            return s.CaseSummarySerializer(case).data
        if is_firm_user(user):
            services.record_personal_view(actor=user, case=case, what="api_detail")
        return s.CaseDetailSerializer(case).data

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        _require(request.user, S)
        ser = s.CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        region = data.get("applicant_region")
        if region is not None and not request.user.is_sysadmin and not region.path.startswith(request.user.organisation.region.path):
            raise PermissionDenied("申请人所在地区不在您的管辖范围内。")
        case = services.case_create(actor=request.user, data=data)
        return Response(s.CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    def _case(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _done(self, case_id):
        qs = cases_visible_to(self.request.user)
        case = qs.filter(pk=case_id).first()
        if case is None:  # e.g. a firm that declined no longer sees the case
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._render(case))

    @extend_schema(request=s.DecisionIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        _require(request.user, S)
        case = self._case()
        d = s.DecisionIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_decide(actor=request.user, case_id=case.pk, approve=d.validated_data["decision"] == "approve",
                             reason=d.validated_data["reason"], queryset=self.get_queryset(), expected_state=case.state)
        return self._done(case.pk)

    @extend_schema(request=s.ReasonIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"], url_path="request-documents")
    def request_documents(self, request, pk=None):
        _require(request.user, S)
        case = self._case()
        d = s.ReasonIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_request_documents(actor=request.user, case_id=case.pk, what=d.validated_data["reason"], queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=None, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"], url_path="documents-received")
    def documents_received(self, request, pk=None):
        _require(request.user, S)
        case = self._case()
        services.case_documents_received(actor=request.user, case_id=case.pk, queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=None, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        _require(request.user, S)
        case = self._case()
        services.route(case_id=case.pk, actor=request.user)
        return self._done(case.pk)

    @extend_schema(request=s.OverrideIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        _require(request.user, S)
        case = self._case()
        d = s.OverrideIn(data=request.data)
        d.is_valid(raise_exception=True)
        firm = Organisation.objects.filter(pk=d.validated_data["firm"], firm_profile__isnull=False).first()
        if firm is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"firm": ["该单位不是合作律所。"]})
        services.route_override(actor=request.user, case_id=case.pk, firm_org=firm, reason=d.validated_data["reason"], queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=s.AcceptIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        _require(request.user, FA)
        case = self._case()
        d = s.AcceptIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_accept(actor=request.user, case_id=case.pk, conflict_confirmed=d.validated_data["conflict_confirmed"], queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=s.ReasonIn, responses={200: CASE_VIEW, 204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        _require(request.user, FA)
        case = self._case()
        d = s.ReasonIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_decline(actor=request.user, case_id=case.pk, reason=d.validated_data["reason"], queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=s.AssignIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        _require(request.user, FA)
        case = self._case()
        d = s.AssignIn(data=request.data)
        d.is_valid(raise_exception=True)
        lawyer = User.objects.filter(pk=d.validated_data["lawyer"]).first()
        if lawyer is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"lawyer": ["没有这位律师。"]})
        services.case_assign_lawyer(actor=request.user, case_id=case.pk, lawyer=lawyer, queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=s.WorkLogIn, responses={201: s.WorkLogSerializer})
    @action(detail=True, methods=["post"])
    def worklog(self, request, pk=None):
        _require(request.user, FA, L)
        case = self._case()
        d = s.WorkLogIn(data=request.data)
        d.is_valid(raise_exception=True)
        entry = services.worklog_add(actor=request.user, case_id=case.pk, data=dict(d.validated_data), queryset=self.get_queryset())
        return Response(s.WorkLogSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        _require(request.user, FA, L)
        case = self._case()
        d = s.CloseIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_close(actor=request.user, case_id=case.pk, outcome=d.validated_data["outcome"],
                            amount_recovered=d.validated_data.get("amount_recovered"), queryset=self.get_queryset())
        return self._done(case.pk)

    @extend_schema(request=s.SatisfactionIn, responses={200: CASE_VIEW})
    @action(detail=True, methods=["post"])
    def satisfaction(self, request, pk=None):
        case = self._case()
        d = s.SatisfactionIn(data=request.data)
        d.is_valid(raise_exception=True)
        services.case_record_satisfaction(actor=request.user, case_id=case.pk, score=d.validated_data["score"],
                                          note=d.validated_data.get("note", ""), queryset=self.get_queryset())
        return self._done(case.pk)


class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Hotline consultations (union staff, their region subtree)."""

    permission_classes = [HasRole]
    allowed_roles = [S]
    permission_rule = "roles: union_staff (region subtree)"
    serializer_class = s.ConsultationSerializer

    def get_queryset(self):
        return consultations_visible_to(self.request.user)

    def perform_create(self, serializer):
        region = serializer.validated_data["region"]
        user = self.request.user
        if not user.is_sysadmin and not region.path.startswith(user.organisation.region.path):
            raise PermissionDenied("该地区不在您的管辖范围内。")
        serializer.instance = services.consultation_create(actor=user, data=dict(serializer.validated_data))


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("organisation", int, OpenApiParameter.PATH, description="the firm's organisation id")]
    )
)
class FirmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partner firms (staff: all; firm users: their own)."""

    permission_classes = [HasRole]
    allowed_roles = [S, FA, L]
    permission_rule = "roles: union_staff (all firms), firm users (own firm)"
    serializer_class = s.FirmSerializer
    lookup_field = "organisation"

    def get_queryset(self):
        return firms_visible_to(self.request.user)
