"""Readers of the suggested orders in force, once pairs have a history (a row for every change: some fifty a pair after
a year of weekly counts). The day they stand as computed (`suggestions_day`) answers from the night's run and one row
when that night was the day's own; the flags in force are counted from the index of flagged rows alone (migrations
visits/0023 and 0025). The chain page took 1.3 s instead of 0.25 s on the issue-15 bench without them
(docs/performance.md)."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from analytics.chain import _flags
from stores.models import Store
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import SuggestedOrderFactory
from visits.models import ReplenishmentRun, SuggestedOrder
from visits.selectors import suggestions_day

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 15)
NEG = SuggestedOrder.Flag.NEGATIVE_SALES
NONE_BEFORE = SuggestedOrder.Flag.NO_PREVIOUS_COUNT


def _night(day: date, status=ReplenishmentRun.Status.SUCCEEDED, scope: str = "") -> None:
    ReplenishmentRun.objects.create(date=day, status=status, scope=scope)


@pytest.fixture
def chain():
    manager = make_user(Role.MANAGER, username="mgr_history")
    account = KeyAccountFactory(code="HIS", owner=manager)
    stores = [StoreFactory(account=account, code=f"H{n}") for n in range(2)]
    products = [ProductFactory(code=f"HP{n}") for n in range(3)]
    # twenty weeks of weekly results for every pair, each superseded by the next, the flag moving with them; the
    # last one on DAY
    SuggestedOrder.objects.bulk_create(
        SuggestedOrder(
            store=store,
            product=product,
            date=DAY - timedelta(weeks=week),
            superseded_on=DAY - timedelta(weeks=week - 1) if week else None,
            flag=NEG if (week + product.pk) % 3 == 0 else "",
        )
        for store in stores
        for product in products
        for week in range(20, -1, -1)
    )
    return manager, account, stores, products


def _in_force_flags(day: date) -> dict:
    flagged = SuggestedOrder.objects.in_force_on(day).exclude(flag="")
    return {flag: flagged.filter(flag=flag).count() for flag in (NEG, NONE_BEFORE)}


def test_the_day_of_the_orders_in_force_when_the_days_own_night_ran(chain):
    _manager, _account, stores, products = chain
    chain_stores = Store.objects.filter(pk__in=[store.pk for store in stores])
    _night(DAY - timedelta(days=1))
    _night(DAY)
    _night(DAY + timedelta(days=1), status=ReplenishmentRun.Status.FAILED)  # not a night that ran
    _night(DAY + timedelta(days=2), scope="store 1")  # one store's run: not the company's night
    assert suggestions_day(chain_stores, DAY) == DAY
    # nothing in force for a store without results: no day, though the night ran
    bare = StoreFactory(account=stores[0].account, code="H9")
    assert suggestions_day(Store.objects.filter(pk=bare.pk), DAY) is None
    # nor for one whose only pair was dropped (its row superseded, none after it)
    dropped = StoreFactory(account=stores[0].account, code="H8")
    SuggestedOrder.objects.create(store=dropped, product=products[0], date=DAY - timedelta(weeks=1), superseded_on=DAY)
    assert suggestions_day(Store.objects.filter(pk=dropped.pk), DAY) is None
    assert suggestions_day(Store.objects.filter(pk=dropped.pk), DAY - timedelta(days=1)) == DAY - timedelta(days=1)
    # a later day whose night has not run: the rows stand as computed on DAY, the last night
    assert suggestions_day(chain_stores, DAY + timedelta(days=3)) == DAY
    # a store refreshed after that night (a visit's count): its own day
    SuggestedOrderFactory(store=stores[0], product=products[0], date=DAY + timedelta(days=3))
    assert suggestions_day(chain_stores, DAY + timedelta(days=3)) == DAY + timedelta(days=3)
    # and a day before any night: the latest row in force then
    assert suggestions_day(chain_stores, DAY - timedelta(days=10)) == DAY - timedelta(weeks=2)


def test_a_chains_flags_are_those_in_force_not_its_history(chain):
    manager, account, _stores, _products = chain
    _night(DAY)
    assert SuggestedOrder.objects.exclude(flag="").count() > 30  # flagged rows of the past, superseded since
    found = _flags(manager, account, DAY)
    assert found["flags_date"] == DAY
    assert found["flags"] == _in_force_flags(DAY) == {NEG: 2, NONE_BEFORE: 0}
    # a week earlier, other rows were in force
    a_week_before = DAY - timedelta(weeks=1)
    _night(a_week_before)
    assert (
        _flags(manager, account, a_week_before)["flags"] == _in_force_flags(a_week_before) == {NEG: 2, NONE_BEFORE: 0}
    )


def _plan(sql: str, *off: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE visits_suggestedorder")
        for kind in ("seqscan", *off):  # a few rows: a scan would do, the shape is what is checked
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_the_flags_are_counted_from_the_flagged_rows_index(chain):
    manager, account, _stores, _products = chain
    _night(DAY)
    with CaptureQueriesContext(connection) as queries:
        _flags(manager, account, DAY)
    (count,) = [
        q["sql"] for q in queries.captured_queries if 'AS "n"' in q["sql"] and "visits_suggestedorder" in q["sql"]
    ]
    assert "stores_product" not in count  # no ordering's joins in a count
    # from the index alone: it carries the dates that say whether a flagged row is in force (migration 0025), and the
    # count asks for no column it lacks (with the rows of this test's transaction not yet all-visible, PostgreSQL
    # would take the same index through a bitmap; a vacuumed table's count reads the index only)
    plan = _plan(count, "bitmapscan")
    assert "Index Only Scan using suggestedorder_flagged_dated" in plan, plan


def _hot_updates(cursor) -> tuple[int, int]:
    """(updates, HOT updates) of the table in this transaction."""
    cursor.execute(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'visits_suggestedorder'"
    )
    return cursor.fetchone()


@pytest.mark.postgres
def test_a_reruns_rewrite_stays_a_hot_update_and_superseding_leaves_the_rows_in_force_index(chain):
    _manager, _account, _stores, _products = chain
    first, second = SuggestedOrder.objects.filter(superseded_on__isnull=True, flag=NEG).order_by("pk")[:2]
    with connection.cursor() as cursor:
        before = _hot_updates(cursor)
        # a rerun of the row's own day with other numbers rewrites it in place: on its page, no index entry
        SuggestedOrder.objects.filter(pk=first.pk).update(suggested_packs=99, suggested_cases=9, current_packs=3)
        assert _hot_updates(cursor) == (before[0] + 1, before[1] + 1)
        # superseding takes the row out of the rows in force (their index names `superseded_on`): an ordinary update
        before = _hot_updates(cursor)
        SuggestedOrder.objects.filter(pk=second.pk).update(superseded_on=DAY + timedelta(days=1))
        assert _hot_updates(cursor) == (before[0] + 1, before[1])


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["/visits/suggested-orders/", "/api/v1/suggested-orders/"])
def test_the_list_reads_its_page_and_count_from_the_rows_in_force_not_their_history(client, chain, path):
    manager, _account, stores, products = chain
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 50} if "api" in path else {})
    # the rows in force, newest first, then by store and product; none of their twenty weeks of history
    in_force = list(
        SuggestedOrder.objects.filter(superseded_on__isnull=True).order_by("-date", "store_id", "product_id", "-pk")
    )
    assert len(in_force) == len(stores) * len(products)
    if "api" in path:
        listed = [(row["store"], row["product"], row["date"]) for row in response.json()["results"]]
        assert listed == [(o.store.code, o.product.code, o.date.isoformat()) for o in in_force]
        assert response.json()["count"] == len(in_force)
    else:
        assert list(response.context["object_list"]) == in_force
        assert response.context["paginator"].count == len(in_force)
    statements = [q["sql"] for q in queries.captured_queries if 'FROM "visits_suggestedorder"' in q["sql"]]
    assert statements  # the rows of the page and their count
    for sql in statements:
        assert "suggestedorder_in_force" in _plan(sql), sql


def test_the_admin_lists_the_orders_in_force_unless_told_otherwise(client, chain, admin_user):
    _manager, _account, stores, products = chain
    client.force_login(admin_user)
    url = "/admin/visits/suggestedorder/"
    in_force = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    listed = in_force.context["cl"].result_list
    assert {o.superseded_on for o in listed} == {None} and len(listed) == len(stores) * len(products)
    assert in_force.context["cl"].result_count == len(stores) * len(products)
    page = in_force.content.decode()
    assert "In force" in page and "Superseded" in page
    history = client.get(url, {"in_force": "no"}).context["cl"]
    assert history.result_count == len(stores) * len(products) * 20 and None not in {
        o.superseded_on for o in history.result_list
    }
    assert client.get(url, {"in_force": "all"}).context["cl"].result_count == SuggestedOrder.objects.count()
    assert "生效中" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
