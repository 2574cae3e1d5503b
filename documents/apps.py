from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The generic registry, rendering and storage of generated documents. Kinds are registered by the
    workflow apps from their own documents.py (negotiation/documents.py, legal/documents.py)."""

    name = "documents"
    verbose_name = "生成文书"

    def ready(self):
        from core.signals import object_changed

        object_changed.connect(on_object_changed, dispatch_uid="documents.render_on_change")


def on_object_changed(sender, obj, action, from_state, to_state, actor=None, **kwargs):
    """A workflow change that makes a document final (its kind's `render_on`) queues that document's
    render: the row now, inside the change's transaction, the render on commit (documents.tasks)."""
    from . import registry, services

    label = sender._meta.label_lower
    for kind in registry.all_kinds():
        if kind.render_on is None or kind.model != label:
            continue
        if kind.render_on(action, from_state, to_state):
            services.queue_after_change(kind=kind, obj=obj)
