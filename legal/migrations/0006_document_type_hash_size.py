from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legal", "0005_assignment_overdue_flag")]

    operations = [
        migrations.AddField(model_name="casedocument", name="content_type",
                            field=models.CharField(blank=True, max_length=100, verbose_name="文件类型")),
        migrations.AddField(model_name="casedocument", name="sha256", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="casedocument", name="size",
                            field=models.PositiveIntegerField(default=0, verbose_name="大小（字节）")),
    ]
