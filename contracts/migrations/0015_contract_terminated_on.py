"""A terminated contract's termination date (``Contract.terminated_on``): its terms accrue nothing after that day's
month. Contracts already terminated take their end date, or the day this migration runs when their end is still ahead
(and never a day before they start). Nothing recorded says when they were terminated (a contract keeps no change
date), and this keeps the books true as they stand: the ledger never accrues past the current month, so every line it
holds, closed months and open ones, stays as it is; only the months still to come, which a terminated contract
should not accrue, are stopped. Finance corrects a date on the contract's page where it knows the real one."""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone


def terminated_on_for_existing(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    today = timezone.localdate()
    Contract.objects.filter(status="terminated").update(
        terminated_on=Greatest(F("valid_from"), Least(F("valid_to"), Value(today)))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_key_account_code_unique_without_case"),
        ("contracts", "0014_deduction_check_in_cents"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="terminated_on",
            field=models.DateField(
                blank=True,
                help_text="Only for a terminated contract: the day it ends (empty: today, or its end once past). Its "
                "terms accrue nothing after that month.",
                null=True,
                verbose_name="terminated on",
            ),
        ),
        migrations.RunPython(terminated_on_for_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "terminated"), ("terminated_on__isnull", False)),
                    models.Q(models.Q(("status", "terminated"), _negated=True), ("terminated_on__isnull", True)),
                    _connector="OR",
                ),
                name="contract_terminated_on_with_status",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("terminated_on__isnull", True),
                    models.Q(
                        ("terminated_on__gte", models.F("valid_from")), ("terminated_on__lte", models.F("valid_to"))
                    ),
                    _connector="OR",
                ),
                name="contract_terminated_within_validity",
            ),
        ),
    ]
