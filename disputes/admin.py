from django.contrib import admin, messages

from . import services
from .models import DisputeCase, DisputeClaim, DisputeWorker, Evidence, LimitationSuspension


@admin.register(LimitationSuspension)
class LimitationSuspensionAdmin(admin.ModelAdmin):
    """Suspensions of the arbitration limitation period; saving one recomputes every open case."""

    list_display = ["name", "start", "end", "region", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        n = services.limitation_recompute_open()
        messages.info(request, f"已重新计算 {n} 件未结案件的仲裁时效。")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.limitation_recompute_open()


class ClaimInline(admin.TabularInline):
    model = DisputeClaim
    extra = 0
    readonly_fields = ["awarded_amount"]


class WorkerInline(admin.TabularInline):
    model = DisputeWorker
    extra = 0


@admin.register(DisputeCase)
class DisputeCaseAdmin(admin.ModelAdmin):
    """Read-mostly: stages change only through the services (pages, API, sweep)."""

    list_display = ["reference", "title", "employer", "state", "next_due", "is_overdue", "is_collective"]
    list_filter = ["state", "is_collective", "is_overdue"]
    search_fields = ["reference", "title", "employer__name"]
    inlines = [WorkerInline, ClaimInline]
    actions = ["recompute_limitation"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="重新计算仲裁时效")
    def recompute_limitation(self, request, queryset):
        for case in queryset:
            services.limitation_recompute(case=case, actor=request.user)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "side", "content_type", "size", "uploaded_at"]
    readonly_fields = ["case", "title", "stage", "side", "file", "original_name", "content_type", "size", "sha256", "uploaded_by"]

    def has_add_permission(self, request):
        return False
