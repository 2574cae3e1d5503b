"""/api/v1/stats/…: the overview's figures, region table and deadline board as JSON (same selectors, same scope)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from core.api import HasRole

from .forms import OverviewFilterForm
from .selectors import PERIODS, cached_figures, deadlines_visible_to

FILTER_PARAMS = [
    OpenApiParameter("region", OpenApiTypes.INT, description="地区ID（须在本人辖区内；缺省为全部辖区）"),
    OpenApiParameter("period", OpenApiTypes.STR, enum=[k for k, _ in PERIODS],
                     description="期间：按协商创建、争议立案、法援申请收到日期计入"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="自定义期间起（period=custom）"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="自定义期间止（period=custom）"),
]


class CountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class NegotiationStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_state = serializers.ListField(child=serializers.DictField())
    overdue_proposals = serializers.IntegerField()
    effective = serializers.IntegerField()
    enterprises_covered = serializers.IntegerField()
    workers_covered = serializers.IntegerField()
    median_days_to_effect = serializers.FloatField(allow_null=True)
    arrangements = serializers.ListField(child=serializers.DictField())


class DisputeStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    collective = serializers.IntegerField()
    open_by_stage = serializers.ListField(child=serializers.DictField())
    open_by_kind = serializers.ListField(child=serializers.DictField())
    due_within_7_days = serializers.IntegerField()
    overdue = serializers.IntegerField()
    resolution = serializers.ListField(child=serializers.DictField())
    closed = serializers.IntegerField()
    amount_recovered = serializers.DecimalField(max_digits=14, decimal_places=2)
    recovered_cases = serializers.IntegerField()


class LegalStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    decisions = serializers.ListField(child=serializers.DictField())
    urgent = serializers.IntegerField()
    unroutable = serializers.IntegerField()
    closed = serializers.IntegerField()
    amount_recovered = serializers.DecimalField(max_digits=14, decimal_places=2)
    outcome_labels = serializers.ListField(child=serializers.DictField())
    firms = serializers.ListField(child=serializers.DictField())
    satisfaction = serializers.DictField()


class RegionTableSerializer(serializers.Serializer):
    base = serializers.CharField(allow_null=True)
    rows = serializers.ListField(child=serializers.DictField())


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    label = serializers.CharField()


class OverviewSerializer(serializers.Serializer):
    region = serializers.CharField(allow_null=True)
    period = PeriodSerializer()
    today = serializers.DateField()
    negotiation = NegotiationStatsSerializer()
    disputes = DisputeStatsSerializer()
    legal_aid = LegalStatsSerializer()
    regions = RegionTableSerializer()


class DueItemSerializer(serializers.Serializer):
    due = serializers.DateField()
    workflow = serializers.ChoiceField(choices=["negotiation", "dispute", "legal"])
    workflow_label = serializers.CharField()
    what = serializers.CharField()
    title = serializers.CharField()
    party = serializers.CharField()
    region = serializers.CharField()
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return obj.url or reverse(obj.url_name, args=[obj.pk])


class DeadlineBoardSerializer(serializers.Serializer):
    today = serializers.DateField()
    to = serializers.DateField()
    truncated = serializers.BooleanField()
    items = DueItemSerializer(many=True)


def _figures(request):
    form = OverviewFilterForm(request.query_params or None, actor=request.user)
    if form.is_bound and not form.is_valid():
        raise serializers.ValidationError(form.errors.get_json_data())
    return cached_figures(form.filters())


class OverviewStatsView(APIView):
    """Every overview figure for the caller's scope (union staff and sysadmin)."""

    permission_classes = [HasRole]
    allowed_roles = [Role.UNION_STAFF]
    permission_rule = "roles: union_staff (and sysadmin); figures scoped to the user's region"

    @extend_schema(operation_id="stats_overview", parameters=FILTER_PARAMS, responses=OverviewSerializer,
                   summary="区域概览指标", tags=["stats"])
    def get(self, request):
        return Response(OverviewSerializer(_figures(request)).data)


class RegionStatsView(APIView):
    """The region comparison table (children of the chosen or the caller's region)."""

    permission_classes = [HasRole]
    allowed_roles = [Role.UNION_STAFF]
    permission_rule = "roles: union_staff (and sysadmin); rows scoped to the user's region"

    @extend_schema(operation_id="stats_regions", parameters=FILTER_PARAMS, responses=RegionTableSerializer,
                   summary="地区对比", tags=["stats"])
    def get(self, request):
        return Response(RegionTableSerializer(_figures(request)["regions"]).data)


class DeadlineStatsView(APIView):
    """Everything due in the next 14 days (or overdue, with overdue=1) across the three workflows."""

    permission_classes = [HasRole]
    allowed_roles = [Role.UNION_STAFF, Role.UNION_NEGOTIATOR]
    permission_rule = "roles: union_staff, union_negotiator (and sysadmin); items scoped by each workflow's selector"

    @extend_schema(
        operation_id="stats_deadlines",
        parameters=[FILTER_PARAMS[0], OpenApiParameter("overdue", OpenApiTypes.BOOL, description="包括已逾期事项")],
        responses=DeadlineBoardSerializer, summary="期限看板", tags=["stats"],
    )
    def get(self, request):
        form = OverviewFilterForm(request.query_params or None, actor=request.user)
        f = form.filters()
        board = deadlines_visible_to(request.user, region=f.region,
                               include_overdue=request.query_params.get("overdue") in ("1", "true"), limit=None)
        return Response(DeadlineBoardSerializer({**board, "to": board["to"]}).data)
