from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "生成文书"

    def ready(self):
        from . import builders

        builders.register_all()
