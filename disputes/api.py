"""REST API for dispute cases: same scope, services and messages as the pages.

List, retrieve, create and evidence are here; every action of the workflow registry is added as
`POST /api/v1/disputes/{id}/<action-name-with-dashes>/` by `core.workflow_api.add_actions`, with its
input derived from the action's one form (disputes/forms.py)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Role
from core.api import HasRole, PathIdsMixin
from core.workflow_api import add_actions

from . import services
from .forms import FilterForm
from .models import ClaimKind, State
from .permissions import can_open
from .selectors import dispute_list, disputes_visible_to
from .serializers import (
    DisputeCreateSerializer,
    DisputeListSerializer,
    DisputeSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
)

FILTER_PARAMS = [
    OpenApiParameter("state", OpenApiTypes.STR, enum=["", *State.values]),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *ClaimKind.values], description="a claim's kind"),
    OpenApiParameter("employer", OpenApiTypes.INT, description="an employer visible to the caller"),
    OpenApiParameter("collective", OpenApiTypes.STR, enum=["", "1", "0"], description="1: collective disputes only, 0: individual"),
    OpenApiParameter("due_within", OpenApiTypes.INT, description="a deadline within this many days (0–3650)"),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
]


def _detail_queryset(user):
    return disputes_visible_to(user).select_related("employer", "region").prefetch_related("claims", "workers", "evidence")


class DisputeViewSet(PathIdsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Dispute cases visible to the caller; actions as POST /{id}/<action-name>/ (from the workflow registry)."""

    may_conflict = True  # writes go through the runner: a stale state, a repeated submission

    permission_classes = [HasRole]
    allowed_roles = [Role.UNION_STAFF, Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR]
    permission_rule = ("staff in region, employer reps (own enterprise), negotiators (own union); actions: the "
                       "workflow registry's rules; uploads: staff or the named employer")
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
                raise DRFValidationError(form.errors)
            return dispute_list(user, **filters)
        return _detail_queryset(user)

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
        case = services.dispute_open(actor=request.user, **dict(ser.validated_data))
        case = _detail_queryset(request.user).get(pk=case.pk)
        return Response(DisputeSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], url_path="evidence")
    def evidence(self, request, pk=None):
        case = self.get_object()
        ser = EvidenceUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ev = services.evidence_add(case=case, actor=request.user, upload=ser.validated_data["file"],
                                   title=ser.validated_data["title"])
        return Response(EvidenceSerializer(ev).data, status=status.HTTP_201_CREATED)


def _present(view, request, obj, result):
    case = _detail_queryset(request.user).filter(pk=obj.pk).first() or obj
    return DisputeSerializer(case, context={"request": request}).data


add_actions(DisputeViewSet, "disputes", present=_present, response=DisputeSerializer)
