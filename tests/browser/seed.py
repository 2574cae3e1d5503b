"""What the browser stories need beyond `seed_demo`, once per language so the two runs never share an
object: a legal-aid case already offered to 内蒙古青城律师事务所 (the firm story starts at its inbox).
Run in the server's environment after seed_demo:
`manage.py shell -c "from tests.browser.seed import run; run()"`; prints one `SEED {json}` line."""
import datetime as dt
import json
from decimal import Decimal


def run():
    from django.db import transaction

    with transaction.atomic():
        _run()


def _run():
    from django.utils import timezone

    from accounts.models import Organisation, Region, User
    from core.validators import id_check_char
    from legal import services

    staff = User.objects.get(username="staff_hohhot")
    saihan = Region.objects.get(code="150105")
    dairy = Organisation.objects.get(kind="employer", name="呼和浩特草原乳业有限公司")
    out = {"cases": {}}
    for i, (lang, name) in enumerate((("zh-hans", "包浏览"), ("en", "白英文")), start=41):
        body = f"15010519900101{i:03d}"
        case = services.case_create(actor=staff, data=dict(
            applicant_name=name, id_number=body + id_check_char(body), phone=f"1390471{i:04d}",
            address="赛罕区示例路41号", applicant_region=saihan, is_migrant_worker=True, household_size=2,
            household_monthly_income=Decimal("3000"), opposing_employer=dairy, matter="pay",
            facts="2026年8月至10月加班费未支付，多次向车间主任反映无果。", claims="支付加班费。",
            claim_amount=Decimal("9600"), summary_for_firms="加班费三个月约0.96万元，证据为考勤记录。",
            received_on=timezone.localdate() - dt.timedelta(days=1),
        ), extra={"number": f"FYBROWSER{i}"})
        case = services.case_decide(actor=staff, case=case.pk, approve=True, reason="进城务工人员追索劳动报酬，免予经济困难审查")
        assert case.state == "offered" and case.assigned_firm.name == "内蒙古青城律师事务所", (case.state, case.assigned_firm)
        out["cases"][lang] = {"pk": case.pk, "number": case.number, "applicant": name}
    # the live-update test answers the demo's proposal that awaits the employer
    from negotiation.models import Negotiation
    out["proposed"] = Negotiation.objects.get(title="【示例】疫情期间错时上下班与工资调整专项集体合同").pk
    print("SEED " + json.dumps(out, ensure_ascii=False))
