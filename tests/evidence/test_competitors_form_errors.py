"""The visit's competitor form names every bad field at once, keeping what was typed (QA: a sighting with no brand,
a price that is no number and a negative one showed only the price that did not read; fixed and sent again, only the
brand; then only the negative price: three rounds for one form). The API lists them all too."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.models import CompetitorSighting
from tests.evidence.competitors_world import build_world

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w():
    return build_world()


def _errors(form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _add(w) -> str:
    return reverse("evidence:visit-competitor-add", args=[w.visit.pk])


def test_an_unreadable_price_and_the_rules_broken_elsewhere_are_named_together(w, client):
    # given the rep's sighting with no brand, a regular price that is no number and a negative shelf price
    client.force_login(w.rep)
    typed = {"brand": "  ", "product": "纯生 500ml", "shelf_price": "-3.50", "regular_price": "6,9o",
             "mechanics": "price_cut", "mechanics_note": "第二件半价", "note": "入口堆头"}  # fmt: skip
    # when it is saved
    response = client.post(_add(w), typed, **HTMX)
    # then each bad field is named beside itself, in one answer
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-brand">Name the competitor&#x27;s brand.' in text
    assert 'data-testid="error-shelf_price">A price cannot be negative.' in text
    assert 'data-testid="error-regular_price">' in text
    assert text.count('data-testid="error-') == 3
    # and what was typed is still there
    for value in ("纯生 500ml", "-3.50", "6,9o", "第二件半价", "入口堆头"):
        assert value in text
    assert not CompetitorSighting.objects.exists()


def test_a_missing_brand_and_a_price_cut_above_the_regular_price_are_named_together(w, client):
    client.force_login(w.rep)
    typed = {"brand": "", "shelf_price": "7.50", "regular_price": "6.90", "mechanics": "price_cut"}

    response = client.post(_add(w), typed, **HTMX)

    text = response.content.decode()
    assert 'data-testid="error-brand">Name the competitor&#x27;s brand.' in text
    assert 'data-testid="error-shelf_price">A price cut&#x27;s shelf price (7.50) must be below' in text
    assert not CompetitorSighting.objects.exists()


def test_without_javascript_the_whole_page_names_them_all(w, client):
    client.force_login(w.rep)

    response = client.post(_add(w), {"brand": "", "shelf_price": "-1", "display": "roof"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    form = response.wsgi_request.competitor_form
    assert set(_errors(form)) == {"brand", "shelf_price", "display"}


def test_the_api_answers_the_first_code_and_lists_every_field(w):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(w.rep)
    body = {"visit": w.visit.pk, "brand": " ", "shelf_price": "-2.00", "regular_price": "-1.00"}

    answer = api.post(reverse("competitor-sighting-list"), body, format="json")

    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("competitor.brand_required", "brand")
    assert answer.json()["errors"] == {
        "brand": ["Name the competitor's brand."],
        "shelf_price": ["A price cannot be negative."],
        "regular_price": ["A price cannot be negative."],
    }
    assert not CompetitorSighting.objects.exists()
