from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0012_term_kind_tg_fee_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="deduction",
            name="reason_code",
            field=models.CharField(blank=True, max_length=60, verbose_name="reason code"),
        ),
        migrations.AddField(
            model_name="deduction",
            name="reason_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason parameters"),
        ),
    ]
