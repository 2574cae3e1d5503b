from django.urls import path

from . import views, workflow_views

app_name = "core"
urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("history/<str:label>/<int:pk>/", views.history, name="history"),
    path("deadlines/calculator/", views.deadline_calculator, name="deadline_calculator"),
    path("do/<slug:workflow>/<int:pk>/<slug:action>/", workflow_views.action_view, name="workflow-action"),
    path("healthz", views.healthz, name="healthz"),
]
