from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

S, N, E, F, L, B = (
    Role.UNION_STAFF,
    Role.UNION_NEGOTIATOR,
    Role.EMPLOYER_REP,
    Role.FIRM_ADMIN,
    Role.LAWYER,
    Role.BUREAU_REVIEWER,
)

# (url name, label, roles that see it). Entries whose URL does not exist yet are skipped.
NAV = [
    ("core:home", _("工作台"), None),
    ("negotiation:list", _("集体协商"), {S, N, E, B}),
    ("disputes:list", _("劳动争议"), {S, E}),
    ("legal:consultation_list", _("热线咨询"), {S}),
    ("legal:inbox", _("接案收件箱"), {F}),
    ("legal:case_list", _("法律援助"), {S, F, L}),
    ("legal:firm_list", _("合作律所"), {S}),
    ("accounts:organisation_list", _("组织名录"), {S, B}),
    ("overview:index", _("区域概览"), {S}),
    ("overview:deadlines", _("期限看板"), {S, N}),
    ("core:deadline_calculator", _("期限计算"), {S, N, E, F, L, B}),
]


# (language, script prefix, role, sysadmin) -> [(url, translated label)]: the URLs and labels do not change
# while the process runs, so every page (the empty one included) stops reversing and translating them.
_cache: dict[tuple, list[tuple[str, str]]] = {}


@receiver(setting_changed)
def _forget(**kwargs):  # tests that swap the URLconf or languages
    _cache.clear()


def _entries(user) -> list[tuple[str, str]]:
    key = (get_language(), get_script_prefix(), user.role, bool(user.is_sysadmin))
    entries = _cache.get(key)
    if entries is None:
        entries = []
        for name, label, roles in NAV:
            if roles is not None and not (user.is_sysadmin or user.role in roles):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            entries.append((url, str(label)))
        _cache[key] = entries
    return entries


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    return {"nav_items": [{"url": url, "label": label, "active": path.startswith(url) and url != "/"}
                          for url, label in _entries(user)]}
