"""Reads: every queryset a user sees of negotiations comes from here, scoped by accounts.scoping."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from accounts.scoping import scope

from .models import Negotiation


def negotiations_visible_to(actor) -> QuerySet:
    """Union staff: their region subtree (by the employer's region); union negotiators: their union;
    employer reps: their enterprise's negotiations once a proposal has been served on it (a union's
    unsent draft is the union's own); bureau reviewers: negotiations in their region that reached the
    bureau (coordination requested or contract filed). Everyone else: nothing."""
    from accounts.models import Role

    qs = scope(
        actor,
        Negotiation.objects.all(),
        region="employer__region",
        employer="employer_id",
        union="union_id",
    )
    if getattr(actor, "is_authenticated", False) and not actor.is_sysadmin:
        if actor.role == Role.EMPLOYER_REP:
            qs = qs.filter(proposed_at__isnull=False)
        elif actor.role == Role.BUREAU_REVIEWER:
            qs = qs.filter(Q(coordination_requested_at__isnull=False) | Q(filed_on__isnull=False))
    return qs


def draft_content_visible(actor, negotiation) -> bool:
    """A union's draft (terms, representatives) is its own until the proposal is served."""
    from accounts.models import Role

    if negotiation.state != "draft" or actor is None or getattr(actor, "is_sysadmin", False):
        return True
    return not actor.has_role(Role.EMPLOYER_REP)


import datetime as dt

from django.db.models import Count
from django.utils import timezone

from . import rules
from .models import STATES_WITH_DUE, Comment, CommentLink, PublishedDraft, State, Term, TermVersion


def _due_q(lo: dt.date | None, hi: dt.date | None) -> Q:
    q = Q()
    for state, field in STATES_WITH_DUE.items():
        cond = Q(state=state)
        if lo is not None:
            cond &= Q(**{f"{field}__gte": lo})
        if hi is not None:
            cond &= Q(**{f"{field}__lte": hi})
        q |= cond
    return q


def negotiation_list(actor, *, state=None, employer=None, overdue=False, due_week=False, today=None):
    """The list page's rows: a fixed number of queries however many rows."""
    today = today or timezone.localdate()
    qs = negotiations_visible_to(actor).select_related("employer", "employer__region", "union")
    if state:
        qs = qs.filter(state=state)
    if employer:
        qs = qs.filter(employer=employer)
    if overdue:
        qs = qs.filter(_due_q(None, today - dt.timedelta(days=1)) | Q(state=State.OVERDUE))
    if due_week:
        qs = qs.filter(_due_q(today, today + dt.timedelta(days=7)))
    return qs.order_by(*LIST_ORDER)


# The list's order. Every scope's filter column is indexed together with it (migrations/*_list_indexes.py:
# union / employer / state / none, then updated_at, id), so a page reads ~50 index entries whatever the
# table's size; the region subtree (the employer's region path, on accounts_region.path's
# varchar_pattern_ops index) is joined to the ordered index scan.
LIST_ORDER = ("-updated_at", "-pk")


LIST_FIELDS = ("pk", "title", "state", "updated_at", "employer__name", "employer__region__name",
               *dict.fromkeys(STATES_WITH_DUE.values()))


def negotiation_list_page(actor, *, after=None, before=None, **filters):
    """One page of `negotiation_list` for the list page (keyset, count bounded: two queries however deep).

    Rows are plain dicts of the columns the page shows, not model instances (a negotiation has ~60
    columns, and the page built four model instances per row), each with `due`: the current due date
    of the row's state (`Negotiation.current_due`)."""
    from core.keyset import keyset_page

    page = keyset_page(negotiation_list(actor, **filters).values(*LIST_FIELDS), order=LIST_ORDER, after=after, before=before)
    for row in page:
        field = STATES_WITH_DUE.get(row["state"])
        row["due"] = row[field] if field else None
    return page


def negotiation_detail(actor, pk):
    return negotiations_visible_to(actor).select_related("employer", "employer__region", "union", "bureau").get(pk=pk)


def terms_of(negotiation):
    return (
        Term.objects.filter(negotiation=negotiation, is_removed=False)
        .select_related("current", "current__author")
        .annotate(version_count=Count("versions"))
        .order_by("number")
    )


def terms_for_page(negotiation) -> list:
    """`terms_of` for the detail page, fetched as the negotiation's prefetched `terms` (removed ones too,
    left out here), so that what else the page asks of `negotiation.terms` unfiltered (the documents
    panel: are there terms at all?) is answered from memory: one query for both."""
    from django.db.models import Prefetch, prefetch_related_objects

    prefetch_related_objects([negotiation], Prefetch(
        "terms", queryset=Term.objects.select_related("current", "current__author").annotate(version_count=Count("versions")).order_by("number"),
    ))
    return [t for t in negotiation.terms.all() if not t.is_removed]


def cost_rows(negotiation, version: TermVersion, kind: str, wages=None):
    floor = wages.minimum_monthly if wages else None
    return rules.term_cost(kind, version.data, floor, wages.living_allowance if wages else None)


def version_pair(term: Term, a: int | None = None, b: int | None = None):
    """Two versions of a term to show side by side (default: the latest and the one before)."""
    versions = list(term.versions.select_related("author").order_by("number"))
    by_num = {v.number: v for v in versions}
    right = by_num.get(b) if b else (versions[-1] if versions else None)
    left = by_num.get(a) if a else (versions[-2] if len(versions) > 1 else None)
    return versions, left, right


# A term's content keys as the comparison shows them (top-level keys take the term form's labels).
DATA_LABELS = {
    "first_cycle_full_pay": gettext_lazy("第一个工资支付周期照发工资"),
    "headcount": gettext_lazy("人数"),
    "start_time": gettext_lazy("上班时间"),
    "end_time": gettext_lazy("下班时间"),
    "weekdays": gettext_lazy("工作日"),
    "days_on": gettext_lazy("连续工作天数"),
    "days_off": gettext_lazy("连续休息天数"),
    "break_minutes": gettext_lazy("用餐休息（分钟）"),
    "base_pay": gettext_lazy("原月工资"),
    "adjust_percent": gettext_lazy("调整比例（%）"),
    "adjust_amount": gettext_lazy("调整金额（元）"),
    "standby_pay": gettext_lazy("待岗期间每月发放"),
    "new_pay": gettext_lazy("期间月工资"),
}


def data_label(key: str, *, group: bool = False) -> str:
    """The label of a content key; a key the forms do not know (passed through by the API) stays as it is."""
    from .forms import TermForm

    field = None if group else TermForm.base_fields.get(key)
    return str(field.label if field is not None else DATA_LABELS.get(key, key))


def data_value(value) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, (list, tuple)):
        return gettext("、").join(str(v) for v in value)
    return "" if value is None else str(value)


def diff_fields(left: dict | None, right: dict | None):
    """Rows (label, left, right, changed) over the union of top-level keys, plus one row per group."""
    left, right = left or {}, right or {}
    rows = []
    for key in sorted(set(left) | set(right)):
        if key == "groups":
            continue
        rows.append((data_label(key), data_value(left.get(key, "")), data_value(right.get(key, "")),
                     left.get(key) != right.get(key)))
    lg, rg = left.get("groups") or [], right.get("groups") or []
    sep, colon = gettext("；"), gettext("：")
    for i in range(max(len(lg), len(rg))):
        lv = lg[i] if i < len(lg) else {}
        rv = rg[i] if i < len(rg) else {}
        label = (rv or lv).get("name", f"#{i + 1}")
        fmt = lambda g: sep.join(f"{data_label(k, group=True)}{colon}{data_value(v)}" for k, v in g.items() if k != "name")  # noqa: E731
        rows.append((gettext("组别：%(name)s") % {"name": label}, fmt(lv), fmt(rv), lv != rv))
    return rows


def representatives_flagged(negotiation, terms, representatives=None):
    """Art. 28: workers' representatives are protected; flag standby/rotation terms naming one of them.
    `representatives`: the negotiation's, when the caller has them already (no second query)."""
    if representatives is None:
        representatives = negotiation.representatives.all()
    names = [r.name for r in representatives if r.side == "union"]
    flags = {}
    for t in terms:
        if t.kind in ("standby", "rotation") and t.current:
            blob = str(t.current.data) + (t.current.text or "")
            hit = [n for n in names if n and n in blob]
            if hit:
                flags[t.pk] = hit
    return flags


def comment_summary(draft: PublishedDraft):
    """Comments grouped by term with counts and the participation rate."""
    versions = list(
        draft.versions.select_related("term").annotate(n=Count("comments", filter=Q(comments__draft=draft))).order_by("term__number")
    )
    comments = Comment.objects.filter(draft=draft).select_related("link").order_by("term_version_id", "pk")
    by_version: dict[int, list] = {}
    for c in comments:
        by_version.setdefault(c.term_version_id, []).append(c)
    used = CommentLink.objects.filter(draft=draft, used=True).count()
    issued = CommentLink.objects.filter(draft=draft).count()
    rate = (used * 100 / draft.employee_count) if draft.employee_count else 0
    return {
        "versions": [(v, by_version.get(v.pk, [])) for v in versions],
        "issued": issued, "used": used, "rate": round(rate, 1), "employee_count": draft.employee_count,
    }
