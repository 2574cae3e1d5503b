from django.urls import path

from . import views

app_name = "legal"
urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/from-dispute/<int:dispute_pk>/", views.application_from_dispute, name="application_from_dispute"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document_download"),
    path("inbox/", views.inbox, name="inbox"),
    path("firms/", views.firm_list, name="firm_list"),
    path("firms/<int:org_pk>/", views.firm_edit, name="firm_edit"),
]
