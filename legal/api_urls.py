from rest_framework.routers import SimpleRouter

from . import api_views

router = SimpleRouter()
router.register("cases", api_views.CaseViewSet, basename="legal-case")
router.register("consultations", api_views.ConsultationViewSet, basename="legal-consultation")
router.register("firms", api_views.FirmViewSet, basename="legal-firm")
urlpatterns = router.urls
