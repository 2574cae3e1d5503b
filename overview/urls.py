from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("", views.overview_index, name="index"),
    path("deadlines/", views.deadline_board_view, name="deadlines"),
    path("export/<slug:name>.<slug:fmt>", views.export_view, name="export"),
    path("report.pdf", views.monthly_report, name="report"),
]
