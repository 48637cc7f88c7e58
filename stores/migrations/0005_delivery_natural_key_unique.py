"""A delivery's natural key (store, product, date, reference) becomes unique, so a re-import is a plain upsert.

Deliveries entered twice with the same key before (by hand: a page or the API; the import already matched
on the key) are merged first into the oldest row: their packs added up, the first unit price kept.
"""

from django.db import migrations, models
from django.db.models import Count

PACKS_MAX = 10_000_000  # ka_portal.bounds.PACKS_MAX when this was written


def merge_duplicate_deliveries(apps, schema_editor):
    Delivery = apps.get_model("stores", "Delivery")
    key = ("store_id", "product_id", "date", "reference")
    groups = (
        Delivery.objects.values(*key).annotate(rows=Count("id")).filter(rows__gt=1).order_by()
    )
    for group in groups.iterator():
        same = list(Delivery.objects.filter(**{name: group[name] for name in key}).order_by("pk"))
        kept, others = same[0], same[1:]
        kept.quantity = sum(delivery.quantity for delivery in same)
        if kept.quantity > PACKS_MAX:
            raise RuntimeError(
                f"Deliveries {[d.pk for d in same]} share store, product, date and reference and add up to "
                f"{kept.quantity} packs, more than {PACKS_MAX}: merge or correct them by hand, then migrate again."
            )
        if kept.unit_price is None:
            kept.unit_price = next((d.unit_price for d in others if d.unit_price is not None), None)
        kept.save(update_fields=["quantity", "unit_price"])
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in others]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0004_rules_as_constraints"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_deliveries, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_store_product_date",
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("store", "product", "date", "reference"), name="delivery_natural_key_unique"
            ),
        ),
    ]
