from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save


class OverviewConfig(AppConfig):
    name = "overview"
    verbose_name = "区域概览"

    def ready(self):
        # The page reads overview_daily; these keep it equal to the workflow tables inside every write
        # (overview/aggregates.py explains which write reaches which receiver).
        from core.models import AuditEvent
        from core.signals import object_changed

        from . import aggregates

        object_changed.connect(aggregates.on_object_changed, dispatch_uid="overview.object_changed")
        post_save.connect(aggregates.on_audit_event, sender=AuditEvent, dispatch_uid="overview.created")
        post_save.connect(aggregates.on_organisation_saved, sender=apps.get_model("accounts", "Organisation"),
                          dispatch_uid="overview.employer")
        for label in ("negotiation.Negotiation", "disputes.DisputeCase", "legal.LegalAidCase"):
            post_delete.connect(aggregates.on_delete, sender=apps.get_model(label), dispatch_uid=f"overview.delete.{label}")
