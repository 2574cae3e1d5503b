"""Choosing a partner firm for an approved legal-aid case (DOMAIN.md §4), as pure, explainable logic.

A firm qualifies when it
  1. is active,
  2. serves the applicant's region (one of its regions is the applicant's region or an ancestor of it),
  3. covers the matter,
  4. has free capacity (open cases < capacity; open = offered, accepted or in progress),
  5. has no conflict: it has no open engagement for the opposing employer (FirmEngagement rows with no end
     date — an explicit register, not derived from other cases, because a firm's work for an employer is
     mostly outside this service),
  6. has never declined this case (and never let an offer of it time out: a timeout counts as a decline,
     so a case never ping-pongs back).
Among qualified firms the lowest load ratio (open / capacity) wins; ties go to the firm whose last
assignment is longest ago (never assigned = longest), then to the lower id for a stable answer.

`choose_firm` takes plain values and returns the choice with a human-readable explanation; `load_candidates`
reads them from the database in a fixed number of queries. A firm's open cases are not counted per decision:
they are the counter on its profile, kept by `legal.services.load` in the same transaction as every offer,
withdrawal, decline, timeout and closing (issue 14: counting every open case per decision made routing
quadratic in the number of cases).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FirmInfo:
    id: int
    name: str
    region_paths: tuple[str, ...]
    matters: frozenset[str]
    capacity: int
    active: bool
    open_cases: int
    last_assigned_at: dt.datetime | None
    conflict_employer_ids: frozenset[int] = frozenset()
    response_rule_id: str = "legal_aid.firm_response"
    # the response rule's fields (core.DeadlineRule), read with the firm so an offer needs no query for it
    response_rule: dict | None = field(default=None, compare=False, hash=False)

    @property
    def load_ratio(self) -> Fraction:
        return Fraction(self.open_cases, self.capacity) if self.capacity else Fraction(1)


@dataclass(frozen=True)
class CaseInfo:
    region_path: str
    matter: str
    employer_id: int | None
    declined_firm_ids: frozenset[int] = frozenset()


@dataclass
class RoutingResult:
    firm: FirmInfo | None
    explanation: str
    qualified: list[FirmInfo] = field(default_factory=list)
    rejected: dict[int, list[str]] = field(default_factory=dict)  # firm id → reasons it does not qualify


class _Texts:
    """The explanation's phrases, translated once per decision (not once per firm: with 50 firms the
    translation lookups were most of the pure choice's time)."""

    def __init__(self):
        self.inactive = _("暂停接受指派")
        self.region = _("不服务申请人所在地区")
        self.matter = _("不承办该类事项")
        self.full = _("已满负荷（%(open)d/%(cap)d）")
        self.conflict = _("正在代理对方用人单位（利益冲突）")
        self.declined = _("已拒绝或超时未答复本案")
        self.never = _("从未指派")
        self.describe = _("%(name)s：负载 %(open)d/%(cap)d（%(pct)d%%），最近指派 %(last)s")


def disqualifications(firm: FirmInfo, case: CaseInfo, texts: _Texts | None = None) -> list[str]:
    t = texts or _Texts()
    reasons = []
    if not firm.active:
        reasons.append(t.inactive)
    if not any(case.region_path.startswith(p) for p in firm.region_paths):
        reasons.append(t.region)
    if case.matter not in firm.matters:
        reasons.append(t.matter)
    if firm.open_cases >= firm.capacity:
        reasons.append(t.full % {"open": firm.open_cases, "cap": firm.capacity})
    if case.employer_id is not None and case.employer_id in firm.conflict_employer_ids:
        reasons.append(t.conflict)
    if firm.id in case.declined_firm_ids:
        reasons.append(t.declined)
    return reasons


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def sort_key(firm: FirmInfo):
    """Capacity-aware: the lowest share of its own capacity in use first (exact fractions, so 2/4 and 5/10
    tie), then the longest since its last assignment (never assigned first), then the lower id: every
    decision is deterministic."""
    return (firm.load_ratio, firm.last_assigned_at or _NEVER, firm.id)


def describe(firm: FirmInfo, texts: _Texts | None = None) -> str:
    t = texts or _Texts()
    last = firm.last_assigned_at.strftime("%Y-%m-%d %H:%M") if firm.last_assigned_at else t.never
    return t.describe % {
        "name": firm.name, "open": firm.open_cases, "cap": firm.capacity,
        "pct": round(firm.open_cases * 100 / firm.capacity) if firm.capacity else 100, "last": last,
    }


def choose_firm(case: CaseInfo, firms: list[FirmInfo]) -> RoutingResult:
    t = _Texts()
    qualified, rejected = [], {}
    for firm in firms:
        reasons = disqualifications(firm, case, t)
        if reasons:
            rejected[firm.id] = reasons
        else:
            qualified.append(firm)
    names = {f.id: f.name for f in firms}
    not_qualified = _("%(name)s 不符合：%(why)s")
    lines_out = [not_qualified % {"name": names[i], "why": "；".join(r)} for i, r in rejected.items()]
    if not qualified:
        text = _("没有符合条件的合作律所。") + ("\n" + "\n".join(lines_out) if lines_out else "")
        return RoutingResult(None, text, [], rejected)
    qualified.sort(key=sort_key)
    best = qualified[0]
    why = [_("选择 %(desc)s。") % {"desc": describe(best, t)}]
    if len(qualified) > 1:
        runner = qualified[1]
        if runner.load_ratio == best.load_ratio:
            why.append(_("与 %(other)s 负载相同，按最久未获指派优先。") % {"other": runner.name})
        else:
            why.append(_("在 %(n)d 家符合条件的律所中负载最低。") % {"n": len(qualified)})
        why += ["  · " + describe(f, t) for f in qualified[1:]]
    else:
        why.append(_("是唯一符合条件的律所。"))
    return RoutingResult(best, "\n".join(why + lines_out), qualified, rejected)


_RULE_FIELDS = ("name", "length", "unit", "roll_to_working_day", "source", "note", "needs_verification")


def load_candidates(case) -> tuple[CaseInfo, list[FirmInfo]]:
    """Read the routing inputs for `case` (a LegalAidCase; only its pk, matter, opposing_employer_id and
    applicant_region_id are used) from the database in ONE query, whatever the number of cases or firms: one
    row per firm and served region, with the firm's open-case counter (kept by legal.services.load: no case
    is counted here), its response rule, whether it holds an open engagement for the opposing employer,
    whether it declined or let this case time out, and the applicant region's path. No model instances
    (this runs once per routing decision)."""
    from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery, Value

    from accounts.models import Region

    from .models import FirmEngagement, FirmProfile, RoutingAttempt

    def among(firm_ids) -> ExpressionWrapper:
        # an uncorrelated IN (subquery): evaluated once per decision through its own index (engagements by
        # employer, attempts by case), never once per firm over every attempt that firm ever had
        return ExpressionWrapper(Q(organisation_id__in=Subquery(firm_ids)), output_field=BooleanField())

    if case.opposing_employer_id:
        conflict = among(FirmEngagement.objects.filter(employer_id=case.opposing_employer_id, ended_on__isnull=True)
                         .order_by().values("firm_id"))
    else:
        conflict = Value(False, output_field=BooleanField())
    if case.pk:
        declined = among(RoutingAttempt.objects.filter(
            case_id=case.pk, outcome__in=[RoutingAttempt.Result.DECLINED, RoutingAttempt.Result.TIMED_OUT]).order_by().values("firm_id"))
    else:
        declined = Value(False, output_field=BooleanField())
    rows = FirmProfile.objects.annotate(
        conflict=conflict, declined=declined,
        case_region_path=Subquery(Region.objects.filter(pk=case.applicant_region_id).values("path")[:1]),
    ).order_by("organisation_id").values_list(
        "organisation_id", "organisation__name", "organisation__is_active", "matters", "capacity", "is_active",
        "last_assigned_at", "open_cases", "response_rule_id", "conflict", "declined", "regions__path", "case_region_path",
        *(f"response_rule__{f}" for f in _RULE_FIELDS),
    )
    by_firm: dict[int, tuple] = {}
    paths: dict[int, list[str]] = {}
    region_path = None
    for row in rows:
        by_firm.setdefault(row[0], row)
        if row[11] is not None:
            paths.setdefault(row[0], []).append(row[11])
        region_path = row[12]
    if region_path is None:  # no firm at all: the region is still needed for the explanation's caller
        region_path = Region.objects.filter(pk=case.applicant_region_id).values_list("path", flat=True).first() or ""
    employer = frozenset({case.opposing_employer_id}) if case.opposing_employer_id else frozenset()
    firms = [
        FirmInfo(
            id=firm_id,
            name=name,
            region_paths=tuple(paths.get(firm_id, ())),
            matters=frozenset(matters or ()),
            capacity=capacity,
            active=profile_active and org_active,
            open_cases=open_cases,
            last_assigned_at=last,
            conflict_employer_ids=employer if conflict else frozenset(),
            response_rule_id=rule_id,
            response_rule=dict(zip(("id", *_RULE_FIELDS), (rule_id, *rule))),
        )
        for (firm_id, name, org_active, matters, capacity, profile_active, last, open_cases, rule_id, conflict, _declined,
             _path, _case_path, *rule) in by_firm.values()
    ]
    info = CaseInfo(
        region_path=region_path,
        matter=case.matter,
        employer_id=case.opposing_employer_id,
        declined_firm_ids=frozenset(row[0] for row in by_firm.values() if row[10]),
    )
    return info, firms
