"""Issue 15: the art. 44 urgent window is a plain count of calendar days (“距法定时效或者期限届满不足七日”),
not a due date: it is never rolled over a rest day (民法典 art. 203 does not apply), and 7 days left is not
urgent."""
from django.db import migrations


def forwards(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    DeadlineRule.objects.filter(pk="legal_aid.urgent_window").update(
        roll_to_working_day=False,
        note="距法定时效或者期限届满不足七日（按自然日直接计算，不因休息日顺延；剩余7日不属紧急），"
             "需要及时提起诉讼或者申请仲裁、行政复议的，可以先行提供法律援助",
    )


def backwards(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    DeadlineRule.objects.filter(pk="legal_aid.urgent_window").update(
        roll_to_working_day=True, note="距法定时效或期限届满不足7日的，可以先行提供法律援助",
    )


class Migration(migrations.Migration):

    dependencies = [("core", "0006_submission_key")]

    operations = [migrations.RunPython(forwards, backwards)]
