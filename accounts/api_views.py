from django.db import transaction
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api import HasRole, PathIdsMixin

from .models import Role
from .scoping import organisations_visible_to, regions_visible_to
from .serializers import MeSerializer, OrganisationSerializer, RegionSerializer


class MeView(APIView):
    permission_classes = [HasRole]
    permission_rule = "authenticated: the caller's own profile"
    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request.user).data)


class RegionViewSet(PathIdsMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    permission_rule = "authenticated: regions within the actor's scope"
    serializer_class = RegionSerializer

    def get_queryset(self):
        return regions_visible_to(self.request.user)


class OrganisationViewSet(PathIdsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    permission_rule = "authenticated: organisations_visible_to(actor); create: union staff in their region"
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "region"]

    def get_queryset(self):
        return organisations_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        # The role gate comes before validation: a caller who may not create learns nothing from 400s.
        if not (request.user.is_sysadmin or request.user.role == Role.UNION_STAFF):
            raise PermissionDenied("只有工会工作人员可以登记组织。")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        user = self.request.user
        region = serializer.validated_data["region"]
        if not regions_visible_to(user).filter(pk=region.pk).exists():
            raise PermissionDenied("该地区不在您的管辖范围内。")
        with transaction.atomic():
            org = serializer.save()
            audit.record(actor=user, action="organisation_create", obj=org)


