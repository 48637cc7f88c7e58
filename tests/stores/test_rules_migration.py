"""The migrations that turn the rules into constraints: rows with one right reading are fixed, a negative price
stops the migration with the records named, and the constraints hold afterwards."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

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


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    # Every app back to its latest migration: going back also took out the apps whose migrations depend on the
    # later stores and accounts ones (evidence/, for one), which the test's own migrate does not bring back.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


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
