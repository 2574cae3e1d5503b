from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list_view, name="list"),
    path("new/", views.dispute_open_view, name="open"),
    path("<int:pk>/", views.dispute_detail_view, name="detail"),
    path("<int:pk>/evidence/", views.evidence_upload_view, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download_view, name="evidence_download"),
    path("<int:pk>/<slug:action>/", views.dispute_transition_view, name="transition"),
]
