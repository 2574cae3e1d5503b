from django.urls import path

from . import consumers

# Websocket routes (config/asgi.py wraps them in AllowedHostsOriginValidator(AuthMiddlewareStack(...))).
websocket_urlpatterns = [
    path("ws/notifications/", consumers.UserConsumer.as_asgi(), name="ws-notifications"),
    path("ws/negotiations/<int:pk>/", consumers.NegotiationConsumer.as_asgi(), name="ws-negotiation"),
]
