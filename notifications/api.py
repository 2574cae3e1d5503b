"""API for the notification centre: list, unread count, mark one read, mark all read (own rows only)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import HasRole, PathIdsMixin

from . import selectors, services
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationViewSet(PathIdsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [HasRole]
    allowed_roles = None  # any active user; rows are the user's own
    permission_rule = "authenticated and active; own notifications only"
    filterset_fields = ["kind"]

    def get_queryset(self):
        qs = selectors.notifications_for(self.request.user)
        if self.request.query_params.get("unread") == "1":
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(parameters=[OpenApiParameter("unread", OpenApiTypes.STR, enum=["1"], description="1: unread ones only")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        n = self.get_object()
        marked = services.notification_mark_read(actor=request.user, notification_ids=[n.pk])
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.notification_mark_all_read(actor=request.user)
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})
