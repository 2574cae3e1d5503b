"""Statutory deadlines, computed as the law counts them and explained.

Rules are rows of `DeadlineRule` (editable data). Counting follows 民法典 arts. 201–203 (DOMAIN.md §5):

- a period in days starts the day after the event (art. 201);
- a period in months or years ends on the same-numbered day of the final month, or on its last day
  when it has none (art. 202);
- a last day that is a rest day or statutory holiday rolls over to the next working day (art. 203);
- working days follow the State Council's calendar (make-up working weekends count as working days):
  the `chinesecalendar` library supplies the published years, `CalendarDay` rows override it, and a
  date in a year with neither gets a warning instead of a silent guess.

Pure functions over dates: the only database access is loading the rule and the overrides, and both
can be passed in.
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Iterable

import chinese_calendar
from chinese_calendar import constants as _cc_constants
from django.utils import timezone

LIBRARY_YEARS = frozenset(d.year for d in _cc_constants.holidays) | frozenset(d.year for d in _cc_constants.workdays)

UNIT_LABELS = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}


class UnknownRule(LookupError):
    pass


@dataclass
class WorkCalendar:
    overrides: dict[dt.date, bool] = field(default_factory=dict)
    manual_years: frozenset[int] = frozenset()

    @classmethod
    def load(cls) -> "WorkCalendar":
        from .models import CalendarDay, CalendarYear

        return cls(
            overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
            manual_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        )

    def is_known(self, day: dt.date) -> bool:
        return day in self.overrides or day.year in LIBRARY_YEARS or day.year in self.manual_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in LIBRARY_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def describe(self, day: dt.date) -> str:
        if day in self.overrides:
            return "工作日" if self.overrides[day] else "休息日"
        if day.year in LIBRARY_YEARS:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and name:
                return f"法定节假日（{chinese_calendar.Holiday(name).chinese}）"
            if not on_holiday and day.weekday() >= 5:
                return "调休工作日"
        return "休息日" if not self.is_workday(day) else "工作日"


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
            parts.append(f"其间跳过休息日和节假日{len(skipped)}天")
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
                f"该日为{cal.describe(period_end)}，顺延至其后第一个工作日{due:%Y年%-m月%-d日}（民法典第203条）"
            )
    warnings = tuple(
        f"{y}年的国务院节假日安排尚未收录，按周一至周五为工作日计算，请核对后在“工作日历调整”中补录。"
        for y in sorted(unknown_years)
    )
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
