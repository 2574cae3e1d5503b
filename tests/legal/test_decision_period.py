"""Issue 15, hand-computed: the decision period of 法律援助法 art. 43 (七日, calendar days, counted from the day
after receipt, 民法典 art. 201; a last day on a rest day rolls to the next working day, art. 203) and the days
the applicant spends supplying requested documents, which do not count (art. 43; 《办理法律援助案件程序规定》:
申请人补充材料、作出说明所需的时间不计入审查期限) — whenever the request is made. Urgency (art. 44(1)): FEWER
than 7 days left before a limitation period or time limit ends, a plain count of calendar days.

Calendar used (November 2026, State Council calendar, no holidays): Mon 2, Tue 3, Wed 4, Thu 5, Fri 6,
Sat 7, Sun 8, Mon 9, … Fri 13, Sat 14, Sun 15, Mon 16.

Application received Mon 2 Nov (day 0): days 1–7 are 3–9 Nov, so without a pause the decision is due
Mon 9 Nov.
"""
import datetime as dt

import pytest

from legal import rules, services
from legal.models import CaseState

D = dt.date
RECEIVED = D(2026, 11, 2)  # Monday, day 0


@pytest.fixture
def received(world, make_case):
    return make_case(received_on=RECEIVED)


def run(world, case, *requests):
    """Each (requested_on, supplied_on): ask for documents, then receive them."""
    staff = world.users.staff_hh
    for requested_on, supplied_on in requests:
        services.case_request_documents(actor=staff, case=case.pk, what="工资流水", on=requested_on)
        case = services.case_documents_received(actor=staff, case=case.pk, on=supplied_on)
    return case


def test_no_request_due_on_day_seven(world, received):
    # 3, 4, 5, 6, 7, 8, 9 Nov: the 7th day is Mon 9 Nov.
    assert received.decision_due == D(2026, 11, 9)


@pytest.mark.parametrize(
    "requests,pauses,due,why",
    [
        # Request on day 0 (the day of receipt), documents back Wed 4 Nov: 2 days spent (3, 4 Nov). Counting
        # resumes Thu 5 Nov: 5, 6, 7, 8, 9, 10, 11 → Wed 11 Nov. (Before the fix the pause was cut to 3 Nov
        # only and the case was due Tue 10 Nov: a day of the period lost.)
        ([(D(2026, 11, 2), D(2026, 11, 4))], [["2026-11-03", "2026-11-04"]], D(2026, 11, 11), "day 0, back 2 days later"),
        # Request on day 0, documents back the same day: nothing spent, nothing paused.
        ([(D(2026, 11, 2), D(2026, 11, 2))], [], D(2026, 11, 9), "day 0, back the same day"),
        # Request on day 3 (Thu 5 Nov), documents back Mon 9 Nov: 4 days spent. Counted: 3, 4 Nov (2 days);
        # paused 5, 6, 7, 8 Nov; counted again 9, 10, 11, 12, 13 Nov (5 days) → Fri 13 Nov.
        ([(D(2026, 11, 5), D(2026, 11, 9))], [["2026-11-05", "2026-11-08"]], D(2026, 11, 13), "day 3, back 4 days later"),
        # Request on day 3, documents back the same day: due Mon 9 Nov as if never asked.
        ([(D(2026, 11, 5), D(2026, 11, 5))], [], D(2026, 11, 9), "day 3, back the same day"),
        # Request on day 0, back Sat 7 Nov: 5 days (3–7 Nov). Counted 8…14 Nov: the 7th day is Sat 14 Nov, a rest
        # day → Mon 16 Nov (民法典 art. 203).
        ([(D(2026, 11, 2), D(2026, 11, 7))], [["2026-11-03", "2026-11-07"]], D(2026, 11, 16), "day 0, ends on a Saturday"),
        # Request on day 7, the last day (Mon 9 Nov), back Thu 12 Nov: 3 days. Counted 3–8 Nov (6 days), paused
        # 9, 10, 11 Nov, the 7th day is Thu 12 Nov, the day the documents arrive.
        ([(D(2026, 11, 9), D(2026, 11, 12))], [["2026-11-09", "2026-11-11"]], D(2026, 11, 12), "last day"),
        # Two requests: day 0 back Wed 4 Nov (2 days: 3, 4), then Fri 6 Nov back Mon 9 Nov (3 days: 6, 7, 8).
        # Counted 5 Nov (1), then 9, 10, 11, 12, 13, 14 Nov (6): the 7th day is Sat 14 Nov → Mon 16 Nov.
        ([(D(2026, 11, 2), D(2026, 11, 4)), (D(2026, 11, 6), D(2026, 11, 9))],
         [["2026-11-03", "2026-11-04"], ["2026-11-06", "2026-11-08"]], D(2026, 11, 16), "two requests"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_days_spent_supplying_documents_do_not_count(world, received, requests, pauses, due, why):
    case = run(world, received, *requests)
    assert case.state == CaseState.SUBMITTED
    assert case.document_pauses == pauses
    assert case.decision_due == due
    if pauses:
        assert "第43条" in case.decision_due_explanation and "不计入审查期限" in case.decision_due_explanation
    if due.weekday() == 0 and due != D(2026, 11, 9):
        assert "第203条" in case.decision_due_explanation


def test_a_request_after_the_period_ran_out_does_not_revive_it(world, received):
    # Day 8 (Tue 10 Nov) is after the last day (Mon 9 Nov): the 2 days spent fall outside the period.
    case = run(world, received, (D(2026, 11, 10), D(2026, 11, 12)))
    assert case.decision_due == D(2026, 11, 9)


def test_while_documents_are_awaited_the_pause_runs_through_today(world, received):
    services.case_request_documents(actor=world.users.staff_hh, case=received.pk, what="劳动合同", on=D(2026, 11, 2))
    received.refresh_from_db()
    # Asked on day 0, still waiting on Fri 6 Nov: 4 days spent so far (3–6 Nov), counted 7…13 Nov → Fri 13 Nov.
    services.refresh_derived(received, today=D(2026, 11, 6))
    assert received.decision_due == D(2026, 11, 13)
    assert "2026-11-06" in received.decision_due_explanation


@pytest.mark.parametrize(
    "requested,supplied,expected",
    [
        (D(2026, 11, 2), D(2026, 11, 4), (D(2026, 11, 3), D(2026, 11, 4))),  # day 0: from day 1, 2 days
        (D(2026, 11, 5), D(2026, 11, 9), (D(2026, 11, 5), D(2026, 11, 8))),  # day 3: 4 days from the request
        (D(2026, 11, 5), D(2026, 11, 5), None),  # same day: nothing
    ],
)
def test_document_pause_rule(requested, supplied, expected):
    pause = rules.document_pause(requested, supplied, RECEIVED)
    assert pause == expected
    if pause:  # always as long as the days spent: supplied − requested
        assert (pause[1] - pause[0]).days + 1 == (supplied - requested).days


# --- urgency, art. 44(1): 距法定时效或者期限届满不足七日 ------------------------------------------------------
@pytest.mark.parametrize(
    "today,limitation,urgent",
    [
        (D(2026, 11, 2), D(2026, 11, 9), False),  # Mon → Mon: 7 days left is not fewer than 7
        (D(2026, 11, 2), D(2026, 11, 8), True),  # 6 days left
        (D(2026, 11, 2), D(2026, 11, 2), True),  # ends today: 0 days
        # Sat 31 Oct: 7 days later is Sat 7 Nov. The window is not a due date and is not rolled to Mon 9 Nov, so a
        # period ending Mon 9 Nov (9 days) or Sun 8 Nov (8 days) is not urgent; Fri 6 Nov (6 days) is.
        (D(2026, 10, 31), D(2026, 11, 9), False),
        (D(2026, 10, 31), D(2026, 11, 8), False),
        (D(2026, 10, 31), D(2026, 11, 7), False),
        (D(2026, 10, 31), D(2026, 11, 6), True),
        # National Day week (1–7 Oct 2026 are holidays): holidays count like any other day.
        (D(2026, 10, 1), D(2026, 10, 8), False),
        (D(2026, 10, 1), D(2026, 10, 7), True),
    ],
)
def test_urgent_means_fewer_than_seven_calendar_days(db, today, limitation, urgent):
    assert services.urgent_window_days() == 7  # the DeadlineRule row legal_aid.urgent_window
    assert services.urgent_on(limitation, today) is urgent
    text = rules.urgency_explanation(limitation, today, 7)
    assert "第44条" in text and f"还有{(limitation - today).days}日" in text
    assert ("可以先行提供法律援助" in text) is urgent


def test_urgent_window_rule_is_not_rolled_over_rest_days(db):
    from core.models import DeadlineRule

    rule = DeadlineRule.objects.get(pk="legal_aid.urgent_window")
    assert rule.length == 7 and rule.unit == "days" and not rule.roll_to_working_day
    assert "第44条" in rule.source


def test_case_with_seven_days_left_is_not_urgent_and_six_is(world, make_case):
    from django.utils import timezone

    today = timezone.localdate()
    assert not make_case(limitation_date=today + dt.timedelta(days=7)).urgent
    assert make_case(limitation_date=today + dt.timedelta(days=6)).urgent


def test_seven_days_left_cannot_skip_the_documents(world, firms, make_case):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    case = make_case(limitation_date=timezone.localdate() + dt.timedelta(days=7))
    services.case_request_documents(actor=world.users.staff_hh, case=case.pk, what="x")
    with pytest.raises(ValidationError) as exc:
        services.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="先行援助")
    assert "第44条" in " ".join(exc.value.messages) and "不足7日" in " ".join(exc.value.messages)


def test_sweep_flags_urgent_only_below_seven_days(world, make_case):
    from django.utils import timezone

    from legal.models import LegalAidCase
    from legal.services.sweep import sweep

    case = make_case(limitation_date=D(2026, 11, 9))
    LegalAidCase.objects.filter(pk=case.pk).update(urgent=False)
    at = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time(1)))  # noqa: E731
    assert sweep(at(D(2026, 11, 2)))["urgent"] == 0  # 7 days left: not urgent
    assert sweep(at(D(2026, 11, 3)))["urgent"] == 1  # 6 days left
    case.refresh_from_db()
    assert case.urgent
