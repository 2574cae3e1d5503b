from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api_views

router = SimpleRouter()
router.register("regions", api_views.RegionViewSet, basename="region")
router.register("organisations", api_views.OrganisationViewSet, basename="organisation")

urlpatterns = [path("me/", api_views.MeView.as_view(), name="api-me"), *router.urls]
