# Who rejected a requested write-off, and when (tradespend.disputes.dispute_write_off_reject).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tradespend", "0011_dispute_closed_supported"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="write_off_rejected_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="write-off rejected at"),
        ),
        migrations.AddField(
            model_name="dispute",
            name="write_off_rejected_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="write-off rejected by",
            ),
        ),
    ]
