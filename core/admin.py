from django.contrib import admin

from .models import AuditEvent, CalendarDay, CalendarYear, DeadlineRule, MinimumWage


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "length", "unit", "roll_to_working_day", "source", "needs_verification"]
    list_filter = ["unit", "needs_verification"]
    search_fields = ["id", "name", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    date_hierarchy = "date"


admin.site.register(CalendarYear)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_label", "reason", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ["region", "tier", "monthly", "hourly", "effective_from", "is_sample"]
    list_filter = ["is_sample", "tier"]
