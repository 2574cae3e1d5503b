from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "集体协商"

    def ready(self):
        from core import sweep, visibility

        from . import services
        from .models import Negotiation
        from .selectors import negotiations_visible_to

        visibility.register(Negotiation, negotiations_visible_to)
        sweep.register("negotiation", services.sweep)
