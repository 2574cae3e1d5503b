from django.urls import path

from . import views

app_name = "worklist"
urlpatterns = [
    path("", views.todo_page, name="todo"),
]
