"""Pure legal-aid law: no ORM, no clock. Eligibility (法律援助法 arts. 34, 42), the approval precondition
(art. 44) and the sweep's flags. Callers pass the facts (the hardship standard in force, today)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import EXEMPT_MATTERS, CaseState, Eligibility, Matter


@dataclass(frozen=True)
class EligibilityProposal:
    result: str
    explanation: str


def per_capita_income(household_monthly_income, household_size) -> Decimal | None:
    if not household_size or household_monthly_income is None:
        return None
    return (Decimal(household_monthly_income) / household_size).quantize(Decimal("0.01"))


def propose_eligibility(*, matter, is_migrant_worker, household_size, household_monthly_income, standard) -> EligibilityProposal:
    """The system's proposal. Staff decide (with a reason). `standard`: the HardshipStandard in force or None."""
    if is_migrant_worker and matter in EXEMPT_MATTERS:
        return EligibilityProposal(
            Eligibility.EXEMPT,
            _("申请人为进城务工人员，申请事项为“%(m)s”，依《法律援助法》第42条免予核查经济困难状况。") % {"m": Matter(matter).label},
        )
    if standard is None:
        return EligibilityProposal(Eligibility.UNKNOWN, _("申请人所在地区没有经济困难标准数据，请人工判断。"))
    per_capita = per_capita_income(household_monthly_income, household_size)
    if per_capita is None:
        return EligibilityProposal(Eligibility.UNKNOWN, _("缺少家庭人口或家庭月收入，无法按经济困难标准核查。"))
    sample = _("（示例数据，待核实）") if standard.is_sample else ""
    basis = _("%(region)s经济困难标准：家庭人均月收入不高于 %(limit)s 元（%(from)s起执行，%(source)s）%(sample)s") % {
        "region": standard.region, "limit": standard.monthly_income_per_capita, "from": standard.effective_from,
        "source": standard.source, "sample": sample,
    }
    if per_capita <= standard.monthly_income_per_capita:
        return EligibilityProposal(Eligibility.HARDSHIP, _("家庭人均月收入 %(pc)s 元，符合《法律援助法》第34条。") % {"pc": per_capita} + basis)
    return EligibilityProposal(Eligibility.NOT_ELIGIBLE, _("家庭人均月收入 %(pc)s 元，高于标准。") % {"pc": per_capita} + basis)


def is_urgent(limitation_date: dt.date | None, urgent_until: dt.date) -> bool:
    """art. 44: the limitation period or time limit ends on or before `urgent_until` (today + the urgent window)."""
    return limitation_date is not None and limitation_date <= urgent_until


def may_approve_now(state: str, urgent: bool) -> bool:
    """art. 44: an urgent case may start before the review is complete (documents still missing)."""
    return state == CaseState.SUBMITTED or urgent


def decision_flags(*, state: str, decision_due: dt.date | None, today: dt.date) -> tuple[bool, bool]:
    """(overdue, due_soon) for a case under review: only a case actually under review (not waiting for documents)."""
    if state != CaseState.SUBMITTED or decision_due is None:
        return False, False
    overdue = today > decision_due
    soon = not overdue and (decision_due - today).days <= 1
    return overdue, soon
