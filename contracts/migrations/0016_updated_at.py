"""Invoices, payments and credit notes get `updated_at`, set by every write of them, for the API's ?updated_since=
(integrations pull what changed since their last pull), each with its (updated_at, id) index.

The rows already recorded take the last moment known to have written them: their creation, or a payment's reversal
when later; what a service wrote since without a time of its own (an allocation's open amount) is not known, and an
integration's first pull reads every row anyway."""

import django.db.models.functions.datetime
from django.db import migrations, models


def from_known_writes(apps, schema_editor):
    for name in ("Invoice", "Payment", "CreditNote"):
        model = apps.get_model("contracts", name)
        model.objects.update(updated_at=models.F("created_at"))
    Payment = apps.get_model("contracts", "Payment")
    Payment.objects.filter(reversed_at__gt=models.F("created_at")).update(updated_at=models.F("reversed_at"))


def _updated_at():
    return models.DateTimeField(
        auto_now=True, db_default=django.db.models.functions.datetime.Now(), verbose_name="updated at"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0015_contract_terminated_on"),
    ]

    operations = [
        migrations.AddField(model_name="invoice", name="updated_at", field=_updated_at()),
        migrations.AddField(model_name="payment", name="updated_at", field=_updated_at()),
        migrations.AddField(model_name="creditnote", name="updated_at", field=_updated_at()),
        migrations.RunPython(from_known_writes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="invoice", index=models.Index(fields=["updated_at", "id"], name="invoice_updated_at_id")
        ),
        migrations.AddIndex(
            model_name="payment", index=models.Index(fields=["updated_at", "id"], name="payment_updated_at_id")
        ),
        migrations.AddIndex(
            model_name="creditnote", index=models.Index(fields=["updated_at", "id"], name="creditnote_updated_at_id")
        ),
    ]
