from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="legal-case")
router.register("consultations", api.ConsultationViewSet, basename="legal-consultation")
router.register("firms", api.FirmViewSet, basename="legal-firm")
urlpatterns = router.urls
