"""Issue 15: who is not subject to the financial-hardship test, which ground is recorded, and the article cited.

法律援助法 art. 32 — the hardship condition does not apply (不受经济困难条件的限制): (一) 英雄烈士近亲属为维护
英雄烈士的人格权益; (二) 因见义勇为行为主张相关民事权益; (三) 再审改判无罪请求国家赔偿; (四) 遭受虐待、遗弃
或者家庭暴力的受害人主张相关权益; (五) 法律、法规、规章规定的其他情形.
Art. 42 — no means check for an applicant who proves with documents to be (免予核查经济困难状况): (一) 无固定
生活来源的未成年人、老年人、残疾人等特定群体; (二) 社会救助、司法救助或者优抚对象 (社会救助 includes 最低
生活保障 and 特困人员供养); (三) 申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员; (四) 法律、法规、
规章规定的其他人员.
"""
from decimal import Decimal

import pytest

from legal import rules, services
from legal.models import Eligibility, ExemptionGround, LegalAidCase, Matter
from tests.factories import region

from .conftest import valid_id

G = ExemptionGround
RICH = dict(household_size=1, household_monthly_income=Decimal("90000"))  # far above any hardship standard

GROUNDS = [
    (G.HERO_RELATIVE, "第32条第1项", "不受经济困难条件的限制"),
    (G.GOOD_SAMARITAN, "第32条第2项", "不受经济困难条件的限制"),
    (G.WRONGFUL_CONVICTION, "第32条第3项", "不受经济困难条件的限制"),
    (G.ABUSE_VICTIM, "第32条第4项", "不受经济困难条件的限制"),
    (G.OTHER_CIRCUMSTANCE, "第32条第5项", "不受经济困难条件的限制"),
    (G.NO_FIXED_INCOME, "第42条第1项", "免予核查经济困难状况"),
    (G.SOCIAL_ASSISTANCE, "第42条第2项", "免予核查经济困难状况"),
    (G.JUDICIAL_ASSISTANCE, "第42条第2项", "免予核查经济困难状况"),
    (G.SPECIAL_CARE, "第42条第2项", "免予核查经济困难状况"),
    (G.MIGRANT_WORKER, "第42条第3项", "免予核查经济困难状况"),
    (G.OTHER_PERSON, "第42条第4项", "免予核查经济困难状况"),
]


def test_every_ground_of_articles_32_and_42_is_a_choice():
    assert {g for g, _a, _e in GROUNDS} == set(G)
    labels = {str(g.label) for g in G}
    for text in ("英雄烈士近亲属为维护英雄烈士的人格权益", "因见义勇为行为主张相关民事权益", "再审改判无罪请求国家赔偿",
                 "遭受虐待、遗弃或者家庭暴力的受害人主张相关权益", "法律、法规、规章规定的其他情形",
                 "无固定生活来源的未成年人、老年人、残疾人等特定群体", "司法救助对象", "优抚对象",
                 "申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员", "法律、法规、规章规定的其他人员"):
        assert text in labels
    assert any("最低生活保障" in label and "特困人员供养" in label for label in labels)


@pytest.mark.parametrize("ground,article,effect", GROUNDS, ids=[g.value for g, _a, _e in GROUNDS])
def test_recorded_ground_exempts_and_cites_its_article(world, make_case, ground, article, effect):
    # A migrant worker claiming pay is the only ground the form's facts decide; give the others a non-migrant.
    migrant = ground == G.MIGRANT_WORKER
    case = make_case(is_migrant_worker=migrant, matter=Matter.PAY, exemption_ground=ground, **RICH)
    assert case.eligibility_proposal == Eligibility.EXEMPT
    assert case.exemption_ground == ground
    assert f"《法律援助法》{article}" in case.eligibility_explanation
    assert effect in case.eligibility_explanation and str(ground.label) in case.eligibility_explanation


@pytest.mark.parametrize("matter", [Matter.PAY, Matter.WORK_INJURY])
def test_migrant_worker_ground_is_proposed_and_recorded(world, make_case, matter):
    case = make_case(is_migrant_worker=True, matter=matter, **RICH)
    assert case.eligibility_proposal == Eligibility.EXEMPT
    assert case.exemption_ground == G.MIGRANT_WORKER
    assert "《法律援助法》第42条第3项" in case.eligibility_explanation


def test_migrant_worker_ground_needs_pay_or_work_injury(world, make_case):
    # Art. 42(3) covers pay and work-injury compensation only: confirming an employment relationship is means-tested.
    case = make_case(is_migrant_worker=True, matter=Matter.EMPLOYMENT_RELATIONSHIP, exemption_ground=G.MIGRANT_WORKER, **RICH)
    assert case.eligibility_proposal == Eligibility.NOT_ELIGIBLE
    assert case.exemption_ground == ""
    assert "所选免审情形不成立" in case.eligibility_explanation and "第42条第3项" in case.eligibility_explanation


def test_no_ground_means_the_hardship_test(world, make_case):
    case = make_case(is_migrant_worker=False, **RICH)
    assert case.eligibility_proposal == Eligibility.NOT_ELIGIBLE and case.exemption_ground == ""
    assert "高于标准" in case.eligibility_explanation


def test_recorded_ground_wins_over_the_automatic_one(world, make_case):
    case = make_case(is_migrant_worker=True, matter=Matter.PAY, exemption_ground=G.ABUSE_VICTIM, **RICH)
    assert case.exemption_ground == G.ABUSE_VICTIM and "第32条第4项" in case.eligibility_explanation


def test_ground_changes_with_an_edit_before_the_decision(world, make_case):
    case = make_case(is_migrant_worker=True, matter=Matter.PAY, **RICH)
    assert case.exemption_ground == G.MIGRANT_WORKER
    case = services.case_update(actor=world.users.staff_hh, case=case.pk, data={"matter": Matter.EMPLOYMENT_RELATIONSHIP})
    assert case.exemption_ground == "" and case.eligibility_proposal == Eligibility.NOT_ELIGIBLE
    case = services.case_update(actor=world.users.staff_hh, case=case.pk, data={"exemption_ground": G.SOCIAL_ASSISTANCE})
    assert case.exemption_ground == G.SOCIAL_ASSISTANCE and "第42条第2项" in case.eligibility_explanation


def test_rules_propose_without_the_database():
    p = rules.propose_eligibility(matter=Matter.OTHER, is_migrant_worker=False, household_size=None,
                                  household_monthly_income=None, standard=None, exemption_ground=G.GOOD_SAMARITAN)
    assert (p.result, p.ground) == (Eligibility.EXEMPT, G.GOOD_SAMARITAN) and "第32条第2项" in p.explanation
    p = rules.propose_eligibility(matter=Matter.OTHER, is_migrant_worker=False, household_size=None,
                                  household_monthly_income=None, standard=None)
    assert (p.result, p.ground) == (Eligibility.UNKNOWN, "")


def test_ground_on_the_form_and_the_page(world, client_for):
    client = client_for(world.users.staff_hh)
    assert 'name="exemption_ground"' in client.get("/legal-aid/cases/new/").content.decode()
    resp = client.post("/legal-aid/cases/new/", {
        "applicant_name": "李四", "id_number": valid_id(seq="456"), "phone": "13900000001", "applicant_region": region("150105").pk,
        "matter": "social_insurance", "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk, "received_on": "2026-09-01",
        "exemption_ground": "no_fixed_income", "household_size": "1", "household_monthly_income": "90000",
    })
    assert resp.status_code == 302
    case = LegalAidCase.objects.get()
    assert case.exemption_ground == G.NO_FIXED_INCOME and case.eligibility_proposal == Eligibility.EXEMPT
    page = client.get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert str(G.NO_FIXED_INCOME.label) in page and "第42条第1项" in page


def test_ground_through_the_api(world, api_for):
    r = api_for(world.users.staff_hh).post("/api/v1/legal-aid/cases/", {
        "applicant_name": "李四", "id_number": valid_id(), "phone": "13900000001", "applicant_region": region("150105").pk,
        "matter": "other", "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk, "exemption_ground": "wrongful_conviction",
    }, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["exemption_ground"] == "wrongful_conviction" and r.json()["eligibility_proposal"] == "exempt"
    bad = api_for(world.users.staff_hh).post("/api/v1/legal-aid/cases/", {
        "applicant_name": "李四", "id_number": valid_id(), "phone": "1", "applicant_region": region("150105").pk,
        "matter": "other", "facts": "f", "claims": "c", "opposing_employer": world.emp_a.pk, "exemption_ground": "rich",
    }, format="json")
    assert bad.status_code == 400 and "exemption_ground" in bad.json()
