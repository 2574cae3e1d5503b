from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("generate/<slug:kind>/<int:pk>/", views.generate, name="generate"),
    path("<int:pk>/download/", views.download, name="download"),
    path("panel/<str:label>/<int:pk>/", views.panel, name="panel"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
]
