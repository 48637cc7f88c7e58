"""F7: a plan naming a store of another chain — one the user sees — is refused saying whose store it is, in one
place (promotions.rules.store_of_another_account) for the page, the API and the service; a store the user cannot
see still reads as a code that does not exist, and at the API both answer in the references' shape (errors.stores)."""

import html

import pytest

from accounts.roles import Role
from ka_portal.errors import DomainError
from promotions import services
from promotions.models import PromotionPlan
from tests.factories import KeyAccountFactory, ListingFactory, StoreFactory, make_user

from .conftest import plan_input
from .test_api import body
from .test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def lianhua(world):
    """世纪联华, the same manager's chain, with a store of the same rep (so both see it)."""
    account = KeyAccountFactory(code="LH", name="世纪联华", name_en="Century Lianhua", owner=world.manager)
    store = StoreFactory(account=account, rep=world.rep, code="LH-004", name="联华四店")
    ListingFactory(store=store, product=world.beer)
    return store


def _post(api_client, world, code, language="en"):
    sent = {**body(world), "stores": [code]}
    return api_client.post("/api/v1/promotions/", sent, format="json", HTTP_ACCEPT_LANGUAGE=language)


def test_the_api_says_whose_store_it_is_in_the_shape_of_a_code_not_found(api_client, world, lianhua):
    world.account.name_en = "Walmart"
    world.account.save()
    hidden = StoreFactory(account=world.account, rep=make_user(Role.REP, username="rep_else"), code="WM-HID")
    api_client.force_authenticate(world.rep)

    other_chain = _post(api_client, world, "LH-004")
    missing = _post(api_client, world, "NOPE-1")
    unseen = _post(api_client, world, hidden.code)

    said = "联华四店 (LH-004) belongs to Century Lianhua, not to Walmart."
    assert (other_chain.status_code, other_chain.json()) == (
        400,
        {"code": "invalid", "detail": said, "errors": {"stores": [said]}},
    )
    not_found = {"code": "invalid", "detail": "Not found.", "errors": {"stores": ["Not found."]}}
    assert (missing.status_code, missing.json()) == (unseen.status_code, unseen.json()) == (400, not_found)
    in_chinese = _post(api_client, world, "LH-004", "zh-hans").json()["detail"]
    assert in_chinese == "联华四店 (LH-004) 属于世纪联华，不属于沃尔玛。"
    assert not PromotionPlan.objects.exists()


def test_the_page_says_it_beside_the_stores_in_the_same_words(client, world, lianhua):
    client.force_login(world.rep)
    sent = {**form_data(world), "stores": ["LH-004"], "all_stores": ""}
    page = html.unescape(client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "联华四店 (LH-004) 属于世纪联华，不属于沃尔玛。" in page
    assert "请选择有效的选项" not in page and not PromotionPlan.objects.exists()  # not the generic refusal


def test_the_service_refuses_it_at_any_door(world, lianhua):
    with pytest.raises(DomainError) as refused:
        services.promotion_save_draft(user=world.rep, data=plan_input(world, stores=[lianhua], all_stores=False))
    assert (refused.value.code, refused.value.field) == ("promotion.store_other_account", "stores")
    assert refused.value.params["store"] == "LH-004"
