"""Deadline rules against hand-checked dates (State Council calendars for 2024–2026).

Hand checks:
- 2026 Spring Festival: 15–23 Feb off; 14 Feb (Sat) and 28 Feb (Sat) are make-up working days.
- 2026 National Day: 1–7 Oct off; 10 Oct (Sat) is a make-up working day; 8 Oct (Thu) works.
"""
import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from core.deadlines import WorkCalendar, add_months, compute_due
from core.models import CalendarDay, DeadlineRule

D = dt.date
pytestmark = pytest.mark.django_db


def test_calendar_days_start_the_day_after():
    due = compute_due("negotiation.response", D(2026, 9, 10))
    # 20 days from 11 Sep → 30 Sep, a Wednesday working day.
    assert due.due == D(2026, 9, 30)
    assert not due.rolled_over
    assert "第32条" in due.explanation and "次日起算20日" in due.explanation


def test_last_day_in_spring_festival_rolls_to_next_working_day():
    # 10 days from 6 Feb 2026 → 16 Feb (holiday); next working day is 24 Feb.
    due = compute_due("negotiation.filing", D(2026, 2, 6))
    assert due.period_end == D(2026, 2, 16)
    assert due.due == D(2026, 2, 24)
    assert due.rolled_over
    assert due.skipped == tuple(D(2026, 2, d) for d in range(16, 24))
    assert "春节" in due.explanation and "第203条" in due.explanation
    assert "跳过的日期：2026年2月16日至23日为法定节假日（春节）" in due.explanation


def test_last_day_on_make_up_saturday_does_not_roll():
    # 15 days from 29 Jan 2026 → 13 Feb (Fri). From 30 Jan → 14 Feb, a make-up working Saturday: stays.
    assert compute_due("negotiation.review", D(2026, 1, 30)).due == D(2026, 2, 14)
    assert not compute_due("negotiation.review", D(2026, 1, 30)).rolled_over


def test_working_days_across_national_day_count_make_up_saturday():
    due = compute_due("dispute.acceptance", D(2026, 9, 29))
    # 30 Sep (1), 1–7 Oct off, 8 Oct (2), 9 Oct (3), 10 Oct Sat make-up (4), 11 Oct Sun off, 12 Oct (5).
    assert due.due == D(2026, 10, 12)
    assert D(2026, 10, 10) not in due.skipped
    assert D(2026, 10, 11) in due.skipped
    assert len(due.skipped) == 8
    # The explanation names the skipped days and why.
    assert "跳过休息日和节假日8天：2026年10月1日至7日为法定节假日（国庆节）、2026年10月11日为休息日" in due.explanation


def test_working_days_over_spring_festival_2026():
    # Firm response: 2 working days from Fri 13 Feb: Sat 14 Feb (make-up) = 1, 15–23 off, Tue 24 Feb = 2.
    assert compute_due("legal_aid.firm_response", D(2026, 2, 13)).due == D(2026, 2, 24)


def test_year_period_from_29_february_ends_28_february():
    due = compute_due("dispute.limitation", D(2024, 2, 29))
    assert due.period_end == D(2025, 2, 28)
    assert "月末日" in due.explanation
    assert due.due == D(2025, 2, 28)  # a Friday, no rollover


def test_month_end_rule_and_rollover_for_year_periods():
    # One year from 1 Oct 2025 ends 1 Oct 2026, in the National Day holiday → 8 Oct 2026.
    due = compute_due("dispute.limitation", D(2025, 10, 1))
    assert due.period_end == D(2026, 10, 1)
    assert due.due == D(2026, 10, 8)
    assert add_months(D(2026, 1, 31), 1) == (D(2026, 2, 28), True)
    assert add_months(D(2024, 1, 31), 1) == (D(2024, 2, 29), True)
    assert add_months(D(2026, 3, 15), 12) == (D(2027, 3, 15), False)


def test_suspension_extends_period_and_says_so():
    # Knew on 1 Dec 2019; epidemic suspension 24 Jan–30 Apr 2020 (98 days) extends the one-year limit.
    plain = compute_due("dispute.limitation", D(2019, 12, 1))
    suspended = compute_due("dispute.limitation", D(2019, 12, 1), pauses=[(D(2020, 1, 24), D(2020, 4, 30))])
    assert plain.period_end == D(2020, 12, 1)
    assert suspended.paused_days == 98
    assert suspended.period_end == D(2020, 12, 1) + dt.timedelta(days=98)
    assert "2020-01-24至2020-04-30" in suspended.explanation


def test_pause_outside_period_changes_nothing():
    due = compute_due("legal_aid.decision", D(2026, 3, 2), pauses=[(D(2026, 5, 1), D(2026, 5, 3))])
    assert due.paused_days == 0
    assert due.due == D(2026, 3, 9)


def test_year_without_official_calendar_warns():
    due = compute_due("dispute.award", D(2029, 12, 1))
    assert due.warnings and "2030" in due.warnings[0]
    assert "注意" in due.explanation


def test_admin_override_beats_library():
    CalendarDay.objects.create(date=D(2026, 9, 30), is_workday=False, note="测试：临时休息")
    due = compute_due("negotiation.response", D(2026, 9, 10))
    assert due.period_end == D(2026, 9, 30)
    assert due.due == D(2026, 10, 8)
    assert "该日为休息日（工作日历调整：测试：临时休息）" in due.explanation


def test_rules_are_editable_data():
    DeadlineRule.objects.filter(pk="negotiation.response").update(length=30)
    assert compute_due("negotiation.response", D(2026, 9, 10)).due == D(2026, 10, 10)  # make-up Saturday


def test_every_rule_in_the_domain_exists():
    ids = set(DeadlineRule.objects.values_list("id", flat=True))
    required = {
        "negotiation.response", "negotiation.filing", "negotiation.review", "negotiation.vacancy",
        "negotiation.coordination", "dispute.mediation", "dispute.acceptance", "dispute.award",
        "dispute.award_extension", "dispute.appeal", "dispute.limitation", "legal_aid.decision",
        "legal_aid.firm_response",
    }
    assert required <= ids


def test_calendar_describes_make_up_day():
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 2, 28))
    assert cal.describe(D(2026, 2, 28)) == "调休工作日"


def test_command_prints_date_and_json(capsys):
    call_command("deadline", "dispute.mediation", "2026-02-01")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2026-02-24"  # 16 Feb in the holiday → 24 Feb
    call_command("deadline", "dispute.mediation", "2026-02-01", "--json")
    data = json.loads(capsys.readouterr().out)
    assert {"rule", "start", "due", "source", "explanation"} <= set(data)
    assert data["due"] == "2026-02-24" and data["start"] == "2026-02-01"


@pytest.mark.parametrize("args,msg", [(["no.such", "2026-01-01"], "unknown rule"), (["dispute.award", "2026/01/01"], "malformed")])
def test_command_rejects_bad_input(args, msg):
    with pytest.raises(CommandError, match=msg):
        call_command("deadline", *args)


def test_command_exits_nonzero_from_shell():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "manage.py", "deadline", "dispute.award", "2026-02-30"], capture_output=True, text=True)
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1


def test_calculator_page_and_api(world, client_for, api_for):
    c = client_for(world.users.employer_a)
    r = c.get("/deadlines/calculator/", {"rule": "dispute.appeal", "start": "2026-09-20"})
    assert r.status_code == 200
    assert "2026年10月8日" in r.content.decode()  # 5 Oct in the holiday → 8 Oct
    r = c.get("/deadlines/calculator/", {"rule": "dispute.appeal", "start": "20-09-2026"})
    assert "请输入有效日期" in r.content.decode()
    api = api_for(world.users.employer_a)
    r = api.get("/api/v1/deadlines/", {"rule": "dispute.appeal", "start": "2026-09-20"})
    assert r.status_code == 200 and r.json()["due"] == "2026-10-08"
    r = api.get("/api/v1/deadlines/", {"rule": "nope", "start": "2026-13-01"})
    assert r.status_code == 400 and set(r.json()) == {"rule", "start"}
