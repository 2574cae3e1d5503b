from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import audit, visibility
from .views import label_events
from .api import HasRole
from .deadlines import compute_due
from .models import AuditEvent, DeadlineRule
from .serializers import AuditEventSerializer, DueDateSerializer


class HistoryView(generics.ListAPIView):
    """The audit history of one object, for users who may see that object (404 otherwise)."""

    permission_classes = [HasRole]
    permission_rule = "authenticated; object must be in the actor's visible queryset"
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        self.object = visibility.get_visible(self.kwargs["label"], self.kwargs["pk"], self.request.user)
        return audit.history(self.object)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return label_events(self.object, page if page is not None else list(queryset))


class DeadlineQuery(serializers.Serializer):
    rule = serializers.PrimaryKeyRelatedField(queryset=DeadlineRule.objects.all())
    start = serializers.DateField()


class DeadlineView(APIView):
    """Compute a due date with its explanation."""

    permission_classes = [HasRole]
    permission_rule = "authenticated"

    @extend_schema(
        parameters=[OpenApiParameter("rule", str), OpenApiParameter("start", str, description="YYYY-MM-DD")],
        responses=DueDateSerializer,
    )
    def get(self, request):
        q = DeadlineQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        due = compute_due(q.validated_data["rule"], q.validated_data["start"])
        return Response(DueDateSerializer(due.to_dict()).data)
