"""A visit section posted with htmx carries an Idempotency-Key (visits/static/visits/visit.js): its answer lost, the
phone's outbox sends it again under that key and the server answers it as the first, in JSON — one sighting, one
display photo. A section drawn again with its errors keeps no key: sent again corrected, it is recorded. And a
background write the server forbids is answered in JSON with a code, which the outbox takes for a refusal (a 403
page, from a captive portal, it keeps)."""

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import CompetitorSighting, DisplayCheck
from tests.evidence import checks_world
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _key(key: str) -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": key}


def _queued(key: str) -> dict:
    return {"HTTP_X_QUEUE": "1", **_key(key)}


@pytest.fixture
def world():
    w = checks_world.build()
    client = Client()
    client.force_login(w.rep)
    return w, client


def test_a_sighting_posted_with_htmx_then_sent_again_from_the_outbox_is_one_sighting(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])
    body = {"brand": "青岛啤酒", "product": "纯生 500ml", "shelf_price": "4.50", "mechanics": "multi_buy"}

    first = client.post(url, body, **HTMX, **_key("k-htmx-1"))  # recorded; its answer lost on the way
    again = client.post(url, {**body, "csrfmiddlewaretoken": "rotated"}, **_queued("k-htmx-1"))

    assert first.status_code == 200 and b"data-draft-taken" in first.content  # the phone's draft is done
    assert again.status_code == 200 and again.json() == {"replayed": True}  # JSON, which the outbox reads
    assert again["Idempotent-Replayed"] == "true"
    assert CompetitorSighting.objects.filter(visit=w.visit).count() == 1


def test_a_promotion_check_posted_with_htmx_then_sent_again_adds_one_display_photo(world):
    w, client = world
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    prices = {f"price_{item.pk}": "10.10" for item in w.plan.items.all()}

    def send(**headers):
        return client.post(url, {**prices, "present_end_cap": "yes", "photo_end_cap": checks_world.photo()}, **headers)

    first = send(**HTMX, **_key("k-check-1"))
    again = send(**_queued("k-check-1"))

    assert first.status_code == 200 and again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert VisitPhoto.objects.filter(visit=w.visit).count() == 1
    assert DisplayCheck.objects.filter(visit=w.visit).count() == 1


def test_a_section_drawn_again_with_its_errors_keeps_no_key(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])

    refused = client.post(url, {"brand": "青岛啤酒", "shelf_price": "abc"}, **HTMX, **_key("k-htmx-2"))
    corrected = client.post(url, {"brand": "青岛啤酒", "shelf_price": "4.50"}, **_queued("k-htmx-2"))

    assert refused.status_code == 200 and b'data-testid="error-shelf_price"' in refused.content
    assert b"data-draft-bound" in refused.content and b"data-draft-taken" not in refused.content
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected  # weighed anew: recorded
    assert list(CompetitorSighting.objects.values_list("shelf_price", flat=True)) == [pytest.approx(4.5)]


def test_a_key_the_outbox_sent_first_draws_the_page_again_for_htmx(world):
    w, client = world
    url = reverse("evidence:visit-competitor-add", args=[w.visit.pk])
    body = {"brand": "青岛啤酒", "shelf_price": "4.50"}

    client.post(url, body, **_queued("k-htmx-3"))
    again = client.post(url, body, **HTMX, **_key("k-htmx-3"))

    assert again.status_code == 201 and again["HX-Refresh"] == "true"  # not the JSON swapped into the section
    assert CompetitorSighting.objects.filter(visit=w.visit).count() == 1


def test_a_background_write_the_rep_may_no_longer_make_is_refused_in_json(world):
    w, client = world
    w.rep.groups.clear()  # no longer a rep: may not change visits
    url = reverse("visits:visit-detail", args=[w.visit.pk])

    queued = client.post(url, {"problems": "Torn packs"}, **_queued("k-403"))
    page = client.post(url, {"problems": "Torn packs"})

    assert queued.status_code == 403 and queued.json() == {"code": "permission_denied", "errors": {}}
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
