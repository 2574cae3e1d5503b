"""The 工作台 page and GET /api/v1/todo/ as users and clients meet them, in Chinese and English; and the
notifications sent to whoever the work now waits for."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from negotiation import services as ns
from negotiation.models import State
from tests.negotiation.conftest import walk
from tests.worklist.test_todo import MON_2_MAR, legal_case, proposal

pytestmark = pytest.mark.django_db

HOME = "/home/"
API = "/api/v1/todo/"


def test_home_lists_what_waits_for_the_employer_in_chinese(world, client_for):
    neg = proposal(world, served_on=timezone.localdate())
    body = client_for(world.users.employer_a).get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待办事项" in body
    assert "书面回应（应约）" in body and "书面回应截止" in body
    assert neg.response_due.isoformat() in body
    assert "《集体合同规定》（劳动和社会保障部令第22号）第32条" in body
    assert reverse("core:workflow-action", args=["negotiation", neg.pk, "respond"]) in body
    assert neg.response_due_explanation in body


def test_home_in_english(world, client_for):
    neg = proposal(world, served_on=timezone.localdate())
    c = client_for(world.users.employer_a)
    c.cookies["django_language"] = "en"
    body = c.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting for you" in body
    assert "Written reply due" in body
    assert "days left" in body
    assert neg.response_due.isoformat() in body
    for zh in ("待办事项", "书面回应截止", "还剩"):
        assert zh not in body


def test_home_says_when_nothing_waits_and_shows_nothing_of_another_employer(world, client_for):
    neg = proposal(world, served_on=timezone.localdate())
    body = client_for(world.users.employer_b).get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "目前没有等待您处理的事项。" in body
    assert neg.title not in body and f"/do/negotiation/{neg.pk}/" not in body


def test_home_overdue_item_says_by_how_many_days(world, client_for):
    proposal(world, served_on=timezone.localdate() - dt.timedelta(days=40))  # due ~20 days ago, sweep not run
    body = client_for(world.users.employer_a).get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已逾期" in body and 'class="todo-item overdue"' in body


# --- API -----------------------------------------------------------------------------------------
def test_api_lists_the_same_items(world, api_for):
    neg = proposal(world, served_on=MON_2_MAR)
    r = api_for(world.users.employer_a).get(API, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    data = r.json()
    today = timezone.localdate()
    assert data["today"] == today.isoformat() and data["count"] == 1
    (item,) = data["items"]
    assert item == {
        "workflow": "negotiation", "workflow_label": "集体协商", "id": neg.pk, "title": str(neg), "state": "proposed",
        "state_label": "已发出要约", "url": f"/negotiations/{neg.pk}/",
        "tasks": [
            {"action": "respond", "label": "书面回应（应约）", "url": f"/do/negotiation/{neg.pk}/respond/"},
            {"action": "representatives_employer", "label": "指派本方协商代表（集体合同规定第21条）",
             "url": f"/negotiations/{neg.pk}/representatives/employer/"},
        ],
        "due": "2026-03-23", "due_what": "书面回应截止", "days_left": (dt.date(2026, 3, 23) - today).days,
        "overdue": dt.date(2026, 3, 23) < today, "article": "《集体合同规定》（劳动和社会保障部令第22号）第32条",
        "rule": "negotiation.response", "explanation": neg.response_due_explanation,
    }


def test_api_in_english_and_scoped(world, api_for):
    proposal(world, served_on=MON_2_MAR)
    c = api_for(world.users.employer_a)
    c.cookies["django_language"] = "en"  # the language is the user's choice (core.middleware), not the browser's
    r = c.get(API)
    item = r.json()["items"][0]
    assert (item["workflow_label"], item["due_what"], item["tasks"][0]["action"]) == (
        "Collective negotiation", "Written reply due", "respond")
    assert api_for(world.users.employer_b).get(API).json() == {"today": timezone.localdate().isoformat(), "count": 0, "items": []}


def test_api_refuses_anonymous_and_inactive(world, api_for):
    assert api_for(None).get(API).status_code == 403
    u = world.users.employer_a
    u.is_active = False
    u.save()
    assert api_for(u).get(API).status_code == 403
    assert api_for(world.users.norole).get(API).status_code == 200  # no role: an empty list, nothing to do


def test_api_is_documented(world, api_for):
    schema = api_for(world.users.admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    op = schema["paths"]["/api/v1/todo/"]["get"]
    assert op["operationId"] == "todo_list"
    assert {"200", "403"} <= set(op["responses"])
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    comp = schema["components"]["schemas"][ref]
    assert set(comp["properties"]) == {"today", "count", "items"}
    item = schema["components"]["schemas"]["TodoItem"]["properties"]
    assert {"due", "article", "days_left", "tasks", "overdue"} <= set(item)


# --- notifications -------------------------------------------------------------------------------
def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_one_chief_signs_the_other_side_is_told_its_signature_waits(world):
    neg = walk(world, State.APPROVED)
    Notification.objects.all().delete()
    ns.sign_record(negotiation=neg, actor=world.users.negotiator_a)
    assert kinds(world.users.employer_a) == ["negotiation.sign_waiting"]
    assert kinds(world.users.negotiator_a) == []
    neg = ns.sign_record(negotiation=neg, actor=world.users.employer_a)
    n = Notification.objects.get(recipient=world.users.negotiator_a, kind="negotiation.filing_waiting")
    assert neg.filing_due.isoformat() in n.title and n.body == neg.filing_due_explanation
    assert Notification.objects.filter(recipient=world.users.employer_a, kind="negotiation.filing_waiting").count() == 1
    assert kinds(world.users.negotiator_b) == [] and kinds(world.users.employer_b) == []


def test_the_employer_is_told_a_proposal_awaits_its_reply_by_the_due_date(world):
    neg = proposal(world, served_on=MON_2_MAR)
    n = Notification.objects.get(recipient=world.users.employer_a, kind="negotiation.proposal")
    assert "2026-03-23" in n.title
    assert not Notification.objects.filter(recipient=world.users.employer_b).exists()
    assert n.url == f"/negotiations/{neg.pk}/"


def test_suspension_tells_the_other_side_when_talks_resume(world):
    neg = walk(world, State.IN_ROUNDS)
    Notification.objects.all().delete()
    on = timezone.localdate() + dt.timedelta(days=7)
    ns.negotiation_suspend(negotiation=neg, actor=world.users.employer_a, next_date=on)
    (n,) = Notification.objects.filter(recipient=world.users.negotiator_a)
    assert n.kind == "negotiation.suspend" and on.isoformat() in n.title
    assert kinds(world.users.employer_a) == []


def test_a_legal_aid_application_tells_the_other_staff_of_the_region(world):
    with translation.override("zh-hans"):
        case = legal_case(world, received_on=MON_2_MAR)
    (n,) = Notification.objects.filter(kind="legal.submitted", recipient=world.users.staff_nm)
    assert case.number in n.title and "2026-03-09" in n.title
    assert not Notification.objects.filter(kind="legal.submitted", recipient=world.users.staff_hh).exists()  # the creator
    assert not Notification.objects.filter(kind="legal.submitted", recipient=world.users.staff_bt).exists()  # Baotou


def test_the_firm_and_the_lawyer_are_told_of_offer_and_assignment(world):
    from legal import services as ls
    from tests.legal.conftest import make_profile

    make_profile(world.firm_a, regions=("150100",))
    case = legal_case(world)
    ls.case_decide(actor=world.users.staff_hh, case=case.pk, approve=True, reason="符合条件")
    assert kinds(world.users.firm_admin_a) == ["legal.offered"]
    assert kinds(world.users.firm_admin_b) == []
    ls.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    ls.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    assert kinds(world.users.lawyer_a) == ["legal.lawyer_assigned"]
    assert kinds(world.users.lawyer_b) == []


def test_the_page_lists_the_most_urgent_and_counts_the_rest(world, client_for, monkeypatch):
    from worklist.templatetags import worklist as tag

    monkeypatch.setattr(tag, "SHOWN", 1)
    sooner = proposal(world, served_on=MON_2_MAR, title="较早的要约")
    later = proposal(world, served_on=dt.date(2026, 3, 5), title="较晚的要约")
    body = client_for(world.users.employer_a).get(HOME).content.decode()
    assert f'data-id="{sooner.pk}"' in body and f'data-id="{later.pk}"' not in body
    assert "查看全部待办事项（另有1项）" in body and 'href="/todo/"' in body
    # The full list page shows both, most urgent first, without pointing to itself.
    full = client_for(world.users.employer_a).get("/todo/").content.decode()
    assert full.index(f'data-id="{sooner.pk}"') < full.index(f'data-id="{later.pk}"')
    assert "查看全部待办事项" not in full


def test_the_page_reads_a_bounded_number_of_candidates_and_says_there_is_more(world, client_for, api_for, monkeypatch):
    # The landing page reads at most READ candidate rows per workflow (most urgent first), so it costs the
    # same whatever the scope holds (at 1k negotiations it answered 500s under load); beyond that it says
    # there is more without a count. The API still reads up to LIMIT and lists everything.
    from worklist.templatetags import worklist as tag

    monkeypatch.setattr(tag, "SHOWN", 1)
    monkeypatch.setattr(tag, "READ", 2)
    made = [proposal(world, served_on=dt.date(2026, 3, 2 + 7 * i), title=f"要约{i}") for i in (2, 0, 1)]
    made.sort(key=lambda n: n.response_due)  # created out of order: the page must read by due date, not by id
    body = client_for(world.users.employer_a).get(HOME).content.decode()
    assert f'data-id="{made[0].pk}"' in body and f'data-id="{made[1].pk}"' not in body
    assert "另有不太紧急的事项未列出" in body and "另有1项" not in body
    ids = {i["id"] for i in api_for(world.users.employer_a).get(API).json()["items"]}
    assert {m.pk for m in made} <= ids
