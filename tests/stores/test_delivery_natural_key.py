"""A delivery's natural key (store, product, date, reference) is unique in the database; deliveries entered
twice before the constraint are merged by its migration, their packs added up."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from stores.models import Delivery
from tests.factories import DeliveryFactory, ProductFactory, StoreFactory

DAY = date(2026, 3, 1)


@pytest.mark.django_db
def test_the_database_refuses_the_same_delivery_twice():
    first = DeliveryFactory(date=DAY, reference="DN-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(store=first.store, product=first.product, date=DAY, reference="DN-1", quantity=3)

    # another reference, or none, on the same day is another delivery
    DeliveryFactory(store=first.store, product=first.product, date=DAY, reference="")
    assert Delivery.objects.count() == 2


def _constraint_migration() -> tuple[tuple[str, str], tuple[str, str]]:
    """(the migration adding the constraint, the one before it) — found by name, whatever its number."""
    graph = MigrationExecutor(connection).loader.graph
    node = next(n for n in graph.nodes if n[0] == "stores" and n[1].endswith("delivery_natural_key_unique"))
    before = next(parent for parent in graph.node_map[node].parents if parent.key[0] == "stores").key
    return node, before


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_deliveries_entered_twice():
    # given a store and a product, and the database as it was before the constraint
    store, product = StoreFactory(), ProductFactory()
    node, before = _constraint_migration()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    Old = executor.loader.project_state([before]).apps.get_model("stores", "Delivery")
    # with one delivery entered three times (the first without a price) and another of the same day
    for quantity, price in ((2, None), (3, Decimal("4.50")), (4, Decimal("5.00"))):
        Old.objects.create(store_id=store.pk, product_id=product.pk, date=DAY, reference="", quantity=quantity,
                           unit_price=price)  # fmt: skip
    Old.objects.create(store_id=store.pk, product_id=product.pk, date=DAY, reference="DN-9", quantity=7)
    # when the migration runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the three are one, with all their packs and the first price given; the other is untouched
    assert sorted(Delivery.objects.values_list("reference", "quantity", "unit_price")) == [
        ("", 9, Decimal("4.50")),
        ("DN-9", 7, None),
    ]
