from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "法律援助"

    def ready(self):
        from core import sweep, visibility

        from . import services, workflow
        from .models import Consultation, LegalAidCase
        from .permissions import case_history_visible_to, consultations_visible_to

        workflow.ready()
        # The history page: the case's own scope, narrowed for firms until they accept (staff's reasons may
        # describe the applicant). Registered after the workflow, which registers the plain scope.
        visibility.register(LegalAidCase, case_history_visible_to)
        visibility.register(Consultation, consultations_visible_to)
        sweep.register("legal", services.sweep)
        try:
            from . import documents
        except ImportError:  # the documents app is optional for this app
            return
        documents.register()
