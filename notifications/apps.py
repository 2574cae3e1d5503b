from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from core import realtime

        def user_saved(sender, instance, created, **kwargs):
            # Role removed or account deactivated: open websockets of this user re-check their
            # permission once this commits and close when refused (core/consumers.py).
            if not created:
                realtime.recheck_user(instance.pk)

        post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="notifications.user_recheck", weak=False)
