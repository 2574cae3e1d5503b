"""Pure checks that a negotiation's data must pass, each refusing with a message that cites its article."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from core.deadlines import months_before_expiry, term_last_day

# --- contract term (集体合同规定 art. 38; 民法典 arts. 201–202) ----------------------------------
TERM_SRC = "集体合同规定第38条"
COUNT_SRC = "民法典第201条、第202条"
TERM_MIN_YEARS, TERM_MAX_YEARS = 1, 3  # art. 38: "一般为1至3年" — a norm: warn outside it, the parties confirm
RENEWAL_MONTHS = 3  # art. 38: either side may ask to renew within the 3 months before expiry


@dataclass(frozen=True)
class TermCheck:
    """The contract term checked: `error` refuses (the dates cannot be a term); `warning` is art. 38's
    norm, which the parties may confirm they depart from."""

    error: str | None = None
    warning: str | None = None
    shortest_end: dt.date | None = None  # the last day of a 1-year term
    longest_end: dt.date | None = None  # the last day of a 3-year term

    @property
    def message(self) -> str | None:
        return self.error or self.warning


def _d(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _shown(d: dt.date) -> str:
    """A date in a text shown on a page, in the reader's language (2028年11月30日 / Nov. 30, 2028)."""
    return date_format(d)


def contract_term(start: dt.date, end: dt.date) -> TermCheck:
    """Art. 38: a collective contract runs "generally 1 to 3 years". Years count by 民法典 arts. 201–202:
    the first day counts, and N years end on the corresponding day N years after the day before it
    (the month's last day when there is none): 29 Feb 2024 + 3 years ends on 28 Feb 2027, and a term
    from 29 Feb 2024 to 27 Feb 2025 is one day short of a year."""
    if end <= start:
        return TermCheck(error="合同期限的终止日期必须晚于起始日期。")
    shortest = term_last_day(start, years=TERM_MIN_YEARS)
    longest = term_last_day(start, years=TERM_MAX_YEARS)
    basis = (f"按{COUNT_SRC}计算，自{_d(start)}起（当日计入）满1年至{_d(shortest)}，满3年至{_d(longest)}"
             "（到期月没有对应日的，以该月末日为最后一日）")
    if end < shortest:
        return TermCheck(
            warning=f"合同期限不足1年：{basis}，约定终止日{_d(end)}。{TERM_SRC}规定集体合同期限一般为1至3年；"
                    "如双方确认约定此期限，请勾选确认。",
            shortest_end=shortest, longest_end=longest)
    if end > longest:
        return TermCheck(
            warning=f"合同期限超过3年：{basis}，约定终止日{_d(end)}。{TERM_SRC}规定集体合同期限一般为1至3年；"
                    "如双方确认约定此期限，请勾选确认。",
            shortest_end=shortest, longest_end=longest)
    return TermCheck(shortest_end=shortest, longest_end=longest)


def check_contract_term(start: dt.date, end: dt.date) -> str | None:
    """The message for a term that is impossible or outside art. 38's 1–3 years, or None."""
    return contract_term(start, end).message


def renewal_window(end: dt.date) -> tuple[dt.date, str]:
    """Art. 38: within the 3 months before expiry either side may propose renewal. The contract expires
    at the end of its last day; 3 months counted back by art. 202 from the day after: a term ending
    31 December opens its window on 1 October."""
    start = months_before_expiry(end, RENEWAL_MONTHS)
    text = gettext("合同于%(end)s期满（该日终了时终止）；期满前%(months)s个月自%(start)s起算（民法典第202条），"
                   "自该日起任何一方均可提出续订或重新签订的要求（集体合同规定第38条）。") % {
        "end": _shown(end), "months": RENEWAL_MONTHS, "start": _shown(start)}
    return start, text

HOURS_SRC = "《国务院关于职工工作时间的规定》第3条"
REST_SRC = "《劳动法》第38条"
# 劳动部《关于〈劳动法〉若干条文的说明》（劳办发〔1994〕289号）第38条：每周至少有一次24小时不间断的休息。
REST_RULE = "用人单位应当保证劳动者每周至少休息一日，即任意连续7天内至少有一次不间断的24小时休息"
MAX_WORK_RUN = 6  # days in a row: a 7th working day leaves 7 consecutive days without a rest day
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
CHIEF_BASIS = "chief_basis"  # arts. 20–21: how the chief came to be chief, and the written designation
# A representative leaving mid-negotiation opens a vacancy (art. 31), not a refusal.
VACANCY_CODES = frozenset({TOO_FEW, UNEQUAL})


# How a chief came to be chief (arts. 20–21), recorded on the chief representative.
UNION_CHAIR = "union_chair"  # art. 20: the union chair
CHAIR_DESIGNATED = "chair_designated"  # art. 20: another workers' representative the chair designates in writing
PRINCIPAL_LEADER = "principal_leader"  # art. 20: with the chair vacant, the union's principal leader
ELECTED = "elected"  # art. 20: with no union, elected from the workers' representatives
LEGAL_REP = "legal_rep"  # art. 21: the legal representative
AUTHORISED_MANAGER = "authorised_manager"  # art. 21: another manager the legal representative authorises in writing
CHIEF_BASES = {
    "union": (UNION_CHAIR, CHAIR_DESIGNATED, PRINCIPAL_LEADER, ELECTED),
    "employer": (LEGAL_REP, AUTHORISED_MANAGER),
}
BASIS_TEXT = {
    UNION_CHAIR: gettext_lazy("工会主席担任"),
    CHAIR_DESIGNATED: gettext_lazy("工会主席书面委托"),
    PRINCIPAL_LEADER: gettext_lazy("工会主席空缺，由工会主要负责人担任"),
    ELECTED: gettext_lazy("未建立工会，由职工协商代表民主推举"),
    LEGAL_REP: gettext_lazy("法定代表人担任"),
    AUTHORISED_MANAGER: gettext_lazy("法定代表人书面委托的其他管理人员"),
}
CHIEF_ARTICLE = {"union": gettext_lazy("集体合同规定第20条"), "employer": gettext_lazy("集体合同规定第21条")}
CHIEF_RULE = {
    "union": "职工一方的首席代表由本单位工会主席担任，或由工会主席书面委托的其他协商代表代理；工会主席空缺的，由工会主要负责人担任；"
             "未建立工会的，从协商代表中民主推举产生",
    "employer": "用人单位一方的首席代表由法定代表人担任，或由其书面委托的其他管理人员担任",
}


def basis_text(rep) -> str:
    """'工会主席书面委托（委托人：李主席，2026年1月5日，工会委字〔2026〕1号）（集体合同规定第20条）'."""
    basis = getattr(rep, "chief_basis", "") or ""
    if not basis:
        return ""
    parts = [x for x in (getattr(rep, "designated_by", "") or "",
                         _shown(rep.designated_on) if getattr(rep, "designated_on", None) else "",
                         getattr(rep, "designation_document", "") or "") if x]
    who = gettext("（委托人/依据：%(who)s）") % {"who": gettext("，").join(parts)} if parts else ""
    return gettext("%(basis)s%(who)s（%(article)s）") % {
        "basis": BASIS_TEXT.get(basis, basis), "who": who, "article": CHIEF_ARTICLE.get(rep.side, "")}


def check_chief(rep, *, has_union: bool = True, legal_representative: str = "", today: dt.date | None = None) -> list[Problem]:
    """Arts. 20–21 for one side's chief: a basis that the side's article allows, and for a written
    designation who designated, when and by which document; the employer's legal representative, when
    the employer has one on record, is the chief or the one who authorised the chief."""
    side = rep.side
    article, rule = CHIEF_ARTICLE.get(side, ""), CHIEF_RULE.get(side, "")
    label = {"union": "职工方", "employer": "用人单位方"}.get(side, side)
    basis = (getattr(rep, "chief_basis", "") or "").strip()
    by = (getattr(rep, "designated_by", "") or "").strip()
    on = getattr(rep, "designated_on", None)
    doc = (getattr(rep, "designation_document", "") or "").strip()
    name = (rep.name or "").strip()
    lr = (legal_representative or "").strip()

    def problem(text):
        return Problem(CHIEF_BASIS, f"{label}首席代表{name}：{text}（{article}：{rule}）。", side)

    if basis not in CHIEF_BASES.get(side, ()):
        return [problem("请注明首席代表的产生依据")]
    out = []
    if side == "union" and has_union and basis == ELECTED:
        out.append(problem("本单位已建立工会，首席代表不由民主推举产生"))
    if side == "union" and not has_union and basis != ELECTED:
        out.append(problem("未建立工会的，首席代表从协商代表中民主推举产生"))
    needs = {CHAIR_DESIGNATED: ("by", "on", "doc"), AUTHORISED_MANAGER: ("by", "on", "doc"),
             PRINCIPAL_LEADER: ("doc",), ELECTED: ("on", "doc")}.get(basis, ())
    missing = [t for k, t in (("by", "委托人"), ("on", "日期"), ("doc", "文件名称或编号")) if k in needs and not {"by": by, "on": on, "doc": doc}[k]]
    if missing:
        what = "书面委托" if basis in (CHAIR_DESIGNATED, AUTHORISED_MANAGER) else "产生依据"
        out.append(problem(f"{BASIS_TEXT[basis]}，{what}须写明{'、'.join(missing)}"))
    if on and today and on > today:
        out.append(problem("委托或推举日期不能晚于今天"))
    if basis == CHAIR_DESIGNATED and by and by == name:
        out.append(problem("工会主席书面委托的是其他协商代表，委托人不能是首席代表本人"))
    if basis == LEGAL_REP and lr and name != lr:
        out.append(problem(f"用人单位登记的法定代表人是{lr}；其他管理人员担任首席代表须经法定代表人书面委托"))
    if basis == AUTHORISED_MANAGER and lr and by and by != lr:
        out.append(problem(f"书面委托应由法定代表人{lr}出具，不能由{by}出具"))
    return out


def check_representatives(reps, *, has_union: bool = True, legal_representative: str = "",
                          today: dt.date | None = None) -> list[Problem]:
    """`reps`: objects with side, name, id_last4, is_chief, is_outsider (and, for chiefs, chief_basis,
    designated_by, designated_on, designation_document)."""
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
        for chief in chiefs:
            if not chief.is_outsider:
                problems += check_chief(chief, has_union=has_union, today=today,
                                        legal_representative=legal_representative if side == "employer" else "")
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


# --- weekly rest and hours by the actual pattern, not its average (劳动法 art. 38) -------------------
def longest_run(pattern: list[bool]) -> int | None:
    """The longest run of consecutive working days of a repeating pattern (one entry per day of its
    cycle); None when every day is a working day (the run never ends)."""
    if not pattern or all(pattern):
        return None
    best = run = 0
    for working in pattern + pattern:  # twice round: a run may wrap from the end to the start
        run = run + 1 if working else 0
        best = max(best, run)
    return best


def worst_week_days(pattern: list[bool]) -> int:
    """The most working days in any 7 consecutive days of a repeating pattern (wherever a calendar
    week falls in the cycle)."""
    if not pattern:
        return 0
    n = len(pattern)
    return max(sum(pattern[(start + k) % n] for k in range(7)) for start in range(n))


def rest_problem(pattern: list[bool], what: str) -> str | None:
    """The art. 38 breach of a repeating pattern, or None: more than 6 working days in a row leave a
    7-day stretch with no uninterrupted 24-hour rest, whatever the average."""
    run = longest_run(pattern)
    if run is not None and run <= MAX_WORK_RUN:
        return None
    rest_days = len(pattern) - sum(pattern)
    avg = (Decimal(rest_days) * 7 / len(pattern)).quantize(Decimal("0.1")) if pattern else Decimal(0)
    longest = "每天都工作" if run is None else f"最长连续工作{run}天"
    return (f"{what}{longest}，超过{MAX_WORK_RUN}天：其间有连续7天没有一次不间断的24小时休息"
            f"（平均每周休息{avg}天也不能替代；{REST_SRC}：{REST_RULE}）。")


def _pattern_of(g: dict, i: int, errors) -> list[bool] | None:
    """A shift group's working days: `weekdays` (1=Monday … 7=Sunday, repeating weekly) or a cycle of
    `days_on` working days and `days_off` rest days."""
    if g.get("days_on") not in (None, "") or g.get("days_off") not in (None, ""):
        on = _int(g.get("days_on"), f"groups[{i}].days_on", errors, minimum=1)
        off = _int(g.get("days_off"), f"groups[{i}].days_off", errors, minimum=0)
        if on is None or off is None:
            return None
        return [True] * on + [False] * off
    days = g.get("weekdays") or []
    try:
        days = {int(d) for d in days}
    except (TypeError, ValueError):
        days = set()
    if not days or not days <= WEEKDAYS:
        errors.setdefault(f"groups[{i}].weekdays", []).append("请选择工作日（1=周一…7=周日），或填写“做N休M”的轮班周期。")
        return None
    return [d in days for d in range(1, 8)]


def shift_minutes(g: dict) -> tuple[int | None, int, int | None]:
    """(span, break, working) minutes of a shift group: the span from start to end (across midnight
    if needed), the meal break it contains (`break_minutes`), and the working time, span − break."""
    try:
        sh, sm = str(g.get("start_time")).split(":")[:2]
        eh, em = str(g.get("end_time")).split(":")[:2]
        span = (int(eh) * 60 + int(em) - int(sh) * 60 - int(sm)) % (24 * 60)
    except (ValueError, AttributeError):
        return None, 0, None
    try:
        brk = int(g.get("break_minutes") or 0)
    except (TypeError, ValueError):
        brk = 0
    return span, brk, (span - brk if span else None)


def _hours_text(minutes: int | Decimal) -> str:
    return f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")


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
        approved = bool(data.get("approval_number"))
        for i, g in enumerate(groups, 1):
            _time(g.get("start_time"), f"groups[{i}].start_time", errors)
            _time(g.get("end_time"), f"groups[{i}].end_time", errors)
            brk = _int(g.get("break_minutes"), f"groups[{i}].break_minutes", errors, required=False, minimum=0) or 0
            pattern = _pattern_of(g, i, errors)
            span, _b, work = shift_minutes(g)
            if span == 0:
                errors.setdefault(f"groups[{i}].end_time", []).append("上班时间与下班时间不能相同。")
            elif span is not None and brk >= span:
                errors.setdefault(f"groups[{i}].break_minutes", []).append("休息（用餐）时间必须短于班次时长。")
            elif work is not None and work > 8 * 60 and not approved:
                net = f"，扣除休息（用餐）{brk}分钟后工作{_hours_text(work)}小时" if brk else ""
                errors.setdefault(f"groups[{i}].end_time", []).append(
                    f"班次{g.get('start_time')}–{g.get('end_time')}共{_hours_text(span)}小时{net}，超过每日8小时（{HOURS_SRC}）。"
                )
            if pattern is None:
                continue
            problem = rest_problem(pattern, f"第{i}组（{g.get('name', '')}）")
            if problem:
                errors.setdefault(f"groups[{i}].weekdays", []).append(problem)
            elif work and 0 < work <= 8 * 60 and not approved:
                days = worst_week_days(pattern)
                if days * work > 40 * 60:
                    errors.setdefault(f"groups[{i}].weekdays", []).append(
                        f"第{i}组任意连续7天内最多工作{days}天，每天{_hours_text(work)}小时"
                        f"{f'（已扣除休息{brk}分钟）' if brk else ''}，共{_hours_text(days * work)}小时，超过每周40小时（{HOURS_SRC}）。"
                    )
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
        if on is not None and off is not None:
            # By the longest run of working days, not the average: 12 on and 2 off averages a rest day
            # a week, yet leaves 12 days in a row without one.
            problem = rest_problem([True] * on + [False] * off, f"轮岗轮休周期（连续工作{on}天、休息{off}天）")
            if problem:
                errors.setdefault("days_off" if off == 0 else "days_on", []).append(problem)
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


def shift_hours(data: dict) -> list[dict]:
    """Per shift group: the span, the meal break, the working hours a day (span − break) and in the
    heaviest 7 consecutive days, and the group's weekly person-hours."""
    rows = []
    for g in (data.get("groups") or []) if isinstance(data, dict) else []:
        if not isinstance(g, dict):
            continue
        span, brk, work = shift_minutes(g)
        if not span or work is None or work <= 0:
            continue
        pattern = _pattern_of(g, 0, {})
        days = worst_week_days(pattern) if pattern else 0
        try:
            head = int(g.get("headcount") or 0)
        except (TypeError, ValueError):
            head = 0
        daily = (Decimal(work) / 60).quantize(Decimal("0.01"))
        weekly = (Decimal(work * days) / 60).quantize(Decimal("0.01"))
        rows.append({"name": g.get("name", ""), "headcount": head, "span_hours": (Decimal(span) / 60).quantize(Decimal("0.01")),
                     "break_minutes": brk, "daily_hours": daily, "days": days, "weekly_hours": weekly,
                     "person_hours": weekly * head})
    return rows


def term_cost(kind: str, data: dict, floor: Decimal | None, allowance: Decimal | None = None) -> dict:
    """Monthly payroll change for the employer and monthly pay per worker group against the floor that
    applies to it — the minimum wage, or for standby without work the living allowance (`allowance`, as
    validate_term checks it); for shift groups, the working hours net of each group's meal break. Money
    is in yuan to the fen (3000.00 beside 3780.00, one format in a table)."""
    rows, total = [], Decimal(0)
    if kind == "standby" and isinstance(data, dict) and not data.get("works_during_standby"):
        floor, floor_kind = allowance, "living_allowance"
    else:
        floor_kind = "minimum_wage"
    fen = Decimal("0.01")
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
            "name": g.get("name", ""), "headcount": head, "base_pay": base.quantize(fen), "new_pay": new.quantize(fen),
            "change": change.quantize(fen), "floor": floor,
            "gap": (new - floor).quantize(fen) if floor is not None else None,
            "below_floor": floor is not None and new < floor,
        })
    out = {"groups": rows, "payroll_change": total.quantize(fen), "floor": floor, "floor_kind": floor_kind}
    if kind == "staggered":
        hours = shift_hours(data)
        out["hours"] = hours
        out["weekly_person_hours"] = sum((h["person_hours"] for h in hours), Decimal(0))
    return out
