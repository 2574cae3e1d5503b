"""Years without a published official calendar: the fixed statutory holidays still apply (DOMAIN.md §5).

全国年节及纪念日放假办法 (2024 revision, in force from 2025), art. 2: 元旦 1 Jan; 春节 除夕 and 正月初一至初三;
清明 (the solar term); 劳动节 1–2 May; 端午 (五月初五); 中秋 (八月十五); 国庆 1–3 Oct.

Hand checks for 2030 (chinesecalendar 1.11.0 stops at 2026):
- Weekdays: 1 Jan 2026 is a Thursday; 2026 and 2027 have 365 days, 2028 has 366 and 2029 365, so
  1 Jan 2030 is Thursday + 1 + 1 + 2 + 1 = a Tuesday. 1 Oct is day 274 of a common year, 273 = 39 × 7
  days after 1 Jan: also a Tuesday. So 27 Sep 2030 is a Friday, 2 Feb a Saturday, 5 Jun a Wednesday.
- Lunar dates, from the Hong Kong Observatory's Gregorian–lunar conversion tables (the same dates
  appear in every published table of Chinese New Year / festival dates):
  正月初一 lunar 2030 = 3 Feb 2030 (so 除夕 = 2 Feb, 初一–初三 = 3–5 Feb); 五月初五 = 5 Jun 2030;
  八月十五 = 12 Sep 2030. For 2027–2031: 正月初一 6 Feb 2027, 26 Jan 2028, 13 Feb 2029, 3 Feb 2030,
  23 Jan 2031; 端午 9 Jun 2027, 28 May 2028, 16 Jun 2029, 5 Jun 2030, 24 Jun 2031; 中秋 15 Sep 2027,
  3 Oct 2028, 22 Sep 2029, 12 Sep 2030, 1 Oct 2031.
- 清明 2030 by the 寿星 formula [Y×D+C]−L with Y=30, D=0.2422, C=4.81 (21st century), L=⌊30/4⌋=7:
  ⌊7.266+4.81⌋−7 = 12−7 = 5 → 5 Apr 2030 (and 5 Apr 2027, 4 Apr 2028, 4 Apr 2029, 5 Apr 2031).
"""
import datetime as dt

import chinese_calendar
import pytest

from core import deadlines
from core.deadlines import LIBRARY_YEARS, WorkCalendar, compute_due, fixed_holidays
from core.models import CalendarDay, CalendarYear

D = dt.date

FIXED_2030 = {
    D(2030, 1, 1): "法定节假日（元旦）",
    D(2030, 2, 2): "法定节假日（春节）",  # 除夕
    D(2030, 2, 3): "法定节假日（春节）",  # 正月初一
    D(2030, 2, 4): "法定节假日（春节）",
    D(2030, 2, 5): "法定节假日（春节）",  # 正月初三
    D(2030, 4, 5): "法定节假日（清明）",
    D(2030, 5, 1): "法定节假日（劳动节）",
    D(2030, 5, 2): "法定节假日（劳动节）",
    D(2030, 6, 5): "法定节假日（端午）",
    D(2030, 9, 12): "法定节假日（中秋）",
    D(2030, 10, 1): "法定节假日（国庆节）",
    D(2030, 10, 2): "法定节假日（国庆节）",
    D(2030, 10, 3): "法定节假日（国庆节）",
}


def test_2030_is_beyond_the_library():
    # The point of this file: 2030 must not be a published year, or these tests test nothing.
    assert 2030 not in LIBRARY_YEARS
    assert max(LIBRARY_YEARS) < 2030


@pytest.mark.parametrize("day,description", sorted(FIXED_2030.items()))
def test_fixed_holidays_of_2030_are_rest_days_named(day, description):
    cal = WorkCalendar()
    assert not cal.is_workday(day)
    assert cal.describe(day) == description
    assert not cal.is_known(day)  # still flagged: the 调休 of 2030 are unknown


def test_2030_holidays_are_exactly_the_fixed_ones():
    assert set(fixed_holidays(2030).days) == set(FIXED_2030)
    assert fixed_holidays(2030).undated == ()


@pytest.mark.parametrize(
    "day",
    [
        D(2030, 2, 1),  # Fri, 腊月廿八: the day before 除夕 works
        D(2030, 2, 6),  # Wed, 正月初四
        D(2030, 4, 4),  # Thu, before 清明
        D(2030, 5, 3),  # Fri, after 劳动节
        D(2030, 6, 4), D(2030, 6, 6),  # around 端午
        D(2030, 9, 11), D(2030, 9, 13),  # around 中秋
        D(2030, 10, 4),  # Fri: only 1–3 Oct are fixed; any bridging is a 调休 nobody has published
    ],
)
def test_days_around_the_holidays_stay_working_days(day):
    cal = WorkCalendar()
    assert cal.is_workday(day)
    assert cal.describe(day) == "工作日"


@pytest.mark.parametrize(
    "year,new_year,duanwu,mid_autumn,qingming",
    [
        (2027, D(2027, 2, 6), D(2027, 6, 9), D(2027, 9, 15), D(2027, 4, 5)),
        (2028, D(2028, 1, 26), D(2028, 5, 28), D(2028, 10, 3), D(2028, 4, 4)),
        (2029, D(2029, 2, 13), D(2029, 6, 16), D(2029, 9, 22), D(2029, 4, 4)),
        (2030, D(2030, 2, 3), D(2030, 6, 5), D(2030, 9, 12), D(2030, 4, 5)),
        (2031, D(2031, 1, 23), D(2031, 6, 24), D(2031, 10, 1), D(2031, 4, 5)),
    ],
)
def test_lunar_holidays_match_the_published_tables(year, new_year, duanwu, mid_autumn, qingming):
    days = fixed_holidays(year).days
    spring = sorted(d for d, names in days.items() if "春节" in names)
    assert spring == [new_year + dt.timedelta(days=n) for n in (-1, 0, 1, 2)]
    assert "端午" in days[duanwu]
    assert "中秋" in days[mid_autumn]
    assert "清明" in days[qingming]


def test_mid_autumn_on_national_day_names_both():
    # 八月十五 of 2028 is 3 Oct: one rest day, two holidays (the extra day off is a 补假 left to the State Council).
    assert WorkCalendar().describe(D(2028, 10, 3)) == "法定节假日（中秋、国庆节）"


@pytest.mark.django_db
def test_working_days_across_national_day_2030_skip_1_to_3_october():
    # 5 working days from Fri 27 Sep 2030: 28–29 Sep weekend, Mon 30 Sep (1), 1–3 Oct holiday, Fri 4 Oct (2),
    # 5–6 Oct weekend, 7 Oct (3), 8 Oct (4), 9 Oct (5). Monday-to-Friday counting would have given 4 Oct.
    due = compute_due("dispute.acceptance", D(2030, 9, 27))
    assert due.due == D(2030, 10, 9)
    assert due.skipped == (D(2030, 9, 28), D(2030, 9, 29), D(2030, 10, 1), D(2030, 10, 2), D(2030, 10, 3), D(2030, 10, 5), D(2030, 10, 6))
    # The explanation says which days were skipped and why.
    assert "跳过休息日和节假日7天" in due.explanation
    assert "2030年9月28日至29日为休息日" in due.explanation
    assert "2030年10月1日至3日为法定节假日（国庆节）" in due.explanation
    assert "2030年10月5日至6日为休息日" in due.explanation
    # ...and that 2030's official calendar is unpublished, so only the fixed holidays were applied.
    assert len(due.warnings) == 1
    assert "2030年" in due.warnings[0] and "固定的法定节假日" in due.warnings[0] and "调休" in due.warnings[0]
    assert "注意" in due.explanation


@pytest.mark.django_db
def test_calendar_day_period_ending_on_1_october_2030_rolls_over():
    # 30 days from 1 Sep 2030 end on Tue 1 Oct (art. 201); 1–3 Oct are holidays, Fri 4 Oct works (art. 203).
    due = compute_due("negotiation.coordination", D(2030, 9, 1))
    assert due.period_end == D(2030, 10, 1)
    assert due.due == D(2030, 10, 4)
    assert due.rolled_over
    assert due.skipped == (D(2030, 10, 1), D(2030, 10, 2), D(2030, 10, 3))
    assert "该日为法定节假日（国庆节）" in due.explanation and "第203条" in due.explanation
    assert "跳过的日期：2030年10月1日至3日为法定节假日（国庆节）" in due.explanation
    assert due.warnings and "2030" in due.warnings[0]


@pytest.mark.django_db
def test_period_ending_on_spring_festival_eve_2030_rolls_past_chuyi_to_chusan():
    # 15 days from Fri 18 Jan 2030 end on Sat 2 Feb, 除夕; 3–5 Feb are 初一–初三; Wed 6 Feb works.
    due = compute_due("dispute.mediation", D(2030, 1, 18))
    assert due.period_end == D(2030, 2, 2)
    assert due.due == D(2030, 2, 6)
    assert "该日为法定节假日（春节）" in due.explanation
    assert "2030年2月2日至5日为法定节假日（春节）" in due.explanation


@pytest.mark.django_db
def test_calendar_day_override_beats_the_fixed_holidays():
    # An administrator enters 2030's (hypothetical) calendar in part: 2 Oct a working day, 4 Oct a rest day.
    CalendarDay.objects.create(date=D(2030, 10, 2), is_workday=True, note="测试：假定调休上班")
    CalendarDay.objects.create(date=D(2030, 10, 4), is_workday=False, note="测试：假定调休放假")
    # Working days from Fri 27 Sep: 30 Sep (1), 2 Oct (2), 7 Oct (3), 8 Oct (4), 9 Oct (5).
    due = compute_due("dispute.acceptance", D(2030, 9, 27))
    assert D(2030, 10, 2) not in due.skipped
    assert D(2030, 10, 4) in due.skipped
    assert due.due == D(2030, 10, 9)
    assert "2030年10月4日为休息日（工作日历调整：测试：假定调休放假）" in due.explanation
    # A period ending on 1 Oct no longer stops at 4 Oct: 2 Oct works.
    assert compute_due("negotiation.coordination", D(2030, 9, 1)).due == D(2030, 10, 2)
    # Rolling from 3 Oct: 4 Oct (override rest day), 5–6 Oct weekend, Mon 7 Oct.
    due = compute_due("negotiation.coordination", D(2030, 9, 3))
    assert due.due == D(2030, 10, 7)
    assert due.warnings  # the other days of 2030 are still unpublished


@pytest.mark.django_db
def test_manually_entered_year_has_no_warning_and_keeps_the_fixed_holidays():
    CalendarYear.objects.create(year=2030, note="测试")
    due = compute_due("negotiation.coordination", D(2030, 9, 1))
    assert due.due == D(2030, 10, 4)
    assert due.warnings == ()


@pytest.mark.parametrize("year", [2025, 2026])
def test_published_years_are_untouched(year):
    # Every fixed holiday of a published year is a holiday of the official calendar...
    for day in fixed_holidays(year).days:
        assert chinese_calendar.is_holiday(day), day
    # ...and the calendar answers exactly as the official one, day by day.
    cal = WorkCalendar()
    day = D(year, 1, 1)
    while day.year == year:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        assert cal.is_known(day)
        day += dt.timedelta(days=1)


def test_years_before_the_2024_revision_get_no_fixed_holidays():
    # The revised measures apply from 2025; earlier unpublished years keep Monday-to-Friday counting.
    assert fixed_holidays(2024).days == {}
    assert fixed_holidays(2003).days == {}
    assert "按周一至周五为工作日计算" in deadlines.unpublished_year_warning(2003)


def test_a_holiday_that_cannot_be_dated_is_said_not_guessed(monkeypatch):
    def broken(*args):
        raise Exception("wrong lunar year")

    monkeypatch.setattr(deadlines.Lunar, "fromYmd", staticmethod(broken))
    fixed_holidays.cache_clear()
    try:
        fixed = fixed_holidays(2030)
        assert fixed.undated == ("春节", "端午", "中秋")
        assert D(2030, 10, 1) in fixed.days and D(2030, 4, 5) in fixed.days  # 清明 from chinese_calendar
        warning = deadlines.unpublished_year_warning(2030)
        assert "春节、端午、中秋的日期未能推算" in warning
        assert "（元旦、清明、劳动节、国庆节）" in warning
    finally:
        monkeypatch.undo()
        fixed_holidays.cache_clear()
