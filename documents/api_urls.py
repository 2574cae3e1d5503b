from django.urls import path

from . import api

urlpatterns = [
    path("generate/", api.DocumentGenerateAPI.as_view(), name="api-document-generate"),
    path("<str:pk>/", api.DocumentDetailAPI.as_view(), name="api-document-detail"),
]
