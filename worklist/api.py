"""GET /api/v1/todo/: the 工作台's to-do list for the caller (worklist.todo), most urgent first."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import HasRole

from .labels import WORKFLOW_LABELS
from .todo import items_for


class TodoTaskSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="the workflow action (or edit) waiting, e.g. respond")
    label = serializers.CharField(help_text="what to do, in the request's language")
    url = serializers.CharField(help_text="the page where it is done")


class TodoItemSerializer(serializers.Serializer):
    workflow = serializers.ChoiceField(choices=sorted(WORKFLOW_LABELS), help_text="negotiation, disputes or legal")
    workflow_label = serializers.CharField()
    id = serializers.IntegerField(help_text="the object's id in its workflow's API")
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    url = serializers.CharField(help_text="the object's page")
    tasks = TodoTaskSerializer(many=True, help_text="what waits for the caller on this object (at least one)")
    due = serializers.DateField(allow_null=True, help_text="the date running in the object's state; null: none")
    due_what = serializers.CharField(allow_blank=True, help_text="what ends on that date")
    days_left = serializers.IntegerField(allow_null=True, help_text="days from today to the due date; negative: overdue")
    overdue = serializers.BooleanField()
    article = serializers.CharField(allow_blank=True, help_text="the law behind the date (its deadline rule's source)")
    rule = serializers.CharField(allow_blank=True, help_text="the deadline rule's id, for /api/v1/deadlines/")
    explanation = serializers.CharField(allow_blank=True, help_text="how the date was counted")


class TodoListSerializer(serializers.Serializer):
    today = serializers.DateField()
    count = serializers.IntegerField()
    items = TodoItemSerializer(many=True)


def present(item) -> dict:
    return {
        "workflow": item.workflow, "workflow_label": str(WORKFLOW_LABELS.get(item.workflow, item.workflow)),
        "id": item.object_id, "title": item.title, "state": item.state, "state_label": item.state_label, "url": item.url,
        "tasks": [{"action": t.name, "label": t.label, "url": t.url} for t in item.tasks],
        "due": item.due, "due_what": item.due_what, "days_left": item.days_left, "overdue": item.overdue,
        "article": item.article, "rule": item.rule, "explanation": item.explanation,
    }


class TodoView(APIView):
    """What waits for the caller: every object in their scope with an action their role may take now,
    with the running due date and its article, most urgent first (overdue first, undated last)."""

    permission_classes = [HasRole]
    allowed_roles = None  # any active user with a role; the items are scoped like each object's page
    permission_rule = "authenticated and active; items come from each workflow's scope and action rules"

    @extend_schema(operation_id="todo_list", responses={200: TodoListSerializer}, tags=["todo"])
    def get(self, request):
        from django.utils import timezone

        today = timezone.localdate()
        items = items_for(request.user, today=today)
        data = {"today": today, "count": len(items), "items": [present(i) for i in items]}
        return Response(TodoListSerializer(data).data)
