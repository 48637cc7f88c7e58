"""The visit page carries the check-out's refusal in the service's words (services.check_out_refusal_words), so that a
check-out kept offline is refused on the phone as the server refuses it online (QA: the phone said "checked out on
this phone" and the server refused it after the rep left the store). Put together as the page's script does (visit.js
`incompleteCheckOut`: each part for one or several, joined by the list's separator, in the sentence), the words give
the server's own message; the gaps are named by the fields the server's refusal marks; and what the fields cannot
show comes with them: the check-in's position, the running promotions not checked."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.evidence import checks_world
from tests.factories import ListingFactory, ProductFactory
from tests.visits.factories import StockCountFactory

pytestmark = pytest.mark.django_db
QUEUED = {"HTTP_X_QUEUE": "1"}


def _words(page) -> dict:
    found = re.search(r'<script id="check-out-offline" type="application/json">(.*?)</script>', page.content.decode())
    assert found, "the page carries the check-out's words"
    return json.loads(found.group(1))


def _as_the_page_says(words: dict, *, checklist: int, products: int, no_position: bool, promotions: int) -> str:
    """visit.js: what is missing, in the service's words."""

    def counted(pair, count):
        return (pair[0] if count == 1 else pair[1]).replace("{n}", str(count))

    parts = []
    if checklist:
        parts.append(counted(words["checklist"], checklist))
    if products:
        parts.append(counted(words["products"], products))
    if no_position:
        parts.append(words["no_position"])
    if promotions:
        parts.append(counted(words["promotions"], promotions))
    return words["message"].replace("{missing}", words["separator"].join(parts))


@pytest.fixture
def world(client):
    w = checks_world.build()
    w.visit.latitude = w.visit.longitude = None  # checked in without a position
    w.visit.save(update_fields=["latitude", "longitude"])
    counted, left = ProductFactory(name="纯生啤酒 500ml"), ProductFactory(name="清爽啤酒 330ml")
    for product in (counted, left):
        ListingFactory(store=w.store, product=product)
    StockCountFactory(visit=w.visit, product=counted, packs=12)
    client.force_login(w.rep)
    w.left = left
    return w


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_words_on_the_page_make_the_servers_refusal(client, world, language):
    page = client.get(reverse("visits:visit-detail", args=[world.visit.pk]), HTTP_ACCEPT_LANGUAGE=language)
    words = _words(page)

    # the server's answer to the same check-out, sent at once
    refused = client.post(
        reverse("visits:visit-detail", args=[world.visit.pk]),
        {"action": "check_out", "changed": ""},  # as the page sends it: nothing typed over what is recorded
        HTTP_ACCEPT_LANGUAGE=language,
        **QUEUED,
    ).json()

    # what the server knows and the fields cannot show
    assert words["no_position_now"] is True
    assert words["promotions_unchecked"] == [world.plan.pk]
    # every checklist item unanswered, one product of two left, no position, one promotion: the same sentence
    items = sum(1 for name in refused["errors"] if name.startswith("check_"))
    assert items == 5
    said = _as_the_page_says(words, checklist=items, products=1, no_position=True, promotions=1)
    assert said == refused["message"]
    # each gap marked with the same words, on the fields the page has
    assert refused["errors"][f"stock_{world.left.pk}"] == [words["product"]]
    assert {texts[0] for name, texts in refused["errors"].items() if name.startswith("check_")} == {words["item"]}
    html = page.content.decode()
    for name in refused["errors"]:
        if name.startswith(("check_", "stock_")):
            assert f'name="{name}' in html, name  # the page's field of that name (a count's _cases/_packs)


def test_one_of_each_reads_in_the_singular(client, world):
    words = _words(client.get(reverse("visits:visit-detail", args=[world.visit.pk]), HTTP_ACCEPT_LANGUAGE="en"))

    said = _as_the_page_says(words, checklist=1, products=1, no_position=False, promotions=1)

    assert said == (
        "Not checked out: 1 checklist item unanswered, 1 product neither counted nor marked not counted, "
        "1 running promotion not checked. Complete the visit, or give a reason for checking out as it is."
    )


def test_a_stops_page_before_check_in_leaves_the_position_to_the_phone(client, world):
    """Before check-in the position is the check-in's, still on the phone (visit.js reads it there); every running
    promotion is still to check."""
    world.visit.checked_out_at = timezone.now()
    world.visit.save(update_fields=["checked_out_at"])
    world.visit.delete()

    words = _words(client.get(reverse("visits:visit-start", args=[world.store.pk])))

    assert words["no_position_now"] is None
    assert words["promotions_unchecked"] == [world.plan.pk]
    assert "{missing}" in words["message"]
