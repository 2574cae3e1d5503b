import datetime as dt
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Rate = apps.get_model("negotiation", "StandbyAllowanceRate")
    region = Region.objects.filter(code="150000").first()
    if region is None:
        return
    Rate.objects.update_or_create(
        region=region, effective_from=dt.date(2020, 1, 1),
        defaults={
            "share": Decimal("0.700"),
            "source": "《工资支付暂行规定》第12条；生活费比例为示例值，请按自治区现行规定核实后修改",
            "is_sample": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("negotiation", "0001_initial"), ("accounts", "0002_regions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
