from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("", views.overview_index, name="index"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("export/<slug:name>.<slug:fmt>", views.overview_export, name="export"),
    path("report.pdf", views.report_download, name="report"),
]
