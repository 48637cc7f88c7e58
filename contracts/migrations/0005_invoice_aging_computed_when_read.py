"""Overdue and the aging bucket are computed when read (contracts.selectors.with_aging); the stored
`overdue` flag goes, and the nightly run's bucket is kept under a name that says it is a snapshot."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_bounded_numbers"),
    ]

    operations = [
        migrations.RemoveField(model_name="invoice", name="overdue"),
        migrations.RenameField(model_name="invoice", old_name="aging_bucket", new_name="last_run_bucket"),
        migrations.AlterField(
            model_name="invoice",
            name="last_run_bucket",
            field=models.CharField(
                choices=[
                    ("not_due", "Not due"),
                    ("1_30", "1–30 days"),
                    ("31_60", "31–60 days"),
                    ("61_90", "61–90 days"),
                    ("over_90", "Over 90 days"),
                ],
                default="not_due",
                max_length=10,
                verbose_name="bucket at the last nightly run",
            ),
        ),
    ]
