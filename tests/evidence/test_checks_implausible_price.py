"""A shelf price seen at a visit that is no price (0) or a typo many times the product's normal shelf price
(99999999999 for a 5.00 beer) is refused naming the field at every door: the rule, the page's section (htmx), the
phone's outbox replaying it later (X-Queue), the API. KA_SHELF_PRICE_MAX_RATIO (3) × the plan's normal shelf price
of the product, else its suggested retail price."""

import dataclasses
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from evidence import visit_checks as checks
from evidence.models import PromotionCheck, PromotionExecution
from ka_portal.errors import DomainError

from . import checks_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = checks_world.build()
    # the beer's normal shelf price in the plan: 5.00 (so at most 15.00 seen); the chips' 0 (not given): their
    # suggested retail price 5.50 stands in (at most 16.50)
    world.beer.normal_price, world.beer.promotion_price = D("5.00"), D("4.50")
    world.beer.save()
    world.chips.normal_price, world.chips.promotion_price = D("0"), D("4.00")
    world.chips.save()
    return world


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ("-0.01", "evidence.negative_price"),
        ("0", "evidence.zero_price"),
        ("0.01", None),
        ("15.00", None),  # 3 × 5.00: the most still taken
        ("15.01", "evidence.price_implausible"),
        ("99999999999", "evidence.price_implausible"),
    ],
)
def test_the_rule_takes_a_price_up_to_the_ratio_times_the_normal_shelf_price(w, price, code):
    if code is None:
        checks.check_shelf_price(D(price), reference=checks.shelf_price_reference(w.beer))
        return
    with pytest.raises(DomainError) as refused:
        checks.check_shelf_price(D(price), reference=checks.shelf_price_reference(w.beer))
    assert (refused.value.code, refused.value.field) == (code, "shelf_price")


def test_without_a_normal_price_the_suggested_retail_price_is_the_reference_and_the_ratio_a_setting(w, monkeypatch):
    assert checks.shelf_price_reference(w.chips) == D("5.50")
    checks.check_shelf_price(D("16.50"), reference=D("5.50"))
    monkeypatch.setattr(settings, "KA", dataclasses.replace(settings.KA, shelf_price_max_ratio=D("2")))
    with pytest.raises(DomainError) as refused:
        checks.check_shelf_price(D("16.50"), reference=D("5.50"))
    with translation.override("en"):
        assert refused.value.detail == (
            "The shelf price 16.50 is more than 2× the normal shelf price 5.50 (at most 11.00); check the amount."
        )


def test_the_service_refuses_the_typo_and_writes_nothing(w):
    with pytest.raises(DomainError) as refused:
        checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("99999999999"))
    assert refused.value.code == "evidence.price_implausible"
    assert refused.value.params["max"] == D("15.00")
    assert not PromotionCheck.objects.exists() and not PromotionExecution.objects.exists()


def test_the_page_marks_the_price_with_the_reason_in_either_language_and_keeps_what_was_typed(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    form = {f"price_{w.beer.pk}": "99999999999", f"price_{w.chips.pk}": "0", "present_end_cap": "yes"}

    body = _client(w.rep).post(url, form, HTTP_HX_REQUEST="true").content.decode()

    assert (
        "The shelf price 99,999,999,999.00 is more than 3× the normal shelf price 5.00 (at most 15.00); check the "
        "amount." in body
    )
    assert "A shelf price of 0 is not a price: write the price on the tag, or tick “not on the shelf”." in body
    assert 'value="99999999999"' in body and body.count('data-testid="price-error"') == 2
    zh = _client(w.rep, "zh-hans").post(url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "实见货架价 99,999,999,999.00 超过正常零售价 5.00 的 3 倍（最多 15.00）" in zh
    assert "货架价不能为 0：请填写价签上的价格，或勾选“货架上没有”。" in zh
    assert not PromotionCheck.objects.exists()


def test_the_outbox_replaying_the_save_later_is_refused_naming_the_field(w):
    # the phone saved the section offline; its outbox sends it when the network is back, by the visit's uuid
    url = reverse("evidence:visit-plan-checks-uuid", args=[w.visit.uuid, w.plan.pk])
    form = {f"price_{w.beer.pk}": "99999999999", f"price_{w.chips.pk}": "5.00", "present_end_cap": "yes"}

    answer = _client(w.rep).post(url, form, HTTP_X_QUEUE="1")

    assert answer.status_code == 400
    assert answer.json()["errors"][f"price_{w.beer.pk}"] == [
        "The shelf price 99,999,999,999.00 is more than 3× the normal shelf price 5.00 (at most 15.00); check the "
        "amount."
    ]
    assert not PromotionCheck.objects.exists()


def test_the_api_refuses_with_the_code_and_the_numbers(w, api_client):
    api_client.force_authenticate(w.rep)
    url = reverse("visit-promotion-checks", args=[w.visit.pk])

    typo = api_client.post(url, {"item": w.beer.pk, "shelf_price": "99999999999"}, format="json")
    zero = api_client.post(url, {"item": w.chips.pk, "shelf_price": "0.00"}, format="json")
    fine = api_client.post(url, {"item": w.chips.pk, "shelf_price": "16.50"}, format="json")

    assert (typo.status_code, typo.json()["code"], typo.json()["field"]) == (
        400,
        "evidence.price_implausible",
        "shelf_price",
    )
    assert typo.json()["params"]["max"] == "15.00" and typo.json()["params"]["reference"] == "5.00"
    assert (zero.status_code, zero.json()["code"]) == (400, "evidence.zero_price")
    assert fine.status_code == 200
    assert list(PromotionCheck.objects.values_list("item_id", "shelf_price")) == [(w.chips.pk, D("16.50"))]
