"""Issue 15, the negotiation part: the law at its edges. Every expectation below is computed by hand in
the comment beside it, from the article it cites (DOMAIN.md §§2, 5)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from core import workflow as registry
from core.deadlines import add_years, compute_due, months_before_expiry, term_last_day
from core.models import AuditEvent
from negotiation import forms as f
from negotiation import rules
from negotiation import services as svc
from negotiation.models import Negotiation, State

from .conftest import walk

D = dt.date


# --- 集体合同规定 art. 52: coordination runs from the bureau's acceptance (受理) -------------------------
@pytest.mark.django_db
def test_coordination_rules_cite_art_52_through_the_deadline_command(capsys):
    # 30 days from acceptance on Mon 1 Jun 2026: 2 Jun is day 1 (民法典 art. 201), 30 Jun day 29,
    # Wed 1 Jul day 30 — a working day, so no rollover.
    call_command("deadline", "negotiation.coordination", "2026-06-01")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2026-07-01"
    assert "第52条" in out and "第53条" not in out and "受理" in out
    # The extension: 15 days from the end of the first period, Wed 1 Jul → Thu 16 Jul 2026.
    call_command("deadline", "negotiation.coordination_extension", "2026-07-01")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2026-07-16" and "第52条" in out
    # Acceptance on Tue 1 Sep 2026: day 30 is Thu 1 Oct, 国庆 1–7 Oct are holidays, Thu 8 Oct works (art. 203).
    due = compute_due("negotiation.coordination", D(2026, 9, 1))
    assert (due.period_end, due.due, due.rolled_over) == (D(2026, 10, 1), D(2026, 10, 8), True)
    assert "第52条" in due.explanation and "第203条" in due.explanation


@pytest.mark.django_db
def test_coordination_clock_starts_at_acceptance_not_at_the_application(world):
    u = world.users
    neg = walk(world, State.COORDINATION_REQUESTED)
    assert neg.state == State.COORDINATION_REQUESTED
    assert neg.coordination_due is None and neg.current_due is None  # nothing runs before acceptance
    # The application was made on Wed 20 May 2026. Counted from it, 30 days would end on Fri 19 Jun
    # (端午, a holiday) → Mon 22 Jun; the law counts from acceptance instead.
    requested = timezone.make_aware(dt.datetime(2026, 5, 20, 10))
    Negotiation.objects.filter(pk=neg.pk).update(coordination_requested_at=requested)
    with pytest.raises(ValidationError, match="不能早于申请日期"):
        svc.coordination_accept(negotiation=neg, actor=u.bureau_hh, accepted_on=D(2026, 5, 19))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        svc.coordination_accept(negotiation=neg, actor=u.bureau_hh, accepted_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        svc.coordination_accept(negotiation=neg, actor=u.negotiator_a, accepted_on=D(2026, 6, 1))
    neg = svc.coordination_accept(negotiation=neg, actor=u.bureau_hh, accepted_on=D(2026, 6, 1))
    # Accepted Mon 1 Jun 2026 → 30 days end Wed 1 Jul 2026 (see the command test above).
    assert neg.state == State.COORDINATION and neg.coordination_accepted_on == D(2026, 6, 1)
    assert neg.coordination_due == D(2026, 7, 1) and neg.current_due == D(2026, 7, 1)
    assert "第52条" in neg.coordination_due_explanation and "2026年6月1日" in neg.coordination_due_explanation
    ev = AuditEvent.objects.filter(object_id=str(neg.pk), action="accept_coordination").get()
    assert ev.actor_id == u.bureau_hh.pk and ev.data["accepted_on"] == "2026-06-01"
    # Extension: from the end of the first period, 1 Jul → 16 Jul 2026, once only (art. 52).
    neg = svc.coordination_extend(negotiation=neg, actor=u.bureau_hh)
    assert neg.coordination_due == D(2026, 7, 16) and neg.coordination_extended
    assert "2026-07-01" in neg.coordination_due_explanation and "第52条" in neg.coordination_due_explanation
    with pytest.raises(ValidationError, match="第52条"):
        svc.coordination_extend(negotiation=neg, actor=u.bureau_hh)


@pytest.mark.django_db
def test_acceptance_is_a_registry_action_with_its_button_and_english_label(world, client_for):
    neg = walk(world, State.COORDINATION_REQUESTED)
    wf = registry.get("negotiation")
    a = wf.action("accept_coordination")
    assert a.transitions == ("accept_coordination",) and a.form is f.CoordinationAcceptForm
    with translation.override("en"):
        assert str(a.label) == "Accept the coordination application"
        assert wf.state_label(State.COORDINATION_REQUESTED) == "Coordination applied for, awaiting acceptance"
    buttons = {b.name: b for b in wf.buttons(world.users.bureau_hh, neg)}
    assert buttons["accept_coordination"].ok and "extend_coordination" not in buttons and "finish_coordination" not in buttons
    assert not {b.name: b for b in wf.buttons(world.users.negotiator_a, neg)}["accept_coordination"].ok
    c = client_for(world.users.bureau_hh)
    url = reverse("core:workflow-action", args=["negotiation", neg.pk, "accept_coordination"])
    assert c.post(url, {"expected_state": State.COORDINATION_REQUESTED}).status_code == 302
    neg.refresh_from_db()
    assert neg.state == State.COORDINATION and neg.coordination_accepted_on == timezone.localdate()
    assert neg.coordination_due == compute_due("negotiation.coordination", timezone.localdate()).due


# --- contract term: 民法典 art. 202 years; 集体合同规定 art. 38 a norm to confirm -------------------------
def test_year_arithmetic_by_art_202():
    # 29 Feb 2024 + 3 years: Feb 2027 has no 29th, so its last day, 28 Feb (art. 202).
    assert add_years(D(2024, 2, 29), 3) == (D(2027, 2, 28), True)
    assert add_years(D(2024, 2, 28), 1) == (D(2025, 2, 28), False)
    # A term's first day counts: 1 year from 1 Jan 2026 ends 31 Dec 2026; 3 years from 29 Feb 2024 end
    # on 28 Feb 2027 (counted from 28 Feb 2024); 1 year from 1 Mar 2024 ends 28 Feb 2025 (counted from
    # 29 Feb 2024, which has no 29th in 2025).
    assert term_last_day(D(2026, 1, 1), years=1) == D(2026, 12, 31)
    assert term_last_day(D(2024, 2, 29), years=3) == D(2027, 2, 28)
    assert term_last_day(D(2024, 3, 1), years=1) == D(2025, 2, 28)
    # The 3 months before a term ending 31 Dec 2026 (expiring as 1 Jan 2027 begins) start on 1 Oct 2026.
    assert months_before_expiry(D(2026, 12, 31), 3) == D(2026, 10, 1)


@pytest.mark.parametrize("start,end,expected", [
    (D(2024, 2, 29), D(2027, 2, 28), None),  # exactly 3 years (was refused as too long)
    (D(2024, 2, 29), D(2027, 3, 1), "超过3年"),  # 3 years and a day
    (D(2024, 2, 29), D(2025, 2, 28), None),  # exactly 1 year
    (D(2024, 2, 29), D(2025, 2, 27), "不足1年"),  # one day short of a year (was accepted)
    (D(2026, 1, 1), D(2026, 12, 31), None),  # a calendar year
    (D(2026, 1, 1), D(2028, 12, 31), None),  # 3 calendar years
    (D(2026, 1, 1), D(2029, 1, 1), "超过3年"),
    (D(2026, 1, 1), D(2026, 12, 30), "不足1年"),
])
def test_contract_term_counts_years_by_art_202_and_warns_with_art_38(start, end, expected):
    check = rules.contract_term(start, end)
    assert check.error is None
    if expected is None:
        assert check.warning is None and rules.check_contract_term(start, end) is None
    else:
        assert expected in check.warning and "第38条" in check.warning and "第202条" in check.warning
        assert "确认" in check.warning
    assert rules.contract_term(end, start).error  # an end before the start is no term at all


@pytest.mark.django_db
def test_a_term_outside_1_to_3_years_needs_the_parties_confirmation_not_a_refusal(world):
    u = world.users
    kw = dict(actor=u.negotiator_a, employer=world.emp_a, title="短期专项合同", term_start=D(2024, 2, 29), term_end=D(2025, 2, 27))
    with pytest.raises(ValidationError) as e:
        svc.negotiation_create(**kw)
    assert "term_confirmed" in e.value.message_dict and "第38条" in str(e.value)
    neg = svc.negotiation_create(**kw, term_confirmed=True)
    assert neg.term_confirmed
    ev = AuditEvent.objects.get(object_id=str(neg.pk), action="create")
    assert "第38条" in ev.data["term_warning"]
    # Moving the end date withdraws the confirmation unless given again …
    with pytest.raises(ValidationError, match="第38条"):
        svc.negotiation_update(negotiation=neg, actor=u.negotiator_a, term_end=D(2025, 2, 26))
    neg = svc.negotiation_update(negotiation=neg, actor=u.negotiator_a, term_end=D(2025, 2, 26), term_confirmed=True)
    assert neg.term_confirmed
    # … and a term back inside 1–3 years needs none (the flag is cleared).
    neg = svc.negotiation_update(negotiation=neg, actor=u.negotiator_a, term_end=D(2025, 2, 28))
    assert not neg.term_confirmed
    with pytest.raises(ValidationError, match="晚于起始日期"):
        svc.negotiation_update(negotiation=neg, actor=u.negotiator_a, term_end=D(2024, 2, 28), term_confirmed=True)


@pytest.mark.django_db
def test_term_confirmation_on_the_create_page(world, client_for):
    c = client_for(world.users.negotiator_a)
    body = c.get(reverse("negotiation:create")).content.decode()
    assert 'name="term_confirmed"' in body and "第38条" in body
    data = {"title": "四年期合同", "employer": world.emp_a.pk, "term_start": "2026-01-01", "term_end": "2029-12-31",
            "submission_key": "k-term"}
    r = c.post(reverse("negotiation:create"), data)
    assert r.status_code == 400 and "超过3年" in r.content.decode() and "第38条" in r.content.decode()
    r = c.post(reverse("negotiation:create"), {**data, "term_confirmed": "on"})
    assert r.status_code == 302 and Negotiation.objects.get(title="四年期合同").term_confirmed


@pytest.mark.parametrize("end,window", [
    (D(2026, 12, 31), D(2026, 10, 1)),  # expires as 1 Jan 2027 begins; 3 months back: 1 Oct (not 30 Sep)
    (D(2027, 2, 28), D(2026, 12, 1)),  # expires as 1 Mar 2027 begins: 1 Dec 2026
    (D(2026, 6, 30), D(2026, 4, 1)),  # expires as 1 Jul begins: 1 Apr
    (D(2026, 5, 30), D(2026, 2, 28)),  # expires as 31 May begins: Feb has no 31st, so 28 Feb (art. 202)
])
def test_renewal_window_opens_3_months_before_expiry(end, window):
    neg = Negotiation(term_start=D(2025, 1, 1), term_end=end)
    assert neg.renewal_window_start == window
    assert "第38条" in neg.renewal_window_explanation and "第202条" in neg.renewal_window_explanation


@pytest.mark.django_db
def test_renewal_window_on_the_page(world, client_for):
    neg = walk(world, State.PROPOSED)
    Negotiation.objects.filter(pk=neg.pk).update(term_start=D(2026, 1, 1), term_end=D(2026, 12, 31))
    body = client_for(world.users.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "续订窗口：2026-10-01 起" in body and "期满前3个月自2026年10月1日起算（民法典第202条）" in body


# --- chiefs: 集体合同规定 arts. 20–21 --------------------------------------------------------------
class Rep:
    def __init__(self, side, name, basis="", by="", on=None, doc="", chief=True, outsider=False):
        self.side, self.name, self.id_last4, self.is_chief, self.is_outsider = side, name, "", chief, outsider
        self.chief_basis, self.designated_by, self.designated_on, self.designation_document = basis, by, on, doc


TODAY = D(2026, 3, 1)


@pytest.mark.parametrize("rep,legal,problem", [
    (Rep("union", "李明", "union_chair"), "", None),
    (Rep("union", "李明"), "", "第20条"),  # no basis recorded
    (Rep("union", "王芳", "chair_designated", "李明", D(2026, 1, 5), "工会委字〔2026〕1号"), "", None),
    (Rep("union", "王芳", "chair_designated", "李明", D(2026, 1, 5)), "", "文件名称或编号"),  # written: the document
    (Rep("union", "王芳", "chair_designated", "", D(2026, 1, 5), "x"), "", "委托人"),
    (Rep("union", "王芳", "chair_designated", "王芳", D(2026, 1, 5), "x"), "", "不能是首席代表本人"),
    (Rep("union", "王芳", "chair_designated", "李明", D(2026, 3, 2), "x"), "", "不能晚于今天"),
    (Rep("union", "王芳", "principal_leader", doc="工会委员会决定（主席空缺）"), "", None),
    (Rep("union", "王芳", "elected", on=D(2026, 1, 5), doc="推举记录"), "", "不由民主推举"),  # there is a union
    (Rep("union", "王芳", "legal_rep"), "", "第20条"),  # an employer's basis on the workers' side
    (Rep("employer", "王建国", "legal_rep"), "王建国", None),
    (Rep("employer", "张总", "legal_rep"), "王建国", "法定代表人是王建国"),
    (Rep("employer", "张总", "authorised_manager", "王建国", D(2025, 12, 1), "授权委托书"), "王建国", None),
    (Rep("employer", "张总", "authorised_manager", "刘会计", D(2025, 12, 1), "授权委托书"), "王建国", "应由法定代表人王建国出具"),
    (Rep("employer", "张总", "authorised_manager", "王建国", D(2025, 12, 1)), "王建国", "第21条"),
    (Rep("employer", "张总", "union_chair"), "", "第21条"),
])
def test_chief_basis_is_recorded_checked_and_cited(rep, legal, problem):
    problems = rules.check_chief(rep, legal_representative=legal, today=TODAY)
    if problem is None:
        assert problems == []
    else:
        assert problems and all(p.code == rules.CHIEF_BASIS and p.side == rep.side for p in problems)
        text = " ".join(p.message for p in problems)
        assert problem in text and ("第20条" if rep.side == "union" else "第21条") in text


@pytest.mark.django_db
def test_chief_designation_through_the_service_audit_and_page(world, client_for):
    world.emp_a.legal_representative = "王建国"
    world.emp_a.save()
    neg = walk(world, State.DRAFT)
    u = world.users
    designated = [{"name": "王芳", "is_chief": True, "chief_basis": "chair_designated", "designated_by": "李明",
                   "designated_on": "2026-01-05", "designation_document": "工会委字〔2026〕1号"},
                  {"name": "李明"}, {"name": "赵强"}]
    svc.representatives_set(negotiation=neg, actor=u.negotiator_a, side="union", people=designated)
    chief = neg.representatives.get(side="union", is_chief=True)
    assert (chief.chief_basis, chief.designated_by, chief.designated_on, chief.designation_document) == (
        "chair_designated", "李明", D(2026, 1, 5), "工会委字〔2026〕1号")
    ev = AuditEvent.objects.filter(object_id=str(neg.pk), action="representatives_set").latest("pk")
    assert ev.data["chief"] == {"name": "王芳", "basis": "chair_designated", "designated_by": "李明",
                                "designated_on": "2026-01-05", "document": "工会委字〔2026〕1号"}
    body = client_for(u.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "工会主席书面委托" in body and "工会委字〔2026〕1号" in body and "第20条" in body
    with pytest.raises(ValidationError, match="第20条"):
        svc.representatives_set(negotiation=neg, actor=u.negotiator_a, side="union",
                                people=[{**designated[0], "designation_document": ""}, *designated[1:]])
    neg = svc.proposal_submit(negotiation=neg, actor=u.negotiator_a)
    # The employer's chief: its legal representative on record is 王建国.
    with pytest.raises(ValidationError, match="法定代表人是王建国"):
        svc.representatives_set(negotiation=neg, actor=u.employer_a, side="employer",
                                people=[{"name": "张总", "is_chief": True, "chief_basis": "legal_rep"}, {"name": "乙"}, {"name": "丙"}])
    svc.representatives_set(negotiation=neg, actor=u.employer_a, side="employer",
                            people=[{"name": "王建国", "is_chief": True, "chief_basis": "legal_rep"}, {"name": "乙"}, {"name": "丙"}])


# --- rest: 劳动法 art. 38, by the longest run, not the average ----------------------------------------
def _rotation(on, off):
    return {"start": "2026-01-01", "end": "2026-03-01", "days_on": on, "days_off": off,
            "groups": [{"name": "检修班", "headcount": 10, "base_pay": "5000", "new_pay": "5000"}]}


@pytest.mark.parametrize("on,off,ok", [
    (12, 2, False),  # averages 14/14×7 = 1 rest day a week, yet days 1–12 are 12 in a row with no rest
    (7, 7, False),  # averages 3.5 rest days a week, yet 7 days in a row
    (6, 1, True),  # every 7 consecutive days include the rest day
    (5, 2, True),
    (4, 0, False),  # no rest day at all
])
def test_rotation_checked_by_longest_run_not_average(on, off, ok):
    if ok:
        assert rules.validate_term("rotation", _rotation(on, off))
        return
    with pytest.raises(ValidationError) as e:
        rules.validate_term("rotation", _rotation(on, off))
    text = str(e.value)
    assert "第38条" in text and "24小时" in text
    if off:
        assert f"最长连续工作{on}天" in text


def _shift(**g):
    return {"start": "2026-01-01", "end": "2026-03-01",
            "groups": [{"name": "常日班", "headcount": 10, "start_time": "08:00", "end_time": "17:00", **g}]}


def test_shift_groups_checked_by_longest_run():
    assert rules.longest_run([True] * 12 + [False] * 2) == 12
    # Two rest days in the middle of an 8-day cycle, but working days wrap round: 5 at the end + 2 at
    # the start of the next cycle = 7 in a row.
    assert rules.longest_run([True, True, False, True, True, True, True, True]) == 7
    assert rules.longest_run([True] * 7) is None
    assert rules.worst_week_days([True] * 4 + [False] * 2) == 5  # 4 on, 2 off, 4 on… → at most 5 in 7 days
    with pytest.raises(ValidationError, match="最长连续工作12天"):
        rules.validate_term("staggered", _shift(days_on=12, days_off=2, break_minutes=60))
    with pytest.raises(ValidationError, match="第38条"):
        rules.validate_term("staggered", _shift(weekdays=[1, 2, 3, 4, 5, 6, 7], end_time="11:00"))
    # 4 on 2 off with 8 h: at most 5 days in 7, 40 h — allowed (and 6-day weeks of 6 h are too).
    assert rules.validate_term("staggered", _shift(days_on=4, days_off=2, break_minutes=60))
    assert rules.validate_term("staggered", _shift(weekdays=[1, 2, 3, 4, 5, 6], end_time="14:00"))


# --- meal break: a group's break is not working time -------------------------------------------------
def test_meal_break_counts_in_the_hours_check_and_the_cost():
    # 08:00–17:00 is 9 h; with an hour's break 8 h a day, 5 days = 40 h a week: within the standard.
    ok = _shift(weekdays=[1, 2, 3, 4, 5], break_minutes=60)
    assert rules.validate_term("staggered", ok)
    with pytest.raises(ValidationError, match="超过每日8小时"):  # no break: 9 h
        rules.validate_term("staggered", _shift(weekdays=[1, 2, 3, 4, 5]))
    with pytest.raises(ValidationError, match="扣除休息（用餐）60分钟后工作8.5小时"):  # 08:00–17:30 less 1 h
        rules.validate_term("staggered", _shift(weekdays=[1, 2, 3, 4, 5], end_time="17:30", break_minutes=60))
    with pytest.raises(ValidationError, match="48小时"):  # 6 days × 8 h = 48 h a week
        rules.validate_term("staggered", _shift(weekdays=[1, 2, 3, 4, 5, 6], break_minutes=60))
    with pytest.raises(ValidationError, match="必须短于班次时长"):
        rules.validate_term("staggered", _shift(weekdays=[1], break_minutes=540))
    cost = rules.term_cost("staggered", ok, None)
    (row,) = cost["hours"]
    assert (row["span_hours"], row["break_minutes"], row["daily_hours"], row["weekly_hours"]) == (
        Decimal("9.00"), 60, Decimal("8.00"), Decimal("40.00"))
    assert cost["weekly_person_hours"] == Decimal("400.00")  # 10 people × 40 h


def test_term_form_reads_the_break_and_a_shift_cycle():
    form = f.TermForm({"kind": "staggered", "title": "错时", "start": "2026-01-01", "end": "2026-03-01",
                       "groups": "常日班，10，08:00，17:00，1-5，60\n倒班，8，20:00，08:00，做4休2，60分钟"})
    assert form.is_valid(), form.errors
    data = form.structured()
    assert not form.errors
    day, night = data["groups"]
    assert day["weekdays"] == [1, 2, 3, 4, 5] and day["break_minutes"] == 60
    assert (night["days_on"], night["days_off"], night["break_minutes"]) == (4, 2, 60)
    # 20:00–08:00 is 12 h; less 1 h is 11 h a day: over 8 h without an approval number (art. 3).
    with pytest.raises(ValidationError, match="11小时"):
        rules.validate_term("staggered", data)
    assert f.groups_text("staggered", data) == "常日班，10，08:00，17:00，1、2、3、4、5，60\n倒班，8，20:00，08:00，做4休2，60"


@pytest.mark.django_db
def test_shift_hours_on_the_detail_page(world, client_for):
    neg = walk(world, State.DRAFT)
    svc.term_add(negotiation=neg, actor=world.users.negotiator_a, kind="staggered", title="错时上下班",
                 data=_shift(weekdays=[1, 2, 3, 4, 5], break_minutes=60))
    body = client_for(world.users.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "含用餐休息60分钟" in body and "每周用工合计：400.00 工时" in body
