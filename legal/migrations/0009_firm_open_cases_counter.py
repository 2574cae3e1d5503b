"""Issue 14: each firm's open-case load as a counter on its profile (kept by legal.services.load), filled
here from the cases so routing can read it instead of counting every open case per decision."""
from django.db import migrations, models


def recount(apps, schema_editor):
    from django.db.models import Count

    FirmProfile = apps.get_model("legal", "FirmProfile")
    LegalAidCase = apps.get_model("legal", "LegalAidCase")
    counts = dict(
        LegalAidCase.objects.filter(state__in=["offered", "accepted", "in_progress"], assigned_firm__isnull=False)
        .values_list("assigned_firm").annotate(n=Count("pk")).values_list("assigned_firm", "n")
    )
    for profile in FirmProfile.objects.all():
        profile.open_cases = counts.get(profile.organisation_id, 0)
        profile.save(update_fields=["open_cases"])


class Migration(migrations.Migration):

    dependencies = [
        ("legal", "0008_issue15_pauses_and_grounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="firmprofile",
            name="open_cases",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="在办案件数"),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
