from django.contrib import admin

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "title", "status", "code", "pages", "generated_by", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("code", "sha256", "title")
    readonly_fields = [f.name for f in GeneratedDocument._meta.fields]

    def has_add_permission(self, request):
        return False
