from django.utils.translation import pgettext_lazy

# A context of their own: the project catalogue translates the bare words as menu entries ("Negotiations").
WORKFLOW_LABELS = {
    "negotiation": pgettext_lazy("todo kind", "集体协商"),
    "disputes": pgettext_lazy("todo kind", "劳动争议"),
    "legal": pgettext_lazy("todo kind", "法律援助"),
}
