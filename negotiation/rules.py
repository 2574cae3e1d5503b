"""Pure checks that a negotiation's data must pass, each refusing with a message that cites its article."""
from __future__ import annotations

import datetime as dt

from core.deadlines import add_months


def check_contract_term(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return "合同期限的终止日期必须晚于起始日期。"
    last = add_months(start, 36)[0] - dt.timedelta(days=1)
    first = add_months(start, 12)[0] - dt.timedelta(days=1)
    if end > last or end < first:
        return "集体合同或专项集体合同期限一般为1至3年（集体合同规定第38条）。"
    return None


from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

HOURS_SRC = "《国务院关于职工工作时间的规定》第3条"
REST_SRC = "《劳动法》第38条"
OT_SRC = "《劳动法》第41条"
FLEX_SRC = "《劳动法》第39条"
WAGE_SRC = "《最低工资规定》及本地区最低工资标准"
STANDBY_SRC = "《工资支付暂行规定》第12条"
WEEKDAYS = {1, 2, 3, 4, 5, 6, 7}


# --- representatives (集体合同规定 arts. 19–24) -------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One breach of the representative rules: a stable `code` callers decide on, the cited `message`
    shown to people, and the `side` it concerns ("" when it concerns both)."""

    code: str
    message: str
    side: str = ""

    def __str__(self):
        return self.message


TOO_FEW = "too_few"  # art. 19: at least 3 per side
CHIEF_COUNT = "chief_count"  # art. 19: exactly one chief per side
OUTSIDER_CHIEF = "outsider_chief"  # art. 23
TOO_MANY_OUTSIDERS = "too_many_outsiders"  # art. 23: at most 1/3
UNEQUAL = "unequal"  # art. 19: equal numbers
BOTH_SIDES = "both_sides"  # art. 24
# A representative leaving mid-negotiation opens a vacancy (art. 31), not a refusal.
VACANCY_CODES = frozenset({TOO_FEW, UNEQUAL})


def check_representatives(reps) -> list[Problem]:
    """`reps`: objects with side, name, id_last4, is_chief, is_outsider."""
    problems = []
    sides = {"union": [], "employer": []}
    for r in reps:
        sides.setdefault(r.side, []).append(r)
    labels = {"union": "职工方", "employer": "用人单位方"}
    for side, people in sides.items():
        if len(people) < 3:
            problems.append(Problem(TOO_FEW, f"{labels[side]}协商代表不得少于3人（集体合同规定第19条），现有{len(people)}人。", side))
        chiefs = [p for p in people if p.is_chief]
        if len(chiefs) != 1:
            problems.append(Problem(CHIEF_COUNT, f"{labels[side]}应有且只有一名首席代表（集体合同规定第19条）。", side))
        if any(p.is_chief and p.is_outsider for p in people):
            problems.append(Problem(OUTSIDER_CHIEF, f"{labels[side]}的外聘人员不得担任首席代表（集体合同规定第23条）。", side))
        outsiders = sum(1 for p in people if p.is_outsider)
        if people and outsiders * 3 > len(people):
            problems.append(Problem(TOO_MANY_OUTSIDERS, f"{labels[side]}委托的外聘人员不得超过本方代表的三分之一（集体合同规定第23条）。", side))
    if len(sides["union"]) != len(sides["employer"]):
        problems.append(Problem(UNEQUAL, "双方协商代表人数应当对等（集体合同规定第19条）。"))
    keys = {(p.name.strip(), (p.id_last4 or "").strip()) for p in sides["union"]}
    both = [p.name for p in sides["employer"] if (p.name.strip(), (p.id_last4 or "").strip()) in keys]
    if both:
        problems.append(Problem(BOTH_SIDES, f"协商代表不得由同一人兼任双方代表（集体合同规定第24条）：{'、'.join(both)}。"))
    return problems


# --- art. 36 vote -----------------------------------------------------------------------------
def vote_result(*, total: int, present: int, votes_for: int, votes_against: int, votes_abstain: int) -> tuple[bool, str]:
    """Art. 36: at least 2/3 of ALL present, and at least half of ALL (not of those present) approving.
    '以上' includes the number itself (民法典 art. 1259). Integer arithmetic, no rounding."""
    if total <= 0:
        raise ValidationError({"total": "应到人数必须大于0。"})
    if present > total:
        raise ValidationError({"present": "实到人数不能多于应到人数。"})
    if votes_for + votes_against + votes_abstain > present:
        raise ValidationError({"votes_for": "赞成、反对、弃权合计不能多于实到人数。"})
    quorum = present * 3 >= total * 2
    approved = votes_for * 2 >= total
    parts = [
        f"应到{total}人，实到{present}人，{'达到' if quorum else '未达到'}三分之二以上（需至少{-(-total * 2 // 3)}人）",
        f"赞成{votes_for}票，{'达到' if approved else '未达到'}全体人员半数以上（需至少{-(-total // 2)}票）",
    ]
    passed = quorum and approved
    text = "；".join(parts) + f"。依据集体合同规定第36条及民法典第1259条（“以上”包括本数），表决{'通过' if passed else '未通过'}。"
    return passed, text


# --- terms ------------------------------------------------------------------------------------
@dataclass
class WageContext:
    """Floors for one region and date; values come from core.wages and StandbyAllowanceRate."""

    minimum_monthly: Decimal | None
    minimum_source: str = ""
    minimum_is_sample: bool = False
    standby_share: Decimal | None = None
    standby_source: str = ""
    notes: list = field(default_factory=list)

    @property
    def living_allowance(self) -> Decimal | None:
        if self.minimum_monthly is None or self.standby_share is None:
            return None
        return (self.minimum_monthly * self.standby_share).quantize(Decimal("0.01"))


def _dec(value, name, errors, *, required=True, minimum=Decimal("0")):
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append("必填。")
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append("请输入数字。")
        return None
    if d < minimum:
        errors.setdefault(name, []).append(f"不能小于{minimum}。")
        return None
    return d


def _int(value, name, errors, *, required=True, minimum=0):
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append("必填。")
        return None
    try:
        i = int(value)
    except (TypeError, ValueError):
        errors.setdefault(name, []).append("请输入整数。")
        return None
    if i < minimum:
        errors.setdefault(name, []).append(f"不能小于{minimum}。")
        return None
    return i


def _date(value, name, errors, *, required=True):
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append("必填。")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(name, []).append("请输入有效日期（YYYY-MM-DD）。")
        return None


def _time(value, name, errors):
    try:
        h, m = str(value).split(":")[:2]
        return int(h) * 60 + int(m)
    except (ValueError, AttributeError):
        errors.setdefault(name, []).append("请输入有效时间（HH:MM）。")
        return None


def _period(data, errors):
    start = _date(data.get("start"), "start", errors)
    end = _date(data.get("end"), "end", errors)
    if start and end and end < start:
        errors.setdefault("end", []).append("结束日期不能早于开始日期。")
    return start, end


def _hours(daily, weekly, errors, data):
    if daily is not None and daily > 8 and not data.get("approval_number"):
        errors.setdefault("daily_hours", []).append(
            f"标准工时每日不超过8小时（{HOURS_SRC}）；实行综合计算或不定时工作制须填写劳动保障部门批准文号（{FLEX_SRC}）。"
        )
    if weekly is not None and weekly > 40 and not data.get("approval_number"):
        errors.setdefault("weekly_hours", []).append(f"标准工时每周不超过40小时（{HOURS_SRC}）。")
    ot_day = _dec(data.get("overtime_daily"), "overtime_daily", errors, required=False)
    if ot_day is not None:
        limit = Decimal(3) if data.get("overtime_special_reason") else Decimal(1)
        if ot_day > limit:
            errors.setdefault("overtime_daily", []).append(
                f"延长工作时间一般每日不超过1小时，因特殊原因不超过3小时（{OT_SRC}）。"
            )
    ot_month = _dec(data.get("overtime_monthly"), "overtime_monthly", errors, required=False)
    if ot_month is not None and ot_month > 36:
        errors.setdefault("overtime_monthly", []).append(f"延长工作时间每月不超过36小时（{OT_SRC}）。")


def _groups(data, errors, *, pay_keys=("base_pay",), floor=None, floor_name="", floor_src=WAGE_SRC):
    groups = data.get("groups") or []
    if not isinstance(groups, list) or not groups:
        errors.setdefault("groups", []).append("至少填写一个职工组别。")
        return []
    out = []
    for i, g in enumerate(groups, 1):
        if not isinstance(g, dict):
            errors.setdefault("groups", []).append(f"第{i}组格式不正确。")
            continue
        if not str(g.get("name", "")).strip():
            errors.setdefault("groups", []).append(f"第{i}组缺少名称。")
        _int(g.get("headcount"), f"groups[{i}].headcount", errors, minimum=1)
        for k in pay_keys:
            _dec(g.get(k), f"groups[{i}].{k}", errors)
        out.append(g)
    return out


def new_pay_of(kind: str, data: dict, g: dict) -> Decimal | None:
    """Monthly pay per worker of group `g` under the term (None when the term sets no pay)."""
    try:
        base = Decimal(str(g.get("base_pay")))
    except (InvalidOperation, ValueError, TypeError):
        return None
    try:
        if kind == "pay":
            if g.get("adjust_percent") not in (None, ""):
                return (base * (Decimal(100) + Decimal(str(g["adjust_percent"]))) / 100).quantize(Decimal("0.01"))
            return (base + Decimal(str(g.get("adjust_amount") or 0))).quantize(Decimal("0.01"))
        if kind in ("short_hours", "rotation"):
            return Decimal(str(g.get("new_pay"))) if g.get("new_pay") not in (None, "") else base
        if kind == "standby":
            return Decimal(str(g.get("standby_pay")))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return None


def validate_term(kind: str, data: dict, wages: WageContext | None = None) -> dict:
    """Return the cleaned data or raise ValidationError with per-field messages citing the article."""
    if not isinstance(data, dict):
        raise ValidationError({"data": ["条款内容格式不正确。"]})
    errors: dict[str, list[str]] = {}
    floor = wages.minimum_monthly if wages else None
    if kind == "staggered":
        _period(data, errors)
        groups = _groups(data, errors, pay_keys=())
        for i, g in enumerate(groups, 1):
            s, e = _time(g.get("start_time"), f"groups[{i}].start_time", errors), _time(g.get("end_time"), f"groups[{i}].end_time", errors)
            days = g.get("weekdays") or []
            if not days or not set(int(d) for d in days) <= WEEKDAYS:
                errors.setdefault(f"groups[{i}].weekdays", []).append("请选择工作日（1=周一…7=周日）。")
            elif len(set(days)) > 6:
                errors.setdefault(f"groups[{i}].weekdays", []).append(f"每周至少休息一日（{REST_SRC}）。")
            if s is not None and e is not None:
                span = (e - s) % (24 * 60) / 60
                if span > 8 and not data.get("approval_number"):
                    errors.setdefault(f"groups[{i}].end_time", []).append(
                        f"班次时长{span:g}小时，超过每日8小时（{HOURS_SRC}）。"
                    )
                if days and span * len(set(days)) > 40 and not data.get("approval_number"):
                    errors.setdefault(f"groups[{i}].weekdays", []).append(f"每周工作时间超过40小时（{HOURS_SRC}）。")
        _hours(None, None, errors, data)
    elif kind == "pay":
        _period(data, errors)
        groups = _groups(data, errors)
        for i, g in enumerate(groups, 1):
            if g.get("adjust_percent") in (None, "") and g.get("adjust_amount") in (None, ""):
                errors.setdefault(f"groups[{i}].adjust_percent", []).append("请填写调整比例或调整金额。")
            new = new_pay_of(kind, data, g)
            if floor is not None and new is not None and new < floor:
                errors.setdefault(f"groups[{i}].adjust_percent", []).append(
                    f"调整后月工资{new}元低于当地最低工资标准{floor}元（{WAGE_SRC}）。"
                )
    elif kind == "rotation":
        _period(data, errors)
        groups = _groups(data, errors)
        on = _int(data.get("days_on"), "days_on", errors, minimum=1)
        off = _int(data.get("days_off"), "days_off", errors, minimum=0)
        if on is not None and off is not None and off * 7 < on + off:
            errors.setdefault("days_off", []).append(f"轮休周期内平均每周至少休息一日（{REST_SRC}）。")
        for i, g in enumerate(groups, 1):
            new = new_pay_of(kind, data, g)
            if floor is not None and new is not None and new < floor:
                errors.setdefault(f"groups[{i}].new_pay", []).append(f"月工资{new}元低于当地最低工资标准{floor}元（{WAGE_SRC}）。")
    elif kind == "short_hours":
        _period(data, errors)
        daily = _dec(data.get("daily_hours"), "daily_hours", errors)
        weekly = _dec(data.get("weekly_hours"), "weekly_hours", errors)
        _hours(daily, weekly, errors, data)
        if not str(data.get("pay_rule", "")).strip():
            errors.setdefault("pay_rule", []).append("请说明缩短工时期间的工资支付办法。")
        groups = _groups(data, errors)
        for i, g in enumerate(groups, 1):
            new = new_pay_of(kind, data, g)
            if floor is not None and new is not None and new < floor:
                errors.setdefault(f"groups[{i}].new_pay", []).append(
                    f"提供正常劳动的职工月工资{new}元不得低于当地最低工资标准{floor}元（{WAGE_SRC}）。"
                )
    elif kind == "standby":
        _period(data, errors)
        groups = _groups(data, errors, pay_keys=("base_pay", "standby_pay"))
        works = bool(data.get("works_during_standby"))
        for i, g in enumerate(groups, 1):
            pay = new_pay_of(kind, data, g)
            if pay is None:
                continue
            if works and floor is not None and pay < floor:
                errors.setdefault(f"groups[{i}].standby_pay", []).append(
                    f"超过一个工资支付周期且职工提供了正常劳动的，工资不得低于当地最低工资标准{floor}元（{STANDBY_SRC}）。"
                )
            allowance = wages.living_allowance if wages else None
            if not works and allowance is not None and pay < allowance:
                errors.setdefault(f"groups[{i}].standby_pay", []).append(
                    f"未安排工作的，生活费不得低于{allowance}元（最低工资{floor}元×{wages.standby_share}，{STANDBY_SRC}）。"
                )
        if data.get("first_cycle_full_pay") is False:
            errors.setdefault("first_cycle_full_pay", []).append(
                f"停工停产在一个工资支付周期内的，应按劳动合同约定的标准支付工资（{STANDBY_SRC}）。"
            )
    elif kind == "deferred":
        orig = _date(data.get("original_date"), "original_date", errors)
        new = _date(data.get("deferred_date"), "deferred_date", errors)
        if orig and new and new <= orig:
            errors.setdefault("deferred_date", []).append("延期支付日期必须晚于原定支付日期。")
        if orig and new and (new - orig).days > 30:
            errors.setdefault("deferred_date", []).append("延期支付一般不超过30日（须经工会同意，《工资支付暂行规定》第18条）[待核实]。")
        _int(data.get("headcount"), "headcount", errors, required=False)
    elif kind == "article":
        if not str(data.get("text", "")).strip():
            errors.setdefault("text", []).append("请填写条款内容。")
    else:
        errors.setdefault("kind", []).append("未知的条款类型。")
    if errors:
        raise ValidationError(errors)
    return data


def term_cost(kind: str, data: dict, floor: Decimal | None) -> dict:
    """Monthly payroll change for the employer and monthly pay per worker group against the floor."""
    rows, total = [], Decimal(0)
    for g in (data.get("groups") or []) if isinstance(data, dict) else []:
        new = new_pay_of(kind, data, g)
        try:
            base = Decimal(str(g.get("base_pay")))
            head = int(g.get("headcount") or 0)
        except (InvalidOperation, ValueError, TypeError):
            continue
        if new is None:
            continue
        change = (new - base) * head
        total += change
        rows.append({
            "name": g.get("name", ""), "headcount": head, "base_pay": base, "new_pay": new,
            "change": change, "floor": floor, "gap": (new - floor) if floor is not None else None,
            "below_floor": floor is not None and new < floor,
        })
    return {"groups": rows, "payroll_change": total}
