"""Websocket routes: the user's notification socket and one route per registered workflow.

config/asgi.py wraps them in AllowedHostsOriginValidator(AuthMiddlewareStack(...)). Built from the
workflow registry, so a workflow's events always reach a route (core itself imports no app)."""
from django.urls import path

from core import workflow
from core.consumers import ObjectConsumer
from notifications.consumers import UserConsumer


def websocket_urlpatterns():
    routes = [path("ws/notifications/", UserConsumer.as_asgi(), name="ws-notifications")]
    for wf in workflow.all_workflows():
        consumer = wf.consumer or ObjectConsumer
        routes.append(path(f"ws/{wf.route}/<int:pk>/", consumer.as_asgi(), {"kind": wf.group_kind}, name=f"ws-{wf.name}"))
    return routes
