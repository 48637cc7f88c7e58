"""Sell-out where promoters report it (issue 16) on the store page (the last four weeks per product: packs, value,
shelf stock last seen) and the chain page (the period's packs, value, stores reporting, sell-out ÷ sell-in), its
Excel and its API — only when there is sell-out, in a fixed number of queries."""

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from analytics.chain import chain_overview
from tests.factories import DeliveryFactory, KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .factories_numbers import sold

pytestmark = pytest.mark.django_db

JAN, MAR = date(2025, 1, 1), date(2025, 3, 1)


# --- the store page ---------------------------------------------------------------------------------------------


@pytest.fixture
def store(supervisor):
    rep = make_user(Role.REP, username="rep_s", supervisor=supervisor)
    return StoreFactory(code="SH01", rep=rep)


def _store_page(client, user, store) -> str:
    client.force_login(user)
    response = client.get(reverse("stores:store-detail", args=[store.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_store_page_shows_the_last_four_weeks_per_product(client, supervisor, store):
    today = timezone.localdate()
    beer = ProductFactory(code="BEER", name="纯生啤酒", packs_per_case=12)
    chips = ProductFactory(code="CHIPS", name="薯片", packs_per_case=24)
    ListingFactory(store=store, product=beer, shelf_price=Decimal("6.00"))
    sold(store, beer, today - timedelta(days=1), 10, price=Decimal("5.00"), shelf_stock=30)
    sold(store, beer, today - timedelta(days=3), 5, shelf_stock=50)  # no price seen: the shelf price, 6.00
    sold(store, beer, today - timedelta(days=28), 100, shelf_stock=1)  # a day too early
    sold(store, chips, today - timedelta(days=27), 2)  # never a shelf stock
    sold(StoreFactory(), beer, today, 999, shelf_stock=7)  # another store
    page = _store_page(client, supervisor, store)
    section = page[page.index('data-testid="store-sell-out"') :]
    beer_row = section[section.index('data-product="BEER"') : section.index("</tr>", section.index('"BEER"'))]
    assert "1/3" in beer_row and "80.00" in beer_row  # 15 packs; 10 × 5.00 + 5 × 6.00
    assert "2/6" in beer_row  # 30 packs on the shelf, the newest report
    chips_row = section[section.index('data-product="CHIPS"') :]
    assert "0/2" in chips_row and "—" in chips_row[: chips_row.index("</tr>")]
    assert not re.search(r"(?<![\w/])999(?![\w/])", section)  # a figure, not part of an id in a link or token


def test_the_store_page_shows_no_sell_out_section_without_reports(client, supervisor, store):
    assert 'data-testid="store-sell-out"' not in _store_page(client, supervisor, store)


def test_a_rep_sees_their_stores_sell_out_but_no_promoter(client, store):
    """The store's figures are the rep's to read (ka_portal.scope.store_sell_out_for), though the promoters' own
    records are not: the section names no promoter, and another rep's store shows none of it."""
    product = ProductFactory(code="P-SO")
    line = sold(store, product, timezone.localdate(), 10)
    page = _store_page(client, store.rep, store)
    section = page[page.index('data-testid="store-sell-out"') :]
    assert 'data-product="P-SO"' in section and line.shift.promoter.name not in page
    elsewhere = StoreFactory(code="SH02", rep=make_user(Role.REP, username="rep_other"))
    assert 'data-testid="store-sell-out"' not in _store_page(client, elsewhere.rep, elsewhere)


def test_the_store_page_reads_sell_out_in_one_query_whatever_the_products(client, supervisor, store):
    today = timezone.localdate()
    sold(store, ProductFactory(), today, 1, shelf_stock=3)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _store_page(client, supervisor, store)
        return len(queries)

    client.force_login(supervisor)
    before = count()
    for n in range(5):
        sold(store, ProductFactory(), today - timedelta(days=n), 2 + n, shelf_stock=n)
    assert count() == before


# --- the chain page ---------------------------------------------------------------------------------------------


@pytest.fixture
def chain(manager):
    """WMT, January to March 2025. Sell-out: store A 10 beer on 5 Jan seen at 5.00 (50.00) and 20 beer on 3 Feb at
    the 6.00 shelf price (120.00); store B 30 chips on 1 Mar at 2.00 (60.00) → 60 packs, 230.00, two stores
    reporting; store C reports nothing. Sell-in at A and B of beer and chips: 80 + 40 = 120 packs → 50 %."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    a, b, c = (StoreFactory(account=wmt, code=code) for code in ("WA", "WB", "WC"))
    beer, chips, water = (ProductFactory(code=code) for code in ("BEER", "CHIPS", "WATER"))
    ListingFactory(store=a, product=beer, shelf_price=Decimal("6.00"))
    sold(a, beer, date(2025, 1, 5), 10, price=Decimal("5.00"))
    sold(a, beer, date(2025, 2, 3), 20)
    sold(b, chips, date(2025, 3, 1), 30, price=Decimal("2.00"))
    sold(a, beer, date(2025, 4, 1), 500)  # after the period
    sold(StoreFactory(code="ELSE"), beer, date(2025, 2, 3), 700)  # another chain
    DeliveryFactory(store=a, product=beer, date=date(2025, 1, 2), quantity=80)
    DeliveryFactory(store=b, product=chips, date=date(2025, 2, 2), quantity=40)
    DeliveryFactory(store=c, product=beer, date=date(2025, 2, 2), quantity=500)  # C does not report
    DeliveryFactory(store=a, product=water, date=date(2025, 2, 2), quantity=500)  # nobody reports water
    DeliveryFactory(store=a, product=beer, date=date(2024, 12, 31), quantity=500)  # before the period
    return wmt


def test_the_chain_overview_sums_the_period_sell_out(chain, manager):
    o = chain_overview(user=manager, account=chain, month_from=JAN, month_to=MAR, today=date(2026, 1, 1))
    s = o.sell_out
    assert (s.units, s.value, s.stores, s.last_day) == (60, Decimal("230.00"), 2, date(2025, 3, 1))
    assert (s.sell_in_units, s.sell_through) == (120, Decimal("0.5000"))


def _chain_page(client, user, **query):
    client.force_login(user)
    period = {"month_from": "2025-01", "month_to": "2025-03"}
    return client.get(reverse("analytics:chain", args=["WMT"]), period | query)


def test_the_chain_page_shows_the_sell_out_summary(client, chain, manager):
    page = _chain_page(client, manager).content.decode()
    section = page[page.index('data-testid="sell-out"') :]
    section = section[: section.index('<div class="row g-3 mb-3">')]
    assert "2家门店报告" in section
    for shown in ("60", "230.00", "120", "50.0 %"):
        assert shown in section, shown


def test_the_chain_page_hides_the_section_without_sell_out(client, manager):
    KeyAccountFactory(code="WMT", owner=manager)
    assert 'data-testid="sell-out"' not in _chain_page(client, manager).content.decode()


def test_the_chain_excel_and_api_carry_the_sell_out(client, chain, manager):
    response = _chain_page(client, manager, export="xlsx")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = next(ws for ws in book.worksheets if ws.title == "销量（促销员）")
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert rows["报告门店数"] == (2, None) and rows["售出件数"] == (60, None)
    assert rows["售出金额"] == (230, None) and rows["同店进货件数"] == (120, 0.5)
    body = client.get("/api/v1/accounts/WMT/overview/", {"from": "2025-01", "to": "2025-03"}).json()
    assert body["sell_out"] == {
        "units": 60, "value": "230.00", "stores": 2, "last_day": "2025-03-01", "sell_in_units": 120,
        "sell_through": "0.5000",
    }  # fmt: skip
    none = client.get("/api/v1/accounts/WMT/overview/", {"from": "2024-01", "to": "2024-02"}).json()
    assert none["sell_out"] is None


def test_the_chain_page_adds_a_fixed_number_of_queries_for_sell_out(client, chain, manager):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _chain_page(client, manager).status_code == 200
        return len(queries)

    client.force_login(manager)
    before = count()
    beer = ProductFactory()
    for n in range(5):  # five more stores reporting, each with deliveries
        store = StoreFactory(account=chain)
        sold(store, beer, date(2025, 2, 1 + n), 3)
        DeliveryFactory(store=store, product=beer, date=date(2025, 2, 1), quantity=5)
    assert count() == before
