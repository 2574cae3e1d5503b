from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "集体协商"

    def ready(self):
        from core import sweep

        from . import documents, services, workflow

        workflow.register_workflow()  # also registers negotiations_visible_to for core.visibility
        sweep.register("negotiation", services.sweep)
        documents.register()
