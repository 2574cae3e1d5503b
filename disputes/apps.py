from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = "劳动争议"

    def ready(self):
        from core import sweep, visibility

        from . import services
        from .models import DisputeCase
        from .selectors import disputes_visible_to

        visibility.register(DisputeCase, disputes_visible_to)
        sweep.register("disputes", services.sweep)
