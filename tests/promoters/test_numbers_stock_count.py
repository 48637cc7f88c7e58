"""A promoter's shelf stock at close as a stock count for suggested orders (issue 16, KA_PROMOTER_STOCK_AS_COUNT):
with "yes" a shift's shelf stock is a count of its store × product on its day, and on a day with both a visit's
count and a close the newest of them stands; with "no" (the default) nothing changes. Worked by hand, through the
per-store refresh and the nightly job's chunks; run on SQLite and on the PostgreSQL leg alike."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory
from tests.visits.factories import StockCountFactory, VisitFactory
from visits.models import SuggestedOrder
from visits.replenishment import Count, counts_read, suggested_order
from visits.services import suggested_orders_refresh
from visits.tasks import suggested_orders_run

from .factories_numbers import closing, shift_at, sold

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 16)
DAY5 = DAY + timedelta(days=4)


@pytest.fixture
def stock_as_count(settings):
    def switch(value: str) -> None:
        settings.KA = replace(settings.KA, promoter_stock_as_count=value)

    return switch


def visit_count(listing, day: date, packs: int, hour: int = 10):
    visit = VisitFactory(store=listing.store, rep=listing.store.rep, checked_in_at=closing(day, hour))
    return StockCountFactory(visit=visit, product=listing.product, packs=packs)


def close_count(listing, day: date, packs: int, hour: int = 21, **fields):
    """The promoter's shelf stock at the close of their shift, checked out at `hour`."""
    shift = shift_at(listing.store, day)
    shift.checked_in_at, shift.checked_out_at = closing(day, 9), closing(day, hour)
    shift.save()
    return sold(listing.store, listing.product, day, fields.pop("units", 5), shelf_stock=packs, at=closing(day, 20))


@pytest.fixture
def store_pair(rep):
    """12 packs a case. Visit on 16 Nov counts 120; 48 delivered on 18 Nov; visit on 20 Nov at 10:00 counts 100;
    the promoter's close on 20 Nov (checked out 21:00) reports 72 on the shelf.

    "no":  previous 120, current 100 (the visit), sales 120 + 48 − 100 = 68, safety 102, short 2 → 1 case.
    "yes": on 20 Nov the close (21:00) is newer than the visit (10:00): current 72; sales 120 + 48 − 72 = 96,
           safety 144, short 72 → 6 cases (SPEC §4's example)."""
    listing = ListingFactory(store=StoreFactory(rep=rep), product=ProductFactory(packs_per_case=12))
    visit_count(listing, DAY, 120)
    DeliveryFactory(store=listing.store, product=listing.product, date=DAY + timedelta(days=2), quantity=48)
    visit_count(listing, DAY5, 100)
    close_count(listing, DAY5, 72)
    return listing


def _order(listing, on: date) -> tuple:
    order = SuggestedOrder.objects.get(store=listing.store, product=listing.product, date=on)
    return (
        order.previous_packs, order.previous_counted_on, order.delivered_packs, order.current_packs,
        order.current_counted_on, order.actual_sales_packs, order.suggested_packs, order.suggested_cases, order.flag,
    )  # fmt: skip


def test_no_by_default_reads_the_visits_counts_only(store_pair):
    suggested_orders_refresh(store=store_pair.store, on=DAY5)
    assert _order(store_pair, DAY5) == (120, DAY, 48, 100, DAY5, 68, 2, 1, "")


def test_yes_takes_the_close_newer_than_the_visit_of_the_same_day(store_pair, stock_as_count):
    stock_as_count("yes")
    suggested_orders_refresh(store=store_pair.store, on=DAY5)
    assert _order(store_pair, DAY5) == (120, DAY, 48, 72, DAY5, 96, 72, 6, "")


def test_yes_a_visit_after_the_close_is_the_days_count(store_pair, stock_as_count):
    """On 21 Nov the promoter closes at 17:00 with 60 on the shelf, then a rep counts 65 at 19:00: the visit is the
    day's count; the day before stands for the close of 72 (not the morning's 100)."""
    stock_as_count("yes")
    day6 = DAY5 + timedelta(days=1)
    close_count(store_pair, day6, 60, hour=17)
    visit_count(store_pair, day6, 65, hour=19)
    suggested_orders_refresh(store=store_pair.store, on=day6)
    assert _order(store_pair, day6)[:5] == (72, DAY5, 0, 65, day6)
    assert _order(store_pair, day6)[5] == 7


def test_yes_closes_alone_make_a_suggestion_where_no_rep_counted(rep, stock_as_count):
    """A store only its promoter counts: 50 on the shelf at the close of 16 Nov, 12 delivered on 17 Nov, 20 at the
    close of 18 Nov → sales 42, safety 63, short 43 → 4 cases. With "no" there is nothing to suggest from."""
    listing = ListingFactory(store=StoreFactory(rep=rep), product=ProductFactory(packs_per_case=12))
    close_count(listing, DAY, 50)
    DeliveryFactory(store=listing.store, product=listing.product, date=DAY + timedelta(days=1), quantity=12)
    close_count(listing, DAY + timedelta(days=2), 20)
    on = DAY + timedelta(days=2)
    suggested_orders_refresh(store=listing.store, on=on)
    assert not SuggestedOrder.objects.filter(store=listing.store).exists()
    stock_as_count("yes")
    suggested_orders_refresh(store=listing.store, on=on)
    assert _order(listing, on) == (50, DAY, 12, 20, on, 42, 43, 4, "")


def test_yes_ignores_a_line_without_shelf_stock_a_later_day_and_an_unlisted_product(store_pair, rep, stock_as_count):
    stock_as_count("yes")
    sold(store_pair.store, ProductFactory(), DAY5, 3, shelf_stock=9)  # not listed at the store
    later = DAY5 + timedelta(days=1)
    close_count(store_pair, later, 1)  # after the day computed
    other = ListingFactory(store=store_pair.store, product=ProductFactory())
    sold(store_pair.store, other.product, DAY5, 3)  # sold but no shelf stock: no count
    suggested_orders_refresh(store=store_pair.store, on=DAY5)
    assert list(SuggestedOrder.objects.filter(date=DAY5).values_list("product_id", flat=True)) == [
        store_pair.product_id
    ]
    assert _order(store_pair, DAY5)[3] == 72


def test_yes_through_the_nightly_job_for_one_account(store_pair, stock_as_count, django_capture_on_commit_callbacks):
    stock_as_count("yes")
    other = ListingFactory(product=store_pair.product)  # another account's store with a close
    close_count(other, DAY, 10)
    close_count(other, DAY5, 4)
    with django_capture_on_commit_callbacks(execute=True):
        suggested_orders_run(on=DAY5, account_id=store_pair.store.account_id)
    assert _order(store_pair, DAY5)[3] == 72
    assert not SuggestedOrder.objects.filter(store=other.store).exists()
    with django_capture_on_commit_callbacks(execute=True):
        suggested_orders_run(on=DAY5)
    assert _order(other, DAY5)[:4] == (10, DAY, 0, 4)


def test_two_visits_on_a_day_without_a_close_count_as_before(rep, stock_as_count):
    """ "yes" changes only the days with a close: two visits of one day stay two counts, as with "no"."""
    listing = ListingFactory(store=StoreFactory(rep=rep))
    visit_count(listing, DAY, 30, hour=9)
    visit_count(listing, DAY, 20, hour=15)
    results = []
    for value in ("no", "yes"):
        stock_as_count(value)
        suggested_orders_refresh(store=listing.store, on=DAY)
        results.append(_order(listing, DAY))
    assert results[0] == results[1] and results[0][0] == 30 and results[0][3] == 20


product_strategy = st.fixed_dictionaries(
    {
        "visits": st.lists(
            st.tuples(st.integers(0, 5), st.integers(8, 20), st.integers(0, 200)), max_size=3, unique_by=lambda v: v[:2]
        ),
        "closes": st.lists(st.tuples(st.integers(0, 5), st.integers(0, 200)), max_size=3, unique_by=lambda c: c[0]),
        "deliveries": st.lists(st.tuples(st.integers(0, 5), st.integers(1, 100)), max_size=2),
    }
)


@hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    products=st.lists(product_strategy, min_size=2, max_size=2),
    check_out_hours=st.lists(st.integers(8, 22), min_size=6, max_size=6),
)
def test_with_yes_the_job_reads_the_counts_the_pure_rule_reads(products, check_out_hours, rep, stock_as_count):
    """Visits and closes on random days and hours: the statement's suggestion is suggested_order's on the two
    counts visits.replenishment.counts_read picks (the day's newest where a close was reported)."""
    stock_as_count("yes")
    on = DAY + timedelta(days=5)
    with transaction.atomic():
        store = StoreFactory(rep=rep)
        expected = {}
        for plan in products:
            listing = ListingFactory(store=store, product=ProductFactory(packs_per_case=6))
            counts = []
            for day, hour, packs in plan["visits"]:
                visit_count(listing, DAY + timedelta(days=day), packs, hour=hour)
                counts.append(Count(DAY + timedelta(days=day), closing(DAY + timedelta(days=day), hour), packs))
            for day, packs in plan["closes"]:
                shift_day = DAY + timedelta(days=day)
                close_count(listing, shift_day, packs, hour=check_out_hours[day])
                counts.append(Count(shift_day, closing(shift_day, check_out_hours[day]), packs, at_close=True))
            for day, quantity in plan["deliveries"]:
                DeliveryFactory(store=store, product=listing.product, date=DAY + timedelta(days=day), quantity=quantity)
            current, previous = counts_read(counts)
            if current is None:
                continue
            delivered = sum(
                q for d, q in plan["deliveries"] if previous is not None and previous.day < DAY + timedelta(days=d)
                and DAY + timedelta(days=d) <= current.day
            )  # fmt: skip
            result = suggested_order(previous.packs if previous else None, delivered, current.packs, 6, "1.5")
            expected[listing.product_id] = (
                previous.packs if previous else None, previous.day if previous else None,
                delivered if previous else 0, current.packs, current.day, result.actual_sales,
                result.suggested_packs, result.suggested_cases, result.flag,
            )  # fmt: skip
        suggested_orders_refresh(store=store, on=on)
        got = {}
        for order in SuggestedOrder.objects.filter(store=store, date=on):
            got[order.product_id] = (
                order.previous_packs, order.previous_counted_on, order.delivered_packs, order.current_packs,
                order.current_counted_on, order.actual_sales_packs, order.suggested_packs, order.suggested_cases,
                order.flag,
            )  # fmt: skip
        transaction.set_rollback(True)
    assert got == expected
