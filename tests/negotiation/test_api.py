"""The same story through /api/v1/negotiations/, with 400/403/404/409."""
import datetime as dt

import pytest
from django.utils import timezone

from negotiation.models import Negotiation, State

from .conftest import EMPLOYER_REPS, PAY_TERM, UNION_REPS, walk

pytestmark = pytest.mark.django_db
BASE = "/api/v1/negotiations/"


def test_api_story_from_create_to_filing(world, api_for):
    u = world.users
    neg_api, emp_api, bureau_api = api_for(u.negotiator_a), api_for(u.employer_a), api_for(u.bureau_hh)
    r = neg_api.post(BASE, {"title": "API协商", "employer": world.emp_a.pk, "term_start": "2026-01-01", "term_end": "2027-12-31",
                            "submission_key": "api-1"}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert neg_api.post(BASE, {"title": "API协商", "employer": world.emp_a.pk, "submission_key": "api-1"}, format="json").json()["id"] == pk
    # Issue 12 item 7: each side appoints its own list — the union's now, the employer's once served.
    assert neg_api.post(f"{BASE}{pk}/representatives/", {"side": "union", "people": UNION_REPS}, format="json").status_code == 200
    r = neg_api.post(f"{BASE}{pk}/representatives/", {"side": "employer", "people": EMPLOYER_REPS}, format="json")
    assert r.status_code == 403 and "第21条" in r.json()["detail"]
    r = neg_api.post(f"{BASE}{pk}/terms/", {"kind": "pay", "title": "工资", "data": PAY_TERM}, format="json")
    assert r.status_code == 201
    term_id = r.json()["id"]
    r = neg_api.post(f"{BASE}{pk}/terms/", {"kind": "standby", "title": "待岗", "data": {"start": "2026-01-01", "end": "2026-02-01",
                     "groups": [{"name": "x", "headcount": 3, "base_pay": "4000", "standby_pay": "10"}]}}, format="json")
    assert r.status_code == 400 and "第12条" in str(r.json())
    r = neg_api.post(f"{BASE}{pk}/propose/", {"expected_state": "draft"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "proposed" and r.json()["response_due"]
    r = emp_api.post(f"{BASE}{pk}/representatives/", {"side": "employer", "people": EMPLOYER_REPS}, format="json")
    assert r.status_code == 200, r.json()
    chief = next(p for p in r.json()["representatives"] if p["side"] == "employer" and p["is_chief"])
    assert chief["chief_basis"] == "authorised_manager" and chief["designated_by"] == "王建国"
    # Counter-proposal with the response.
    counter = {**PAY_TERM, "groups": [{**PAY_TERM["groups"][0], "adjust_percent": "-15"}]}
    r = emp_api.post(f"{BASE}{pk}/respond/", {"decision": "agree", "counter_terms": {str(term_id): {"data": counter}}}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert r.json()["terms"][0]["current"]["number"] == 2
    assert emp_api.post(f"{BASE}{pk}/start-rounds/", {}, format="json").status_code == 200
    today = timezone.localdate().isoformat()
    r = neg_api.post(f"{BASE}{pk}/rounds/", {"held_on": today, "chair_side": "union", "attendees": "双方", "recorder": "孙", "minutes": "纪要"}, format="json")
    assert r.status_code == 201
    # Both chiefs confirm the draft: the first confirmation leaves it in rounds.
    assert neg_api.post(f"{BASE}{pk}/agree-draft/", {}, format="json").json()["state"] == "in_rounds"
    assert emp_api.post(f"{BASE}{pk}/agree-draft/", {}, format="json").json()["state"] == "draft_agreed"
    close = (timezone.now() + dt.timedelta(days=3)).isoformat()
    assert neg_api.post(f"{BASE}{pk}/publish-draft/", {"comments_close": close, "employee_count": 50}, format="json").status_code == 200
    r = neg_api.post(f"{BASE}{pk}/put-to-vote/", {}, format="json")
    assert r.status_code == 400 and "截止" in str(r.json())  # the comment period is still open
    assert neg_api.post(f"{BASE}{pk}/close-comments/", {"reason": "意见已收齐"}, format="json").status_code == 200
    assert neg_api.post(f"{BASE}{pk}/put-to-vote/", {}, format="json").status_code == 200
    r = neg_api.post(f"{BASE}{pk}/vote/", {"held_on": today, "total": 30, "present": 20, "votes_for": 15, "votes_against": 5, "votes_abstain": 0}, format="json")
    # The generic action answers with the negotiation (the vote is in it), 201 as before.
    assert r.status_code == 201 and r.json()["votes"][0]["passed"] is True
    assert neg_api.post(f"{BASE}{pk}/sign/", {}, format="json").json()["state"] == "approved"
    assert emp_api.post(f"{BASE}{pk}/sign/", {}, format="json").json()["state"] == "signed"
    r = emp_api.post(f"{BASE}{pk}/file/", {"filed_on": today, "receipt_number": "R-9", "bureau": world.bureau_hh.pk}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "under_review" and r.json()["review_ends"]
    r = bureau_api.post(f"{BASE}{pk}/return-objection/", {"objection": "第3条需修改"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "in_rounds"


def test_api_refusals(world, api_for):
    neg = walk(world, State.PROPOSED)
    u = world.users
    url = f"{BASE}{neg.pk}/respond/"
    assert api_for(u.employer_b).post(url, {"decision": "agree"}, format="json").status_code == 404
    assert api_for(u.employer_b).get(f"{BASE}{neg.pk}/").status_code == 404
    assert api_for(u.lawyer_a).get(BASE).status_code == 403
    assert api_for(None).get(BASE).status_code in (401, 403)
    r = api_for(u.negotiator_a).post(url, {"decision": "agree"}, format="json")
    assert r.status_code == 403 and "用人单位" in r.json()["detail"]
    r = api_for(u.employer_a).post(url, {"decision": "refuse", "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api_for(u.employer_a).post(url, {"decision": "maybe"}, format="json")
    assert r.status_code == 400 and "decision" in r.json()
    r = api_for(u.employer_a).post(url, {"decision": "agree", "expected_state": "draft"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert api_for(u.employer_a).post(url, {"decision": "agree"}, format="json").status_code == 200
    # A client replying from what it saw (the proposal) finds it answered. (Generic actions know the
    # expected state only when the client sends it; without it the answer is 400 naming the state.)
    r = api_for(u.employer_a).post(url, {"decision": "agree", "expected_state": "proposed"}, format="json")
    assert r.status_code == 409 and "已同意协商" in r.json()["detail"]  # a second reply: someone already answered
    r = api_for(u.employer_a).post(url, {"decision": "agree"}, format="json")
    assert r.status_code == 400 and "已同意协商" in str(r.json())
    r = api_for(u.negotiator_a).post(f"{BASE}{neg.pk}/put-to-vote/", {}, format="json")
    assert r.status_code == 400 and "当前状态" in str(r.json())  # not possible in this state
    assert Negotiation.objects.get(pk=neg.pk).state == State.ACCEPTED


def test_api_list_scoped_and_fixed_queries(world, api_for, django_assert_max_num_queries):
    for _ in range(3):
        walk(world, State.PROPOSED)
    c = api_for(world.users.staff_hh)
    with django_assert_max_num_queries(10) as ctx:
        r = c.get(BASE)
    n = len(ctx.captured_queries)
    assert r.json()["count"] == 3
    for _ in range(5):
        walk(world, State.DRAFT)
    with django_assert_max_num_queries(n):
        assert c.get(BASE).json()["count"] == 8
    assert api_for(world.users.staff_bt).get(BASE).json()["count"] == 0
    assert c.get(BASE, {"state": "draft"}).json()["count"] == 5


def test_api_comment_summary_for_union_only(world, api_for):
    neg = walk(world, State.COMMENTS)
    draft = neg.drafts.get()
    from negotiation import services as svc

    [(link, tok)] = svc.links_issue(draft=draft, actor=world.users.negotiator_a, count=1)
    vid = draft.versions.first().pk
    svc.comments_submit(token=tok, comments={vid: "意见"}, anonymous=True)
    url = f"{BASE}{neg.pk}/drafts/{draft.pk}/comments/"
    r = api_for(world.users.negotiator_a).get(url)
    assert r.status_code == 200 and r.json()["used"] == 1 and r.json()["terms"][0]["comments"][0]["link_label"] is None
    assert api_for(world.users.employer_a).get(url).status_code == 403
    assert api_for(world.users.negotiator_b).get(url).status_code == 404
