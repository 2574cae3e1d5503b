"""API specifics: creation by staff within their region, consultations, firms, errors."""
from tests.factories import region

from .conftest import valid_id


def payload(world, **over):
    data = {"applicant_name": "李四", "id_number": valid_id(), "phone": "1", "applicant_region": region("150105").pk, "matter": "pay",
            "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk, "is_migrant_worker": True}
    data.update(over)
    return data


def test_staff_create_in_region_and_route(world, firms, api_for):
    api = api_for(world.users.staff_hh)
    r = api.post("/api/v1/legal-aid/cases/", payload(world), format="json")
    assert r.status_code == 201 and r.json()["eligibility_proposal"] == "exempt"
    pk = r.json()["id"]
    r = api.post(f"/api/v1/legal-aid/cases/{pk}/decide/", {"decision": "approve", "reason": "免审"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "offered"
    assert r.json()["attempts"][0]["firm"] == world.firm_a.pk and "选择" in r.json()["attempts"][0]["explanation"]


def test_staff_cannot_create_outside_their_region(world, api_for):
    r = api_for(world.users.staff_bt).post("/api/v1/legal-aid/cases/", payload(world), format="json")
    assert r.status_code == 403


def test_firm_users_cannot_create_or_decide(world, api_for, firms, make_case):
    case = make_case()
    assert api_for(world.users.firm_admin_a).post("/api/v1/legal-aid/cases/", payload(world), format="json").status_code == 403
    # not visible to the firm at all before routing
    assert api_for(world.users.firm_admin_a).post(f"/api/v1/legal-aid/cases/{case.pk}/decide/", {"decision": "approve", "reason": "x"},
                                                  format="json").status_code in (403, 404)


def test_bad_input_is_400_with_field_errors(world, api_for, make_case):
    case = make_case()
    api = api_for(world.users.staff_hh)
    r = api.post(f"/api/v1/legal-aid/cases/{case.pk}/decide/", {"decision": "maybe"}, format="json")
    assert r.status_code == 400 and {"decision", "reason"} <= set(r.json())
    r = api.post("/api/v1/legal-aid/cases/", payload(world, matter="divorce"), format="json")
    assert r.status_code == 400 and "matter" in r.json()


def test_consultations_and_firms(world, firms, api_for):
    api = api_for(world.users.staff_hh)
    r = api.post("/api/v1/legal-aid/consultations/", {"region": region("150105").pk, "topic": "pay", "summary": "工资迟发"}, format="json")
    assert r.status_code == 201 and r.json()["handled_by"] == world.users.staff_hh.pk
    assert api_for(world.users.staff_bt).get("/api/v1/legal-aid/consultations/").json()["results"] == []
    assert api_for(world.users.firm_admin_a).get("/api/v1/legal-aid/consultations/").status_code == 403
    names = [f["name"] for f in api.get("/api/v1/legal-aid/firms/").json()["results"]]
    assert set(names) == {world.firm_a.name, world.firm_b.name}
    own = api_for(world.users.lawyer_b).get("/api/v1/legal-aid/firms/").json()["results"]
    assert [f["name"] for f in own] == [world.firm_b.name]
