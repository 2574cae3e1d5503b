"""The statutory periods of DOMAIN.md §§2–5, as editable data."""
from django.db import migrations

HT = "《集体合同规定》（劳动和社会保障部令第22号）"
LD = "《劳动争议调解仲裁法》"
BL = "《劳动人事争议仲裁办案规则》"
FY = "《法律援助法》"

RULES = [
    # id, name, length, unit, roll, source, note, verify
    ("negotiation.response", "应约期限", 20, "days", True, f"{HT}第32条", "收到要约之日起20日内书面回应", False),
    ("negotiation.filing", "集体合同报送期限", 10, "days", True, f"{HT}第42条", "双方签字之日起10日内报送劳动保障行政部门", False),
    ("negotiation.review", "审查期限", 15, "days", True, f"{HT}第47条；《劳动合同法》第54条", "收到文本之日起15日内未提出异议的，集体合同即行生效", False),
    ("negotiation.vacancy", "协商代表空缺补足期限", 15, "days", True, f"{HT}第31条", "协商代表空缺应在15日内补足", False),
    ("negotiation.coordination", "协调处理期限", 30, "days", True, f"{HT}第53条", "自受理协调处理申请之日起30日内结束", False),
    ("negotiation.coordination_extension", "协调处理延长期限", 15, "days", True, f"{HT}第53条", "期满未结束的可适当延长，延长不超过15日", False),
    ("dispute.mediation", "调解期限", 15, "days", True, f"{LD}第14条", "自调解组织收到调解申请之日起15日内未达成调解协议的，当事人可以申请仲裁", False),
    ("dispute.limitation", "仲裁时效", 1, "years", True, f"{LD}第27条", "自当事人知道或者应当知道其权利被侵害之日起一年", False),
    ("dispute.limitation_wage_arrears", "拖欠劳动报酬仲裁时效（劳动关系终止后）", 1, "years", True, f"{LD}第27条第4款", "劳动关系存续期间拖欠劳动报酬不受一年时效限制，但劳动关系终止的，应当自终止之日起一年内提出", False),
    ("dispute.acceptance", "仲裁受理审查期限", 5, "working_days", True, f"{LD}第29条；{BL}第30条、第81条", "办案规则规定的“五日”指工作日", True),
    ("dispute.award", "仲裁裁决期限", 45, "days", True, f"{LD}第43条", "自受理仲裁申请之日起45日内结束", False),
    ("dispute.award_extension", "仲裁裁决延长期限", 15, "days", True, f"{LD}第43条", "案情复杂需要延期的，延长期限不得超过15日", False),
    ("dispute.appeal", "起诉期限", 15, "days", True, f"{LD}第48条、第50条", "自收到仲裁裁决书之日起15日内向人民法院提起诉讼", False),
    ("legal_aid.decision", "法律援助审查决定期限", 7, "days", True, f"{FY}第43条", "收到申请之日起7日内作出决定；补充材料期间不计入", True),
    ("legal_aid.assignment", "指派律师期限", 3, "days", True, f"{FY}第43条", "决定给予法律援助之日起3日内指派", True),
    ("legal_aid.firm_response", "律所接案答复期限", 2, "working_days", False, "本会合作律所服务协议（内部规则）", "律所应在2个工作日内接受或拒绝", False),
    ("legal_aid.urgent_window", "先行提供法律援助的紧急期限", 7, "days", True, f"{FY}第44条", "距法定时效或期限届满不足7日的，可以先行提供法律援助", False),
]


def load(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for rid, name, length, unit, roll, source, note, verify in RULES:
        DeadlineRule.objects.update_or_create(
            id=rid,
            defaults=dict(
                name=name, length=length, unit=unit, roll_to_working_day=roll, source=source, note=note,
                needs_verification=verify,
            ),
        )


def unload(apps, schema_editor):
    apps.get_model("core", "DeadlineRule").objects.filter(id__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(load, unload)]
