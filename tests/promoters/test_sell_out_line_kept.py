"""A sell-out line sent again keeps what it does not send (QA: a phone re-sending `{"product", "units"}` wiped the
shelf stock and the price seen reported earlier, and could not add the shelf stock to a reported line later: it
was refused `sell_out.units_missing`). A line's keys left out keep their values, as a visit's PATCH does; an
explicit null clears the shelf stock or the price; a product not reported yet still needs its packs sold. The page,
whose number pads show the line as reported, keeps what it shows and clears what the promoter empties."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from promoters.models import SellOutLine

from .factories_phone import checked_in_phone_world

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def at(hh, mm, day=1):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm))


@pytest.fixture
def w(time_machine):
    time_machine.move_to(at(8, 55), tick=False)
    return checked_in_phone_world()


def report(w, *lines, language="en"):
    return w.api.post(reverse("shift-sell-out", args=[w.shift.pk]), {"lines": list(lines)}, format="json",
                      HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip


def beer_line(w) -> SellOutLine:
    return SellOutLine.objects.get(shift=w.shift, product=w.beer)


def answered(response, code="PHB") -> dict:
    return next(line for line in response.json()["sell_out"] if line["product"] == code)


def test_a_line_sent_again_with_the_packs_sold_alone_keeps_its_shelf_stock_and_price(w):
    first = report(w, {"product": "PHB", "units": 9, "shelf_stock": 20, "price_seen": "5.80"})
    assert first.status_code == 200, first.json()

    again = report(w, {"product": "PHB", "units": 9})

    assert again.status_code == 200, again.json()
    line = answered(again)
    assert (line["units"], line["shelf_stock"], line["price_seen"]) == (9, 20, "5.80")
    assert SellOutLine.objects.filter(shift=w.shift).count() == 1


def test_a_phone_adds_the_shelf_stock_and_then_the_price_to_a_line_reported_earlier(w):
    report(w, {"product": "PHB", "units": 9})

    stock = report(w, {"product": "PHB", "shelf_stock": 20})
    assert stock.status_code == 200, stock.json()
    price = report(w, {"product": "PHB", "price_seen": "5.80"})
    assert price.status_code == 200, price.json()

    line = beer_line(w)
    assert (line.units, line.shelf_stock, str(line.price_seen)) == (9, 20, "5.80")
    assert answered(price)["shelf_stock"] == 20  # the answer is the line as it now reads


def test_the_report_by_store_and_day_keeps_what_it_does_not_send_too(w):
    report(w, {"product": "PHB", "units": 9, "shelf_stock": 20, "price_seen": "5.80"})

    response = w.api.post(reverse("sell-out-report"),
                          {"store": "PH01", "day": "2026-06-01", "lines": [{"product": "PHB", "quantity": "1"}]},
                          format="json")  # fmt: skip

    assert response.status_code == 200, response.json()
    line = beer_line(w)
    assert (line.units, line.shelf_stock, str(line.price_seen)) == (12, 20, "5.80")  # "1": one case of 12


def test_an_explicit_null_clears_the_shelf_stock_and_the_price(w):
    report(w, {"product": "PHB", "units": 9, "shelf_stock": 20, "price_seen": "5.80"})

    response = report(w, {"product": "PHB", "shelf_stock": None, "price_seen": None})

    assert response.status_code == 200, response.json()
    line = beer_line(w)
    assert (line.units, line.shelf_stock, line.price_seen) == (9, None, None)


def test_a_product_not_reported_yet_still_needs_its_packs_sold(w):
    report(w, {"product": "PHB", "units": 9})
    with translation.override("en"):
        response = report(w, {"product": "PHC", "shelf_stock": 20})
        body = response.json()
        assert response.status_code == 400
        assert (body["code"], body["field"]) == ("sell_out.units_missing", "lines.0.units")
        assert body["detail"] == "Give the packs sold (0 when none were sold)."
    assert not SellOutLine.objects.filter(shift=w.shift, product=w.chips).exists()


def test_the_packs_sold_cannot_be_cleared_and_the_refusal_writes_nothing(w):
    report(w, {"product": "PHB", "units": 9, "shelf_stock": 20})
    with translation.override("zh-hans"):
        response = report(w, {"product": "PHB", "units": None, "shelf_stock": 30}, language="zh-hans")
        assert response.status_code == 400
        assert response.json()["code"] == "sell_out.units_missing"
        assert response.json()["detail"] == "请填写销量（没有卖出填 0）。"
    line = beer_line(w)
    assert (line.units, line.shelf_stock) == (9, 20)


def test_a_kept_value_is_not_judged_again_only_what_is_sent(w):
    """A shelf stock sent alone is held to a day's plausible most; the packs sold kept beside it are not asked
    for again."""
    report(w, {"product": "PHB", "units": 9})
    with translation.override("en"):
        response = report(w, {"product": "PHB", "shelf_stock": -3})
        assert response.status_code == 400
        assert response.json()["code"] == "sell_out.negative"
        assert response.json()["field"] == "lines.0.shelf_stock"
    assert beer_line(w).shelf_stock is None


# --- the page: its number pads show the line as reported ----------------------------------------------------------


def page_data(page_form, **typed) -> dict:
    """What the page's form sends as shown (its fields' values as drawn), with `typed` changed by the promoter."""
    data = {}
    for name in page_form.fields:
        value = page_form[name].value()
        if isinstance(value, tuple | list):
            data[f"{page_form.add_prefix(name)}_cases"], data[f"{page_form.add_prefix(name)}_packs"] = value
        else:
            data[page_form.add_prefix(name)] = "" if value is None else str(value)
    data.update({page_form.add_prefix(name): value for name, value in typed.items()})
    return data


def shown_form(w, client):
    client.force_login(w.user)
    page = client.get(reverse("promoters:my-day"))
    return next(card.form for card in page.context["cards"] if card.shift.pk == w.shift.pk), page.content.decode()


def test_the_pads_show_the_line_reported_by_the_phone_and_saving_the_packs_sold_keeps_the_rest(w, client):
    report(w, {"product": "PHB", "units": 9, "shelf_stock": 20, "price_seen": "5.80"})
    form, page = shown_form(w, client)
    beer = w.beer.pk
    assert form[f"p{beer}_shelf_stock"].value() == ("1", "8")  # 20 packs of 12: 1 case 8 packs
    assert str(form[f"p{beer}_price_seen"].value()) == "5.80"
    assert 'value="8"' in page and 'value="5.80"' in page

    response = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]),
                           page_data(form, **{f"p{beer}_units_cases": "1", f"p{beer}_units_packs": "0"}))  # fmt: skip

    assert response.status_code == 302
    line = beer_line(w)
    assert (line.units, line.shelf_stock, str(line.price_seen)) == (12, 20, "5.80")


def test_the_page_adds_the_shelf_stock_to_a_line_reported_earlier(w, client):
    report(w, {"product": "PHB", "units": 9})
    form, _page = shown_form(w, client)
    beer = w.beer.pk
    assert form[f"p{beer}_units"].value() == ("0", "9")

    response = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]),
                           page_data(form, **{f"p{beer}_shelf_stock_packs": "7"}))  # fmt: skip

    assert response.status_code == 302
    line = beer_line(w)
    assert (line.units, line.shelf_stock) == (9, 7)


def test_pads_the_promoter_empties_clear_the_shelf_stock_but_never_the_packs_sold(w, client):
    report(w, {"product": "PHB", "units": 9, "shelf_stock": 20, "price_seen": "5.80"})
    form, _page = shown_form(w, client)
    beer = w.beer.pk
    emptied = {f"p{beer}_shelf_stock_cases": "", f"p{beer}_shelf_stock_packs": "", f"p{beer}_price_seen": ""}

    saved = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), page_data(form, **emptied))
    assert saved.status_code == 302
    line = beer_line(w)
    assert (line.units, line.shelf_stock, line.price_seen) == (9, None, None)

    with translation.override("en"):
        refused = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]),
                              page_data(form, **{f"p{beer}_units_cases": "", f"p{beer}_units_packs": "",
                                                 f"p{beer}_shelf_stock_packs": "4"}))  # fmt: skip
        assert refused.status_code == 400
        assert "Give the packs sold (0 when none were sold)." in refused.content.decode()
    assert (beer_line(w).units, beer_line(w).shelf_stock) == (9, None)
