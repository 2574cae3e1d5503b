import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organisation, Region
from core.models import AuditEvent
from core.validators import validate_credit_code, validate_id_number
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db

GOOD = make_credit_code(4242, "150105")


def test_credit_code_check_digit():
    # Real published codes must pass.
    validate_credit_code("91440300708461136T")  # published codes (Tencent, Huawei)
    validate_credit_code("914403001922038216")
    validate_credit_code(GOOD)
    for bad, code in [(GOOD[:-1], "length"), (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "checksum"), ("91150105MA0I0000OZ", "charset")]:
        with pytest.raises(ValidationError) as e:
            validate_credit_code(bad)
        assert e.value.code == code


def test_id_number_check_digit():
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number("110105194912310021")
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("110105194913310027")


def test_region_path_and_subtree():
    ordos = Region.objects.get(code="150600")
    assert ordos.path == "150000/150600/"
    assert set(Region.objects.filter(ordos.subtree_q()).values_list("code", flat=True)) >= {"150600", "150622"}
    assert Region.objects.get(code="150622").parent == ordos


def _post(world):
    return {
        "kind": "employer",
        "name": "呼和浩特新城物流有限公司",
        "region": Region.objects.get(code="150102").pk,
        "credit_code": GOOD,
        "headcount": "120",
        "industry": "物流",
    }


def test_staff_registers_employer_with_audit(world, client_for):
    c = client_for(world.users.staff_hh)
    r = c.post("/accounts/organisations/new/", _post(world))
    assert r.status_code == 302
    org = Organisation.objects.get(name="呼和浩特新城物流有限公司")
    assert AuditEvent.objects.filter(object_id=str(org.pk), action="organisation_create").exists()


@pytest.mark.parametrize(
    "change,field,msg",
    [
        ({"credit_code": GOOD[:-1] + ("1" if GOOD[-1] == "0" else "0")}, "credit_code", "校验位错误"),
        ({"credit_code": ""}, "credit_code", "必须填写统一社会信用代码"),
        ({"region": 999999}, "region", "未知地区"),
        ({"name": "呼和浩特甲乳业有限公司"}, None, "已存在"),
    ],
)
def test_bad_input_rerenders_with_message_and_writes_nothing(world, client_for, change, field, msg):
    c = client_for(world.users.staff_hh)
    before = Organisation.objects.count()
    r = c.post("/accounts/organisations/new/", {**_post(world), **change})
    assert r.status_code == 200
    body = r.content.decode()
    assert msg in body
    assert "呼和浩特" in body  # the form keeps what the user typed
    if field:
        assert field in r.context["form"].errors
    assert Organisation.objects.count() == before


def test_staff_cannot_register_outside_region(world, client_for):
    c = client_for(world.users.staff_hh)
    r = c.post("/accounts/organisations/new/", {**_post(world), "region": Region.objects.get(code="150203").pk})
    assert r.status_code == 200 and "region" in r.context["form"].errors


def test_employer_cannot_open_registration(world, client_for):
    assert client_for(world.users.employer_a).get("/accounts/organisations/new/").status_code == 403


def test_api_create_and_field_errors(world, api_for):
    api = api_for(world.users.staff_hh)
    data = {"kind": "employer", "name": "API测试企业", "region_code": "150105", "credit_code": GOOD, "headcount": 50}
    r = api.post("/api/v1/organisations/", data, format="json")
    assert r.status_code == 201, r.json()
    r = api.post("/api/v1/organisations/", data, format="json")
    assert r.status_code == 400  # duplicate name and credit code
    body = r.json()
    assert "credit_code" in body or "non_field_errors" in body
    r = api.post("/api/v1/organisations/", {**data, "name": "另一企业", "credit_code": "123", "region_code": "999999"}, format="json")
    assert r.status_code == 400 and {"credit_code", "region_code"} <= set(r.json())
    r = api.post("/api/v1/organisations/", {**data, "name": "外地企业", "credit_code": make_credit_code(77), "region_code": "150203"}, format="json")
    assert r.status_code == 403
    assert api_for(world.users.employer_a).post("/api/v1/organisations/", data, format="json").status_code == 403
    assert Organisation.objects.filter(name__in=["另一企业", "外地企业"]).count() == 0


def test_api_scoping(world, api_for):
    r = api_for(world.users.employer_a).get("/api/v1/organisations/")
    assert [o["name"] for o in r.json()["results"]] == ["呼和浩特甲乳业有限公司"]
    assert api_for(world.users.employer_a).get(f"/api/v1/organisations/{world.emp_b.pk}/").status_code == 404
    assert api_for(None).get("/api/v1/organisations/").status_code in (401, 403)
    me = api_for(world.users.lawyer_a).get("/api/v1/me/").json()
    assert me["role"] == "lawyer" and me["organisation"]["name"] == "青城测试律所"
