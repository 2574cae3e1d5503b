from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The generic registry, rendering and storage of generated documents. Kinds are registered by the
    workflow apps from their own documents.py (negotiation/documents.py, legal/documents.py)."""

    name = "documents"
    verbose_name = "生成文书"
