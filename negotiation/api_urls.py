from rest_framework.routers import SimpleRouter

from .api import NegotiationViewSet

router = SimpleRouter()
router.register("", NegotiationViewSet, basename="api-negotiation")
urlpatterns = router.urls
