"""工作台 as a to-do list (issue 12 item 6): per role what waits, with the due date and the article, most
urgent first; scoped like each object's page; a bounded number of queries; the same list in the API.

Dates are pinned (a proposal served on Mon 2 Mar 2026 and so on) and every expected due date is counted by
hand in the test's comment."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes import services as ds
from disputes.models import ClaimKind
from legal import services as ls
from legal.models import Matter, RoutingAttempt
from negotiation import services as ns
from negotiation.models import State
from tests.factories import region
from tests.legal.conftest import make_profile, valid_id
from tests.negotiation.conftest import EMPLOYER_REPS, PAY_TERM, UNION_REPS, walk
from worklist.todo import items_for

pytestmark = pytest.mark.django_db

D = dt.date
MON_2_MAR = D(2026, 3, 2)
TUE_10_MAR = D(2026, 3, 10)
ART_32 = "《集体合同规定》（劳动和社会保障部令第22号）第32条"


def proposal(world, *, served_on, employer=None, union=None, negotiator=None, title="工资专项集体协商"):
    """A proposal served on `served_on` (response due: 20 days from the next day, art. 32; rolled to a working day)."""
    employer = employer or world.emp_a
    negotiator = negotiator or world.users.negotiator_a
    neg = ns.negotiation_create(actor=negotiator, employer=employer, title=title, headcount=220,
                                term_start=D(2026, 1, 1), term_end=D(2027, 12, 31))
    ns.representatives_set(negotiation=neg, actor=negotiator, side="union", people=UNION_REPS)
    ns.term_add(negotiation=neg, actor=negotiator, kind="pay", title="工资调整", data=PAY_TERM)
    neg.refresh_from_db()
    return ns.proposal_submit(negotiation=neg, actor=negotiator, today=served_on)


def legal_case(world, **over):
    data = dict(
        applicant_name="张三", id_number=valid_id(), phone="13800000000", address="呼和浩特市赛罕区某街1号",
        applicant_region=region("150105"), is_migrant_worker=True, household_size=3,
        household_monthly_income=Decimal("3000"), opposing_employer=world.emp_a, matter=Matter.PAY,
        facts="拖欠工资三个月。", claims="支付拖欠工资。", claim_amount=Decimal("15000"), summary_for_firms="拖欠工资。",
    )
    data.update(over)
    return ls.case_create(actor=world.users.staff_hh, data=data)


def dispute(world, *, known_on, filed_on=MON_2_MAR, employer=None):
    return ds.dispute_open(actor=world.users.staff_hh, employer=employer or world.emp_a, title="待岗工资争议",
                           facts="停工期间未发工资。", known_on=known_on, filed_on=filed_on,
                           workers=[{"name": "乔海燕", "phone": "13900000000"}],
                           claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("20000")}])


def rows(items):
    return [(i.workflow, i.object_id, [t.name for t in i.tasks], i.due, i.article) for i in items]


# --- per role ------------------------------------------------------------------------------------
def test_employer_sees_the_proposal_awaiting_its_written_reply_with_due_date_and_article(world):
    neg = proposal(world, served_on=MON_2_MAR)
    # 20 days counted from Tue 3 Mar end on Sun 22 Mar, a rest day: rolled to Mon 23 Mar (民法典 art. 203).
    items = items_for(world.users.employer_a, today=TUE_10_MAR)
    assert len(items) == 1
    item = items[0]
    assert (item.workflow, item.object_id, item.due, item.days_left) == ("negotiation", neg.pk, D(2026, 3, 23), 13)
    assert item.article == ART_32
    assert item.due_what == "书面回应截止"
    # the registry action, and the employer's own representatives still to appoint (art. 21)
    assert [t.name for t in item.tasks] == ["respond", "representatives_employer"]
    assert [t.label for t in item.tasks] == ["书面回应（应约）", "指派本方协商代表（集体合同规定第21条）"]
    assert item.tasks[0].url == reverse("core:workflow-action", args=["negotiation", neg.pk, "respond"])
    assert item.url == reverse("negotiation:detail", args=[neg.pk])
    assert not item.overdue


def test_after_the_reply_the_employer_has_nothing_and_the_union_starts_talks(world):
    neg = proposal(world, served_on=MON_2_MAR)
    ns.representatives_set(negotiation=neg, actor=world.users.employer_a, side="employer", people=EMPLOYER_REPS)
    ns.response_record(negotiation=neg, actor=world.users.employer_a, decision="agree", text="同意协商")
    # either side may start the rounds: both see it, without a statutory date
    for who in ("employer_a", "negotiator_a"):
        items = items_for(getattr(world.users, who), today=TUE_10_MAR)
        assert rows(items) == [("negotiation", neg.pk, ["start_rounds"], None, "")]


def test_negotiator_sees_a_draft_to_propose_and_the_comment_period_closing(world):
    draft = walk(world, State.DRAFT)
    comments = walk(world, State.COMMENTS)
    today = timezone.localdate()
    items = items_for(world.users.negotiator_a, today=today)
    # the dated item (comment period: 7 days from publication, art. 36) before the undated draft
    assert [(i.object_id, [t.name for t in i.tasks]) for i in items] == [
        (comments.pk, ["put_to_vote"]), (draft.pk, ["propose"]),
    ]
    closes = comments.drafts.get().comments_close
    assert items[0].due == timezone.localtime(closes).date()
    assert items[0].article == "《集体合同规定》第36条"
    assert items[0].due_what == "征求意见截止"


def test_both_sides_sign_then_file_within_ten_days_art_42(world):
    neg = walk(world, State.APPROVED)
    for who in ("negotiator_a", "employer_a"):
        assert [[t.name for t in i.tasks] for i in items_for(getattr(world.users, who))] == [["sign"]]
    ns.sign_record(negotiation=neg, actor=world.users.negotiator_a)
    assert items_for(world.users.negotiator_a) == []  # signed: waiting for the other side
    assert [[t.name for t in i.tasks] for i in items_for(world.users.employer_a)] == [["sign"]]
    neg = ns.sign_record(negotiation=neg, actor=world.users.employer_a)
    for who in ("negotiator_a", "employer_a"):
        (item,) = items_for(getattr(world.users, who))
        assert [t.name for t in item.tasks] == ["file"]
        assert item.due == neg.filing_due
        assert item.article == "《集体合同规定》（劳动和社会保障部令第22号）第42条"


def test_bureau_sees_coordination_to_accept_and_filing_to_review(world):
    coord = walk(world, State.COORDINATION_REQUESTED)
    filed = walk(world, State.UNDER_REVIEW)
    items = items_for(world.users.bureau_hh)
    assert [(i.object_id, [t.name for t in i.tasks]) for i in items] == [
        (filed.pk, ["return_objection", "no_objection"]), (coord.pk, ["accept_coordination"]),
    ]
    assert items[0].due == filed.review_ends
    assert items[0].due_what == "审查期届满"
    assert items[0].article.startswith("《集体合同规定》（劳动和社会保障部令第22号）第47条")
    assert items[1].due is None


def test_staff_see_legal_aid_to_decide_and_disputes_with_a_deadline_approaching(world):
    case = legal_case(world, received_on=MON_2_MAR)
    near = dispute(world, known_on=D(2025, 3, 20))  # limitation: 1 year → Fri 20 Mar 2026, 10 days away
    dispute(world, known_on=D(2025, 9, 1))  # limitation ends 1 Sep 2026: not waiting yet (horizon 14 days)
    items = items_for(world.users.staff_hh, today=TUE_10_MAR)
    # decision: 7 days from Tue 3 Mar → Mon 9 Mar (法律援助法 art. 43): overdue by 1 day, so it comes first
    assert rows(items) == [
        ("legal", case.pk, ["request_documents", "decide"], D(2026, 3, 9), "《法律援助法》第43条"),
        ("disputes", near.pk, ["start_negotiation", "apply_mediation", "apply_arbitration"], D(2026, 3, 20),
         "《劳动争议调解仲裁法》第27条"),
    ]
    assert items[0].overdue and items[0].days_overdue == 1
    assert items[1].days_left == 10
    # the region above sees the same (its scope includes Hohhot); Baotou's staff see none of it
    assert rows(items_for(world.users.staff_nm, today=TUE_10_MAR)) == rows(items)
    assert items_for(world.users.staff_bt, today=TUE_10_MAR) == []


def test_firm_admin_answers_the_offer_then_assigns_and_the_lawyer_gets_the_case(world):
    make_profile(world.firm_a, regions=("150100",))
    case = legal_case(world)
    case = ls.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
    attempt = RoutingAttempt.objects.get(case=case, outcome=RoutingAttempt.Result.PENDING)
    (item,) = items_for(world.users.firm_admin_a)
    assert [t.name for t in item.tasks] == ["accept", "decline"]
    assert (item.due, item.due_what, item.article) == (attempt.response_due, "律所答复截止", "本会合作律所服务协议（内部规则）")
    assert items_for(world.users.lawyer_a) == []
    ls.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    (item,) = items_for(world.users.firm_admin_a)
    assert [t.name for t in item.tasks] == ["assign_lawyer"]
    assert item.article == "《法律援助法》第43条"
    ls.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    assert items_for(world.users.firm_admin_a) == []  # now the lawyer's work
    (item,) = items_for(world.users.lawyer_a)
    assert [t.name for t in item.tasks] == ["worklog_add", "close"]


# --- scoping ---------------------------------------------------------------------------------------
def test_another_employer_firm_or_lawyer_sees_nothing_of_it(world):
    make_profile(world.firm_a, regions=("150100",))
    mine = proposal(world, served_on=MON_2_MAR)
    theirs = proposal(world, served_on=MON_2_MAR, employer=world.emp_b, negotiator=world.users.negotiator_b)
    case = legal_case(world)
    ls.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
    assert [i.object_id for i in items_for(world.users.employer_a, today=TUE_10_MAR)] == [mine.pk]
    assert [i.object_id for i in items_for(world.users.employer_b, today=TUE_10_MAR)] == [theirs.pk]
    assert items_for(world.users.firm_admin_b) == []
    assert items_for(world.users.lawyer_b) == []
    assert items_for(world.users.negotiator_b, today=TUE_10_MAR) == []
    assert items_for(world.users.bureau_hh, today=TUE_10_MAR) == []  # nothing has reached the bureau
    assert items_for(world.users.norole) == []


def test_every_item_is_an_object_its_page_would_show(world, client_for):
    proposal(world, served_on=MON_2_MAR)
    legal_case(world)
    for name, user in vars(world.users).items():
        for item in items_for(user, today=TUE_10_MAR):
            assert client_for(user).get(item.url).status_code == 200, (name, item.url)


# --- order and queries -------------------------------------------------------------------------------
def test_most_urgent_first_overdue_then_by_date_undated_last(world):
    later = proposal(world, served_on=D(2026, 3, 5), title="B")  # 20 days from Fri 6 Mar → Wed 25 Mar
    sooner = proposal(world, served_on=MON_2_MAR, title="A")  # → Mon 23 Mar
    items = items_for(world.users.employer_a, today=D(2026, 3, 24))
    assert [(i.object_id, i.due, i.days_left) for i in items] == [(sooner.pk, D(2026, 3, 23), -1), (later.pk, D(2026, 3, 25), 1)]
    assert items[0].overdue and items[1].urgent


def _count(user, today):
    with CaptureQueriesContext(connection) as ctx:
        items = items_for(user, today=today)
    return len(items), len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_items(world, django_assert_num_queries):
    proposal(world, served_on=MON_2_MAR)
    user = type(world.users.employer_a).objects.get(pk=world.users.employer_a.pk)  # nothing cached on the user
    n1, q1 = _count(user, TUE_10_MAR)
    for k in range(4):
        proposal(world, served_on=MON_2_MAR, title=f"第{k}项")
    user = type(user).objects.get(pk=user.pk)
    n5, q5 = _count(user, TUE_10_MAR)
    assert (n1, n5) == (1, 5)
    assert q5 == q1
    # negotiations + their representatives + their drafts, the deadline rules' articles,
    # disputes (none visible to an employer before the horizon), legal-aid cases (+ pending offers: none)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(5):
        items_for(user, today=TUE_10_MAR)


def test_staff_queries_bounded_too(world):
    legal_case(world, received_on=MON_2_MAR)
    dispute(world, known_on=D(2025, 3, 20))
    user = type(world.users.staff_hh).objects.get(pk=world.users.staff_hh.pk)
    n1, q1 = _count(user, TUE_10_MAR)
    for _ in range(3):
        legal_case(world, received_on=MON_2_MAR)
        dispute(world, known_on=D(2025, 3, 20))
    user = type(user).objects.get(pk=user.pk)
    n2, q2 = _count(user, TUE_10_MAR)
    assert (n1, n2) == (2, 8)
    # the staff's organisation and its region (the rules' region check, once), disputes, legal-aid cases +
    # their pending offers, the deadline rules' articles; no negotiation query: no negotiation action is
    # ever a union staff member's (worklist.specs roles), so their region's negotiations are not read
    assert q1 == q2 == 6


def test_roles_skipped_per_workflow_never_hide_work(monkeypatch):
    """worklist.specs declares which roles can ever have work in a workflow, so the others skip its query.
    The declaration must agree with the rules: over the demo data (negotiations in every stage, disputes,
    legal-aid cases; every role), the list with the declaration equals the list without it."""
    import dataclasses
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from worklist import specs as specs_mod

    call_command("seed_demo", stdout=io.StringIO())
    users = list(get_user_model().objects.filter(is_active=True).exclude(role=""))
    assert {u.role for u in users} >= {"union_negotiator", "union_staff", "employer_rep", "bureau_reviewer",
                                      "firm_admin", "lawyer"}
    declared = {u.pk: [(i.workflow, i.object_id, [t.name for t in i.tasks]) for i in items_for(u)] for u in users}
    real = specs_mod.specs
    monkeypatch.setattr(specs_mod, "specs", lambda: {k: dataclasses.replace(v, roles=None) for k, v in real().items()})
    import worklist.todo as todo_mod

    monkeypatch.setattr(todo_mod, "specs", specs_mod.specs)
    undeclared = {u.pk: [(i.workflow, i.object_id, [t.name for t in i.tasks]) for i in items_for(u)] for u in users}
    assert declared == undeclared
    assert sum(len(v) for v in declared.values()) > 10  # the demo gives people work: the comparison means something
