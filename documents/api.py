"""API under /api/v1/documents/: a document's status and metadata, and render requests.

Downloads stay on the page URL (documents:download) that checks visibility the same way.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import HasRole, PathIdsMixin
from core.serializers import ErrorSerializer, IdField

from . import registry, selectors, services
from .models import GeneratedDocument


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedDocument
        fields = [
            "id", "kind", "object_label", "object_id", "status", "error", "title", "parties", "doc_date", "code",
            "template_version", "sha256", "size", "pages", "created_at", "finished_at", "download_url", "verify_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("documents:download", args=[obj.pk]) if obj.status == GeneratedDocument.Status.DONE else ""

    def get_verify_url(self, obj) -> str:
        return services.verify_url(obj.code) if obj.code else ""


class GenerateSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="a registered document kind (agreement, proposal, response, minutes, assignment, …)")
    object_id = IdField(help_text="the id of the object the document is about (a round's id for minutes)")

    def validate_kind(self, value):
        if value not in {k.key for k in registry.all_kinds()}:
            raise serializers.ValidationError("未知的文书类型。 Unknown document kind.")
        return value


class DocumentDetailAPI(PathIdsMixin, APIView):
    permission_classes = [HasRole]
    allowed_roles = None  # any active user with a role; the object's visibility decides (404)
    permission_rule = "any active user; the document's object must be visible to them (404 otherwise)"

    @extend_schema(responses=DocumentSerializer, summary="A generated document's status and metadata")
    def get(self, request, pk):
        return Response(DocumentSerializer(selectors.document_visible_to(request.user, int(pk))).data)


class DocumentGenerateAPI(APIView):
    permission_classes = [HasRole]
    allowed_roles = None
    permission_rule = "any active user; the object must be visible to them through its registered scope (404 otherwise)"

    @extend_schema(
        request=GenerateSerializer,
        responses={202: DocumentSerializer, 200: DocumentSerializer,
                   404: OpenApiResponse(ErrorSerializer, description="the object is not visible to the caller")},
        summary="Queue a render (returns the queued, running or finished document)",
    )
    def post(self, request):
        ser = GenerateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        kind = registry.get(ser.validated_data["kind"])
        obj = registry.visible_object(kind, ser.validated_data["object_id"], request.user)
        try:
            doc = services.document_request(kind=kind, obj=obj, actor=request.user)
        except ValidationError as exc:
            raise serializers.ValidationError({"non_field_errors": exc.messages}) from None
        doc.refresh_from_db()
        code = status.HTTP_200_OK if doc.status == GeneratedDocument.Status.DONE else status.HTTP_202_ACCEPTED
        return Response(DocumentSerializer(doc).data, status=code)
