"""REST API for dispute cases: same scope, services and messages as the pages."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Role
from core.api import HasRole

from . import services
from .actions import ACTIONS, run_action
from .forms import FilterForm
from .permissions import can_open
from .selectors import dispute_list, disputes_visible_to
from .serializers import (
    ACTION_SERIALIZERS,
    DisputeCreateSerializer,
    DisputeListSerializer,
    DisputeSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
)

FILTER_PARAMS = [
    OpenApiParameter("state", str), OpenApiParameter("kind", str), OpenApiParameter("employer", int),
    OpenApiParameter("collective", str, description="1 or 0"), OpenApiParameter("due_within", int),
    OpenApiParameter("overdue", bool),
]


class DisputeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Dispute cases visible to the caller; transitions as POST /{id}/<action>/."""

    permission_classes = [HasRole]
    allowed_roles = [Role.UNION_STAFF, Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR]
    permission_rule = "staff in region, employer reps (own enterprise), negotiators (own union); writes: staff; uploads: staff or the named employer"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = disputes_visible_to(None)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return disputes_visible_to(None)
        user = self.request.user
        if self.action == "list":
            form = FilterForm(self.request.query_params or None, actor=user)
            filters = {}
            if form.is_valid():
                d = form.cleaned_data
                filters = {"state": d["state"] or None, "kind": d["kind"] or None, "employer": d["employer"],
                           "collective": {"1": True, "0": False}.get(d["collective"]), "due_within": d["due_within"],
                           "overdue": d["overdue"]}
            elif form.errors:
                from rest_framework.exceptions import ValidationError

                raise ValidationError(form.errors)
            return dispute_list(user, **filters)
        return disputes_visible_to(user).select_related("employer", "region").prefetch_related("claims", "workers", "evidence")

    def get_serializer_class(self):
        if self.action == "list":
            return DisputeListSerializer
        if self.action == "create":
            return DisputeCreateSerializer
        return DisputeSerializer

    @extend_schema(parameters=FILTER_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DisputeCreateSerializer, responses={201: DisputeSerializer})
    def create(self, request, *args, **kwargs):
        decision = can_open(request.user)
        if not decision:
            raise PermissionDenied(decision.reason)
        ser = DisputeCreateSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        case = services.dispute_open(actor=request.user, **data)
        case = self.get_queryset().get(pk=case.pk)
        return Response(DisputeSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], url_path="evidence")
    def evidence(self, request, pk=None):
        case = self.get_object()
        ser = EvidenceUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ev = services.evidence_add(case=case, actor=request.user, upload=ser.validated_data["file"], title=ser.validated_data["title"])
        return Response(EvidenceSerializer(ev).data, status=status.HTTP_201_CREATED)


def _make_action(name: str):
    serializer_class = ACTION_SERIALIZERS[name]

    def handler(self, request, pk=None):
        case = self.get_object()
        ser = serializer_class(data=request.data)
        ser.is_valid(raise_exception=True)
        run_action(case=case, actor=request.user, name=name, cleaned=dict(ser.validated_data))
        case = self.get_queryset().get(pk=case.pk)
        return Response(DisputeSerializer(case, context={"request": request}).data)

    handler.__name__ = name
    handler.__doc__ = f"{ACTIONS[name][0]}（{name}）"
    handler = extend_schema(request=serializer_class, responses={200: DisputeSerializer}, operation_id=f"disputes_{name}")(handler)
    return action(detail=True, methods=["post"], url_path=name)(handler)


for _name in ACTIONS:
    setattr(DisputeViewSet, _name, _make_action(_name))
