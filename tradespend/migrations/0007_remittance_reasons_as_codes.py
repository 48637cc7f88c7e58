"""A remittance's deductions recorded without a reason stored the English "remittance <reference>": they now keep
the code contracts.notes.REMITTANCE and the reference, so they read in the reader's language. Only a reason that is
exactly that text for the remittance holding the deduction moves; any other reason stays as it was given."""

from django.db import migrations

REMITTANCE = "deduction.remittance"


def to_codes(apps, schema_editor):
    Remittance = apps.get_model("tradespend", "Remittance")
    Deduction = apps.get_model("contracts", "Deduction")
    for remittance_id, reference in Remittance.objects.values_list("pk", "reference").iterator():
        Deduction.objects.filter(
            remittances=remittance_id, reason=f"remittance {reference}", reason_code=""
        ).update(reason="", reason_code=REMITTANCE, reason_params={"reference": reference})


def to_text(apps, schema_editor):
    Deduction = apps.get_model("contracts", "Deduction")
    for deduction in Deduction.objects.filter(reason_code=REMITTANCE).only("reason_params"):
        deduction.reason = f"remittance {deduction.reason_params.get('reference', '')}"
        deduction.reason_code, deduction.reason_params = "", {}
        deduction.save(update_fields=["reason", "reason_code", "reason_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0013_deduction_reason_code"),
        ("tradespend", "0006_accrual_kind_tg_fee_label"),
    ]

    operations = [migrations.RunPython(to_codes, to_text)]
