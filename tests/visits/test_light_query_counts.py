"""Saving a visit and checking out run a fixed number of SQL queries however many products the store lists
(issue 14, item 6): a 4-product store and a 16-product store cost the same, at most 20 for the service call on
PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from visits import services
from visits.models import ChecklistResult, StockCount, StockNotCounted, Visit

from .factories import StockCountFactory, TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db
ALL_PASS = dict.fromkeys(ChecklistResult.Item.values, "pass")
# On SQLite the store's suggested orders, brought up to date by a save (visits.replenishment_job.write_suggestions),
# are written in steps over two temporary tables (no data-modifying CTEs there): ten statements where PostgreSQL runs
# one. Still the same number for 4 or 16 products.
SQLITE_STEPS = 10 if connection.vendor == "sqlite" else 0
SERVICE_MAX = 20 + SQLITE_STEPS
PAGE_MAX = 50 + SQLITE_STEPS  # the request around the service: session, user, the visit and its form, the redirect


def _store_visit(rep, products: int) -> tuple[Visit, list]:
    """A store listing `products` products, with deliveries and a previous visit's counts (so the suggested
    order has something to compute), a task, and an open visit checked in with a position."""
    store = StoreFactory(rep=rep)
    items = [ProductFactory() for _ in range(products)]
    for product in items:
        ListingFactory(store=store, product=product)
        DeliveryFactory(store=store, product=product)
    earlier = VisitFactory(rep=rep, store=store)
    for product in items:
        StockCountFactory(visit=earlier, product=product, packs=30)
    TaskFactory(store=store)
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    return visit, items


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.fixture
def rep():
    return make_user(Role.REP, username="rep_light")


def _record(visit, items, *, first: int = 7):
    """Count every product but the last (marked not counted), answer the checklist: a whole save."""
    stock = {product.pk: first + i for i, product in enumerate(items[:-1])}
    return lambda: services.visit_record(
        visit=visit,
        checklist=ALL_PASS,
        price_check_ok=True,
        stock=stock,
        not_counted={items[-1].pk: True},
        problems="价签缺失",
        actions="",
        checkout_reason="",
    )


def test_saving_a_visit_runs_the_same_few_queries_for_4_or_16_products(rep):
    counts = {}
    for products in (4, 16):
        visit, items = _store_visit(rep, products)
        first = _queries(_record(visit, items))
        again = _queries(_record(visit, items, first=3))  # a second save changes every count
        counts[products] = (first, again)
        saved = dict(StockCount.objects.filter(visit=visit).values_list("product_id", "packs"))
        assert saved == {product.pk: 3 + i for i, product in enumerate(items[:-1])}
        assert set(StockNotCounted.objects.filter(visit=visit).values_list("product_id", flat=True)) == {items[-1].pk}
    assert counts[4] == counts[16], counts
    assert max(counts[16]) <= SERVICE_MAX, counts


def test_checking_out_runs_the_same_few_queries_for_4_or_16_products(rep):
    counts = {}
    for products in (4, 16):
        visit, items = _store_visit(rep, products)
        _record(visit, items)()
        counts[products] = _queries(lambda visit=visit: services.visit_check_out(visit=visit))
        visit.refresh_from_db()
        assert visit.checked_out_at is not None and not visit.checkout_missing
    assert counts[4] == counts[16], counts
    assert counts[16] <= SERVICE_MAX, counts


def _post(client, visit, items, action, **headers):
    data = {f"stock_{product.pk}": f"0/{i % 10 + 1}" for i, product in enumerate(items[:-1])}
    data |= {f"not_counted_{items[-1].pk}": "on", "price_check_ok": "yes", "action": action}
    data |= {f"check_{item}": "pass" for item in ChecklistResult.Item.values}
    url = reverse("visits:visit-detail", args=[visit.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **headers)
    assert response.status_code == (200 if headers else 302), response.content[:500]
    return len(queries)


def test_the_visit_pages_save_and_check_out_posts_do_not_grow_with_products(client, rep):
    client.force_login(rep)
    counts = {}
    for products in (4, 16):
        visit, items = _store_visit(rep, products)
        counts[products] = (_post(client, visit, items, "save"), _post(client, visit, items, "check_out"))
        visit.refresh_from_db()
        assert visit.checked_out_at is not None
        assert visit.stock_counts.count() == products - 1
    assert counts[4] == counts[16], counts
    assert max(counts[16]) <= PAGE_MAX, counts


def test_saves_sent_in_the_background_do_not_grow_with_products(client, rep):
    """The page's own saves (as the sections change) and the outbox's answer in JSON with the suggested order
    and the rating drawn again: still a fixed number of queries."""
    client.force_login(rep)
    counts = {}
    for products in (4, 16):
        visit, items = _store_visit(rep, products)
        counts[products] = tuple(
            _post(client, visit, items, action, HTTP_X_QUEUE="1") for action in ("save", "save", "check_out")
        )
        visit.refresh_from_db()
        assert visit.checked_out_at is not None
    assert counts[4] == counts[16], counts
    assert max(counts[16]) <= PAGE_MAX, counts
