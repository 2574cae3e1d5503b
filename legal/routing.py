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


def disqualifications(firm: FirmInfo, case: CaseInfo) -> list[str]:
    reasons = []
    if not firm.active:
        reasons.append(_("暂停接受指派"))
    if not any(case.region_path.startswith(p) for p in firm.region_paths):
        reasons.append(_("不服务申请人所在地区"))
    if case.matter not in firm.matters:
        reasons.append(_("不承办该类事项"))
    if firm.open_cases >= firm.capacity:
        reasons.append(_("已满负荷（%(open)d/%(cap)d）") % {"open": firm.open_cases, "cap": firm.capacity})
    if case.employer_id is not None and case.employer_id in firm.conflict_employer_ids:
        reasons.append(_("正在代理对方用人单位（利益冲突）"))
    if firm.id in case.declined_firm_ids:
        reasons.append(_("已拒绝或超时未答复本案"))
    return reasons


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def sort_key(firm: FirmInfo):
    return (firm.load_ratio, firm.last_assigned_at or _NEVER, firm.id)


def describe(firm: FirmInfo) -> str:
    last = firm.last_assigned_at.strftime("%Y-%m-%d %H:%M") if firm.last_assigned_at else _("从未指派")
    return _("%(name)s：负载 %(open)d/%(cap)d（%(pct)d%%），最近指派 %(last)s") % {
        "name": firm.name, "open": firm.open_cases, "cap": firm.capacity,
        "pct": round(float(firm.load_ratio) * 100), "last": last,
    }


def choose_firm(case: CaseInfo, firms: list[FirmInfo]) -> RoutingResult:
    qualified, rejected = [], {}
    for firm in firms:
        reasons = disqualifications(firm, case)
        if reasons:
            rejected[firm.id] = reasons
        else:
            qualified.append(firm)
    names = {f.id: f.name for f in firms}
    lines_out = [_("%(name)s 不符合：%(why)s") % {"name": names[i], "why": "；".join(r)} for i, r in rejected.items()]
    if not qualified:
        text = _("没有符合条件的合作律所。") + ("\n" + "\n".join(lines_out) if lines_out else "")
        return RoutingResult(None, text, [], rejected)
    qualified.sort(key=sort_key)
    best = qualified[0]
    why = [_("选择 %(desc)s。") % {"desc": describe(best)}]
    if len(qualified) > 1:
        runner = qualified[1]
        if runner.load_ratio == best.load_ratio:
            why.append(_("与 %(other)s 负载相同，按最久未获指派优先。") % {"other": runner.name})
        else:
            why.append(_("在 %(n)d 家符合条件的律所中负载最低。") % {"n": len(qualified)})
        why += ["  · " + describe(f) for f in qualified[1:]]
    else:
        why.append(_("是唯一符合条件的律所。"))
    return RoutingResult(best, "\n".join(why + lines_out), qualified, rejected)


def load_candidates(case) -> tuple[CaseInfo, list[FirmInfo]]:
    """Read the routing inputs for `case` (a LegalAidCase with its applicant region) from the database in at
    most three flat queries, whatever the number of cases: the firms with their regions and their open-case
    counters (one row per firm and region), the firms in conflict with the opposing employer (only when the
    employer is known), the firms that declined or let this case time out (only for a saved case). No model
    instances (this runs once per routing decision)."""
    from .models import FirmEngagement, FirmProfile, RoutingAttempt

    rows = FirmProfile.objects.order_by("organisation_id").values_list(
        "organisation_id", "organisation__name", "organisation__is_active", "matters", "capacity", "is_active",
        "last_assigned_at", "open_cases", "response_rule_id", "regions__path",
    )
    by_firm: dict[int, tuple] = {}
    paths: dict[int, list[str]] = {}
    for row in rows:
        by_firm.setdefault(row[0], row)
        if row[9] is not None:
            paths.setdefault(row[0], []).append(row[9])
    conflicts: set[int] = set()
    if case.opposing_employer_id:
        conflicts = set(FirmEngagement.objects.filter(employer_id=case.opposing_employer_id, ended_on__isnull=True).values_list("firm_id", flat=True))
    declined = frozenset(
        RoutingAttempt.objects.filter(
            case=case, outcome__in=[RoutingAttempt.Result.DECLINED, RoutingAttempt.Result.TIMED_OUT]
        ).values_list("firm_id", flat=True)
    ) if case.pk else frozenset()
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
            conflict_employer_ids=employer if firm_id in conflicts else frozenset(),
            response_rule_id=rule_id,
        )
        for firm_id, name, org_active, matters, capacity, profile_active, last, open_cases, rule_id, _path in by_firm.values()
    ]
    info = CaseInfo(
        region_path=case.applicant_region.path,
        matter=case.matter,
        employer_id=case.opposing_employer_id,
        declined_firm_ids=declined,
    )
    return info, firms
