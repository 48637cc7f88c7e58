"""An invoice number is unique whatever its case and the spaces around it, in the database too: the rule
contracts.services.invoice_number_taken checks (ERP-INV-0001 is erp-inv-0001), which two invoices saved at the same
moment could both pass.

Numbers already recorded that are one number compared so stop the migration, named: which invoice keeps the number
is finance's call (correct the other's number), then migrate again."""

from collections import defaultdict

import django.db.models.functions.text
from django.db import migrations, models


def numbers_clashing(numbers) -> list[list[str]]:
    """The groups of numbers that are one number trimmed and without case: [["INV-1", "inv-1 "], …]."""
    groups = defaultdict(list)
    for number in numbers:
        groups[number.strip().lower()].append(number)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def refuse_numbers_clashing(apps, schema_editor):
    Invoice = apps.get_model("contracts", "Invoice")
    clashes = numbers_clashing(Invoice.objects.values_list("number", flat=True).iterator())
    if clashes:
        raise RuntimeError(
            f"Invoice numbers that differ only by case or spaces: {clashes}. Correct one of each group's number, "
            "then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0016_updated_at"),
    ]

    operations = [
        migrations.RunPython(refuse_numbers_clashing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower(django.db.models.functions.text.Trim("number")),
                name="invoice_number_unique_ignoring_case",
                violation_error_code="invoice.number_taken",
                violation_error_message="This invoice number is already in use (numbers are compared without case).",
            ),
        ),
    ]
