from rest_framework.routers import SimpleRouter

from .api import DisputeViewSet

router = SimpleRouter()
router.register("", DisputeViewSet, basename="api-disputes")
urlpatterns = router.urls
