from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "组织与用户"

    def ready(self):
        from core import visibility

        from .models import Organisation
        from .scoping import organisations_visible_to

        visibility.register(Organisation, organisations_visible_to)

        from . import signals

        signals.connect()  # websocket revocations are pushed (issue 14)
