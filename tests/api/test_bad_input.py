"""Issue 13 (API): each class of hostile input a fuzzer sent answers 400 with messages naming the field —
never a 500 — and writes nothing (rows are counted before and after).

NUL bytes in query parameters, integers beyond 64 bits in pagination, dates in year 9999, path ids that
are not integers, nested JSON where a value belongs (a term's content, the employer's response, a
congress vote), bodies that are not JSON objects, text with lone surrogates."""
from __future__ import annotations

import json

import pytest

from accounts.models import Organisation
from core.models import AuditEvent
from core.serializers import DATE_MAX
from negotiation.models import CongressVote, Negotiation, State, Term, TermVersion
from notifications.models import Notification

from tests.negotiation.conftest import PAY_TERM, walk

pytestmark = pytest.mark.django_db
NEG = "/api/v1/negotiations/"


def counts():
    return {m.__name__: m.objects.count() for m in (Negotiation, Term, TermVersion, CongressVote, AuditEvent, Notification)}


@pytest.fixture
def unchanged():
    """Call with a thunk: it must leave every counted table as it was."""

    def check(thunk):
        before = counts()
        result = thunk()
        assert counts() == before
        return result

    return check


def bad(response, *fields):
    """A 400 whose JSON body names each of `fields` with at least one message."""
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    for f in fields:
        assert f in body and body[f], (f, body)
    return body


def flat(body) -> str:
    return json.dumps(body, ensure_ascii=False)


# --- query parameters -----------------------------------------------------------------------------------
def test_nul_byte_in_a_query_parameter_is_400_naming_it(world, api_for, unchanged):
    api = api_for(world.users.staff_hh)
    r = unchanged(lambda: api.get(NEG, {"state": "draft\x00"}))
    bad(r, "state")
    r = unchanged(lambda: api.get("/api/v1/deadlines/", {"rule": "negotiation.response\x00", "start": "2026-01-01"}))
    bad(r, "rule")


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("value", [str(2**64 + 1), "-1", "1e3", "abc"])
def test_pagination_beyond_64_bits_or_not_an_integer_is_400(world, api_for, param, value):
    for url in (NEG, "/api/v1/disputes/", "/api/v1/legal-aid/cases/", "/api/v1/notifications/"):
        bad(api_for(world.users.staff_hh).get(url, {param: value}), param)


# --- dates ----------------------------------------------------------------------------------------------
def test_year_9999_in_the_deadline_api_is_400_date_out_of_range(world, api_for):
    api = api_for(world.users.negotiator_a)
    body = bad(api.get("/api/v1/deadlines/", {"rule": "negotiation.response", "start": "9999-12-31"}), "start")
    assert "date out of range" in flat(body)
    assert api.get("/api/v1/deadlines/", {"rule": "negotiation.response", "start": "2026-03-02"}).status_code == 200
    # The last allowed day plus the longest period still computes or is refused as out of range, never a 500.
    assert api.get("/api/v1/deadlines/", {"rule": "negotiation.response", "start": DATE_MAX.isoformat()}).status_code in (200, 400)


def test_year_9999_in_bodies_is_400_and_creates_nothing(world, api_for, unchanged):
    api = api_for(world.users.negotiator_a)
    r = unchanged(lambda: api.post(NEG, {"title": "x", "employer": world.emp_a.pk, "term_start": "9999-12-31",
                                         "term_end": "9999-12-31"}, format="json"))
    assert "date out of range" in flat(bad(r, "term_start", "term_end"))
    neg = walk(world, State.IN_ROUNDS)
    r = unchanged(lambda: api.post(f"{NEG}{neg.pk}/suspend/", {"next_date": "9999-12-31"}, format="json"))
    bad(r, "next_date")
    r = unchanged(lambda: api.post(f"{NEG}{neg.pk}/terms/", {"kind": "pay", "title": "x",
                                                             "data": {**PAY_TERM, "start": "9999-01-01"}}, format="json"))
    assert "date out of range" in flat(bad(r, "data"))
    assert Negotiation.objects.get(pk=neg.pk).state == State.IN_ROUNDS


# --- path ids -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["null,null", "abc", "1.5", "-1", "0", "%20"])
def test_a_path_id_that_is_not_an_id_is_400_naming_it(world, api_for, unchanged, raw):
    staff = api_for(world.users.staff_hh)
    bad(unchanged(lambda: staff.post(f"/api/v1/legal-aid/cases/{raw}/route/", {}, format="json")), "id")
    bad(staff.get(f"/api/v1/legal-aid/cases/{raw}/"), "id")
    bad(staff.get(f"{NEG}{raw}/"), "id")
    bad(staff.get(f"/api/v1/disputes/{raw}/"), "id")
    bad(staff.get(f"/api/v1/documents/{raw}/"), "id")
    bad(staff.get(f"/api/v1/history/negotiation.negotiation/{raw}/"), "id")
    bad(staff.get(f"/api/v1/legal-aid/firms/{raw}/"), "organisation")
    bad(staff.get(f"/api/v1/organisations/{raw}/"), "id")
    neg = Negotiation.objects.first() or walk(world, State.DRAFT)
    negotiator = api_for(world.users.negotiator_a)
    bad(unchanged(lambda: negotiator.post(f"{NEG}{neg.pk}/terms/{raw}/revise/", {"data": {}}, format="json")), "term_pk")
    bad(negotiator.get(f"{NEG}{neg.pk}/drafts/{raw}/comments/"), "draft_pk")


@pytest.mark.parametrize("raw", [str(2**63), str(2**64), "9" * 40])
def test_a_whole_number_beyond_the_key_range_is_404(world, api_for, raw):
    # A number is a well-formed id; one no row can have is simply not there (the pages answer 404 too).
    staff = api_for(world.users.staff_hh)
    for url in (f"/api/v1/legal-aid/cases/{raw}/", f"{NEG}{raw}/", f"/api/v1/disputes/{raw}/",
                f"/api/v1/documents/{raw}/", f"/api/v1/history/negotiation.negotiation/{raw}/",
                f"/api/v1/organisations/{raw}/"):
        r = staff.get(url)
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), (url, r.status_code)
    assert staff.post(f"/api/v1/legal-aid/cases/{raw}/route/", {}, format="json").status_code == 404


def test_path_ids_are_checked_after_the_role_gate(world, api_for):
    # An outsider learns nothing from a malformed id: the role gate answers first.
    assert api_for(world.users.lawyer_a).get(f"{NEG}abc/").status_code == 403
    assert api_for(None).get(f"{NEG}abc/").status_code in (401, 403)


def test_an_unknown_api_address_is_a_json_404(world, api_for):
    r = api_for(world.users.staff_hh).get("/api/v1/no-such-thing/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json") and r.json()["detail"]


# --- nested JSON where a value belongs ------------------------------------------------------------------
NESTED = {"a": [1, {"b": 2}]}


@pytest.mark.parametrize("data, field", [
    ({**PAY_TERM, "start": NESTED}, "start"),
    ({**PAY_TERM, "groups": NESTED}, "groups"),
    ({**PAY_TERM, "groups": [NESTED]}, "groups"),
    ({**PAY_TERM, "groups": [{**PAY_TERM["groups"][0], "base_pay": NESTED}]}, "groups"),
    ({**PAY_TERM, "groups": [{**PAY_TERM["groups"][0], "headcount": [200]}]}, "groups"),
    ({"start": "2026-01-01", "end": "2026-02-01", "groups": [{"name": "早班", "headcount": 10, "start_time": "08:00",
      "end_time": "12:00", "weekdays": [{"day": 1}]}]}, "groups"),
    ({"start": "2026-01-01", "end": "2026-02-01", "daily_hours": "NaN", "pay_rule": "x", "groups": []}, "daily_hours"),
    ({"text": {"zh": "条款"}}, "text"),
    ([1, 2], "non_field_errors"),
    ("text", "non_field_errors"),
])
def test_nested_json_in_a_terms_content_is_400_and_writes_nothing(world, api_for, unchanged, data, field):
    neg = walk(world, State.DRAFT)
    api = api_for(world.users.negotiator_a)
    kind = "staggered" if "weekdays" in flat(data) else "short_hours" if "daily_hours" in flat(data) else "pay"
    # The shape is checked at the edge ({"data": {field: …}}); a group that is an object with unknown keys
    # passes it and the rules name what it lacks ({"groups": …}). Either way: 400 naming the field.
    body = bad(unchanged(lambda: api.post(f"{NEG}{neg.pk}/terms/", {"kind": kind, "title": "x", "data": data}, format="json")))
    assert field in body.get("data", body), body
    term = neg.terms.first()
    body = bad(unchanged(lambda: api.post(f"{NEG}{neg.pk}/terms/{term.pk}/revise/", {"data": data}, format="json")))
    assert field in body.get("data", body), body


@pytest.mark.parametrize("counter", [
    [1, 2],
    {"1": 5},
    {"x": {"data": PAY_TERM}},
    {"{term}": {"data": {**PAY_TERM, "groups": [{"weekdays": ["x"]}]}}},
    {"{term}": {"data": {**PAY_TERM, "end": {"y": 1}}}},
    {"{term}": {"data": PAY_TERM, "text": ["a"]}},
])
def test_nested_json_in_the_employers_response_is_400_and_writes_nothing(world, api_for, unchanged, counter):
    neg = walk(world, State.PROPOSED)
    term = neg.terms.order_by("pk").first()
    counter = json.loads(json.dumps(counter).replace("{term}", str(term.pk)))
    api = api_for(world.users.employer_a)
    bad(unchanged(lambda: api.post(f"{NEG}{neg.pk}/respond/", {"decision": "agree", "counter_terms": counter}, format="json")),
        "counter_terms")
    bad(unchanged(lambda: api.post(f"{NEG}{neg.pk}/respond/", {"decision": {"agree": True}}, format="json")), "decision")
    assert Negotiation.objects.get(pk=neg.pk).state == State.PROPOSED


@pytest.mark.parametrize("field, value", [
    ("total", {"n": 30}), ("present", [20]), ("votes_for", 2**64), ("votes_against", "many"), ("held_on", {"d": 1}),
    ("held_on", "9999-12-31"), ("body", ["congress"]),
])
def test_nested_json_or_out_of_range_in_a_vote_is_400_and_writes_nothing(world, api_for, unchanged, field, value):
    neg = walk(world, State.VOTING)
    vote = {"held_on": "2026-03-02", "body": "congress", "total": 30, "present": 20, "votes_for": 15, "votes_against": 5,
            "votes_abstain": 0, field: value}
    bad(unchanged(lambda: api_for(world.users.negotiator_a).post(f"{NEG}{neg.pk}/vote/", vote, format="json")), field)
    assert Negotiation.objects.get(pk=neg.pk).state == State.VOTING


# --- bodies that are not a JSON object ------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["null", "[]", '"x"', "42", '{"expected_state": {"a": 1}}', "{not json", '{"reason": "\\ud800"}'])
def test_extend_coordination_with_a_body_that_is_not_an_object_is_400(world, api_for, unchanged, raw):
    neg = walk(world, State.COORDINATION)
    api = api_for(world.users.bureau_hh)
    r = unchanged(lambda: api.post(f"{NEG}{neg.pk}/extend-coordination/", data=raw, content_type="application/json"))
    body = bad(r)
    assert set(body) & {"non_field_errors", "detail", "expected_state", "reason"}, body
    assert not Negotiation.objects.get(pk=neg.pk).coordination_extended


def test_extend_coordination_with_an_empty_body_extends_once(world, api_for):
    """The action takes no input: an empty body is a valid request (it used to be a 500)."""
    neg = walk(world, State.COORDINATION)
    api = api_for(world.users.bureau_hh)
    due = neg.coordination_due
    r = api.post(f"{NEG}{neg.pk}/extend-coordination/", data="", content_type="application/json")
    assert r.status_code == 200, r.content[:300]
    neg.refresh_from_db()
    assert neg.coordination_extended and neg.coordination_due > due
    # A second extension is not possible in the state it left: 400 naming why, nothing changed.
    before = counts()
    body = bad(api.post(f"{NEG}{neg.pk}/extend-coordination/"), "non_field_errors")
    assert body["non_field_errors"] and counts() == before
    # An outsider's empty body: 404 (not in their scope), not a 500.
    assert api_for(world.users.negotiator_b).post(f"{NEG}{neg.pk}/extend-coordination/").status_code == 404


def test_lone_surrogates_in_json_are_400(world, api_for, unchanged):
    neg = walk(world, State.DRAFT)
    api = api_for(world.users.negotiator_a)
    raw = '{"kind": "article", "title": "x\\ud800", "data": {"text": "y"}}'
    r = unchanged(lambda: api.post(f"{NEG}{neg.pk}/terms/", data=raw, content_type="application/json"))
    bad(r, "title")


def test_nul_where_a_related_object_is_named_is_400(world, api_for):
    # A slug lookup (the organisation's region) took the NUL to PostgreSQL: a DataError, a 500.
    staff = api_for(world.users.staff_hh)
    before = Organisation.objects.count()
    bad(staff.post("/api/v1/organisations/", {"name": "甲", "kind": "employer", "region_code": "15\x00"}, format="json"),
        "region_code")
    bad(staff.post("/api/v1/organisations/", {"name": "甲", "kind": "employer", "region_code": "15\x00"}), "region_code")
    assert Organisation.objects.count() == before


def test_nul_in_a_terms_content_is_400(world, api_for, unchanged):
    neg = walk(world, State.DRAFT)
    api = api_for(world.users.negotiator_a)
    r = unchanged(lambda: api.post(f"{NEG}{neg.pk}/terms/", {"kind": "article", "title": "x",
                                                             "data": {"text": "ok", "note\x00": "a\x00b"}}, format="json"))
    bad(r, "data")


def test_valid_input_still_works(world, api_for):
    neg = walk(world, State.DRAFT)
    api = api_for(world.users.negotiator_a)
    r = api.post(f"{NEG}{neg.pk}/terms/", {"kind": "pay", "title": "工资二", "data": {**PAY_TERM, "note": "extra keys pass"}},
                 format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["current"]["data"]["groups"][0]["base_pay"] == PAY_TERM["groups"][0]["base_pay"]
    assert r.json()["current"]["data"]["note"] == "extra keys pass"
