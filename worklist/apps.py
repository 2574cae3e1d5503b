from django.apps import AppConfig


class WorklistConfig(AppConfig):
    """工作台: what waits for each person (todo.py), the same list in the API (api.py), and the
    notifications for work that reaches someone where a workflow's service does not send one (receivers.py)."""

    name = "worklist"
    verbose_name = "工作台"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to core.signals.object_changed)
