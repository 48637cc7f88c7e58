"""Before the rules become database constraints (0004), bring stored rows in line with them.

What has one right reading is fixed: a frequency override of 0 (the old import allowed 0–7) or empty
follows the grade again (NULL), one above 7 becomes 7 (every day), and a store with only one coordinate
loses it (a position needs both). A negative price, fee or amount has no right reading: the migration
stops and names the records to correct by hand, instead of failing on the constraint with no hint.
"""

from django.db import migrations
from django.db.models import Q


def fix_rows(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    Product = apps.get_model("stores", "Product")
    Listing = apps.get_model("stores", "Listing")
    Delivery = apps.get_model("stores", "Delivery")

    Store.objects.filter(visits_per_week_override__lt=1).update(visits_per_week_override=None)
    Store.objects.filter(visits_per_week_override__gt=7).update(visits_per_week_override=7)
    one_coordinate = Q(latitude__isnull=True, longitude__isnull=False) | Q(latitude__isnull=False, longitude__isnull=True)
    Store.objects.filter(one_coordinate).update(latitude=None, longitude=None)

    negative = {
        "products": Product.objects.filter(
            Q(suggested_retail_price__lt=0) | Q(distributor_price__lt=0) | Q(wholesale_price__lt=0)
        ).values_list("code", flat=True),
        "listings": Listing.objects.filter(
            Q(listing_fee__lt=0) | Q(purchase_price__lt=0) | Q(shelf_price__lt=0)
        ).values_list("pk", flat=True),
        "deliveries": Delivery.objects.filter(unit_price__lt=0).values_list("pk", flat=True),
    }
    found = {kind: list(rows[:20]) for kind, rows in negative.items() if rows.exists()}
    if found:
        listed = "; ".join(f"{kind}: {', '.join(map(str, rows))}" for kind, rows in found.items())
        raise RuntimeError(
            f"Negative prices or amounts are stored ({listed}). Correct them (a price is never below 0), "
            "then run the migrations again."
        )


class Migration(migrations.Migration):
    dependencies = [("stores", "0002_bounded_numbers")]

    operations = [migrations.RunPython(fix_rows, migrations.RunPython.noop)]
