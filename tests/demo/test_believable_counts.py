"""Demo data a rep can believe (issue 14, item 5): the stock counts follow the deliveries, the deliveries are what a
store sells, so a fresh install suggests orders of a few cases and flags only a handful of pairs honestly."""

from datetime import timedelta
from statistics import median

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Sum

from stores.models import Delivery, Store
from visits import selectors
from visits.models import StockCount, SuggestedOrder

pytestmark = pytest.mark.django_db


def _latest_orders() -> list[SuggestedOrder]:
    """Each store's suggested order in force now: what Today and the suggested-order list show."""
    return list(SuggestedOrder.objects.current().select_related("product", "store"))


def test_a_fresh_install_flags_a_handful_and_suggests_a_few_cases(demo_company):
    orders = _latest_orders()
    flagged = [o for o in orders if o.flag]
    assert len(orders) >= 300  # every demo store, its counted products
    assert 0 < len(flagged) < len(orders) * 0.10, {o.flag for o in flagged}
    negative = [o for o in flagged if o.flag == SuggestedOrder.Flag.NEGATIVE_SALES]
    assert len(negative) <= 10  # a case counted twice, now and then: not half the pairs

    suggested = [o.suggested_cases for o in orders if o.suggested_cases > 0]
    assert suggested and max(suggested) <= 20  # never a truckload of one product for one store
    assert median(suggested) <= 3
    assert sum(cases <= 5 for cases in suggested) >= len(suggested) * 0.8
    for order in orders:
        if not order.flag:  # sales the store made between the two counts
            assert order.actual_sales_packs == order.previous_packs + order.delivered_packs - order.current_packs
            assert order.actual_sales_packs >= 0


def test_rep1s_today_suggests_a_few_cases_per_product(demo_company):
    rep1 = get_user_model().objects.get(username="rep1")
    cases = [order.suggested_cases for row in selectors.rep_day(rep1, demo_company) for order in row.orders]
    assert cases and max(cases) <= 20


def test_deliveries_are_sized_to_what_a_store_sells(demo_company):
    """Recent deliveries are a few cases; A stores sell more than B, and B more than C; a count of nothing (out of
    stock) happens, rarely."""
    since = demo_company - timedelta(weeks=4)
    recent = Delivery.objects.filter(date__gte=since, reference__startswith="DN").annotate(
        cases=F("quantity") * 1.0 / F("product__packs_per_case")
    )
    cases = sorted(recent.values_list("cases", flat=True))
    assert median(cases) <= 6 and max(cases) <= 40
    assert not Delivery.objects.filter(quantity__gt=F("product__packs_per_case") * 120).exists()

    packs = dict(recent.values_list("store__grade").annotate(packs=Sum("quantity")))
    stores = {g: Store.objects.filter(grade=g).count() for g in "ABC"}
    per_store = {g: packs[g] / stores[g] for g in "ABC"}
    assert per_store["A"] > per_store["B"] > per_store["C"] > 0

    zero = StockCount.objects.filter(packs=0).count()
    assert 0 < zero < StockCount.objects.count() * 0.05
