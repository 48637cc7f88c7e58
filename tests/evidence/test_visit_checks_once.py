"""A promotion check or competitor sighting the phone's outbox sends again with the same Idempotency-Key (its answer
lost on the way, the page reloaded while it uploaded) is recorded once and answered as the first time: no second
display photo, no second sighting (ka_portal/pages.py once_per_key, the API's mechanism)."""

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import CompetitorSighting, DisplayCheck, PromotionCheck
from tests.evidence import checks_world
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db


def _queued(key: str) -> dict:
    return {"HTTP_X_QUEUE": "1", "HTTP_IDEMPOTENCY_KEY": key}


@pytest.fixture
def world():
    w = checks_world.build()
    client = Client()
    client.force_login(w.rep)
    return w, client


def test_a_promotion_check_sent_twice_with_its_key_adds_one_display_photo(world):
    w, client = world
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    prices = {f"price_{item.pk}": "10.10" for item in w.plan.items.all()}

    def send(token):
        body = {**prices, "present_end_cap": "yes", "photo_end_cap": checks_world.photo(), "csrfmiddlewaretoken": token}
        return client.post(url, body, **_queued("c7d1a9e0-5b9e-4f44-9d2c-1b1f0a7c0001"))

    first = send("token-of-the-first-page")
    again = send("token-rotated-since")  # the page puts its own token: not part of what makes the write

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert VisitPhoto.objects.filter(visit=w.visit).count() == 1
    assert DisplayCheck.objects.filter(visit=w.visit).count() == 1
    assert PromotionCheck.objects.filter(visit=w.visit).count() == w.plan.items.count()


def test_a_competitor_sighting_sent_twice_with_its_key_is_one_sighting(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])
    body = {"brand": "青岛啤酒", "product": "纯生 500ml", "shelf_price": "4.50"}

    first = client.post(url, body, **_queued("k-sighting-1"))
    again = client.post(url, body, **_queued("k-sighting-1"))
    other = client.post(url, body, **_queued("k-sighting-2"))  # another write (the rep saw it twice): recorded

    assert first.status_code == again.status_code == other.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in other
    assert CompetitorSighting.objects.filter(visit=w.visit).count() == 2


def test_a_refused_check_keeps_no_key_and_a_key_reused_for_another_body_is_refused(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])

    refused = client.post(url, {"brand": "青岛啤酒", "shelf_price": "abc"}, **_queued("k-3"))
    corrected = client.post(url, {"brand": "青岛啤酒", "shelf_price": "4.50"}, **_queued("k-3"))
    reused = client.post(url, {"brand": "雪花啤酒", "shelf_price": "3.90"}, **_queued("k-3"))

    assert refused.status_code == 400 and corrected.status_code == 201  # sent again corrected: recorded
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency.key_reused"
    assert list(CompetitorSighting.objects.values_list("brand", flat=True)) == ["青岛啤酒"]
