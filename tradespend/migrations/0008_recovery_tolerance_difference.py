"""A recovery records the tolerance difference it left accepted as matched, so that it counts in the recovery's
month (DeductionRecovery.tolerance_difference). Recoveries recorded before: the last recovery of a deduction now
matched within the tolerance that was not so without it gets the difference (what its deduction's month had
wrongly taken)."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, models
from django.db.models import Sum


def attribute_past_differences(apps, schema_editor):
    Deduction = apps.get_model("contracts", "Deduction")
    DeductionRecovery = apps.get_model("tradespend", "DeductionRecovery")
    tolerance = settings.KA.deduction_match_tolerance
    recovered = Deduction.objects.filter(state="matched", recovered_amount__gt=0).annotate(matched_sum=Sum("matches__amount"))
    for deduction in recovered.iterator():
        matched_sum = deduction.matched_sum or Decimal("0.00")
        difference = deduction.matched_amount - matched_sum
        if difference <= 0:
            continue
        last = DeductionRecovery.objects.filter(deduction_id=deduction.pk).order_by("-on", "-pk").first()
        if last is None:
            continue
        due_before = deduction.amount - (deduction.recovered_amount - last.amount)
        if due_before - matched_sum <= tolerance * deduction.amount:
            continue  # matched within the tolerance before the last recovery: the difference is the matching's
        last.tolerance_difference = difference
        last.save(update_fields=["tolerance_difference"])


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0013_deduction_reason_code"),
        ("tradespend", "0007_remittance_reasons_as_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="deductionrecovery",
            name="tolerance_difference",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="tolerance difference"),
        ),
        migrations.RunPython(attribute_past_differences, migrations.RunPython.noop),
    ]
