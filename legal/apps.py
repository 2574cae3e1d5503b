from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "法律援助"

    def ready(self):
        from core import sweep, visibility

        from . import services
        from .models import Consultation, LegalAidCase
        from .selectors import case_history_visible_to, consultations_visible_to

        visibility.register(LegalAidCase, case_history_visible_to)
        visibility.register(Consultation, consultations_visible_to)
        sweep.register("legal", services.sweep)
        try:
            from . import documents
        except ImportError:  # the documents app is optional for this app
            return
        documents.register()
