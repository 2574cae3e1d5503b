from django.urls import path

from . import api

urlpatterns = [
    path("", api.TodoView.as_view(), name="api-todo"),
]
