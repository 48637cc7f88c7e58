"""A reference outside one's scope is refused as not found, naming nothing (issue 10, item 3): manager2 posting
a contact log with another chain's contact got that contact's name (18 of 18)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Contact, ContactLog, KeyAccount
from ka_portal.scope import NOT_FOUND_TEXT, accounts_for

pytestmark = pytest.mark.django_db


def _setup():
    manager2 = get_user_model().objects.get(username="manager2")
    account = accounts_for(manager2).first()
    foreign = Contact.objects.exclude(account__in=accounts_for(manager2)).first()
    return manager2, account, foreign


def test_the_api_answers_not_found_without_the_contacts_name(demo_company, api_client):
    manager2, account, foreign = _setup()
    api_client.force_authenticate(manager2)
    before = ContactLog.objects.count()

    response = api_client.post(
        "/api/v1/contact-logs/",
        {"account": account.code, "contact": foreign.pk, "date": "2026-11-20", "summary": "probe"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["contact"] == [str(NOT_FOUND_TEXT)]
    assert foreign.name not in response.content.decode() and foreign.account.code not in response.content.decode()
    assert ContactLog.objects.count() == before


def test_the_page_refuses_the_choice_without_the_contacts_name(demo_company):
    manager2, account, foreign = _setup()
    client = Client()
    client.force_login(manager2)
    before = ContactLog.objects.count()

    body = {"contact": foreign.pk, "date": "2026-11-20", "channel": "visit", "summary": "x"}
    response = client.post(f"/accounts/{account.pk}/log/", body)

    assert response.status_code == 400
    assert foreign.name not in response.content.decode()
    assert ContactLog.objects.count() == before


def test_a_code_outside_the_scope_is_refused_without_echoing_it(demo_company, api_client):
    manager2 = get_user_model().objects.get(username="manager2")
    api_client.force_authenticate(manager2)
    foreign_code = KeyAccount.objects.exclude(pk__in=accounts_for(manager2)).first().code

    response = api_client.post(
        "/api/v1/contacts/", {"account": foreign_code, "name": "探针", "part": "purchaser"}, format="json"
    )

    assert response.status_code == 400 and response.json()["errors"]["account"] == [str(NOT_FOUND_TEXT)]
    assert foreign_code not in response.content.decode()
