"""Demo competitor sightings: a few dozen at several chains' stores, so the list and the summary show something on
a fresh install; believable (price cuts below the regular price, brands spelled once); a second run adds nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from demo.evidence import seed_competitors
from evidence.competitors import summary_for
from evidence.models import CompetitorSighting

pytestmark = pytest.mark.django_db


def test_demo_sightings_fill_the_list_and_the_summary(demo_company, client):
    sightings = CompetitorSighting.objects.all()
    assert 30 <= sightings.count() <= 60
    assert sightings.values("account").distinct().count() >= 3
    assert {"price_cut", "multi_buy", "gift", ""} <= set(sightings.values_list("mechanics", flat=True))
    assert all(s.shelf_price < s.regular_price for s in sightings.filter(mechanics="price_cut"))
    assert seed_competitors(today=demo_company) == 0  # once only

    manager = get_user_model().objects.get(username="manager1")
    rows = summary_for(manager)
    assert rows and any(row.deepest is not None for row in rows)
    client.force_login(manager)
    text = client.get(reverse("evidence:competitor-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No competitor sightings yet" not in text and "Price cut" in text
    summary = client.get(reverse("evidence:competitor-summary"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert rows[0].brand in summary
