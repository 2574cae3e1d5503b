"""Sample financial-hardship standards (法律援助法 art. 34) for Inner Mongolia. Marked is_sample: the
standard is set by the provincial government; replace with the current notice's figures in the admin."""
import datetime as dt
from decimal import Decimal

from django.db import migrations

SOURCE = "内蒙古自治区法律援助经济困难标准（示例数据，待核实）"
# region code, monthly per-capita household income ceiling (元), effective from
ROWS = [
    ("150000", "1850", dt.date(2021, 12, 1)),
    ("150100", "1980", dt.date(2021, 12, 1)),
    ("150200", "1980", dt.date(2021, 12, 1)),
    ("150600", "1980", dt.date(2021, 12, 1)),
]


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    HardshipStandard = apps.get_model("legal", "HardshipStandard")
    for code, limit, since in ROWS:
        region = Region.objects.filter(code=code).first()
        if region is None:
            continue
        HardshipStandard.objects.update_or_create(
            region=region, effective_from=since,
            defaults=dict(monthly_income_per_capita=Decimal(limit), source=SOURCE, is_sample=True),
        )


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial"), ("accounts", "0002_regions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
