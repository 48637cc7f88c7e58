"""A key account is created and changed on its own page (onboarding report, item 1): an administrator opens the new
chain and names its KA manager; the chain's manager changes its commercial fields but not who owns it; the code follows
the store and product codes' rules (one word, unique whatever its case) at every door."""

import pytest
from django.utils import translation

from accounts.models import KeyAccount
from accounts.roles import Role
from tests.factories import KeyAccountFactory, make_user

pytestmark = pytest.mark.django_db

FORM = {"name": "盒马鲜生", "name_en": "Hema", "tier": "NKA", "format": "supermarket", "purchasing_mode": "central",
        "margin_model": "front", "region": "华东", "active": "on"}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(db):
    return {
        "manager": make_user(Role.MANAGER, username="mgr1", first_name="经理", last_name="王"),
        "other_manager": make_user(Role.MANAGER, username="mgr2"),
        "supervisor": make_user(Role.SUPERVISOR, username="sup1"),
        "finance": make_user(Role.FINANCE, username="fin1"),
    }


def test_an_admin_creates_a_key_account_with_every_field_and_its_manager(client, admin_user, people):
    client.force_login(admin_user)

    listed = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get("/accounts/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post("/accounts/new/", {**FORM, "code": "HEMA", "owner": people["manager"].pk})

    assert 'data-testid="account-add"' in listed and 'href="/accounts/new/"' in listed
    assert "王经理 (mgr1)</option>" in page and "(sup1)</option>" not in page  # only KA managers may own one
    account = KeyAccount.objects.get(code="HEMA")
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    assert (account.name, account.name_en, account.tier, account.format, account.purchasing_mode) == (
        "盒马鲜生", "Hema", "NKA", "supermarket", "central"
    )  # fmt: skip
    assert (account.margin_model, account.owner, account.region, account.active) == (
        "front", people["manager"], "华东", True
    )  # fmt: skip


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("hema", "The code hema is already key account HEMA&#x27;s (codes are compared without case)."),
        ("HE MA", "A code may not contain spaces"),
    ],
)
def test_a_code_taken_in_another_case_or_with_a_space_is_refused_beside_it_keeping_what_was_typed(
    client, admin_user, people, code, words
):
    KeyAccountFactory(code="HEMA")
    client.force_login(admin_user)

    response = client.post(
        "/accounts/new/", {**FORM, "code": code, "owner": people["manager"].pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert words in page and 'class="invalid-feedback d-block"' in page
    assert f'value="{code}"' in page and 'value="盒马鲜生"' in page and 'value="华东"' in page  # kept as typed
    assert KeyAccount.objects.count() == 1


def test_the_api_refuses_a_code_taken_in_another_case_by_the_same_rule(api_client, admin_user):
    KeyAccountFactory(code="HEMA")
    api_client.force_authenticate(admin_user)

    response = api_client.post("/api/v1/accounts/", {**FORM, "code": "Hema", "active": True}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "account.code_taken"
    assert KeyAccount.objects.count() == 1


def test_the_accounts_manager_edits_its_commercial_fields_but_not_its_owner(client, people):
    account = KeyAccountFactory(code="HEMA", owner=people["manager"], margin_model="back")
    client.force_login(people["manager"])

    listed = client.get("/accounts/").content.decode()
    detail = client.get(f"/accounts/{account.pk}/").content.decode()
    page = client.get(f"/accounts/{account.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    saved = client.post(f"/accounts/{account.pk}/edit/", {**FORM, "code": "HEMA", "owner": people["other_manager"].pk})

    assert 'data-testid="account-add"' not in listed  # a manager does not open new chains
    assert 'data-testid="account-edit"' in detail
    assert "Only an administrator changes an account" in page and "disabled" in page
    assert saved.status_code == 302
    account.refresh_from_db()
    assert (account.margin_model, account.name, account.owner) == ("front", "盒马鲜生", people["manager"])


def test_who_may_not_add_or_change_is_refused_and_another_managers_account_is_not_found(client, people):
    account = KeyAccountFactory(owner=people["other_manager"])
    client.force_login(people["manager"])
    new_page = client.get("/accounts/new/")
    foreign = client.get(f"/accounts/{account.pk}/edit/")
    client.force_login(people["finance"])
    finance = client.get(f"/accounts/{account.pk}/edit/")

    assert new_page.status_code == 403
    assert foreign.status_code == 404
    assert finance.status_code == 403


def test_a_new_chains_format_and_terms_are_chosen_not_left_at_a_default(client, admin_user, people):
    """QA: format, purchasing mode and margin model came preselected; a chain was saved a hypermarket unasked."""
    client.force_login(admin_user)
    unchosen = dict.fromkeys(("format", "purchasing_mode", "margin_model"), "")
    response = client.post("/accounts/new/", {**FORM, **unchosen, "code": "HEMA", "owner": people["manager"].pk})

    assert response.status_code == 400 and not KeyAccount.objects.filter(code="HEMA").exists()
    assert set(unchosen) <= set(response.context["form"].errors)


def test_an_account_code_names_it_whatever_its_case_and_a_wrong_owner_is_told_why(
    client, api_client, admin_user, people
):
    """QA: `yh` was refused as taken by `YH` yet not found as `YH`; an owner not a KA manager read "Not found."."""
    account = KeyAccountFactory(code="yh", name="永辉", owner=people["manager"])
    api_client.force_authenticate(admin_user)
    client.force_login(admin_user)

    assert api_client.get("/api/v1/stores/", {"account": "YH"}).status_code == 200
    assert client.get("/trade-spend/gross-to-net/YH/").context["account"] == account

    refused = api_client.post(
        "/api/v1/accounts/", {**FORM, "code": "HEMA", "owner": people["supervisor"].username}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "account.owner_not_manager"
    nobody = api_client.post(
        "/api/v1/accounts/", {**FORM, "code": "HEMA", "owner": "nobody"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert nobody.json()["errors"]["owner"] == ["Not found."]
