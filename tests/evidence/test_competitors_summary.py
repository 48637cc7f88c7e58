"""The per-chain competitor summary: figures computed from known sightings, in a fixed number of queries, scoped
and filtered by period and chain — through the selector, the page, its export and the API."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evidence.competitors import summary_for
from tests.evidence.competitors_world import SHANGHAI, build_world, closed_visit, sighting

pytestmark = pytest.mark.django_db


def _day(d: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, d, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def w():
    w = build_world()
    a1 = closed_visit(w.rep, w.store, _day(2))
    a2 = closed_visit(w.rep2, w.store2, _day(9))
    a3 = closed_visit(w.rep, w.store, _day(16))
    b1 = closed_visit(w.rep2, w.other_store, _day(10))
    # chain CWA, 青岛啤酒: three sightings at two stores, two price cuts (20 % and 30 % off) and a gift
    sighting(a1, product="纯生 500ml", shelf_price="8.00", regular_price="10.00", mechanics="price_cut")
    sighting(a2, product="纯生 500ml", shelf_price="7.00", regular_price="10.00", mechanics="price_cut")
    sighting(a3, product="经典 330ml", shelf_price="3.50", regular_price="3.50", mechanics="gift")
    # chain CWA, 百威: seen without a promotion (its depth is not counted)
    sighting(a3, brand="百威", product="百威 500ml", shelf_price="6.00", regular_price="7.00")
    # chain CWB, 青岛啤酒: one multi-buy without prices
    sighting(b1, mechanics="multi_buy", mechanics_note="买二送一")
    return w


def test_the_summary_per_chain_and_brand(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = summary_for(w.admin)
    by_key = {(row.account_code, row.brand): row for row in rows}
    assert list(by_key) == [("CWA", "青岛啤酒"), ("CWA", "百威"), ("CWB", "青岛啤酒")]
    beer = by_key["CWA", "青岛啤酒"]
    assert (beer.sightings, beer.stores, beer.promotions) == (3, 2, 3)
    assert (beer.first_seen, beer.last_seen) == (date(2026, 11, 2), date(2026, 11, 16))
    assert beer.by_mechanics["price_cut"] == 2 and beer.by_mechanics["gift"] == 1
    # depth over the promotions with both prices: 0.20, 0.30 and the gift's 0
    assert beer.deepest == Decimal("0.3000")
    assert beer.average_depth == Decimal("0.1667")
    assert [(p.product, p.lowest_shelf_price) for p in beer.products] == [
        ("经典 330ml", Decimal("3.50")),
        ("纯生 500ml", Decimal("7.00")),
    ]
    budweiser = by_key["CWA", "百威"]
    assert (budweiser.promotions, budweiser.deepest, budweiser.average_depth) == (0, None, None)
    other = by_key["CWB", "青岛啤酒"]
    assert (other.sightings, other.by_mechanics["multi_buy"], other.products) == (1, 1, [])


def test_the_summary_in_a_period_and_for_one_chain(w):
    rows = summary_for(w.admin, start=date(2026, 11, 5), end=date(2026, 11, 12))
    assert {(r.account_code, r.brand, r.sightings) for r in rows} == {("CWA", "青岛啤酒", 1), ("CWB", "青岛啤酒", 1)}
    rows = summary_for(w.admin, account=w.other_chain)
    assert [(r.account_code, r.brand) for r in rows] == [("CWB", "青岛啤酒")]


def test_a_manager_sums_up_only_their_chains_and_a_rep_their_stores(w):
    assert {r.account_code for r in summary_for(w.manager)} == {"CWA"}
    assert {r.account_code for r in summary_for(w.manager2)} == {"CWB"}
    # rep1's store only: two of chain CWA's 青岛啤酒 sightings and the 百威 one
    mine = {r.brand: r.sightings for r in summary_for(w.rep)}
    assert mine == {"青岛啤酒": 2, "百威": 1}


def test_the_summary_page_and_its_export(w, client):
    client.force_login(w.manager)
    page = client.get(reverse("evidence:competitor-summary"), {"from": "2026-11-01"}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "百威" in text and "30 %" in text and "CWB" not in text
    export = client.get(
        reverse("evidence:competitor-summary"), {"from": "2026-11-01", "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Key account", "Brand", "Sightings")
    assert [row[:4] for row in rows[1:]] == [("CWA", "青岛啤酒", 3, 2), ("CWA", "百威", 1, 1)]
    assert rows[1][-3:] == (0.3, pytest.approx(0.1667), "经典 330ml 3.50; 纯生 500ml 7.00")


def test_the_summary_page_says_when_there_is_nothing(w, client):
    client.force_login(w.manager)
    page = client.get(reverse("evidence:competitor-summary"), {"from": "2025-01-01", "to": "2025-01-31"},
                      HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "No competitor sightings in this period." in page.content.decode()
    wrong = client.get(reverse("evidence:competitor-summary"), {"from": "2026-11-30", "to": "2026-11-01"},
                       HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "The end of the period is before its start." in wrong.content.decode()


def test_the_summary_api(w, client):
    client.force_login(w.manager)
    answer = client.get(reverse("api-competitor-summary"), {"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert answer["from"] == "2026-11-01"
    beer = answer["results"][0]
    assert (beer["account"], beer["brand"], beer["deepest"], beer["average_depth"]) == (
        "CWA", "青岛啤酒", "0.3000", "0.1667"
    )  # fmt: skip
    assert beer["by_mechanics"]["price_cut"] == 2
    assert beer["products"][1] == {"product": "纯生 500ml", "lowest_shelf_price": "7.00", "promotions": 2}
    foreign = client.get(reverse("api-competitor-summary"), {"account": "CWB"}, HTTP_ACCEPT_LANGUAGE="en")
    assert foreign.status_code == 400 and foreign.json()["detail"] == "Not found."
