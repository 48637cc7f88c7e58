"""The plan form's live check (/promotions/check/) says what saving would: every product at one cut (rule 5's
warning, beside the products, with the days and the cost), a product named twice (the save's refusal, in the
same words), and the plan form offers the types in SPEC §5's order."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from promotions.models import PromotionPlan
from promotions.rules import ItemFacts, PlanFacts, check_plan
from promotions.selectors import type_norms
from tests.promotions.factories import promotion_type

from .conftest import TODAY
from .test_views import form_data

pytestmark = pytest.mark.django_db

SAME_CUT = "Rule 5 (warning): every product is cut by the same 10 %"


def _slot(html: str, name: str) -> str:
    """The check's answer for one slot beside the fields (swapped in out of band)."""
    return html.split(f'id="rules-{name}" hx-swap-oob="true" class="rule-slot">')[1].split("</div>\n")[0]


def _both_at_ten_percent(world, **extra) -> dict:
    # the beer 4.50 of 5.00 and the chips 5.67 of 6.30: both a 10 % cut, 100 packs each
    chips = {"items-1-product": world.chips.code, "items-1-promotion_price": "5.67", "items-1-forecast_volume": "100"}
    return form_data(world, **{"type": world.dm.pk, "items-0-forecast_volume": "100", **chips, **extra})


def test_the_check_of_a_plan_with_every_product_at_one_cut_shows_the_panel_and_the_warning(client, world):
    # Given a DM plan of two products, both cut 10 %
    client.force_login(world.manager)
    # When the form is checked as it is typed
    response = client.post("/promotions/check/", _both_at_ten_percent(world), HTTP_ACCEPT_LANGUAGE="en")
    # Then the panel answers (no server error) with the days, the cost and rule 5's warning beside the products
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"days: <strong>14</strong>", html)
    # 500 DM fee + (0.50 + 0.63) × 100 × 7 % = 507.91
    assert 'data-testid="total-cost">507.91<' in html
    assert SAME_CUT in _slot(html, "items")
    assert SAME_CUT in html.split('data-testid="rule-summary-list"')[1]
    assert 'data-testid="rules-ok"' not in html
    # and the slots without a message are cleared, not filled with empty lines
    assert _slot(html, "dates") == "" and _slot(html, "item-0") == ""


def test_the_edit_page_of_such_a_plan_checks_it_too(client, world):
    # Given the plan saved (a warning does not stop a save)
    client.force_login(world.manager)
    client.post("/promotions/new/", _both_at_ten_percent(world))
    plan = PromotionPlan.objects.get()
    # When its edit page asks the check, naming the plan
    html = client.post(
        "/promotions/check/", {**_both_at_ten_percent(world), "plan_id": plan.pk}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # Then the panel says the warning too
    assert SAME_CUT in _slot(html, "items")


def test_a_save_refused_beside_the_dates_leaves_the_products_slot_empty(client, world):
    # Given a plan ending before it starts (refused on saving) and no message for the products
    client.force_login(world.rep)
    start = TODAY + timedelta(days=20)
    sent = form_data(world, start=start, end_on=(start - timedelta(days=3)).isoformat())
    # When it is saved
    html = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the page comes back with the products' slot empty (not a line per slot of the panel)
    assert not PromotionPlan.objects.exists()
    items = html.split('id="rules-items" class="rule-slot">')[1].split("</div>")[0]
    assert items == ""


def test_the_check_says_a_product_named_twice_as_the_save_refuses_it(client, world):
    # Given the beer twice, at 4.00 and at 4.20
    client.force_login(world.manager)
    twice = {"items-1-product": world.beer.code, "items-1-promotion_price": "4.20", "items-1-forecast_volume": "10"}
    sent = form_data(world, price="4.00", **twice)
    # When the form is checked
    html = client.post("/promotions/check/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the check says what the save says, beside the products, and not that all is well
    assert "Each product may appear once." in _slot(html, "items")
    assert 'data-testid="rules-ok"' not in html
    # and the save refuses it in the same words, writing nothing
    saved = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Each product may appear once." in saved and not PromotionPlan.objects.exists()


def test_check_plan_says_a_product_named_twice_before_any_rule(world):
    # Given facts naming one product twice
    norms = type_norms(promotion_type("in_store"))
    item = ItemFacts(product_id=1, product="P001", promotion_price=Decimal("4.00"), normal_price=Decimal("5.00"))
    start = TODAY + timedelta(days=7)
    facts = PlanFacts(type=norms, start_on=start, end_on=start + timedelta(days=13), items=(item, item))
    # Then the one violation is the plan's shape, beside the products
    found = check_plan(facts)
    assert [(v.code, v.slot, v.blocking) for v in found] == [("promotion.duplicate_product", "items", True)]


def test_the_plan_form_offers_the_types_in_the_specs_order(client, world):
    # Given the five types
    for kind in ("bundle", "clearance", "crazy_price", "dm", "in_store"):
        promotion_type(kind)
    client.force_login(world.manager)
    # When the plan form is opened
    html = client.get("/promotions/new/").content.decode()
    # Then its type picker lists them as SPEC §5 does: in-store first, bundle last
    select = html.split('name="type"')[1].split("</select>")[0]
    codes = dict(PromotionPlan.type.field.related_model.objects.values_list("pk", "code"))
    offered = [codes[int(pk)] for pk in re.findall(r'<option value="(\d+)"', select)]
    assert offered == ["IN_STORE", "DM", "CRAZY_PRICE", "CLEARANCE", "BUNDLE"]
