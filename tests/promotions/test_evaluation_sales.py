"""The set-based read of many plans' sell-in (selectors.evaluation_sales) equals what each plan's evaluation reads
(services.evaluation_figures, two sales_between calls per plan), whatever the plans' stores and products."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promotions.models import PromotionPlan
from promotions.selectors import evaluation_sales
from promotions.services import evaluation_figures
from tests.factories import DeliveryFactory, KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db

START = date(2026, 3, 1)
plan_shapes = st.lists(
    st.tuples(
        st.integers(0, 1),  # account
        st.booleans(),  # all stores
        st.integers(0, 40),  # start offset
        st.integers(0, 9),  # days − 1
        st.sets(st.integers(0, 2), min_size=1),  # products
        st.sets(st.integers(0, 2), min_size=1),  # chosen stores (of the account)
    ),
    min_size=1,
    max_size=5,
)
deliveries = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(-10, 55),
        st.integers(1, 50),
        st.one_of(st.none(), st.decimals("0.50", "9.99", places=2)),
    ),  # fmt: skip
    max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=plan_shapes, delivered=deliveries)
def test_evaluation_sales_equals_each_plans_evaluation(shapes, delivered):
    PromotionPlan.objects.all().delete()
    accounts = [KeyAccountFactory(), KeyAccountFactory()]
    # three stores per account, the last one closed (a whole-account plan leaves it out)
    stores = [[StoreFactory(account=a, active=i < 2) for i in range(3)] for a in accounts]
    products = [ProductFactory() for _ in range(3)]
    for row in stores:
        for store in row:
            for product in products:
                ListingFactory(store=store, product=product, purchase_price=Decimal("4.00"))
    plans = []
    for account, whole, offset, length, wanted, chosen in shapes:
        start = START + timedelta(days=offset)
        plan = PromotionPlanFactory(account=accounts[account], all_stores=whole, start_on=start,
                                    end_on=start + timedelta(days=length), status="ended")  # fmt: skip
        if not whole:
            plan.stores.set([stores[account][i] for i in chosen])
        for index in wanted:
            PromotionItemFactory(plan=plan, product=products[index])
        plans.append(plan)
    for account, store, product, offset, quantity, price in delivered:
        DeliveryFactory(store=stores[account][store], product=products[product],
                        date=START + timedelta(days=offset), quantity=quantity, unit_price=price)  # fmt: skip

    with CaptureQueriesContext(connection) as captured:
        sales = evaluation_sales(PromotionPlan.objects.filter(pk__in=[p.pk for p in plans]))
    assert len(captured) <= 5  # the plans, then four reads whatever their number

    for plan in plans:
        figures = evaluation_figures(plan)
        got = sales[plan.pk]
        assert (got.units, got.amount) == (figures.sales_units, figures.sales_amount)
        assert (got.baseline_units, got.baseline_amount) == (figures.baseline_units, figures.baseline_amount)
