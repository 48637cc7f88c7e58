"""Competitor sightings' services: who may record, what they refuse, and what they keep (brand spelled once,
the seen-on day and chain taken from the visit, a photo stored as a visit photo)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from evidence.competitors import (
    check_sighting,
    competitor_brands,
    competitor_sighting_add,
    competitor_sighting_delete,
    competitor_sighting_update,
    depth,
    normalise_brand,
)
from evidence.models import CompetitorSighting
from ka_portal.errors import DomainError
from tests.evidence.competitors_world import SHANGHAI, build_world, jpeg

pytestmark = pytest.mark.django_db
CUT = {"mechanics": "price_cut"}


@pytest.fixture
def w():
    return build_world()


def test_a_rep_records_a_sighting_at_their_open_visit(w, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    # given the rep's open visit, checked in at 23:30 Shanghai time (15:30 UTC)
    w.visit.checked_in_at = datetime(2026, 11, 20, 23, 30, tzinfo=SHANGHAI)
    w.visit.save()
    # when they record a price cut with a photo
    sighting = competitor_sighting_add(
        visit=w.visit, by=w.rep, brand="  青岛啤酒　 ", product=" 青岛纯生  500ml ", shelf_price=Decimal("4.50"),
        regular_price=Decimal("6.00"), mechanics="price_cut", mechanics_note="第二件半价", display="end_cap",
        photo=jpeg(),
    )  # fmt: skip
    # then the brand and product are spelled once, the store, chain and local day come from the visit
    assert (sighting.brand, sighting.product) == ("青岛啤酒", "青岛纯生 500ml")
    assert (sighting.store, sighting.account, sighting.seen_on) == (w.store, w.chain, date(2026, 11, 20))
    assert sighting.depth == Decimal("0.25")
    # and the photo is one of the visit's photos, captioned with what it shows
    assert sighting.photo.visit == w.visit
    assert sighting.photo.caption == "青岛啤酒 青岛纯生 500ml"


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"brand": "   "}, "competitor.brand_required", "brand"),
        ({"brand": "雪花", "shelf_price": Decimal("-1.00")}, "competitor.negative_price", "shelf_price"),
        ({"brand": "雪花", "regular_price": Decimal("-0.01")}, "competitor.negative_price", "regular_price"),
        (
            {"brand": "雪花", "shelf_price": Decimal("6.50"), "regular_price": Decimal("6.00"), **CUT},
            "competitor.cut_not_below_regular",
            "shelf_price",
        ),
        (
            {"brand": "雪花", "shelf_price": Decimal("6.00"), "regular_price": Decimal("6.00"), **CUT},
            "competitor.cut_not_below_regular",
            "shelf_price",
        ),
        ({"brand": "雪花", "mechanics": "rebate"}, "competitor.mechanics", "mechanics"),
        ({"brand": "雪花", "display": "roof"}, "competitor.display", "display"),
    ],
)
def test_what_a_sighting_may_not_be(w, values, code, field):
    with pytest.raises(DomainError) as refused:
        competitor_sighting_add(visit=w.visit, by=w.rep, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not CompetitorSighting.objects.exists()


def test_a_price_above_the_regular_one_is_fine_without_a_price_cut():
    # a multi-buy or a gift may come with a shelf price above the "regular" one the rep remembers
    check_sighting(
        brand="百威", shelf_price=Decimal("7.00"), regular_price=Decimal("6.50"), mechanics="gift", display=""
    )


def test_the_price_cut_refusal_says_both_prices(w):
    from django.utils import translation

    with pytest.raises(DomainError) as refused:
        competitor_sighting_add(
            visit=w.visit, by=w.rep, brand="雪花", shelf_price=Decimal("6.50"), regular_price=Decimal("6.00"),
            mechanics="price_cut",
        )  # fmt: skip
    with translation.override("en"):
        assert refused.value.detail == "A price cut's shelf price (6.50) must be below the regular price (6.00)."
    with translation.override("zh-hans"):
        assert refused.value.detail == "特价的货架价（6.50）必须低于原价（6.00）。"


def test_only_the_visits_rep_records_and_only_while_it_is_open(w):
    for other in (w.rep2, w.supervisor, w.manager):
        with pytest.raises(DomainError) as refused:
            competitor_sighting_add(visit=w.visit, by=other, brand="雪花")
        assert refused.value.code == "competitor.not_your_visit"
    sighting = competitor_sighting_add(visit=w.visit, by=w.rep, brand="雪花")
    # once the visit is checked out, nothing about it changes
    w.visit.checked_out_at = w.visit.checked_in_at + timedelta(minutes=40)
    w.visit.save()
    for attempt in (
        lambda: competitor_sighting_add(visit=w.visit, by=w.rep, brand="百威"),
        lambda: competitor_sighting_update(sighting=sighting, by=w.rep, brand="百威"),
        lambda: competitor_sighting_delete(sighting=sighting, by=w.rep),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "visit.closed" and refused.value.status_code == 409
    assert CompetitorSighting.objects.get().brand == "雪花"


def test_the_rep_corrects_and_takes_back_a_sighting_while_the_visit_is_open(w):
    sighting = competitor_sighting_add(visit=w.visit, by=w.rep, brand="雪花", shelf_price=Decimal("3.00"))
    updated = competitor_sighting_update(
        sighting=sighting, by=w.rep, brand="雪花", product="勇闯天涯", shelf_price=Decimal("2.80"),
        regular_price=Decimal("3.50"), mechanics="price_cut",
    )  # fmt: skip
    assert (updated.product, updated.shelf_price, updated.depth) == ("勇闯天涯", Decimal("2.80"), Decimal("0.2"))
    with pytest.raises(DomainError):
        competitor_sighting_update(sighting=sighting, by=w.rep, brand="", shelf_price=Decimal("2.80"))
    competitor_sighting_delete(sighting=sighting, by=w.rep)
    assert not CompetitorSighting.objects.exists()


def test_one_brand_one_spelling(w):
    # given a brand recorded once
    competitor_sighting_add(visit=w.visit, by=w.rep, brand="Lay's")
    # when it is typed again with other spaces, full-width letters or another case
    again = [
        competitor_sighting_add(visit=w.visit, by=w.rep, brand=typed).brand
        for typed in (" Lay's ", "LAY'S", "Ｌａｙ's", "Lay's\u3000")
    ]
    # then it is the same brand, and the form offers it once
    assert again == ["Lay's"] * 4
    assert competitor_brands(w.rep) == ["Lay's"]
    assert normalise_brand(" 康师傅 \t 冰红茶 ") == "康师傅 冰红茶"


def test_depth_is_a_fraction_of_the_regular_price():
    assert depth(Decimal("8.00"), Decimal("10.00")) == Decimal("0.2000")
    assert depth(Decimal("9.90"), Decimal("12.90")) == Decimal("0.2326")
    assert depth(None, Decimal("10.00")) is None
    assert depth(Decimal("5.00"), None) is None
    assert depth(Decimal("5.00"), Decimal("0")) is None
