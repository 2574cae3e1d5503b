"""Issue 15: 劳动争议调解仲裁法 right at its edges (arts. 7, 16, 29, 43, 47–50).

Every expected date below is computed by hand from the State Council's 2025 holiday notice
(国办发明电〔2024〕12号) and 民法典 arts. 201–203, not taken from the code:

- 2025 rest days off the weekend: 端午 31 May–2 Jun; 国庆/中秋 1–8 Oct, with Sun 28 Sep and Sat 11 Oct as
  make-up working days;
- a period in days starts the day after the event (art. 201); a last day on a rest day or holiday moves to
  the next working day (art. 203); a "working days" period counts working days only;
- the last day of a period still belongs to it: for arts. 29/43 the court opens the day *after* the
  commission's or the tribunal's last day; for arts. 48/49/50 filing on the last day is in time.

Hohhot's (sample) monthly minimum wage is 1,980 yuan, so an award is final for a money claim up to
12 × 1,980 = 23,760 yuan (art. 47(1)).
"""
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core import workflow as registry
from core.models import AuditEvent
from disputes import services
from disputes.models import ClaimKind, DisputeCase, State

D = dt.date
pytestmark = pytest.mark.django_db

FINAL = [{"kind": ClaimKind.DISMISSAL, "amount": Decimal("20000")}]  # ≤ 23,760: final (art. 47(1))
NON_FINAL = [{"kind": ClaimKind.DISMISSAL, "amount": Decimal("60000")}]  # > 23,760: not final (art. 50)
COURT = "赛罕区人民法院"


def _now(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9))


@pytest.fixture
def case_2025(open_case):
    def make(claims=FINAL, **kw):
        return open_case(known_on=D(2025, 1, 6), filed_on=D(2025, 1, 10), claims=claims, **kw)

    return make


def _arbitrate(case, s, *, applied, accepted=None):
    case = services.dispute_apply_arbitration(case=case, actor=s, commission="呼和浩特市劳动人事争议仲裁委员会", on=applied)
    if accepted:
        case = services.dispute_accept(case=case, actor=s, on=accepted)
    return case


def _awarded(case_2025, s, *, claims=FINAL, received=D(2025, 9, 5)):
    case = _arbitrate(case_2025(claims=claims), s, applied=D(2025, 7, 28), accepted=D(2025, 8, 4))
    return services.dispute_issue_award(case=case, actor=s, received_on=received)


def _sue(case, s, on, by="worker"):
    return services.dispute_file_suit(case=case, actor=s, court=COURT, by=by, on=on)


# --- art. 29: no acceptance decision within the 5 working days, or a refusal -------------------------


def test_art_29_suit_only_after_the_commissions_five_working_days(world, case_2025):
    s = world.users.staff_hh
    # Applied Fri 26 Sep 2025. Working days after it: Sun 28 Sep (make-up day) 1, Mon 29 2, Tue 30 3,
    # 1–8 Oct off, Thu 9 Oct 4, Fri 10 Oct 5 → the commission has until Fri 10 Oct 2025.
    case = _arbitrate(case_2025(), s, applied=D(2025, 9, 26))
    assert case.acceptance_due == D(2025, 10, 10)
    assert "第29条" in case.acceptance_explanation
    with pytest.raises(ValidationError, match="第29条") as e:
        _sue(case, s, D(2025, 10, 10))  # its last day still belongs to the commission
    assert "2025年10月10日" in str(e.value) and "on" in e.value.error_dict
    with pytest.raises(ValidationError, match="申请人（劳动者）.*第29条"):
        _sue(case, s, D(2025, 10, 13), by="employer")  # art. 29 opens the court to the applicant
    case.refresh_from_db()
    assert case.state == State.ARBITRATION_APPLIED
    case = _sue(case, s, D(2025, 10, 11))  # the day after: Sat 11 Oct, a make-up working day
    assert case.state == State.COURT and case.court_filed_on == D(2025, 10, 11) and case.court_filed_by == "worker"


def test_art_29_refusal_opens_the_court_at_once(world, case_2025):
    s = world.users.staff_hh
    case = _arbitrate(case_2025(), s, applied=D(2025, 9, 26))  # the commission has until 10 Oct
    case = services.dispute_refuse_acceptance(case=case, actor=s, reason="不属于受理范围", on=D(2025, 9, 29))
    with pytest.raises(ValidationError, match="第29条"):
        _sue(case, s, D(2025, 9, 30), by="employer")
    case = _sue(case, s, D(2025, 9, 30))  # before the 5 days end: the refusal itself opens the court
    assert case.state == State.COURT


def test_art_29_page_and_api_refuse_an_early_suit_citing_the_article(world, open_case, client_for, api_for):
    from django.utils import timezone

    s = world.users.staff_hh
    today = timezone.localdate()
    case = open_case(known_on=today - dt.timedelta(days=30), filed_on=today)
    case = services.dispute_apply_arbitration(case=case, actor=s, commission="仲裁委", on=today)
    assert case.acceptance_due > today  # 5 working days after today
    body = client_for(s).get(f"/disputes/{case.pk}/").content.decode()
    assert 'disabled aria-describedby="why-file_suit"' in body and "第29条" in body  # shown, disabled, with the law
    r = client_for(s).post(f"/do/disputes/{case.pk}/file_suit/", {"court": COURT, "by": "worker",
                                                                  "expected_state": "arbitration_applied"})
    assert r.status_code == 400 and "第29条" in r.content.decode()
    r = api_for(s).post(f"/api/v1/disputes/{case.pk}/file-suit/", {"court": COURT, "by": "worker"}, format="json")
    assert r.status_code == 400 and "第29条" in str(r.json())
    case.refresh_from_db()
    assert case.state == State.ARBITRATION_APPLIED


# --- art. 43: no award within 45 (+15) days of acceptance -----------------------------------------------


def test_art_43_suit_only_after_the_award_period(world, case_2025):
    s = world.users.staff_hh
    # Accepted Mon 18 Aug 2025: 13 days to 31 Aug, 30 in September, the 45th is Thu 2 Oct — a National Day
    # holiday (1–8 Oct) → Thu 9 Oct 2025.
    case = _arbitrate(case_2025(), s, applied=D(2025, 8, 13), accepted=D(2025, 8, 18))
    assert case.award_due == D(2025, 10, 9)
    assert "第43条" in case.award_explanation and "民法典第203条" in case.award_explanation
    with pytest.raises(ValidationError, match="第43条") as e:
        _sue(case, s, D(2025, 10, 9))
    assert "2025年10月9日" in str(e.value)
    case = _sue(case, s, D(2025, 10, 10), by="employer")  # art. 43: either party
    assert case.state == State.COURT and case.court_filed_by == "employer"


def test_art_43_extended_period_in_hearing(world, case_2025):
    s = world.users.staff_hh
    case = _arbitrate(case_2025(), s, applied=D(2025, 8, 13), accepted=D(2025, 8, 18))  # due Thu 9 Oct
    case = services.dispute_start_hearing(case=case, actor=s, on=D(2025, 9, 1))
    case = services.dispute_extend_award(case=case, actor=s, reason="案情复杂")
    # 15 more days from Thu 9 Oct → Fri 24 Oct 2025, a working day.
    assert case.award_due == D(2025, 10, 24) and case.state == State.HEARING
    with pytest.raises(ValidationError, match="第43条") as e:
        _sue(case, s, D(2025, 10, 24))
    assert "2025年10月24日" in str(e.value)
    assert _sue(case, s, D(2025, 10, 27)).state == State.COURT


# --- art. 50: a non-final award is in force once the 15 days pass ---------------------------------------


def test_art_50_late_suit_against_a_non_final_award_is_refused(world, case_2025):
    s = world.users.staff_hh
    case = _arbitrate(case_2025(claims=NON_FINAL), s, applied=D(2025, 3, 31), accepted=D(2025, 4, 7))
    # Received Fri 16 May 2025: the 15th day is Sat 31 May, inside 端午 (31 May–2 Jun) → Tue 3 Jun 2025.
    case = services.dispute_issue_award(case=case, actor=s, received_on=D(2025, 5, 16))
    assert case.award_final is False and case.set_aside_due is None
    assert case.appeal_due == D(2025, 6, 3) and "第50条" in case.appeal_explanation
    with pytest.raises(ValidationError, match="第50条") as e:
        _sue(case, s, D(2025, 6, 4), by="employer")
    assert "2025年6月3日" in str(e.value) and "on" in e.value.error_dict
    with pytest.raises(ValidationError, match="第50条"):
        _sue(case, s, D(2025, 6, 4))
    case.refresh_from_db()
    assert case.state == State.AWARDED
    case = _sue(case, s, D(2025, 6, 3), by="employer")  # the last day is in time, for either party
    assert case.state == State.COURT


def test_art_50_sweep_makes_a_non_final_award_effective_after_the_last_day(world, case_2025):
    s = world.users.staff_hh
    case = _arbitrate(case_2025(claims=NON_FINAL), s, applied=D(2025, 3, 31), accepted=D(2025, 4, 7))
    case = services.dispute_issue_award(case=case, actor=s, received_on=D(2025, 5, 16))  # appeal due 3 Jun
    assert services.sweep(_now(D(2025, 6, 3)))["award_effective"] == 0
    assert services.sweep(_now(D(2025, 6, 4)))["award_effective"] == 1
    case.refresh_from_db()
    assert case.state == State.EFFECTIVE and case.next_due is None  # nothing left to run: not final
    event = AuditEvent.objects.get(object_id=str(case.pk), action="make_effective")
    assert event.actor is None and "第50条" in event.reason


def test_art_49_only_a_final_award_can_be_set_aside(world, case_2025):
    s = world.users.staff_hh
    case = _arbitrate(case_2025(claims=NON_FINAL), s, applied=D(2025, 3, 31), accepted=D(2025, 4, 7))
    case = services.dispute_issue_award(case=case, actor=s, received_on=D(2025, 5, 16))
    with pytest.raises(ValidationError, match="只有终局裁决可以申请撤销（第49条）.*第50条"):
        services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 5, 20))
    case.refresh_from_db()
    assert case.state == State.AWARDED


# --- arts. 47–49: a final award ------------------------------------------------------------------------


def test_final_award_clocks(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)
    assert case.award_final is True
    # Received Fri 5 Sep 2025. Art. 48 (the worker may sue): the 15th day is Sat 20 Sep → Mon 22 Sep 2025.
    assert case.appeal_due == D(2025, 9, 22) and "第48条" in case.appeal_explanation
    # Art. 49 (the employer may apply to set aside): the 30th day is Sun 5 Oct, in the National Day holiday
    # (1–8 Oct) → Thu 9 Oct 2025.
    assert case.set_aside_due == D(2025, 10, 9)
    assert "第49条" in case.set_aside_explanation and "30日" in case.set_aside_explanation
    assert "2025年10月9日" in case.set_aside_explanation and "民法典第203条" in case.set_aside_explanation
    assert case.next_due == case.appeal_due  # the worker's window governs first


def test_art_48_worker_sues_a_final_award_within_fifteen_days_employer_never(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)  # appeal due Mon 22 Sep 2025
    with pytest.raises(ValidationError, match="终局裁决，用人单位不能起诉.*第49条") as e:
        _sue(case, s, D(2025, 9, 8), by="employer")
    assert "by" in e.value.error_dict
    with pytest.raises(ValidationError, match="第48条") as e:
        _sue(case, s, D(2025, 9, 23))
    assert "2025年9月22日" in str(e.value)
    assert _sue(case, s, D(2025, 9, 22)).state == State.COURT


def test_art_49_set_aside_application_within_thirty_days(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)  # set aside due Thu 9 Oct 2025
    with pytest.raises(ValidationError, match="第49条") as e:
        services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 10, 10))
    assert "2025年10月9日" in str(e.value)
    # The worker's 15 days have passed; the sweep made the award effective; the employer still applies in time.
    services.sweep(_now(D(2025, 9, 23)))
    case.refresh_from_db()
    assert case.state == State.EFFECTIVE and case.next_due == D(2025, 10, 9)
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 10, 9))
    assert case.state == State.SET_ASIDE_APPLIED and case.set_aside_applied_on == D(2025, 10, 9)
    assert case.set_aside_court == "呼和浩特市中级人民法院" and case.next_due is None


def test_art_48_worker_may_still_sue_while_the_employer_applies_to_set_aside(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 9, 10))
    with pytest.raises(ValidationError, match="第49条"):
        _sue(case, s, D(2025, 9, 12), by="employer")
    with pytest.raises(ValidationError, match="第48条"):
        _sue(case, s, D(2025, 9, 23))
    assert _sue(case, s, D(2025, 9, 22)).state == State.COURT


def test_art_49_award_set_aside_then_fifteen_days_to_sue(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 9, 30))
    with pytest.raises(ValidationError, match="不能早于申请撤销裁决日期"):
        services.dispute_set_aside_award(case=case, actor=s, on=D(2025, 9, 29))
    # Ruling received Fri 14 Nov 2025: the 15th day is Sat 29 Nov → Mon 1 Dec 2025 (art. 49 para. 2).
    case = services.dispute_set_aside_award(case=case, actor=s, on=D(2025, 11, 14))
    assert case.state == State.SET_ASIDE and case.set_aside_ruling == "set_aside"
    assert case.set_aside_suit_due == D(2025, 12, 1) and case.next_due == D(2025, 12, 1)
    assert "第49条第2款" in case.set_aside_suit_explanation
    assert "第49条第2款" in services.overdue_hint(case)
    with pytest.raises(ValidationError, match="第49条第2款") as e:
        _sue(case, s, D(2025, 12, 2), by="employer")
    assert "2025年12月1日" in str(e.value)
    case = _sue(case, s, D(2025, 12, 1), by="employer")  # the award no longer stands: either party, in time
    assert case.state == State.COURT


@pytest.mark.parametrize("service,ruling", [("dispute_dismiss_set_aside", "dismissed"),
                                           ("dispute_withdraw_set_aside", "withdrawn")])
def test_art_49_dismissed_or_withdrawn_the_award_stays_in_force(world, case_2025, service, ruling):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 9, 30))
    case = getattr(services, service)(case=case, actor=s, on=D(2025, 11, 14))
    assert case.state == State.EFFECTIVE and case.set_aside_ruling == ruling and case.set_aside_ruling_on == D(2025, 11, 14)
    assert case.next_due is None  # nothing left to run
    with pytest.raises(ValidationError, match="不能执行此操作"):
        _sue(case, s, D(2025, 11, 20))
    with pytest.raises(ValidationError, match="不能执行此操作"):  # one application; it has been decided
        services.dispute_apply_set_aside(case=case, actor=s, court="法院", on=D(2025, 9, 30))


def test_final_award_sweep_worker_window_then_set_aside_window(world, case_2025):
    s = world.users.staff_hh
    case = _awarded(case_2025, s)  # appeal due Mon 22 Sep, set aside due Thu 9 Oct 2025
    assert services.sweep(_now(D(2025, 9, 22)))["award_effective"] == 0
    assert services.sweep(_now(D(2025, 9, 23)))["award_effective"] == 1
    case.refresh_from_db()
    assert case.state == State.EFFECTIVE and case.next_due == D(2025, 10, 9)
    effective = AuditEvent.objects.get(object_id=str(case.pk), action="make_effective")
    assert "第48条" in effective.reason and "第49条" in effective.reason
    warned = services.sweep(_now(D(2025, 10, 6)))  # 3 days before the employer's last day
    assert warned["warned"] == 1
    last_warning = AuditEvent.objects.filter(object_id=str(case.pk), action="warn_due").order_by("pk").last()
    assert last_warning.data["key"] == "set_aside_due:2025-10-09"
    assert services.sweep(_now(D(2025, 10, 9)))["set_aside_lapsed"] == 0  # the last day still counts
    counts = services.sweep(_now(D(2025, 10, 10)))
    assert counts["set_aside_lapsed"] == 1 and counts["overdue"] == 0
    case.refresh_from_db()
    assert case.set_aside_lapsed_on == D(2025, 10, 10) and case.next_due is None and not case.is_overdue
    lapse = AuditEvent.objects.get(object_id=str(case.pk), action="set_aside_lapse")
    assert lapse.actor is None and "第49条" in lapse.reason
    assert services.sweep(_now(D(2025, 10, 10)))["set_aside_lapsed"] == 0  # idempotent
    # An application made in time but entered late is still recorded: the law looks at its date.
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 10, 9))
    assert case.state == State.SET_ASIDE_APPLIED


def test_set_aside_stage_timeline_labels_in_both_languages(world, case_2025, client_for):
    from django.utils import translation

    s = world.users.staff_hh
    case = _awarded(case_2025, s)
    case = services.dispute_apply_set_aside(case=case, actor=s, court="呼和浩特市中级人民法院", on=D(2025, 9, 30))
    case = services.dispute_set_aside_award(case=case, actor=s, on=D(2025, 11, 14))
    wf = registry.get("disputes")
    with translation.override("zh-hans"):
        assert [wf.event_label(n) for n in ("apply_set_aside", "set_aside_award", "dismiss_set_aside",
                                            "withdraw_set_aside", "set_aside_lapse", "apply_payment_order")] == [
            "申请撤销裁决", "裁定撤销裁决", "驳回撤销申请", "撤回撤销申请", "撤销裁决申请期限届满", "申请支付令"]
        assert wf.state_label("set_aside") == "裁决已被撤销（起诉期内）"
    with translation.override("en"):
        assert wf.event_label("set_aside_award") == "Award set aside by the court"
        assert wf.event_label("set_aside_lapse") == "Period to apply to set the award aside lapsed"
        assert wf.state_label("set_aside_applied") == "Applied to set the award aside"
        assert wf.state_label("payment_order") == "Payment order applied for"
    body = client_for(s).get(f"/disputes/{case.pk}/").content.decode()
    assert "申请撤销裁决" in body and "裁定撤销裁决" in body and "裁决撤销后起诉期限" in body
    assert "2025-12-01" in body and "第49条第2款" in body


# --- art. 16: payment order on an unhonoured mediation agreement ---------------------------------------


def _mediated(case, s, *, performance_due=D(2025, 3, 31)):
    case = services.dispute_apply_mediation(case=case, actor=s, body="赛罕区劳动争议调解委员会", on=D(2025, 3, 3))
    return services.dispute_record_mediation_agreement(case=case, actor=s, terms="公司于3月31日前补发工资8000元",
                                                       on=D(2025, 3, 10), performance_due=performance_due)


def test_art_16_payment_order_after_the_agreed_time(world, open_case):
    s = world.users.staff_hh
    case = open_case(known_on=D(2025, 2, 28), employment_ended_on=D(2025, 2, 28), filed_on=D(2025, 3, 1),
                     claims=[{"kind": ClaimKind.WAGE_ARREARS, "amount": Decimal("8000")}])
    case = _mediated(case, s)
    assert case.mediation_performance_due == D(2025, 3, 31)
    with pytest.raises(ValidationError, match="第16条") as e:
        services.dispute_apply_payment_order(case=case, actor=s, court=COURT, on=D(2025, 3, 31))
    assert "2025年3月31日" in str(e.value)  # the agreed last day is still the employer's
    case = services.dispute_apply_payment_order(case=case, actor=s, court=COURT, on=D(2025, 4, 1))
    assert case.state == State.PAYMENT_ORDER
    assert (case.payment_order_on, case.payment_order_court) == (D(2025, 4, 1), COURT)
    # Applying to the court interrupts the limitation (art. 27(2)): one year again from Tue 1 Apr 2025 →
    # Wed 1 Apr 2026, a working day.
    assert case.limitation_interrupted_on == D(2025, 4, 1) and case.limitation_due == D(2026, 4, 1)
    assert case.next_due == case.limitation_due
    # If the order fails, the agreement still unperformed: arbitration (art. 15).
    case = services.dispute_apply_arbitration(case=case, actor=s, commission="仲裁委", on=D(2025, 5, 6))
    assert case.state == State.ARBITRATION_APPLIED


def test_art_16_only_for_pay_injury_costs_or_compensation(world, open_case, client_for):
    s = world.users.staff_hh
    case = _mediated(open_case(known_on=D(2025, 2, 1), filed_on=D(2025, 3, 1),
                               claims=[{"kind": ClaimKind.HOURS}, {"kind": ClaimKind.SOCIAL_INSURANCE}]), s)
    with pytest.raises(ValidationError, match="第16条") as e:
        services.dispute_apply_payment_order(case=case, actor=s, court=COURT, on=D(2025, 4, 1))
    assert "拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金" in str(e.value)
    case.refresh_from_db()
    assert case.state == State.MEDIATED
    body = client_for(s).get(f"/disputes/{case.pk}/").content.decode()
    assert 'disabled aria-describedby="why-apply_payment_order"' in body and "第16条" in body
    for kind in (ClaimKind.WORK_INJURY, ClaimKind.COMPENSATION, ClaimKind.STANDBY_PAY):
        ok = _mediated(open_case(title=str(kind), known_on=D(2025, 2, 1), filed_on=D(2025, 3, 1),
                                 claims=[{"kind": ClaimKind.REST}, {"kind": kind, "amount": Decimal("500")}]), s)
        assert services.dispute_apply_payment_order(case=ok, actor=s, court=COURT, on=D(2025, 4, 1)).state == State.PAYMENT_ORDER


def test_art_16_the_agreed_time_must_be_known(world, open_case):
    s = world.users.staff_hh
    case = _mediated(open_case(known_on=D(2025, 2, 1), filed_on=D(2025, 3, 1)), s, performance_due=None)
    with pytest.raises(ValidationError) as e:
        services.dispute_apply_payment_order(case=case, actor=s, court=COURT, on=D(2025, 4, 1))
    assert "performance_due" in e.value.error_dict and "第16条" in str(e.value)
    case = services.dispute_apply_payment_order(case=case, actor=s, court=COURT, on=D(2025, 4, 1),
                                                performance_due=D(2025, 3, 20))
    assert case.state == State.PAYMENT_ORDER and case.mediation_performance_due == D(2025, 3, 20)


# --- art. 7: representatives are optional -----------------------------------------------------------


def test_art_7_collective_dispute_without_representative(world, open_case, client_for, api_for):
    ten = [{"name": f"职工{i}"} for i in range(10)]
    case = open_case(is_collective=True, representative="", workers=ten)
    assert case.is_collective and case.representative == ""
    body = client_for(world.users.staff_hh).get(f"/disputes/{case.pk}/").content.decode()
    assert "集体争议（未推举职工代表）" in body
    r = api_for(world.users.staff_hh).post("/api/v1/disputes/", {
        "employer": world.emp_a.pk, "title": "集体欠薪", "facts": "事实", "known_on": "2026-09-01",
        "is_collective": True, "workers": ten, "claims": [{"kind": "wage_arrears", "amount": "80000.00"}],
    }, format="json")
    assert r.status_code == 201, r.json()
    assert DisputeCase.objects.get(pk=r.json()["id"]).representative == ""


# --- the rules are DeadlineRule rows: `manage.py deadline` --------------------------------------------


@pytest.mark.parametrize("rule,start,due,article", [
    ("dispute.set_aside", "2025-09-05", "2025-10-09", "第49条"),  # 30th day Sun 5 Oct (holiday) → Thu 9 Oct
    ("dispute.set_aside", "2025-03-03", "2025-04-02", "第49条"),  # 30th day Wed 2 Apr, a working day
    ("dispute.suit_after_set_aside", "2025-11-14", "2025-12-01", "第49条第2款"),  # Sat 29 Nov → Mon 1 Dec
    ("dispute.appeal", "2025-05-16", "2025-06-03", "第50条"),  # Sat 31 May, 端午 to 2 Jun → Tue 3 Jun
    ("dispute.acceptance", "2025-09-26", "2025-10-10", "第29条"),  # 5 working days across National Day
    ("dispute.award", "2025-08-18", "2025-10-09", "第43条"),  # 45th day Thu 2 Oct (holiday) → Thu 9 Oct
])
def test_deadline_command_covers_the_rules(rule, start, due, article):
    out = StringIO()
    call_command("deadline", rule, start, stdout=out)
    first, explanation = out.getvalue().split("\n", 1)
    assert first == due and article in explanation
