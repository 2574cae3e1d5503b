from django.http import HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import audit, visibility
from .api import HasRole, PathIdsMixin
from .deadlines import compute_due
from .models import AuditEvent, DeadlineRule
from .serializers import OUT_OF_RANGE, AuditEventSerializer, BoundedDateField, DueDateSerializer
from .views import label_events


class HistoryView(PathIdsMixin, generics.ListAPIView):
    """The audit history of one object, for users who may see that object (404 otherwise)."""

    permission_classes = [HasRole]
    permission_rule = "authenticated; object must be in the actor's visible queryset"
    serializer_class = AuditEventSerializer

    @extend_schema(parameters=[
        OpenApiParameter("label", OpenApiTypes.STR, OpenApiParameter.PATH, enum=visibility.registered_labels() or None,
                         description="the object's type (app_label.model)"),
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

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
    start = BoundedDateField()


class DeadlineView(APIView):
    """Compute a due date with its explanation."""

    permission_classes = [HasRole]
    permission_rule = "authenticated"

    @extend_schema(
        parameters=[OpenApiParameter("rule", str, required=True, description="a deadline rule's id"),
                    OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD")],
        responses=DueDateSerializer,
    )
    def get(self, request):
        q = DeadlineQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        try:
            due = compute_due(q.validated_data["rule"], q.validated_data["start"])
        except OverflowError:  # a start near the upper bound plus a long period leaves the calendar
            raise serializers.ValidationError({"start": [OUT_OF_RANGE]}) from None
        return Response(DueDateSerializer(due.to_dict()).data)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """handler404: JSON under /api/ (an unknown API address is answered in the API's shape), the page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "未找到。 Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """handler400 (a request Django could not accept: too many fields, too large a body): JSON under /api/."""
    if _is_api(request):
        return JsonResponse({"detail": "请求无效。 Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def _overloaded(exc) -> bool:
    """The database pool had no connection to give within its timeout (psycopg_pool.PoolTimeout, which
    Django re-raises as OperationalError): the server is busy, not broken."""
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - the pool is only installed with PostgreSQL
        return False
    while exc is not None:
        if isinstance(exc, PoolTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


RETRY_AFTER_SECONDS = 2


def server_error(request):
    """handler500. When every database connection is in use for longer than the pool waits, the answer is
    503 with Retry-After (a client, a proxy or a load balancer may try again; nothing was written: the
    request never got a connection), not a 500 that reads as a defect. Anything else: the 500 page (JSON
    under /api/)."""
    import sys

    exc = sys.exc_info()[1]
    if _overloaded(exc):
        if _is_api(request):
            resp = JsonResponse({"detail": "服务繁忙，请稍后重试。 The service is busy; please retry shortly."}, status=503)
        else:
            from django.template import loader

            resp = HttpResponse(loader.get_template("503.html").render(), status=503)
        resp["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return resp
    if _is_api(request):
        return JsonResponse({"detail": "服务器错误。 Server error."}, status=500)
    return defaults.server_error(request)
