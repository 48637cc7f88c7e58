"""The visit page's "Competitors seen" section: the rep's form posted with htmx swaps only the section (errors next
to the fields, what was typed kept); without JavaScript a POST redirects back to #competitors."""

from datetime import timedelta

import pytest
from django.urls import reverse

from evidence.models import CompetitorSighting
from tests.evidence.competitors_world import build_world, jpeg, sighting

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w():
    return build_world()


def _add_url(w):
    return reverse("evidence:visit-competitor-add", args=[w.visit.pk])


def test_the_rep_sees_the_section_with_a_phone_friendly_form(w, client):
    sighting(w.visit, brand="雪花")  # a brand already seen is offered
    client.force_login(w.rep)
    text = client.get(reverse("visits:visit-detail", args=[w.visit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="competitors"' in text and "Competitors seen" in text
    assert f'hx-post="{_add_url(w)}"' in text and 'hx-encoding="multipart/form-data"' in text
    assert 'hx-target="#competitors"' in text
    assert '<datalist id="competitor-brands"><option value="雪花">' in text
    assert text.count('inputmode="decimal"') == 2
    assert 'accept="image/*"' in text and 'capture="environment"' in text


def test_a_refused_sighting_swaps_the_section_keeping_what_was_typed(w, client):
    client.force_login(w.rep)
    typed = {"brand": "百威", "product": "百威 500ml", "shelf_price": "7.50", "regular_price": "6.90",
             "mechanics": "price_cut", "mechanics_note": "限时特价", "note": "堆头在入口"}  # fmt: skip
    response = client.post(_add_url(w), typed, **HTMX)
    text = response.content.decode()
    # only the section comes back (htmx swaps it), with the refusal next to the shelf price
    assert response.status_code == 200 and text.startswith('<section class="card mb-3" id="competitors"')
    assert "<html" not in text
    assert 'data-testid="error-shelf_price">A price cut&#x27;s shelf price (7.50) must be below' in text
    for value in ("百威 500ml", "7.50", "6.90", "限时特价", "堆头在入口"):
        assert value in text
    assert '<option value="price_cut" selected>' in text
    assert not CompetitorSighting.objects.exists()


def test_a_sighting_posted_with_htmx_shows_in_the_section_and_the_form_is_empty_again(w, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(w.rep)
    response = client.post(
        _add_url(w),
        {"brand": " 百威 ", "product": "百威 500ml", "shelf_price": "5.90", "regular_price": "6.90",
         "mechanics": "price_cut", "display": "floor_stack", "photo": jpeg()},
        **HTMX,
    )  # fmt: skip
    text = response.content.decode()
    saved = CompetitorSighting.objects.get()
    assert (saved.brand, saved.visit, saved.photo.visit) == ("百威", w.visit, w.visit)
    assert "Competitor sighting recorded." in text
    assert "<strong>百威</strong> · 百威 500ml" in text and "Floor stack" in text and "−14 %" in text
    assert reverse("visits:photo", args=[saved.photo.pk]) in text
    assert 'name="product" value="百威 500ml"' not in text  # a fresh form


def test_without_javascript_the_post_redirects_back_to_the_section(w, client):
    client.force_login(w.rep)
    response = client.post(_add_url(w), {"brand": "雪花", "mechanics": "gift", "mechanics_note": "送杯子"})
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:visit-detail", args=[w.visit.pk]) + "#competitors"
    assert CompetitorSighting.objects.get().mechanics_note == "送杯子"
    # and a refusal re-renders the whole visit page with the section's error and what was typed
    refused = client.post(_add_url(w), {"brand": "  ", "product": "纯生"}, HTTP_ACCEPT_LANGUAGE="en")
    text = refused.content.decode()
    assert refused.status_code == 400 and "<html" in text
    assert "Name the competitor&#x27;s brand." in text and 'value="纯生"' in text


def test_the_rep_takes_a_sighting_back(w, client):
    client.force_login(w.rep)
    seen = sighting(w.visit, brand="雪花")
    response = client.post(reverse("evidence:competitor-delete", args=[seen.pk]), **HTMX)
    assert "Competitor sighting removed." in response.content.decode()
    assert not CompetitorSighting.objects.exists()


def test_others_read_the_section_but_do_not_write_in_it(w, client):
    sighting(w.visit, brand="雪花", shelf_price="3.00")
    client.force_login(w.supervisor)
    text = client.get(reverse("visits:visit-detail", args=[w.visit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>雪花</strong>" in text and 'data-testid="competitor-form"' not in text
    assert client.post(_add_url(w), {"brand": "百威"}).status_code == 403
    # nor does the rep once the visit is checked out
    w.visit.checked_out_at = w.visit.checked_in_at + timedelta(minutes=30)
    w.visit.save()
    client.force_login(w.rep)
    text = client.get(reverse("visits:visit-detail", args=[w.visit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>雪花</strong>" in text and 'data-testid="competitor-form"' not in text
    refused = client.post(_add_url(w), {"brand": "百威"}, **HTMX)
    assert "This visit is checked out; it can no longer be changed." in refused.content.decode()
    assert CompetitorSighting.objects.count() == 1
    # another rep's visit is not found
    client.force_login(w.rep2)
    assert client.post(_add_url(w), {"brand": "百威"}).status_code == 404
