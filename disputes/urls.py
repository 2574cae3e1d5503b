from django.urls import path

from . import views

# Actions (stage changes) are on the generic page /do/disputes/<id>/<action>/ (core.workflow_views).
app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.dispute_open, name="open"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
]
