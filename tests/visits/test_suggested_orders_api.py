"""/api/v1/suggested-orders/ filters by store, account, date (in force on it; else now) and flagged, within scope."""

from datetime import date

import pytest

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .factories import SuggestedOrderFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


@pytest.fixture
def orders():
    sup = make_user(Role.SUPERVISOR, username="sup_so")
    rep = make_user(Role.REP, username="rep_so", supervisor=sup)
    first, second = KeyAccountFactory(), KeyAccountFactory()
    a, b = StoreFactory(rep=rep, account=first), StoreFactory(rep=rep, account=second)
    SuggestedOrderFactory(store=a, date=DAY)
    SuggestedOrderFactory(store=a, date=DAY, flag="no_previous_count", suggested_packs=0, suggested_cases=0)
    older = SuggestedOrderFactory(store=b, date=date(2026, 11, 22))
    SuggestedOrderFactory(store=b, product=older.product, date=DAY)  # supersedes the day before's
    SuggestedOrderFactory()  # another rep's store: out of scope
    return rep, first, a


@pytest.mark.parametrize(
    "query, expected",
    [("", 3), ("date=2026-11-23", 3), ("date=2026-11-22", 1), ("date=2026-11-21", 0), ("flagged=true", 1),
     ("flagged=false", 2), ("account={account}", 2), ("store={store}&flagged=false", 1),
     ("account={account}&date=2026-11-22", 0)],
)  # fmt: skip
def test_suggested_orders_filter_by_store_account_date_and_flagged(
    api_client, orders, query, expected, django_assert_max_num_queries
):
    rep, account, store = orders
    api_client.force_authenticate(rep)
    with django_assert_max_num_queries(6):
        response = api_client.get(f"/api/v1/suggested-orders/?{query.format(account=account.code, store=store.code)}")
    assert response.status_code == 200
    assert response.json()["count"] == expected
