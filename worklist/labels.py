from django.utils.translation import gettext_lazy as _

WORKFLOW_LABELS = {
    "negotiation": _("集体协商"),
    "disputes": _("劳动争议"),
    "legal": _("法律援助"),
}
