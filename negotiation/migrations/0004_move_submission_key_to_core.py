"""Form keys now live in core.SubmissionKey (one double-submit guard for every workflow): copy the
negotiation app's keys there, then drop its own table."""
from django.db import migrations


def copy_keys(apps, schema_editor):
    Old = apps.get_model("negotiation", "SubmissionKey")
    New = apps.get_model("core", "SubmissionKey")
    existing = set(New.objects.values_list("key", flat=True))
    New.objects.bulk_create(
        [New(key=k.key, object_label=k.object_label, object_id=k.object_id) for k in Old.objects.all() if k.key not in existing]
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_submission_key"),
        ("negotiation", "0003_vacancy_due"),
    ]

    operations = [
        migrations.RunPython(copy_keys, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="SubmissionKey",
        ),
    ]
