"""Issue 15: the periods of 劳动争议调解仲裁法 art. 49 as editable data (DOMAIN.md §3)."""
from django.db import migrations

LD = "《劳动争议调解仲裁法》"

RULES = [
    # id, name, length, unit, roll, source, note, verify
    ("dispute.set_aside", "申请撤销终局裁决期限", 30, "days", True, f"{LD}第49条",
     "用人单位有证据证明终局裁决有法定情形之一的，可以自收到仲裁裁决书之日起30日内向仲裁委员会所在地的中级人民法院申请撤销裁决",
     False),
    ("dispute.suit_after_set_aside", "裁决被撤销后的起诉期限", 15, "days", True, f"{LD}第49条第2款",
     "仲裁裁决被人民法院裁定撤销的，当事人可以自收到裁定书之日起15日内就该劳动争议事项向人民法院提起诉讼", False),
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
    dependencies = [("core", "0007_legal_rules_issue15")]
    operations = [migrations.RunPython(load, unload)]
