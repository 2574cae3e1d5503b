from django.urls import path

from . import api_views

urlpatterns = [
    path("history/<str:label>/<str:pk>/", api_views.HistoryView.as_view(), name="api-history"),
    path("deadlines/", api_views.DeadlineView.as_view(), name="api-deadline"),
]
