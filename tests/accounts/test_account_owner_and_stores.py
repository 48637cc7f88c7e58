"""A key account's KA manager is a KA manager at every door (the admin offered every user: an account owned by a rep
or a promoter was seen by no manager), and the account's page counts the stores trading, as the accounts list does
(it counted closed test stores, unmarked)."""

import pytest

from accounts import services
from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_user():
    return make_user(Role.ADMIN, username="boss", is_staff=True, is_superuser=True)


def _account_form(owner) -> dict:
    return {
        "code": "HEMA", "name": "盒马鲜生", "tier": "NKA", "format": "hypermarket", "purchasing_mode": "central",
        "margin_model": "back", "active": "on", "owner": owner.pk,
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }  # fmt: skip


def test_the_admin_offers_and_takes_only_ka_managers_as_owner(client, admin_user):
    manager = make_user(Role.MANAGER, username="mgr", first_name="静", last_name="陈")
    promoter = make_user(Role.PROMOTER, username="promo")
    client.force_login(admin_user)

    page = client.get("/admin/accounts/keyaccount/add/", **EN).content.decode()
    refused = client.post("/admin/accounts/keyaccount/add/", _account_form(promoter), **EN)

    assert f'value="{manager.pk}"' in page and f'value="{promoter.pk}"' not in page
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not KeyAccount.objects.filter(code="HEMA").exists()
    client.post("/admin/accounts/keyaccount/add/", _account_form(manager), **EN)
    assert KeyAccount.objects.get(code="HEMA").owner == manager


def test_the_service_refuses_an_owner_who_is_no_ka_manager(admin_user):
    account = KeyAccountFactory(code="WM", owner=make_user(Role.MANAGER, username="mgr"))
    rep = make_user(Role.REP, username="rep")
    account.owner = rep  # as the admin's form hands it over

    with pytest.raises(DomainError) as refusal:
        services.account_save(account=account, by=admin_user)

    assert refusal.value.code == "account.owner_not_manager" and refusal.value.field == "owner"
    assert KeyAccount.objects.get(code="WM").owner.username == "mgr"


def test_the_account_page_counts_the_stores_trading(client):
    manager = make_user(Role.MANAGER, username="mgr")
    account = KeyAccountFactory(code="WM", owner=manager)
    StoreFactory(account=account, code="S1", name="五角场店")
    StoreFactory(account=account, code="S2", name="徐汇店")
    StoreFactory(account=account, code="S9", name="已关测试店", active=False)
    client.force_login(manager)

    page = client.get(f"/accounts/{account.pk}/", **EN).content.decode()

    assert "All 2 stores" in page and "active=true" in page
    assert "五角场店" in page and "已关测试店" not in page
