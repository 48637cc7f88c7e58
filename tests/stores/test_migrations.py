"""The stores migrations that change rows: the rules turned into constraints (rows with one right reading are
fixed, a negative price stops the migration with the records named, the constraints hold afterwards) and a
delivery's natural key (deliveries entered twice are merged, their packs added up).

Going back to stores 0002 takes out every app whose migrations depend on the later ones: most of the project, a
whole back-and-forth costing 20–40 s on PostgreSQL. So the module goes back once, each test moves only stores and
accounts between that past and the migration it checks, and the module brings the whole project back at the end.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ka_portal import table_revisions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

BEFORE = [("stores", "0002_bounded_numbers"), ("accounts", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _leaves():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("stores", "accounts")]


@pytest.fixture(scope="module")
def _past(django_db_setup, django_db_blocker):
    """The database as it was at BEFORE for the module; every app back to its latest migration afterwards."""
    with django_db_blocker.unblock():
        _migrate(BEFORE)
        yield
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        table_revisions.install(connection)  # `migrate` does it after post_migrate; the executor alone does not


@pytest.fixture
def old_apps(_past):
    return _migrate(BEFORE)


def _account(apps):
    return apps.get_model("accounts", "KeyAccount").objects.create(code="WM", name="沃尔玛", tier="GKA")


def test_rows_with_one_right_reading_are_fixed(old_apps):
    # given stores the old import and API let through, and a follow-up dated before its contact
    Store = old_apps.get_model("stores", "Store")
    account = _account(old_apps)
    Store.objects.create(account=account, code="ZERO", name="零", visits_per_week_override=0)
    Store.objects.create(account=account, code="FIFTY", name="五十", visits_per_week_override=50)
    Store.objects.create(account=account, code="HALF", name="半", latitude=Decimal("31.2"))
    Store.objects.create(account=account, code="GOOD", name="好", visits_per_week_override=3,
                         latitude=Decimal("31.2"), longitude=Decimal("121.4"))  # fmt: skip
    User = old_apps.get_model("auth", "User")
    author = User.objects.create(username="mgr_x")
    old_apps.get_model("accounts", "ContactLog").objects.create(
        account=account, author=author, date="2026-11-20", summary="电话", follow_up_on="2026-11-01"
    )
    # when
    new_apps = _migrate(_leaves())
    # then
    stores = {s.code: s for s in new_apps.get_model("stores", "Store").objects.all()}
    assert stores["ZERO"].visits_per_week_override is None  # follows the grade again
    assert stores["FIFTY"].visits_per_week_override == 7
    assert (stores["HALF"].latitude, stores["HALF"].longitude) == (None, None)
    assert (stores["GOOD"].visits_per_week_override, stores["GOOD"].latitude) == (3, Decimal("31.200000"))
    entry = new_apps.get_model("accounts", "ContactLog").objects.get()
    assert str(entry.follow_up_on) == "2026-11-20"  # still due, never before its contact


def test_a_negative_price_stops_the_migration_naming_the_product(old_apps):
    old_apps.get_model("stores", "Product").objects.create(
        code="NEG-1", name="负", packs_per_case=12, suggested_retail_price=Decimal("-1"),
        distributor_price=Decimal("3"), wholesale_price=Decimal("4"),
    )  # fmt: skip

    with pytest.raises(RuntimeError, match="products: NEG-1"):
        _migrate(_leaves())

    old_apps.get_model("stores", "Product").objects.filter(code="NEG-1").update(suggested_retail_price=Decimal("1"))


def _constraint_migration() -> tuple[tuple[str, str], tuple[str, str]]:
    """(the migration adding the delivery's natural key, the one before it) — found by name, whatever its number."""
    graph = MigrationExecutor(connection).loader.graph
    node = next(n for n in graph.nodes if n[0] == "stores" and n[1].endswith("delivery_natural_key_unique"))
    before = next(parent for parent in graph.node_map[node].parents if parent.key[0] == "stores").key
    return node, before


def test_the_migration_merges_deliveries_entered_twice(_past):
    # given the database as it was before the constraint, a store and a product
    node, before = _constraint_migration()
    old = _migrate([before])
    store = old.get_model("stores", "Store").objects.create(account=_account(old), code="S1", name="一店")
    product = old.get_model("stores", "Product").objects.create(
        code="P1", name="一品", packs_per_case=12, suggested_retail_price=Decimal("6"),
        distributor_price=Decimal("3"), wholesale_price=Decimal("4"),
    )  # fmt: skip
    # with one delivery entered three times (the first without a price) and another of the same day
    Old = old.get_model("stores", "Delivery")
    day = date(2026, 3, 1)
    for quantity, price in ((2, None), (3, Decimal("4.50")), (4, Decimal("5.00"))):
        Old.objects.create(store=store, product=product, date=day, reference="", quantity=quantity,
                           unit_price=price)  # fmt: skip
    Old.objects.create(store=store, product=product, date=day, reference="DN-9", quantity=7)
    # when the migration runs
    new = _migrate([node])
    # then the three are one, with all their packs and the first price given; the other is untouched
    assert sorted(new.get_model("stores", "Delivery").objects.values_list("reference", "quantity", "unit_price")) == [
        ("", 9, Decimal("4.50")),
        ("DN-9", 7, None),
    ]
