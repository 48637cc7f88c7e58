# A deduction's automatic matches released by the ledger and what it was matched to again (tradespend/releases.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0014_deduction_check_in_cents"),
        ("tradespend", "0012_dispute_write_off_rejected"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatchRelease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("released_at", models.DateTimeField(auto_now_add=True, verbose_name="released at")),
                ("released", models.JSONField(default=list, verbose_name="released from")),
                ("matched_again", models.JSONField(blank=True, default=list, verbose_name="matched again to")),
                ("moved", models.BooleanField(default=False, verbose_name="moved to another line")),
                (
                    "deduction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_releases",
                        to="contracts.deduction",
                        verbose_name="deduction",
                    ),
                ),
            ],
            options={
                "verbose_name": "released match",
                "verbose_name_plural": "released matches",
                "ordering": ["deduction", "released_at", "pk"],
                "indexes": [
                    models.Index(condition=models.Q(("moved", True)), fields=["deduction"], name="matchrelease_moved")
                ],
            },
        ),
    ]
