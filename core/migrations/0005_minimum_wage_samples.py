"""Sample minimum wages for Inner Mongolia (marked is_sample: verify against the current 自治区人民政府 notice)."""
import datetime as dt
from decimal import Decimal

from django.db import migrations

SOURCE = "内蒙古自治区最低工资标准（示例数据，待核实）"
# region code, tier, monthly, hourly, effective from
ROWS = [
    ("150000", "三类", "1850", "19.50", dt.date(2021, 12, 1)),
    ("150100", "一类", "1980", "20.80", dt.date(2021, 12, 1)),
    ("150200", "一类", "1980", "20.80", dt.date(2021, 12, 1)),
    ("150600", "一类", "1980", "20.80", dt.date(2021, 12, 1)),
    ("150300", "一类", "1980", "20.80", dt.date(2021, 12, 1)),
    ("150400", "二类", "1910", "20.10", dt.date(2021, 12, 1)),
    ("150500", "二类", "1910", "20.10", dt.date(2021, 12, 1)),
    ("150000", "三类", "1640", "17.30", dt.date(2017, 8, 1)),
    ("150100", "一类", "1760", "18.60", dt.date(2017, 8, 1)),
    ("150200", "一类", "1760", "18.60", dt.date(2017, 8, 1)),
    ("150600", "一类", "1760", "18.60", dt.date(2017, 8, 1)),
]


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    MinimumWage = apps.get_model("core", "MinimumWage")
    for code, tier, monthly, hourly, since in ROWS:
        region = Region.objects.filter(code=code).first()
        if region is None:
            continue
        MinimumWage.objects.update_or_create(
            region=region,
            effective_from=since,
            defaults=dict(tier=tier, monthly=Decimal(monthly), hourly=Decimal(hourly), source=SOURCE, is_sample=True),
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_minimum_wage"), ("accounts", "0002_regions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
