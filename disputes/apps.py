from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = "劳动争议"

    def ready(self):
        from core import sweep

        from . import services, workflow

        workflow.setup()  # also registers the scope with core.visibility
        sweep.register("disputes", services.sweep)
