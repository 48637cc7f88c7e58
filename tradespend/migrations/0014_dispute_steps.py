# Every step of a dispute kept (tradespend.disputes writes a DisputeStep per step); the disputes already recorded get
# the steps their fields still tell: opened (its reason), a write-off rejected, and where it stands now.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def steps_from_disputes(apps, schema_editor):
    """What each dispute's own fields still say of its history, as steps: when it was opened and why, the last
    rejection of a write-off, and the step that brought it where it stands (its latest note)."""
    Dispute = apps.get_model("tradespend", "Dispute")
    DisputeStep = apps.get_model("tradespend", "DisputeStep")
    reached = {
        "write_off_requested": "write_off_requested",
        "recovered": "recovered",
        "written_off": "written_off",
        "supported": "closed",
    }
    for dispute in Dispute.objects.order_by("pk").iterator():
        steps = [("opened", "", "open", dispute.reason, dispute.created_by_id, dispute.created_at, None)]
        if dispute.write_off_rejected_at is not None:
            note = dispute.outcome_note if dispute.status == "open" else ""
            steps.append(
                (
                    "write_off_rejected",
                    "write_off_requested",
                    "open",
                    note,
                    dispute.write_off_rejected_by_id,
                    dispute.write_off_rejected_at,
                    None,
                )
            )
        if dispute.status in reached:
            action = reached[dispute.status]
            if action == "written_off" and dispute.write_off_requested_by_id:
                action = "write_off_approved"
            by = dispute.resolved_by_id or dispute.write_off_requested_by_id
            amount = dispute.recovered_amount if action == "recovered" else None
            before = "write_off_requested" if action == "write_off_approved" else "open"
            at = dispute.resolved_at or dispute.write_off_rejected_at or dispute.created_at
            steps.append((action, before, dispute.status, dispute.outcome_note, by, at, amount))
        for action, before, after, note, by, at, amount in steps:
            step = DisputeStep.objects.create(
                dispute_id=dispute.pk,
                action=action,
                from_status=before,
                to_status=after,
                note=note or "",
                by_id=by,
                amount=amount,
            )
            DisputeStep.objects.filter(pk=step.pk).update(at=at)  # auto_now_add set it to now


class Migration(migrations.Migration):
    dependencies = [
        ("tradespend", "0013_match_release"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DisputeStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("message", models.CharField(blank=True, max_length=60, verbose_name="message")),
                ("params", models.JSONField(blank=True, default=dict, verbose_name="parameters")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("opened", "Dispute opened"),
                            ("taken_up_again", "Dispute taken up again"),
                            ("recovered", "Recovery recorded"),
                            ("write_off_requested", "Write-off requested"),
                            ("written_off", "Accepted and written off"),
                            ("write_off_approved", "Write-off approved"),
                            ("write_off_rejected", "Write-off rejected"),
                            ("closed", "Closed: supported in full"),
                        ],
                        max_length=20,
                        verbose_name="step",
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("open", "Open"),
                            ("write_off_requested", "Write-off awaiting approval"),
                            ("recovered", "Recovered"),
                            ("written_off", "Accepted and written off"),
                            ("supported", "Closed: supported in full"),
                        ],
                        max_length=20,
                        verbose_name="from",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("write_off_requested", "Write-off awaiting approval"),
                            ("recovered", "Recovered"),
                            ("written_off", "Accepted and written off"),
                            ("supported", "Closed: supported in full"),
                        ],
                        max_length=20,
                        verbose_name="to",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="amount"),
                ),
                ("on", models.DateField(blank=True, null=True, verbose_name="recovered on")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "dispute",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="tradespend.dispute",
                        verbose_name="dispute",
                    ),
                ),
            ],
            options={
                "verbose_name": "dispute step",
                "verbose_name_plural": "dispute steps",
                "ordering": ["dispute", "-at", "-pk"],
            },
        ),
        migrations.RunPython(steps_from_disputes, migrations.RunPython.noop),
    ]
