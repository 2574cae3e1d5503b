"""Pure legal-aid law: no ORM, no clock. Eligibility and its exemptions (法律援助法 arts. 32, 34, 42), the
decision period's document pauses (art. 43), urgency and the approval precondition (art. 44), and the
sweep's flags. Callers pass the facts (the hardship standard in force, today, the window length)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import EXEMPT_MATTERS, EXEMPTION_ARTICLES, CaseState, Eligibility, ExemptionGround, Matter

def law() -> str:
    return _("《法律援助法》")


@dataclass(frozen=True)
class EligibilityProposal:
    result: str
    explanation: str
    ground: str = ""  # the ExemptionGround that applies, "" when none does


def per_capita_income(household_monthly_income, household_size) -> Decimal | None:
    if not household_size or household_monthly_income is None:
        return None
    return (Decimal(household_monthly_income) / household_size).quantize(Decimal("0.01"))


def exemption_citation(ground: str) -> str:
    """'《法律援助法》第42条第3项' for a ground."""
    article, item = EXEMPTION_ARTICLES[ExemptionGround(ground)]
    return _("%(law)s第%(a)d条第%(i)d项") % {"law": law(), "a": article, "i": item}


def exemption_explanation(ground: str) -> str:
    """The ground, its provision and what it means: art. 32 lifts the condition, art. 42 waives the check."""
    g = ExemptionGround(ground)
    article, _item = EXEMPTION_ARTICLES[g]
    if article == 32:
        effect = _("当事人申请法律援助不受经济困难条件的限制")
    else:
        effect = _("申请人有材料证明属于该类人员的，免予核查经济困难状况")
    return _("免审情形：%(ground)s。依%(cite)s，%(effect)s。") % {"ground": g.label, "cite": exemption_citation(g), "effect": effect}


def migrant_worker_exempt(*, matter, is_migrant_worker) -> bool:
    """Art. 42(3): a migrant worker applying for pay or for work-injury compensation."""
    return bool(is_migrant_worker) and matter in EXEMPT_MATTERS


def propose_exemption(*, claimed: str, matter, is_migrant_worker) -> tuple[str, str]:
    """(ground, note). The ground staff recorded applies as stated (they hold the supporting documents, art. 42),
    except the migrant-worker ground, which the facts on the form decide. Without a recorded ground, a migrant
    worker claiming pay or work-injury compensation is proposed under art. 42(3)."""
    note = ""
    if claimed == ExemptionGround.MIGRANT_WORKER and not migrant_worker_exempt(matter=matter, is_migrant_worker=is_migrant_worker):
        note = _("所选免审情形不成立：%(cite)s仅适用于申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员。") % {
            "cite": exemption_citation(ExemptionGround.MIGRANT_WORKER)}
        claimed = ""
    if claimed:
        return claimed, note
    if migrant_worker_exempt(matter=matter, is_migrant_worker=is_migrant_worker):
        return ExemptionGround.MIGRANT_WORKER, note
    return "", note


def propose_eligibility(*, matter, is_migrant_worker, household_size, household_monthly_income, standard,
                        exemption_ground: str = "") -> EligibilityProposal:
    """The system's proposal. Staff decide (with a reason). `standard`: the HardshipStandard in force or None.
    `exemption_ground`: the ground staff recorded on the application (blank when none)."""
    ground, note = propose_exemption(claimed=exemption_ground or "", matter=matter, is_migrant_worker=is_migrant_worker)
    if ground:
        text = exemption_explanation(ground)
        if ground == ExemptionGround.MIGRANT_WORKER:
            text = _("申请人为进城务工人员，申请事项为“%(m)s”。") % {"m": Matter(matter).label} + text
        return EligibilityProposal(Eligibility.EXEMPT, note + text, ground)
    if standard is None:
        return EligibilityProposal(Eligibility.UNKNOWN, note + _("申请人所在地区没有经济困难标准数据，请人工判断。"))
    per_capita = per_capita_income(household_monthly_income, household_size)
    if per_capita is None:
        return EligibilityProposal(Eligibility.UNKNOWN, note + _("缺少家庭人口或家庭月收入，无法按经济困难标准核查。"))
    sample = _("（示例数据，待核实）") if standard.is_sample else ""
    basis = _("%(region)s经济困难标准：家庭人均月收入不高于 %(limit)s 元（%(from)s起执行，%(source)s）%(sample)s") % {
        "region": standard.region, "limit": standard.monthly_income_per_capita, "from": standard.effective_from,
        "source": standard.source, "sample": sample,
    }
    if per_capita <= standard.monthly_income_per_capita:
        return EligibilityProposal(Eligibility.HARDSHIP, note + _("家庭人均月收入 %(pc)s 元，符合《法律援助法》第34条。") % {"pc": per_capita} + basis)
    return EligibilityProposal(Eligibility.NOT_ELIGIBLE, note + _("家庭人均月收入 %(pc)s 元，高于标准。") % {"pc": per_capita} + basis)


# --- the decision period (art. 43) ------------------------------------------------------------------
def document_pause(requested_on: dt.date, supplied_on: dt.date, received_on: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of the decision period that do not count because the applicant was supplying requested
    documents (art. 43; 《办理法律援助案件程序规定》: 申请人补充材料、作出说明所需的时间不计入审查期限).

    The applicant spends `supplied_on - requested_on` days (counted like any period from an event, 民法典
    art. 201) and the period is extended by exactly that many days, whenever the request is made:

    - the pause runs from the request day through the day before the documents arrive; the day they arrive
      counts again;
    - a request on the day the application was received (day 0, itself outside the period, which starts the
      next day) pauses from day 1 instead, so that no day of the period is lost;
    - documents supplied on the day they were asked for pause nothing (None).
    """
    n = (supplied_on - requested_on).days
    if n <= 0:
        return None
    first = max(requested_on, received_on + dt.timedelta(days=1))
    return first, first + dt.timedelta(days=n - 1)


# --- urgency (art. 44) ------------------------------------------------------------------------------
def days_left(limitation_date: dt.date, today: dt.date) -> int:
    """A plain count of calendar days from today to the last day of the limitation period or time limit."""
    return (limitation_date - today).days


def is_urgent(limitation_date: dt.date | None, today: dt.date, window_days: int) -> bool:
    """Art. 44(1): FEWER than `window_days` (七日) left before the period ends: 7 days left is not urgent.
    A plain count of calendar days: a weekend or holiday does not stretch the window (it is not a due date,
    民法典 art. 203 does not apply)."""
    return limitation_date is not None and days_left(limitation_date, today) < window_days


def urgency_explanation(limitation_date: dt.date | None, today: dt.date, window_days: int) -> str:
    if limitation_date is None:
        return ""
    n = days_left(limitation_date, today)
    if is_urgent(limitation_date, today, window_days):
        verdict = _("不足%(w)d日，可以先行提供法律援助") % {"w": window_days}
    else:
        verdict = _("不少于%(w)d日，不属于紧急情形") % {"w": window_days}
    return _("距时效或期限届满（%(d)s）还有%(n)d日（按自然日计算，不因休息日顺延），%(verdict)s（%(law)s第44条第1项）。") % {
        "d": limitation_date.isoformat(), "n": n, "verdict": verdict, "law": law()}


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
