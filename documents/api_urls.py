from django.urls import path

from . import api

urlpatterns = [
    path("generate/", api.DocumentGenerateAPI.as_view(), name="api-document-generate"),
    path("<int:pk>/", api.DocumentDetailAPI.as_view(), name="api-document-detail"),
]
