"""Reads for stores: stores and products by code (compared without case), and sell-in (deliveries × price)
grouped as reports need it."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower

from ka_portal.money import MONEY_TOTAL, money_sum

from .models import Listing

CODES_A_QUERY = 2000  # well under SQLite's and PostgreSQL's parameter limits (imports.kinds.LOOKUP_CHUNK)


def by_code(queryset: QuerySet, codes: Iterable) -> dict[str, tuple[int, str]]:
    """{code as written: (id, code as stored)} for the codes that name a store or product of `queryset`, compared
    without case as their unique constraint compares them (`p002` finds `P002`), in a few chunked queries (never one
    per code): an import's file, a roster's store list."""
    written = defaultdict(set)
    for code in codes:
        if isinstance(code, str) and code:
            written[code.lower()].add(code)
    found: dict[str, tuple[int, str]] = {}
    keys = sorted(written)
    for start in range(0, len(keys), CODES_A_QUERY):
        part = keys[start : start + CODES_A_QUERY]
        rows = queryset.annotate(code_key=Lower("code")).filter(code_key__in=part).values_list("code_key", "pk", "code")
        for key, pk, code in rows:
            for spelling in written.get(key, ()):
                found[spelling] = (pk, code)
    return found


def purchase_above_shelf_q() -> Q:
    """Listings whose purchase price is above their shelf price (stores.rules.purchase_above_shelf, in the database):
    stored so before the rule refused it, found by the listings' filter and counted on a KA manager's home."""
    return Q(purchase_price__gt=F("shelf_price"), shelf_price__gte=0)


# Packs × price and sums of them: up to PACKS_MAX × a money column's largest value, over many deliveries.


def delivery_unit_price():
    """A delivery's price per pack: its own, else the store's purchase price for the product (the listing)."""
    # One listing per store and product (listing_one_per_store_product): no order to pick by, so none (the model's
    # order by store and product code joined both tables into every delivery's lookup).
    listing_price = (
        Listing.objects.filter(store_id=OuterRef("store_id"), product_id=OuterRef("product_id"))
        .order_by()
        .values("purchase_price")[:1]
    )
    return Coalesce(F("unit_price"), Subquery(listing_price), output_field=MONEY_TOTAL)


def delivery_value():
    """quantity × price per pack, in CNY, as a database expression."""
    return ExpressionWrapper(F("quantity") * delivery_unit_price(), output_field=MONEY_TOTAL)


def deliveries_between(deliveries: QuerySet, start: date, end: date) -> QuerySet:
    return deliveries.filter(date__gte=start, date__lte=end)


def sell_in_by(deliveries: QuerySet, group_by: str, start: date, end: date) -> dict:
    """Sell-in (CNY) per value of `group_by` (e.g. "store__account_id") for deliveries dated start…end."""
    rows = (
        deliveries_between(deliveries, start, end)
        .values(group_by)
        .annotate(total=money_sum(delivery_value()))
        .order_by()
        .values_list(group_by, "total")
    )
    return dict(rows)
