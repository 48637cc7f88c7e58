"""A chain is found by its code or by either of its names (SPEC §2: a Chinese and an English name), whatever the
page's language (QA: an English reader searching "Walmart", the name the lists show them, found no store, visit or
suggested order; 沃尔玛 and wmt did). The stores, visits, suggested orders and display agreements lists, pages and
API alike, all through accounts.filters.account_search_q."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from evidence.models import DisplayAgreement
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import SuggestedOrderFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager):
    rep = make_user(Role.REP, username="rep_en")
    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", owner=manager)
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour", owner=manager)
    # store names that do not say their chain, as many a chain's do (a mall's name, a district)
    shops = {
        "WMT": StoreFactory(account=walmart, rep=rep, code="S-001", name="五角场店"),
        "CRF": StoreFactory(account=carrefour, rep=rep, code="S-002", name="古北店"),
    }
    product = ProductFactory()
    for store in shops.values():
        VisitFactory(rep=rep, store=store)
        SuggestedOrderFactory(store=store, product=product)
        DisplayAgreement.objects.create(
            account=store.account, store=store, kind="end_cap", start_on=date(2026, 12, 1), end_on=date(2026, 12, 31),
            fee="100.00",
        )  # fmt: skip
    return rep, shops


LISTS = {
    "stores": (reverse("stores:store-list"), lambda row: row.account.code),
    "visits": (reverse("visits:visit-list"), lambda row: row.store.account.code),
    "suggested orders": (reverse("visits:suggested-order-list"), lambda row: row.store.account.code),
    "display agreements": (reverse("evidence:agreement-list"), lambda row: row.account.code),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("text", ["Walmart", "walm", "沃尔玛", "wmt"])
@pytest.mark.parametrize("name", list(LISTS))
def test_a_chain_is_found_by_either_name_or_its_code_in_either_language(client, world, name, text, language):
    # given a rep whose stores are of Walmart (沃尔玛) and Carrefour (家乐福)
    rep, _shops = world
    url, chain_of = LISTS[name]
    client.force_login(rep)
    # when they search the list for the chain, by a name or the code
    page = client.get(url, {"q": text}, HTTP_ACCEPT_LANGUAGE=language)
    # then Walmart's rows are found, and only they
    assert page.status_code == 200
    assert {chain_of(row) for row in page.context["object_list"]} == {"WMT"}


def test_the_english_page_finds_walmart_where_it_said_no_store_matched(client, world):
    rep, shops = world
    client.force_login(rep)

    page = client.get(reverse("stores:store-list"), {"q": "Walmart"}, HTTP_ACCEPT_LANGUAGE="en")

    text = page.content.decode()
    assert "No store matches these filters" not in text
    assert shops["WMT"].name in text and shops["CRF"].name not in text


@pytest.mark.parametrize(
    ("url", "code_of"),
    [
        (reverse("store-list"), lambda row: row["account"]),
        (reverse("display-agreement-list"), lambda row: row["account"]),
    ],
)
def test_the_api_search_finds_the_english_name_too(api_client, world, url, code_of):
    rep, _shops = world
    api_client.force_authenticate(rep)

    rows = api_client.get(url, {"search": "Walmart"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert {code_of(row) for row in rows} == {"WMT"}


@pytest.mark.parametrize(
    ("admin_list", "found"),
    [
        ("admin:stores_store_changelist", lambda shops: shops["WMT"].name),
        ("admin:accounts_keyaccount_changelist", lambda shops: "沃尔玛"),
        ("admin:evidence_displayagreement_changelist", lambda shops: shops["WMT"].name),
    ],
)
def test_the_admin_search_finds_the_english_name_too(client, admin_user, world, admin_list, found):
    _rep, shops = world
    client.force_login(admin_user)

    page = client.get(reverse(admin_list), {"q": "Walmart"}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200 and page.context["cl"].result_count == 1
    assert found(shops) in page.content.decode()


def test_finance_finds_contracts_and_invoices_by_a_chains_english_name(api_client, finance):
    from tests.contracts.factories import ContractFactory, InvoiceFactory

    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart")
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour")
    for account in (walmart, carrefour):
        ContractFactory(account=account)
        InvoiceFactory(account=account)
    api_client.force_authenticate(finance)
    for url in ("/api/v1/contracts/", "/api/v1/invoices/"):
        found = api_client.get(url, {"search": "walmart"}).json()["results"]
        assert [row["account"] for row in found] == ["WMT"], url


def test_listings_plans_and_credit_notes_are_found_by_a_chains_name_or_a_stores_code(api_client, finance, manager):
    from contracts.models import CreditNote
    from promotions.models import PromotionPlan
    from tests.factories import ListingFactory
    from tests.promotions.factories import PromotionPlanFactory

    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", owner=manager)
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour", owner=manager)
    for account, code in ((walmart, "S-001"), (carrefour, "S-002")):
        ListingFactory(store=StoreFactory(account=account, code=code))
        PromotionPlanFactory(account=account)
        CreditNote.objects.create(
            number=f"CN-{code}", account=account, date=date(2026, 12, 1), amount="10.00", reason="QA"
        )
    api_client.force_authenticate(manager)
    for search in ("walmart", "沃尔玛", "S-001"):
        found = api_client.get("/api/v1/listings/", {"search": search}).json()["results"]
        assert [row["store"] for row in found] == ["S-001"], search
    plans = api_client.get("/api/v1/promotions/", {"search": "Walmart"}).json()["results"]
    assert [plan["account"] for plan in plans] == ["WMT"] and PromotionPlan.objects.count() == 2
    api_client.force_authenticate(finance)
    notes = api_client.get("/api/v1/credit-notes/", {"search": "Walmart"}).json()["results"]
    assert [note["account"] for note in notes] == ["WMT"]
