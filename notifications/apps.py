from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知"
    # Revoking a user's sockets when their account changes lives in accounts/signals.py (pushed, not polled).
