"""Issue 15: coordination of a collective-negotiation dispute counts under 集体合同规定 art. 52 (not art. 53,
which lists the procedure): 30 days from the labour bureau's acceptance (受理) of the application, extendable
once by at most 15 days counted from the end of the first period (DOMAIN.md §2.3)."""
from django.db import migrations

HT = "《集体合同规定》（劳动和社会保障部令第22号）"

RULES = [
    # id, name, length, unit, roll, source, note, verify
    ("negotiation.coordination", "协调处理期限（自受理之日起）", 30, "days", True, f"{HT}第52条",
     "协调处理集体协商争议，应当自受理协调处理申请之日起30日内结束；起算日为劳动保障行政部门受理申请之日（第53条第1项），"
     "自其次日开始计算（民法典第201条）", False),
    ("negotiation.coordination_extension", "协调处理延长期限", 15, "days", True, f"{HT}第52条",
     "期满未结束的，可以适当延长协调期限，但延长期限不得超过15日；自原30日期限届满之日的次日起算", False),
]

BEFORE = {
    "negotiation.coordination": ("协调处理期限", f"{HT}第53条", "自受理协调处理申请之日起30日内结束"),
    "negotiation.coordination_extension": ("协调处理延长期限", f"{HT}第53条", "期满未结束的可适当延长，延长不超过15日"),
}


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
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for rid, (name, source, note) in BEFORE.items():
        DeadlineRule.objects.filter(id=rid).update(name=name, source=source, note=note)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_dispute_rules_issue15")]
    operations = [migrations.RunPython(load, unload)]
