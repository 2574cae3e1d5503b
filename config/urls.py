from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.permissions import public

SpectacularAPIView.permission_rule = "public: the API's schema describes endpoints, not data"
SpectacularSwaggerSplitView.permission_rule = "public: API documentation"

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("accounts.api_urls")),
    path("negotiations/", include("negotiation.api_urls")),
    path("disputes/", include("disputes.api_urls")),
    path("legal-aid/", include("legal.api_urls")),
    path("documents/", include("documents.api_urls")),
    path("stats/", include("overview.api_urls")),
    path("notifications/", include("notifications.api_urls")),
    path("todo/", include("worklist.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", public("language switch")(set_language), name="set_language"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/", include("accounts.urls")),
    path("negotiations/", include("negotiation.urls")),
    path("disputes/", include("disputes.urls")),
    path("legal-aid/", include("legal.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("overview/", include("overview.urls")),
    path("todo/", include("worklist.urls")),
    path("", include("core.urls")),
]

handler400 = "core.api_views.bad_request"  # JSON under /api/, the page elsewhere
handler404 = "core.api_views.not_found"
handler500 = "core.api_views.server_error"  # 503 + Retry-After when the connection pool is exhausted
