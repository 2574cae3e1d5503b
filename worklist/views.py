"""The full to-do list page (/todo/): everything waiting for the signed-in person, most urgent first.

The 工作台 (/home/) shows the few most urgent items and links here; this page reads as many candidates as
the API (worklist.todo.LIMIT per workflow)."""
from django.shortcuts import render

from core.permissions import role_required

from .templatetags.worklist import todo_context
from .todo import LIMIT


@role_required(description="any active user with a role: their own to-do list, scoped like each object's page")
def todo_page(request):
    return render(request, "worklist/todo.html", todo_context(request.user, shown=None, read=LIMIT))
