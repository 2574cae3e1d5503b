from django.urls import path  # noqa: F401

# Websocket routes; apps add theirs in core/consumers (issue: live updates).
websocket_urlpatterns: list = []
