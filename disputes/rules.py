"""The law of dispute cases (劳动争议调解仲裁法), as pure functions of plain values: no ORM, no queries.

Services load what the law needs (the claims' kinds and amounts, the suspensions entered by
administrators, the local minimum wage in force) and call these; tests can call them directly.
Period arithmetic is `core.deadlines.compute_due` (the statutory rule ids `dispute.*`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext

from core.deadlines import compute_due

# Claim kinds by their stored value (disputes.models.ClaimKind; the TextChoices compare equal to these).
# 拖欠劳动报酬: art. 27(4) — no limitation while employment lasts, one year after it ends.
REMUNERATION_KINDS = frozenset({"wage_arrears", "standby_pay", "pay_cut"})
# 因执行国家的劳动标准在工作时间、休息休假、社会保险等方面发生的争议: art. 47(2), always final.
STANDARDS_KINDS = frozenset({"hours", "rest", "social_insurance"})
# Art. 47(1): 追索劳动报酬、工伤医疗费、经济补偿或者赔偿金.
MONEY_KINDS = REMUNERATION_KINDS | {"compensation", "work_injury", "dismissal"}
# Art. 16: a mediation agreement 因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项 may be enforced by a
# payment order (支付令): the same four heads as art. 47(1) (a dismissal claim is one for 赔偿金).
PAYMENT_ORDER_KINDS = MONEY_KINDS

COLLECTIVE_MIN_WORKERS = 10  # art. 7

# Which stored due date governs each stage (states by value).
STAGE_DUE_FIELD = {
    "filed": "limitation_due",
    "negotiation": "limitation_due",
    "mediation": "mediation_due",
    "mediated": "limitation_due",
    "mediation_failed": "limitation_due",
    "arbitration_applied": "acceptance_due",
    "accepted": "award_due",
    "hearing": "award_due",
    "awarded": "appeal_due",
    "payment_order": "limitation_due",
    "set_aside": "set_aside_suit_due",
    # "effective": `set_aside_due` while a final award can still be challenged (governing_due_field)
}
# Stages in which the limitation still matters (nothing brought before the arbitration commission yet).
BEFORE_ARBITRATION = frozenset({"filed", "negotiation", "mediation_failed", "mediated", "payment_order"})

# Days before a due date when the sweep warns (limitation gets a longer lead: it ends a claim for good).
WARN_DAYS = {"limitation_due": 30}
DEFAULT_WARN_DAYS = 5

# What an overdue date means for the parties, shown with the overdue flag.
OVERDUE_HINTS = {
    "limitation_due": "仲裁时效已届满：仍可申请仲裁，但对方可以提出时效抗辩；如有中止、中断事由请补录（第27条）。",
    "mediation_due": "调解期限已满未达成协议，当事人可以申请仲裁（第14条）。",
    "acceptance_due": "仲裁委员会逾期未作出受理决定的，申请人可以就该劳动争议事项向人民法院提起诉讼（第29条）。",
    "award_due": "仲裁庭逾期未作出裁决的，当事人可以就该劳动争议事项向人民法院提起诉讼（第43条）。",
    "appeal_due": "起诉期限已过：非终局裁决发生法律效力，逾期起诉不予受理（第50条）；终局裁决劳动者不能再起诉（第48条）。",
    "set_aside_due": "撤销申请期限已过：用人单位未在收到终局裁决书之日起三十日内申请撤销的，裁决不再可被撤销（第49条）。",
    "set_aside_suit_due": "裁决被撤销后，当事人未在收到裁定书之日起十五日内起诉（第49条第2款）；请核实后结案。",
}

MEDIATION_LAPSED = "调解期限届满未达成调解协议，当事人可以申请仲裁（劳动争议调解仲裁法第14条）。"
APPEAL_LAPSED = "起诉期限届满未起诉，裁决发生法律效力（劳动争议调解仲裁法第50条）。"
FINAL_APPEAL_LAPSED = (
    "劳动者未在收到裁决书之日起十五日内起诉（劳动争议调解仲裁法第48条）；终局裁决自作出之日起发生法律效力（第47条），"
    "用人单位仍可在收到裁决书之日起三十日内向中级人民法院申请撤销（第49条）。"
)
SET_ASIDE_LAPSED = "用人单位未在收到终局裁决书之日起三十日内申请撤销（劳动争议调解仲裁法第49条），裁决不再可被撤销。"


def set_aside_open(*, award_final: bool | None, applied_on: dt.date | None, lapsed_on: dt.date | None) -> bool:
    """A final award the employer may still apply to set aside (art. 49): no application made, window not lapsed."""
    return bool(award_final) and applied_on is None and lapsed_on is None


def governing_due_field(state: str, *, set_aside_open: bool = False) -> str | None:
    """The due date that governs a stage. An effective final award still has the employer's 30 days to apply
    to set it aside (art. 49) until they lapse or the application is made."""
    state = str(state)
    if state == "effective":
        return "set_aside_due" if set_aside_open else None
    return STAGE_DUE_FIELD.get(state)


def overdue_hint(state: str, *, set_aside_open: bool = False) -> str:
    field = governing_due_field(state, set_aside_open=set_aside_open)
    return OVERDUE_HINTS.get(field, "") if field else ""


def is_overdue(next_due: dt.date | None, today: dt.date) -> bool:
    return bool(next_due and next_due < today)


def warn_lead(field: str) -> int:
    return WARN_DAYS.get(field, DEFAULT_WARN_DAYS)


def max_warn_lead() -> int:
    return max([DEFAULT_WARN_DAYS, *WARN_DAYS.values()])


def warning_key(state: str, next_due: dt.date | None, today: dt.date, *, set_aside_open: bool = False) -> str | None:
    """The key of the due-soon warning owed today for this stage and date, or None (not due soon)."""
    field = governing_due_field(state, set_aside_open=set_aside_open)
    if not field or next_due is None or next_due < today or (next_due - today).days > warn_lead(field):
        return None
    return f"{field}:{next_due.isoformat()}"


def pair(due) -> tuple[dt.date, str]:
    return due.due, due.explanation


# --- limitation (art. 27) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suspension:
    """A period during which the limitation does not run (art. 27(3)), as entered by an administrator."""

    start: dt.date
    end: dt.date
    name: str
    source: str = ""


@dataclass
class Limitation:
    due: dt.date | None
    explanation: str


def compute_limitation(*, known_on: dt.date, claim_kinds: Iterable[str], suspensions: Iterable[Suspension] = (),
                       employment_ended_on: dt.date | None = None, interrupted_on: dt.date | None = None) -> Limitation:
    """The arbitration limitation date of a case, with the reasoning.

    - general rule `dispute.limitation`: one year from when the worker knew or should have known;
    - remuneration arrears (art. 27(4)): no limit while employment lasts; after it ends, one year from the
      end (`dispute.limitation_wage_arrears`);
    - an interruption (a request for mediation) restarts the period from that day (art. 27(2));
    - suspensions (art. 27(3)) extend it and are named.
    """
    kinds = {str(k) for k in claim_kinds}
    suspensions = list(suspensions)
    pauses = [(s.start, s.end) for s in suspensions]
    dues, parts = [], []
    has_pay = bool(kinds & REMUNERATION_KINDS)
    has_other = bool(kinds - REMUNERATION_KINDS) or not kinds

    def restart(start):
        if interrupted_on and interrupted_on > start:
            parts.append(f"{interrupted_on:%Y年%-m月%-d日}申请调解，仲裁时效中断，自中断之日起重新计算（劳动争议调解仲裁法第27条第2款）。")
            return interrupted_on
        return start

    def used(due):
        named = [s for s in suspensions if s.start <= due.period_end and s.end > due.start]
        if named and due.paused_days:
            parts.append("适用的时效中止期间：" + "、".join(
                f"{s.name}（{s.start}至{s.end}{'，' + s.source if s.source else ''}）" for s in named) + "。")

    if has_other:
        start = restart(known_on)
        due = compute_due("dispute.limitation", start, pauses=pauses)
        prefix = "【其他请求】" if has_pay else ""
        parts.append(prefix + due.explanation)
        used(due)
        dues.append(due.due)
    if has_pay:
        if employment_ended_on:
            start = restart(employment_ended_on)
            due = compute_due("dispute.limitation_wage_arrears", start, pauses=pauses)
            parts.append("【劳动报酬请求】劳动关系已于" + f"{employment_ended_on:%Y年%-m月%-d日}终止：" + due.explanation)
            used(due)
            dues.append(due.due)
        else:
            parts.append(
                "【劳动报酬请求】劳动关系存续期间因拖欠劳动报酬发生争议的，不受一年仲裁时效期间的限制；"
                "劳动关系终止的，应当自终止之日起一年内提出（劳动争议调解仲裁法第27条第4款）。"
            )
    if len(dues) > 1:
        parts.append(f"以最早届满日{min(dues):%Y年%-m月%-d日}为本案仲裁时效届满日。")
    return Limitation(min(dues) if dues else None, "\n".join(parts))


def mediation_interrupts(on: dt.date, limitation_due: dt.date | None) -> bool:
    """A request for mediation made while the limitation still runs interrupts it (art. 27(2))."""
    return bool(limitation_due and on <= limitation_due)


def late_arbitration_warning(on: dt.date, limitation_due: dt.date | None) -> str:
    if limitation_due and on > limitation_due:
        return f"注意：申请日已超过仲裁时效届满日{limitation_due}，对方可能提出时效抗辩。"
    return ""


# --- stage deadlines ----------------------------------------------------------------------------------


def mediation_due(on: dt.date):
    return compute_due("dispute.mediation", on)


def acceptance_due(on: dt.date):
    return compute_due("dispute.acceptance", on)


def award_due(accepted_on: dt.date):
    return compute_due("dispute.award", accepted_on)


def award_extension_due(award_due_on: dt.date):
    """Art. 43: the award period may be extended once, by up to 15 days, from the current due date."""
    return compute_due("dispute.award_extension", award_due_on)


def appeal_due(received_on: dt.date):
    return compute_due("dispute.appeal", received_on)


def set_aside_due(received_on: dt.date):
    """Art. 49: the employer may apply to set a final award aside within 30 days of receiving it."""
    return compute_due("dispute.set_aside", received_on)


def suit_after_set_aside_due(ruling_received_on: dt.date):
    """Art. 49 para. 2: after the court sets the award aside, a party may sue within 15 days of receiving the ruling."""
    return compute_due("dispute.suit_after_set_aside", ruling_received_on)


def _d(day: dt.date | None) -> str:
    return f"{day:%Y年%-m月%-d日}" if day else "（未记录）"


def _shown(day: dt.date | None) -> str:
    """A date in a message shown to the person asking, in their language (2026年12月18日 / Dec. 18, 2026)."""
    return date_format(day) if day else gettext("（未记录）")


def employer_final_award() -> str:
    return gettext("该裁决为终局裁决，用人单位不能起诉，只能自收到裁决书之日起三十日内向中级人民法院申请撤销（第49条）。")


def suit_refusal(*, by: str, state: str, award_final: bool | None, on: dt.date | None = None,
                 acceptance_due: dt.date | None = None, award_due: dt.date | None = None,
                 appeal_due: dt.date | None = None, set_aside_suit_due: dt.date | None = None) -> str:
    """Why a suit filed on `on` by `by` ("worker" or "employer") is refused at this stage, or "" (it may go ahead).

    Arbitration comes before court (art. 5) except where the law opens the court:
    - art. 29: the commission did not decide on acceptance within its period (filed after `acceptance_due`), or
      refused to accept: the applicant (the worker) may sue;
    - art. 43: no award by `award_due` (45 days, +15 if extended): either party may sue;
    - art. 48/49: a final award: the worker may sue within 15 days of receipt, the employer may not sue (only apply
      to the intermediate court to set it aside); art. 49 para. 2: once set aside, either party within 15 days of
      receiving the ruling;
    - art. 50: any other award: either party within 15 days of receipt; later, the award is in force and the suit
      is refused.
    A period's last day still belongs to it: filing on `…_due` is in time (or, for arts. 29/43, still too early).
    """
    state = str(state)
    if state in ("arbitration_applied", "not_accepted") and by != "worker":
        return gettext("仲裁委员会逾期未作出受理决定或者决定不予受理的，由申请人（劳动者）向人民法院起诉（第29条）。")
    if on is None:
        return ""
    if state == "arbitration_applied" and (acceptance_due is None or on <= acceptance_due):
        return gettext("仲裁委员会自收到仲裁申请之日起五日内决定是否受理，该期限至%(d)s届满；"
                       "期满未作出决定或者决定不予受理的，申请人才可以向人民法院起诉（第29条）。") % {"d": _shown(acceptance_due)}
    if state in ("accepted", "hearing") and (award_due is None or on <= award_due):
        return gettext("仲裁裁决期限至%(d)s届满；仲裁庭逾期未作出仲裁裁决的，当事人才可以就该劳动争议事项"
                       "向人民法院起诉（第43条）。") % {"d": _shown(award_due)}
    if state in ("awarded", "set_aside_applied"):
        if award_final:
            if by == "employer":
                return employer_final_award()
            if appeal_due and on > appeal_due:
                return gettext("劳动者对终局裁决不服的，应自收到仲裁裁决书之日起十五日内向人民法院起诉（第48条）；"
                               "该期限已于%(d)s届满。") % {"d": _shown(appeal_due)}
        elif appeal_due and on > appeal_due:
            return gettext("起诉期限已于%(d)s届满：当事人对非终局裁决不服的，应自收到裁决书之日起十五日内起诉，"
                           "期满不起诉的，裁决书发生法律效力，逾期起诉不予受理（第50条）。") % {"d": _shown(appeal_due)}
    if state == "set_aside" and set_aside_suit_due and on > set_aside_suit_due:
        return gettext("仲裁裁决被人民法院裁定撤销的，当事人应自收到裁定书之日起十五日内起诉（第49条第2款）；"
                       "该期限已于%(d)s届满。") % {"d": _shown(set_aside_suit_due)}
    return ""


def set_aside_refusal(*, award_final: bool | None, on: dt.date, set_aside_due: dt.date | None) -> str:
    """Art. 49: only a final award can be set aside, on the employer's application within 30 days of receipt."""
    if not award_final:
        return gettext("只有终局裁决可以申请撤销（第49条）；本裁决为非终局裁决，当事人不服的，应自收到裁决书之日起"
                       "十五日内向人民法院起诉（第50条）。")
    if set_aside_due is None or on > set_aside_due:
        return gettext("用人单位应自收到终局裁决书之日起三十日内向中级人民法院申请撤销（第49条）；该期限已于"
                       "%(d)s届满，裁决不再可被撤销。") % {"d": _shown(set_aside_due)}
    return ""


# --- payment order (art. 16) -------------------------------------------------------------------------


def payment_order_refusal(*, claim_kinds: Iterable[str], on: dt.date, performance_due: dt.date | None) -> str:
    """Art. 16: only for a mediation agreement on pay, work-injury medical costs, economic compensation or
    damages, and only once the employer has let the agreed time for performance pass."""
    kinds = {str(k) for k in claim_kinds}
    if not kinds & PAYMENT_ORDER_KINDS:
        return gettext("支付令只适用于因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成的调解协议（第16条）；"
                       "本案请求不属于这些事项。一方在约定期限内不履行调解协议的，另一方可以依法申请仲裁（第15条）。")
    if performance_due is not None and on <= performance_due:
        return gettext("调解协议约定的履行期限至%(d)s届满；用人单位在约定期限内不履行的，劳动者才可以"
                       "持调解协议书向人民法院申请支付令（第16条）。") % {"d": _shown(performance_due)}
    return ""


def payment_order_items(claim_kinds: Iterable[str]) -> list[str]:
    """The claim kinds a payment order can cover (art. 16), in the order given."""
    return [k for k in (str(k) for k in claim_kinds) if k in PAYMENT_ORDER_KINDS]


# --- award finality (art. 47) -----------------------------------------------------------------------


@dataclass(frozen=True)
class MinimumWage:
    """The local monthly minimum wage in force on the award date (core.models.MinimumWage, as plain values)."""

    monthly: Decimal
    region: str
    effective_from: dt.date
    source: str
    is_sample: bool = False


@dataclass(frozen=True)
class Claim:
    pk: int
    kind: str
    label: str
    amount: Decimal | None


def award_finality(*, claims: Iterable[Claim], on: dt.date, region: str, minimum_wage: MinimumWage | None,
                   awarded: dict | None = None) -> tuple[bool, str]:
    """Whether an award is final for the employer, with the reasoning shown to users.

    Final when every item is a standards dispute (hours, rest, social insurance) or a money claim of
    art. 47(1) within 12 months of the local monthly minimum wage; an award mixing final and non-final
    items is treated as non-final (最高法劳动争议解释（一）第20条).
    """
    awarded = awarded or {}
    claims = list(claims)
    mw = minimum_wage
    lines = []
    cap = None
    if mw:
        cap = mw.monthly * 12
        sample = "，示例数据待核实" if mw.is_sample and "示例" not in mw.source else ""
        lines.append(
            f"当地月最低工资标准：{mw.monthly}元（{mw.region}，{mw.effective_from:%Y年%-m月%-d日}起执行，{mw.source}{sample}），"
            f"十二个月金额为{cap}元。"
        )
    else:
        lines.append(f"未找到{region}在{on:%Y年%-m月%-d日}适用的最低工资标准，涉及金额的事项无法认定为终局，按非终局处理，请补录最低工资标准。")
    all_final = bool(claims)
    for c in claims:
        amount = awarded.get(c.pk, c.amount)
        label = c.label
        if c.kind in STANDARDS_KINDS:
            lines.append(f"· {label}：因执行国家劳动标准发生的争议，终局（第47条第2项）。")
            continue
        if c.kind not in MONEY_KINDS:
            lines.append(f"· {label}：不属于第47条所列事项，非终局。")
            all_final = False
        elif amount is None:
            lines.append(f"· {label}：未载明金额，非终局。")
            all_final = False
        elif cap is None:
            lines.append(f"· {label}：{amount}元，缺少最低工资标准，非终局。")
            all_final = False
        elif Decimal(amount) <= cap:
            lines.append(f"· {label}：{amount}元，不超过{cap}元，终局（第47条第1项）。")
        else:
            lines.append(f"· {label}：{amount}元，超过{cap}元，非终局。")
            all_final = False
    if all_final:
        lines.append(
            "结论：终局裁决。裁决书自作出之日起发生法律效力；用人单位不得起诉（可自收到裁决书之日起三十日内向中级人民法院申请撤销，第49条）；"
            "劳动者不服的，可自收到裁决书之日起十五日内起诉（第48条）。"
        )
    else:
        lines.append("结论：非终局裁决。当事人不服的，可自收到裁决书之日起十五日内向人民法院起诉（第50条）。")
    return all_final, "\n".join(lines)


# --- opening (arts. 7, 27) ------------------------------------------------------------------------


def opening_errors(*, is_collective: bool, representative: str, workers: int, claims: int, known_on: dt.date | None,
                   employment_ended_on: dt.date | None, filed_on: dt.date) -> dict[str, str]:
    errors = {}
    # Art. 7: ten or more workers with a common claim; they *may* choose representatives (not required).
    if is_collective:
        if workers < COLLECTIVE_MIN_WORKERS:
            errors["workers"] = f"集体争议须有{COLLECTIVE_MIN_WORKERS}名以上职工（劳动争议调解仲裁法第7条），现有{workers}名。"
    elif workers != 1:
        errors["workers"] = f"个人争议应填写一名职工；{COLLECTIVE_MIN_WORKERS}名以上职工有共同请求的，请按集体争议登记。"
    if not claims:
        errors["claims"] = "请至少填写一项请求。"
    if known_on and known_on > filed_on:
        errors["known_on"] = "知道权利被侵害之日不能晚于立案日。"
    if employment_ended_on and employment_ended_on > filed_on:
        errors["employment_ended_on"] = "劳动关系终止日不能晚于立案日。"
    return errors
