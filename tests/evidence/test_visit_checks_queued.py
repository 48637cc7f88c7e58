"""Promotion checks and competitor sightings made with no network reach the server from the phone's outbox
(`X-Queue: 1`): answered in JSON, a refusal naming the field and why, nothing written when refused."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import CompetitorSighting, DisplayCheck, PromotionCheck
from tests.evidence import checks_world

pytestmark = pytest.mark.django_db
QUEUED = {"HTTP_X_QUEUE": "1"}


@pytest.fixture
def world():
    w = checks_world.build()
    client = Client()
    client.force_login(w.rep)
    return w, client


def test_a_queued_promotion_check_answers_json_and_records_prices_and_the_photo(world):
    w, client = world
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    prices = {f"price_{item.pk}": "10.10" for item in w.plan.items.all()}

    refused = client.post(url, {**prices, f"price_{w.plan.items.first().pk}": "十块"}, **QUEUED)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == [f"price_{w.plan.items.first().pk}"]
    assert not PromotionCheck.objects.exists()

    saved = client.post(url, {**prices, "present_end_cap": "yes", "photo_end_cap": checks_world.photo()}, **QUEUED)
    assert saved.status_code == 200 and saved.json()["message"]
    assert PromotionCheck.objects.filter(visit=w.visit).count() == w.plan.items.count()
    assert DisplayCheck.objects.get(visit=w.visit).photo


def test_a_queued_competitor_sighting_answers_json(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])

    refused = client.post(url, {"brand": "青岛啤酒", "shelf_price": "abc"}, **QUEUED)
    saved = client.post(url, {"brand": "青岛啤酒", "product": "纯生 500ml", "shelf_price": "4.50"}, **QUEUED)

    assert refused.status_code == 400 and refused.json()["labels"]["shelf_price"] == "终端零售价"
    # the outbox lists the reason led by its field, joined as Chinese writes it (not "终端零售价: …")
    said = refused.json()["said"]
    assert len(said) == 1 and said[0].startswith("终端零售价：") and said[0] != "终端零售价："
    assert saved.status_code == 201
    assert CompetitorSighting.objects.get(visit=w.visit).shelf_price == Decimal("4.50")  # the refused one wrote nothing


def test_a_stops_page_before_check_in_lets_the_promotion_be_checked_by_the_visits_uuid(world):
    w, client = world
    w.visit.delete()  # the stop not started yet: its page before check-in, as kept on the phone
    page = client.get(reverse("visits:visit-start", args=[w.store.pk])).content.decode()
    start = re.search(r'name="uuid" value="([0-9a-f-]{36})"', page).group(1)
    plan_url = reverse("evidence:visit-plan-checks-uuid", args=[start, w.plan.pk])
    assert plan_url in page and "端架特价" in page  # the running plan, to check on the phone
    assert reverse("evidence:visit-competitor-add-uuid", args=[start]) in page
    prices = {f"price_{item.pk}": "10.10" for item in w.plan.items.all()}
    assert client.post(plan_url, prices, **QUEUED).status_code == 404  # the check-in has not arrived yet

    client.post(reverse("visits:check-in"), {"store": w.store.pk, "uuid": start}, **QUEUED)
    saved = client.post(plan_url, prices, **QUEUED)

    assert saved.status_code == 200
    assert PromotionCheck.objects.filter(visit__uuid=start).count() == w.plan.items.count()
