"""Statutory deadlines, computed as the law counts them and explained.

Rules are rows of `DeadlineRule` (editable data). Counting follows 民法典 arts. 201–203 (DOMAIN.md §5):

- a period in days starts the day after the event (art. 201);
- a period in months or years ends on the same-numbered day of the final month, or on its last day
  when it has none (art. 202);
- a last day that is a rest day or statutory holiday rolls over to the next working day (art. 203);
- working days follow the State Council's calendar (make-up working weekends count as working days):
  the `chinesecalendar` library supplies the published years, `CalendarDay` rows override it;
- the fixed statutory holidays of 全国年节及纪念日放假办法 (as revised in 2024, in force from 2025) are
  holidays in every year, published or not: 元旦 1 Jan, 春节 除夕 and 正月初一至初三, 清明 (the solar
  term), 劳动节 1–2 May, 端午 (五月初五), 中秋 (八月十五), 国庆 1–3 Oct. For a year whose calendar is
  not published they are computed (lunar dates by `lunar_python`, 清明 by `chinese_calendar`); only the
  调休/补假 swaps are unknown there, so such a date still gets a warning instead of a silent guess;
- every explanation names the days skipped and why.

Pure functions over dates: the only database access is loading the rule and the overrides, and both
can be passed in.
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
import functools
from dataclasses import asdict, dataclass, field
from typing import Iterable

import chinese_calendar
from chinese_calendar import Holiday
from chinese_calendar import constants as _cc_constants
from django.utils import timezone
from lunar_python import Lunar

LIBRARY_YEARS = frozenset(d.year for d in _cc_constants.holidays) | frozenset(d.year for d in _cc_constants.workdays)

# 全国年节及纪念日放假办法 as revised by the State Council in November 2024, in force from 1 Jan 2025.
# Earlier years followed other versions of the measures (the library has every year from 2004; a date
# before that is counted Monday to Friday with the warning), so the fixed holidays apply from 2025 on.
FIXED_HOLIDAYS_SINCE = 2025
FIXED_HOLIDAY_LABELS = {
    Holiday.new_years_day.chinese: "元旦",
    Holiday.spring_festival.chinese: "春节（除夕至正月初三）",
    Holiday.tomb_sweeping_day.chinese: "清明",
    Holiday.labour_day.chinese: "劳动节",
    Holiday.dragon_boat_festival.chinese: "端午",
    Holiday.mid_autumn_festival.chinese: "中秋",
    Holiday.national_day.chinese: "国庆节",
}

UNIT_LABELS = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}


class UnknownRule(LookupError):
    pass


@dataclass(frozen=True)
class FixedHolidays:
    """The fixed statutory holidays of one year: date → holiday names, and holidays that could not be dated."""

    days: dict[dt.date, tuple[str, ...]]
    undated: tuple[str, ...] = ()


def _lunar(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a lunar date (a positive month is never the leap month)."""
    s = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def qingming(year: int) -> dt.date:
    """清明, the solar term: `chinese_calendar`'s 寿星 formula with its corrections (1900–2100), `lunar_python` beyond."""
    if 1900 <= year <= 2100:
        return next(d for d, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明")
    s = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]  # the solar terms around lunar year `year`
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


@functools.lru_cache(maxsize=None)
def fixed_holidays(year: int) -> FixedHolidays:
    """Holidays that 全国年节及纪念日放假办法 (2024 revision, art. 2) fixes for every year from 2025.

    Lunar dates are those of the lunar year that begins in `year`, converted by `lunar_python`; 清明 comes
    from `qingming`. A holiday that cannot be dated is reported in `undated` rather than guessed. The 调休
    and 补假 (a holiday on a weekend made up on a weekday) are set each year by the State Council and are
    not computed here.
    """
    if year < FIXED_HOLIDAYS_SINCE:
        return FixedHolidays({})
    days: dict[dt.date, list[str]] = {}
    undated: list[str] = []

    def add(holiday: Holiday, compute) -> None:
        try:
            dates = list(compute())
        except Exception:  # lunar_python raises bare Exceptions for dates it cannot convert
            undated.append(holiday.chinese)
            return
        for d in dates:
            days.setdefault(d, [])
            if holiday.chinese not in days[d]:
                days[d].append(holiday.chinese)

    def spring_festival():
        new_year = _lunar(year, 1, 1)  # 正月初一
        # 除夕 is the last day of the previous lunar year, whether its 腊月 has 29 or 30 days.
        return [new_year + dt.timedelta(days=n) for n in range(-1, 3)]

    add(Holiday.new_years_day, lambda: [dt.date(year, 1, 1)])
    add(Holiday.spring_festival, spring_festival)
    add(Holiday.tomb_sweeping_day, lambda: [qingming(year)])
    add(Holiday.labour_day, lambda: [dt.date(year, 5, 1), dt.date(year, 5, 2)])
    add(Holiday.dragon_boat_festival, lambda: [_lunar(year, 5, 5)])
    add(Holiday.mid_autumn_festival, lambda: [_lunar(year, 8, 15)])
    add(Holiday.national_day, lambda: [dt.date(year, 10, n) for n in (1, 2, 3)])
    return FixedHolidays({d: tuple(names) for d, names in sorted(days.items())}, tuple(undated))


@dataclass
class WorkCalendar:
    overrides: dict[dt.date, bool] = field(default_factory=dict)
    manual_years: frozenset[int] = frozenset()
    notes: dict[dt.date, str] = field(default_factory=dict)  # the administrator's note on an override

    @classmethod
    def load(cls) -> "WorkCalendar":
        from .models import CalendarDay, CalendarYear

        rows = list(CalendarDay.objects.values_list("date", "is_workday", "note"))
        return cls(
            overrides={d: w for d, w, _ in rows},
            manual_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            notes={d: n for d, _, n in rows if n},
        )

    def is_known(self, day: dt.date) -> bool:
        return day in self.overrides or day.year in LIBRARY_YEARS or day.year in self.manual_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in LIBRARY_YEARS:
            return chinese_calendar.is_workday(day)
        if day in fixed_holidays(day.year).days:
            return False
        return day.weekday() < 5

    def describe(self, day: dt.date) -> str:
        if day in self.overrides:
            kind = "工作日" if self.overrides[day] else "休息日"
            note = self.notes.get(day)
            return f"{kind}（工作日历调整：{note}）" if note else f"{kind}（工作日历调整）"
        if day.year in LIBRARY_YEARS:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and name:
                return f"法定节假日（{chinese_calendar.Holiday(name).chinese}）"
            if not on_holiday and day.weekday() >= 5:
                return "调休工作日"
        elif names := fixed_holidays(day.year).days.get(day):
            return f"法定节假日（{'、'.join(names)}）"
        return "休息日" if not self.is_workday(day) else "工作日"

    def explain_days(self, days: Iterable[dt.date]) -> str:
        """'2030年10月1日至3日为法定节假日（国庆节）、2030年10月5日至6日为休息日': runs of days with one reason."""
        runs: list[list] = []
        for d in sorted(set(days)):
            why = self.describe(d)
            if runs and runs[-1][2] == why and (d - runs[-1][1]).days == 1:
                runs[-1][1] = d
            else:
                runs.append([d, d, why])
        return "、".join(f"{_span(a, b)}为{why}" for a, b, why in runs)


def _span(a: dt.date, b: dt.date) -> str:
    if a == b:
        return f"{a:%Y年%-m月%-d日}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a:%Y年%-m月%-d日}至{b:%-d日}"
    if a.year == b.year:
        return f"{a:%Y年%-m月%-d日}至{b:%-m月%-d日}"
    return f"{a:%Y年%-m月%-d日}至{b:%Y年%-m月%-d日}"


def unpublished_year_warning(year: int) -> str:
    """The warning for a date in `year` when its official calendar is neither in the library nor entered by hand."""
    fixed = fixed_holidays(year)
    if year < FIXED_HOLIDAYS_SINCE:
        return f"{year}年的国务院节假日安排尚未收录，按周一至周五为工作日计算，请核对后在“工作日历调整”中补录。"
    counted = "、".join(label for name, label in FIXED_HOLIDAY_LABELS.items() if name not in fixed.undated)
    text = (
        f"{year}年的国务院节假日安排尚未公布或收录：已按《全国年节及纪念日放假办法》计入当年固定的法定节假日"
        f"（{counted}），但调休和补假安排未知，其余周一至周五按工作日计算"
    )
    if fixed.undated:
        text += f"；{'、'.join(fixed.undated)}的日期未能推算，未计入"
    return text + "，请在安排公布后核对，并在“工作日历调整”中补录。"


@dataclass(frozen=True)
class DueDate:
    rule: str
    name: str
    source: str
    start: dt.date
    due: dt.date
    unit: str
    length: int
    period_end: dt.date  # the last day before any rollover
    skipped: tuple[dt.date, ...]
    rolled_over: bool
    paused_days: int
    warnings: tuple[str, ...]
    explanation: str

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("start", "due", "period_end"):
            d[key] = d[key].isoformat()
        d["skipped"] = [s.isoformat() for s in self.skipped]
        d["warnings"] = list(self.warnings)
        return d


def add_months(start: dt.date, months: int) -> tuple[dt.date, bool]:
    """Same-numbered day `months` later, or that month's last day (clamped=True) when it has none."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = _cal.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last)), start.day > last


def add_years(start: dt.date, years: int) -> tuple[dt.date, bool]:
    """民法典 art. 202 for a period in years: the same month and day `years` later, or that month's last
    day (clamped=True) when it has none — 29 February + 3 years = 28 February."""
    return add_months(start, 12 * years)


def term_last_day(first_day: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """The last day of a term of `years` years (and `months` months) whose first day is `first_day`.

    A contract's stated first day is counted (the contract is in force that day), so by 民法典 art. 201
    the period runs from the day after the day before it, and by art. 202 ends on that day's
    corresponding day in the final month, or the month's last day when there is none: a year from 1 Jan
    2026 ends on 31 Dec 2026; three years from 29 Feb 2024 end on 28 Feb 2027 (from 28 Feb 2024);
    a year from 1 Mar 2024 ends on 28 Feb 2025 (29 Feb 2024 has no corresponding day in 2025)."""
    return add_months(first_day - dt.timedelta(days=1), 12 * years + months)[0]


def months_before_expiry(last_day: dt.date, months: int) -> dt.date:
    """The first day of the `months` months before a term whose last day is `last_day` expires.

    The term expires at the end of `last_day`, i.e. as `last_day + 1` begins; counting `months` back from
    that day by art. 202 (same-numbered day, or the month's last day) gives the first day of the window:
    a term ending 31 December has its 3 months from 1 October; one ending 28 February 2027 from
    1 December 2026."""
    return add_months(last_day + dt.timedelta(days=1), -months)[0]


def local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _overlap(a: dt.date, b: dt.date, lo: dt.date, hi: dt.date) -> int:
    start, end = max(a, lo), min(b, hi)
    return (end - start).days + 1 if end >= start else 0


def compute_due(
    rule,
    start: dt.date | dt.datetime,
    *,
    calendar: WorkCalendar | None = None,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
) -> DueDate:
    """Due date of `rule` (a DeadlineRule or its id) for an event on `start`.

    `pauses` are inclusive date ranges during which the period does not run (a suspension of the
    limitation period, an application waiting for documents): the period is extended by the days
    of each pause that fall inside it.
    """
    if isinstance(rule, str):
        from .models import DeadlineRule

        try:
            rule = DeadlineRule.objects.get(pk=rule)
        except DeadlineRule.DoesNotExist:
            raise UnknownRule(f"unknown deadline rule: {rule}") from None
    cal = calendar or WorkCalendar.load()
    start = local_date(start)
    pauses = sorted((local_date(a), local_date(b)) for a, b in pauses)
    skipped: list[dt.date] = []
    unknown_years: set[int] = set()
    parts: list[str] = []
    unit = rule.unit
    label = UNIT_LABELS.get(unit, unit)

    def workday(d: dt.date) -> bool:
        if not cal.is_known(d):
            unknown_years.add(d.year)
        return cal.is_workday(d)

    paused_days = 0
    clamped = False
    if unit == "working_days":
        d, counted = start, 0
        while counted < rule.length:
            d += dt.timedelta(days=1)
            if any(a <= d <= b for a, b in pauses):
                paused_days += 1
                continue
            if workday(d):
                counted += 1
            else:
                skipped.append(d)
        period_end = d
        parts.append(f"自{start:%Y年%-m月%-d日}的次日起算{rule.length}{label}")
        if skipped:
            parts.append(f"其间跳过休息日和节假日{len(skipped)}天：{cal.explain_days(skipped)}")
    else:
        if unit == "days":
            end = start + dt.timedelta(days=rule.length)
            parts.append(f"自{start:%Y年%-m月%-d日}的次日起算{rule.length}{label}（民法典第201条）")
        else:
            months = rule.length * (12 if unit == "years" else 1)
            end, clamped = add_months(start, months)
            parts.append(f"自{start:%Y年%-m月%-d日}起算{rule.length}{label}，至到期月的对应日（民法典第202条）")
            if clamped:
                parts.append("到期月没有对应日，以该月末日为期间最后一日")
        # Extend by paused days inside the running period, until no new pause is reached.
        counted_pauses: set[tuple[dt.date, dt.date]] = set()
        changed = True
        while changed:
            changed = False
            for a, b in pauses:
                if (a, b) in counted_pauses:
                    continue
                if _overlap(a, b, start + dt.timedelta(days=1), end):
                    # The whole pause (from the day after the start) stops the clock.
                    n = _overlap(a, b, start + dt.timedelta(days=1), dt.date.max)
                    counted_pauses.add((a, b))
                    paused_days += n
                    end += dt.timedelta(days=n)
                    changed = True
        period_end = end
    if paused_days:
        ranges = "、".join(f"{a:%Y-%m-%d}至{b:%Y-%m-%d}" for a, b in pauses if _overlap(a, b, start, period_end))
        parts.append(f"期间中止/暂停{paused_days}日（{ranges}），相应顺延")
    parts.append(f"期间最后一日为{period_end:%Y年%-m月%-d日}")

    due = period_end
    rolled = False
    if unit != "working_days" and rule.roll_to_working_day:
        roll_skipped = []
        while not workday(due):
            roll_skipped.append(due)
            due += dt.timedelta(days=1)
        if roll_skipped:
            rolled = True
            skipped.extend(roll_skipped)
            parts.append(
                f"该日为{cal.describe(period_end)}，顺延至其后第一个工作日{due:%Y年%-m月%-d日}（民法典第203条），"
                f"跳过的日期：{cal.explain_days(roll_skipped)}"
            )
    warnings = tuple(unpublished_year_warning(y) for y in sorted(unknown_years))
    explanation = f"依据{rule.source}（{rule.name}）：" + "；".join(parts) + f"。截止日：{due:%Y年%-m月%-d日}。"
    if warnings:
        explanation += " 注意：" + " ".join(warnings)
    return DueDate(
        rule=rule.id,
        name=rule.name,
        source=rule.source,
        start=start,
        due=due,
        unit=unit,
        length=rule.length,
        period_end=period_end,
        skipped=tuple(skipped),
        rolled_over=rolled,
        paused_days=paused_days,
        warnings=warnings,
        explanation=explanation,
    )


def days_left(due: dt.date, today: dt.date | None = None) -> int:
    return (due - (today or timezone.localdate())).days
