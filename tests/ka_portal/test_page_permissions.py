"""Pages apply the API's permission map (issue 10, item 2): a rep or finance saw every contact's phone, e-mail
and birthday, the contact log and the targets on an account's page, and finance exported 336 visits and
8,011 deliveries from list pages whose API answers 403."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Contact, KeyAccount
from ka_portal.scope import accounts_for
from stores.models import Store

pytestmark = pytest.mark.django_db


def _client(name) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    return client


def _account_of(name) -> KeyAccount:
    user = get_user_model().objects.get(username=name)
    return accounts_for(user).filter(contacts__isnull=False, contact_logs__isnull=False).distinct().first()


@pytest.mark.parametrize("role", ["rep1", "finance1"])
def test_the_account_page_shows_no_contacts_or_log_to_roles_without_their_permission(demo_company, role):
    account = _account_of(role)
    contacts = list(Contact.objects.filter(account=account))

    page = _client(role).get(f"/accounts/{account.pk}/")
    api = _client(role).get("/api/v1/contacts/")

    text = page.content.decode()
    assert page.status_code == 200 and account.name in text
    assert api.status_code == 403
    assert not [c for c in contacts if c.phone in text or (c.email and c.email in text)]
    assert 'id="contact-log"' not in text and 'data-testid="contacts"' not in text


def test_targets_show_to_finance_but_not_to_a_rep(demo_company):
    account = _account_of("rep1")

    finance = _client("finance1").get(f"/accounts/{account.pk}/").content.decode()
    rep = _client("rep1").get(f"/accounts/{account.pk}/").content.decode()

    assert 'data-testid="targets"' in finance and 'data-testid="targets"' not in rep


def test_the_manager_still_sees_contacts_and_the_log(demo_company):
    account = _account_of("manager1")
    contact = Contact.objects.filter(account=account).exclude(phone="").first()

    text = _client("manager1").get(f"/accounts/{account.pk}/").content.decode()

    assert contact.phone in text and 'id="contact-log"' in text


@pytest.mark.parametrize(
    "url", ["/visits/history/", "/visits/tasks/", "/stores/deliveries/", "/stores/listings/", "/visits/routes/"]
)
def test_finance_gets_403_on_lists_and_exports_whose_api_refuses_it(demo_company, url):
    client = _client("finance1")

    assert client.get(url).status_code == 403
    assert client.get(url, {"export": "xlsx"}).status_code == 403


def test_the_store_page_shows_finance_no_deliveries_listings_or_visits(demo_company):
    store = Store.objects.filter(deliveries__isnull=False, visits__isnull=False).first()

    page = _client("finance1").get(f"/stores/{store.pk}/")
    manager = _client("admin").get(f"/stores/{store.pk}/")

    text = page.content.decode()
    assert page.status_code == 200 and store.name in text
    for marker in ('data-testid="deliveries"', 'data-testid="listings"', 'data-testid="store-visits"'):
        assert marker not in text and marker in manager.content.decode()


def test_a_post_to_a_page_needs_the_same_permission_as_the_api(demo_company):
    account = _account_of("rep1")
    before = account.contact_logs.count()

    refused = _client("rep1").post(f"/accounts/{account.pk}/log/", {"date": "2026-11-20", "summary": "x"})
    follow_up = _client("supervisor1").post(
        f"/accounts/{account.pk}/log/{account.contact_logs.first().pk}/done/", {"done": "1"}
    )

    assert refused.status_code == 403 and follow_up.status_code == 403
    assert account.contact_logs.count() == before
