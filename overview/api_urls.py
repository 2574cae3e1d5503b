from django.urls import path

from . import api

urlpatterns = [
    path("overview/", api.OverviewStatsView.as_view(), name="stats-overview"),
    path("regions/", api.RegionStatsView.as_view(), name="stats-regions"),
    path("deadlines/", api.DeadlineStatsView.as_view(), name="stats-deadlines"),
]
