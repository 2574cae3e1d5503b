from django.contrib import admin

from .models import (
    CaseDocument,
    Consultation,
    FirmEngagement,
    FirmProfile,
    HardshipStandard,
    LegalAidCase,
    RoutingAttempt,
    WorkLogEntry,
)


@admin.register(HardshipStandard)
class HardshipStandardAdmin(admin.ModelAdmin):
    list_display = ("region", "monthly_income_per_capita", "effective_from", "source", "is_sample")
    list_filter = ("is_sample",)


@admin.register(FirmProfile)
class FirmProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "capacity", "is_active", "last_assigned_at")
    filter_horizontal = ("regions",)


@admin.register(FirmEngagement)
class FirmEngagementAdmin(admin.ModelAdmin):
    list_display = ("firm", "employer", "description", "started_on", "ended_on")


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("received_at", "channel", "topic", "region", "handled_by")


class AttemptInline(admin.TabularInline):
    model = RoutingAttempt
    extra = 0
    readonly_fields = ("firm", "offered_at", "response_due", "outcome", "responded_at", "reason", "explanation", "override_reason")
    can_delete = False


@admin.register(LegalAidCase)
class LegalAidCaseAdmin(admin.ModelAdmin):
    # State changes only through the services (run_transition); the admin shows, it does not transition.
    list_display = ("number", "state", "matter", "applicant_region", "assigned_firm", "urgent", "decision_due")
    list_filter = ("state", "matter", "urgent")
    readonly_fields = ("state",)
    inlines = [AttemptInline]


admin.site.register(WorkLogEntry)
admin.site.register(CaseDocument)
