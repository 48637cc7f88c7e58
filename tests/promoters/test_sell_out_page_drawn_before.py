"""The sell-out page saved after a phone reported meanwhile (QA: the page posts every field, so a page drawn before
the phone reported the shelf stock cleared it when saved with that field blank). An entry the promoter leaves as the
page drew it keeps the line's value; one they change is saved; one they empty still clears the shelf stock."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from promoters.models import SellOutLine

from .factories_phone import checked_in_phone_world

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def w(time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 1, 8, 55)), tick=False)
    return checked_in_phone_world()


def phone_reports(w, **line):
    response = w.api.post(reverse("shift-sell-out", args=[w.shift.pk]), {"lines": [{"product": "PHB", **line}]},
                          format="json")  # fmt: skip
    assert response.status_code == 200, response.json()


def drawn_page(w, client):
    """My day as the promoter opens it, and what its sell-out form sends when saved as shown."""
    client.force_login(w.user)
    page = client.get(reverse("promoters:my-day"))
    form = next(card.form for card in page.context["cards"] if card.shift.pk == w.shift.pk)
    posted = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, tuple | list):
            posted[f"{form.add_prefix(name)}_cases"], posted[f"{form.add_prefix(name)}_packs"] = value
        else:
            posted[form.add_prefix(name)] = "" if value is None else str(value)
    return form, page.content.decode(), posted


def save(w, client, posted, **typed):
    prefix = f"s{w.shift.pk}-p{w.beer.pk}_"
    return client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]),
                       {**posted, **{prefix + name: value for name, value in typed.items()}})  # fmt: skip


def beer(w) -> tuple:
    line = SellOutLine.objects.get(shift=w.shift, product=w.beer)
    return line.units, line.shelf_stock, None if line.price_seen is None else str(line.price_seen)


def test_shelf_stock_reported_by_the_phone_stays_when_the_page_drawn_before_is_saved(w, client):
    phone_reports(w, units=9)
    _form, page, posted = drawn_page(w, client)  # the shelf stock blank on the page
    assert f'name="s{w.shift.pk}-p{w.beer.pk}_shelf_stock_drawn"' in page  # what it showed rides along
    phone_reports(w, shelf_stock=20, price_seen="5.80")  # meanwhile, from the phone

    response = save(w, client, posted, units_cases="1", units_packs="0")  # the packs sold changed, the rest not

    assert response.status_code == 302
    assert beer(w) == (12, 20, "5.80")


def test_a_product_first_reported_by_the_phone_keeps_its_stock_when_the_page_adds_the_packs_sold(w, client):
    _form, _page, posted = drawn_page(w, client)  # nothing reported yet: every entry blank
    phone_reports(w, units=3, shelf_stock=30)

    response = save(w, client, posted, units_packs="5")

    assert response.status_code == 302
    assert beer(w) == (5, 30, None)


def test_a_value_left_as_drawn_does_not_put_back_what_the_phone_changed(w, client):
    phone_reports(w, units=9, shelf_stock=20)
    _form, _page, posted = drawn_page(w, client)  # 0/9 sold, 1/8 on the shelf
    phone_reports(w, units=10, shelf_stock=15)

    response = save(w, client, posted, price_seen="5.60")

    assert response.status_code == 302
    assert beer(w) == (10, 15, "5.60")


def test_the_promoter_still_clears_the_shelf_stock_by_emptying_it(w, client):
    phone_reports(w, units=9, shelf_stock=20, price_seen="5.80")
    _form, _page, posted = drawn_page(w, client)

    response = save(w, client, posted, shelf_stock_cases="", shelf_stock_packs="", price_seen="")

    assert response.status_code == 302
    assert beer(w) == (9, None, None)


def test_a_refused_save_keeps_what_the_page_first_drew_and_the_next_save_still_keeps_the_phones_stock(w, client):
    phone_reports(w, units=9)
    _form, _page, posted = drawn_page(w, client)
    phone_reports(w, shelf_stock=20)

    refused = save(w, client, posted, units_packs="-1")
    assert refused.status_code == 400
    redrawn = next(card.form for card in refused.context["cards"] if card.shift.pk == w.shift.pk)
    assert redrawn[f"p{w.beer.pk}_shelf_stock_drawn"].value() == ""  # as first drawn, not the stock of now
    again = save(w, client, posted, units_packs="7")

    assert again.status_code == 302
    assert beer(w) == (7, 20, None)


def test_a_post_without_the_drawn_values_is_read_as_typed(w, client):
    """A page drawn before the drawn values were sent (kept in a phone's outbox over an upgrade): as before."""
    phone_reports(w, units=9, shelf_stock=20)
    _form, _page, posted = drawn_page(w, client)
    old_page = {name: value for name, value in posted.items() if not name.endswith("_drawn")}

    response = save(w, client, old_page, shelf_stock_cases="", shelf_stock_packs="")

    assert response.status_code == 302
    assert beer(w) == (9, None, None)
