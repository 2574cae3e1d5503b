from rest_framework.routers import SimpleRouter

from .api_views import DisputeViewSet

router = SimpleRouter()
router.register("", DisputeViewSet, basename="api-disputes")
urlpatterns = router.urls
