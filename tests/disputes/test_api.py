"""API under /api/v1/disputes/: same scope, services and messages as the pages."""
import datetime as dt

import pytest

from disputes.models import DisputeCase, State

pytestmark = pytest.mark.django_db


def payload(world, **kw):
    data = {
        "employer": world.emp_a.pk, "title": "拖欠工资", "facts": "事实", "known_on": "2026-09-01",
        "workers": [{"name": "乔海燕", "phone": "139"}],
        "claims": [{"kind": "wage_arrears", "amount": "8000.00", "period_start": "2026-06-01", "period_end": "2026-08-31"}],
        "employment_ended_on": "2026-09-01",
    }
    data.update(kw)
    return data


def test_create_list_detail_and_transition(world, api_for):
    api = api_for(world.users.staff_hh)
    r = api.post("/api/v1/disputes/", payload(world), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    pk = body["id"]
    assert body["state"] == "filed" and body["limitation_due"] == "2027-09-01"
    assert any(d["field"] == "limitation_due" and "第27条第4款" in d["explanation"] for d in body["dues"])
    assert "apply_mediation" in body["available_actions"]
    r = api.get("/api/v1/disputes/", {"state": "filed"})
    assert r.status_code == 200 and [c["id"] for c in r.json()["results"]] == [pk] if "results" in r.json() else [c["id"] for c in r.json()] == [pk]
    r = api.post(f"/api/v1/disputes/{pk}/apply-arbitration/", {"commission": "仲裁委", "on": "2026-11-20", "expected_state": "filed"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "arbitration_applied"
    assert r.json()["acceptance_due"] == "2026-11-27"
    r = api.post(f"/api/v1/disputes/{pk}/apply-arbitration/", {"commission": "仲裁委", "expected_state": "filed"}, format="json")
    assert r.status_code == 409 and "请刷新页面" in r.json()["detail"]
    r = api.post(f"/api/v1/disputes/{pk}/start-hearing/", {}, format="json")
    assert r.status_code == 400 and "当前状态" in str(r.json())
    r = api.post(f"/api/v1/disputes/{pk}/refuse-acceptance/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()


def test_refusals(world, api_for, open_case):
    r = api_for(world.users.employer_a).post("/api/v1/disputes/", payload(world), format="json")
    assert r.status_code == 403
    r = api_for(world.users.staff_hh).post("/api/v1/disputes/", payload(world, workers=[], claims=[]), format="json")
    assert r.status_code == 400
    r = api_for(world.users.staff_bt).post("/api/v1/disputes/", payload(world), format="json")
    assert r.status_code == 400 and "employer" in r.json()  # not in their region: not a valid choice
    assert DisputeCase.objects.count() == 0
    case = open_case()
    assert api_for(world.users.employer_a).post(f"/api/v1/disputes/{case.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403
    assert api_for(world.users.staff_bt).post(f"/api/v1/disputes/{case.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    assert api_for(world.users.employer_b).get(f"/api/v1/disputes/{case.pk}/").status_code == 404
    assert api_for(world.users.lawyer_a).get("/api/v1/disputes/").status_code == 403
    assert api_for(None).get("/api/v1/disputes/").status_code in (401, 403)
    case.refresh_from_db()
    assert case.state == State.FILED


def test_employer_reads_own_cases_with_dates(world, api_for, open_case):
    case = open_case()
    r = api_for(world.users.employer_a).get(f"/api/v1/disputes/{case.pk}/")
    assert r.status_code == 200 and r.json()["limitation_due"] and r.json()["available_actions"] == []


def test_bad_filter_is_400(world, api_for):
    r = api_for(world.users.staff_hh).get("/api/v1/disputes/", {"due_within": "abc"})
    assert r.status_code == 400 and "due_within" in r.json()
