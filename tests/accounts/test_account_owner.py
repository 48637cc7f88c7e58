"""Only an admin hands a key account to another KA manager (issue 10, item 4): a manager could give theirs away."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from accounts.models import KeyAccount
from accounts.roles import Role
from accounts.services import account_save
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned():
    manager = make_user(Role.MANAGER, username="mgr_owner")
    other = make_user(Role.MANAGER, username="mgr_other")
    return KeyAccountFactory(owner=manager), manager, other


def test_a_manager_cannot_hand_their_account_to_another_manager_by_api(api_client, owned):
    account, manager, other = owned
    api_client.force_authenticate(manager)

    refused = api_client.patch(f"/api/v1/accounts/{account.pk}/", {"owner": other.username}, format="json")
    renamed = api_client.patch(f"/api/v1/accounts/{account.pk}/", {"region": "华南"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "account.owner_admins_only" and refused.json()["field"] == "owner"
    assert renamed.status_code == 200
    account.refresh_from_db()
    assert account.owner == manager and account.region == "华南"


def test_an_admin_may_change_the_owner(api_client, owned, admin_user):
    account, _manager, other = owned
    api_client.force_authenticate(admin_user)

    response = api_client.patch(f"/api/v1/accounts/{account.pk}/", {"owner": other.username}, format="json")

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.owner == other


def test_the_service_refuses_a_manager_and_the_admin_form_keeps_the_owner_read_only(owned, admin_user):
    account, manager, other = owned

    with pytest.raises(DomainError) as refused:
        account_save(account=account, by=manager, owner=other)
    request = RequestFactory().get("/")
    request.user = manager
    admin_request = RequestFactory().get("/")
    admin_request.user = admin_user
    model_admin = site._registry[KeyAccount]

    assert refused.value.code == "account.owner_admins_only"
    assert "owner" in model_admin.get_readonly_fields(request, account)
    assert "owner" not in model_admin.get_readonly_fields(admin_request, account)
