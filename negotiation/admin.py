from django.contrib import admin

from .models import CongressVote, Negotiation, PublishedDraft, Representative, Round, StandbyAllowanceRate, Term, TermVersion


@admin.register(StandbyAllowanceRate)
class StandbyAllowanceRateAdmin(admin.ModelAdmin):
    list_display = ("region", "share", "effective_from", "source", "is_sample")
    list_filter = ("is_sample",)


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0


@admin.register(Negotiation)
class NegotiationAdmin(admin.ModelAdmin):
    """Read-mostly: states change only through the workflow's services."""

    list_display = ("title", "employer", "union", "state", "response_due", "review_ends", "version")
    list_filter = ("state",)
    search_fields = ("title", "employer__name", "union__name")
    readonly_fields = ("state", "version")
    inlines = [RepresentativeInline]


admin.site.register(Term)
admin.site.register(TermVersion)
admin.site.register(Round)
admin.site.register(PublishedDraft)
admin.site.register(CongressVote)
