"""A contact log records what happened: an entry dated after today (Asia/Shanghai) is refused at every door — the
account page, the API, the admin — with `contact_log.date_in_future`, and the page keeps what was typed (QA: an
entry dated six months ahead was saved without a word)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts import rules
from accounts.models import ContactLog
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory

pytestmark = pytest.mark.django_db

REFUSED = "The contact date 2027-06-06 is after today (2026-12-06)"


@pytest.fixture(autouse=True)
def _on_6_december(client, api_client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel("2026-12-06 10:00 +0800", tick=False):
        yield


@pytest.fixture
def account(manager):
    return KeyAccountFactory(owner=manager, code="LOG")


@pytest.mark.parametrize(
    ("day", "refused"), [(date(2026, 12, 5), False), (date(2026, 12, 6), False), (date(2026, 12, 7), True)]
)
def test_a_contact_is_dated_today_at_the_latest(day, refused):
    if refused:
        with pytest.raises(DomainError) as refusal:
            rules.check_contact_date(day, today=date(2026, 12, 6))
        assert (refusal.value.code, refusal.value.field) == ("contact_log.date_in_future", "date")
    else:
        rules.check_contact_date(day, today=date(2026, 12, 6))


def test_the_page_refuses_a_date_ahead_next_to_the_field_and_keeps_what_was_typed(client, manager, account):
    client.force_login(manager)
    typed = {"date": "2027-06-06", "channel": "meal", "summary": "与采购总监谈明年合同", "next_step": "发报价",
             "follow_up_on": "2027-06-10"}  # fmt: skip

    response = client.post(reverse("accounts:contact-log-add", args=[account.pk]), typed, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert REFUSED in html
    assert 'value="2027-06-06"' in html and "与采购总监谈明年合同" in html and 'value="发报价"' in html
    assert 'value="2027-06-10"' in html and '<option value="meal" selected>' in html
    assert not ContactLog.objects.exists()
    # and today's date is taken; the form's date picker offers no day to come
    client.post(reverse("accounts:contact-log-add", args=[account.pk]), {**typed, "date": "2026-12-06"})
    assert ContactLog.objects.get().date == date(2026, 12, 6)
    page = client.get(reverse("accounts:account-detail", args=[account.pk])).content.decode()
    assert 'max="2026-12-06"' in page


def test_the_api_refuses_a_date_ahead_with_its_code(api_client, manager, account):
    api_client.force_authenticate(manager)
    body = {"account": "LOG", "date": "2027-06-06", "channel": "phone", "summary": "电话"}

    response = api_client.post("/api/v1/contact-logs/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "contact_log.date_in_future"
    assert response.json()["params"] == {"date": "2027-06-06", "today": "2026-12-06"}
    assert REFUSED in response.json()["detail"]
    assert not ContactLog.objects.exists()


def test_the_admin_refuses_a_date_ahead(client, admin_user, account):
    client.force_login(admin_user)
    form = {"account": account.pk, "contact": "", "date": "2027-06-06", "channel": "phone", "summary": "电话",
            "next_step": "", "follow_up_on": ""}  # fmt: skip

    refused = client.post("/admin/accounts/contactlog/add/", form)

    assert refused.status_code == 200 and REFUSED in refused.content.decode()
    assert not ContactLog.objects.exists()


def test_today_is_shanghais_day(api_client, manager, account):
    # Given 00:30 on 7 December in Shanghai, still 6 December in UTC
    api_client.force_authenticate(manager)
    body = {"account": "LOG", "channel": "phone", "summary": "电话"}
    with time_machine.travel("2026-12-07 00:30 +0800", tick=False):
        # Then the 7th is today, the 8th is ahead
        assert (
            api_client.post("/api/v1/contact-logs/", {**body, "date": "2026-12-07"}, format="json").status_code == 201
        )
        ahead = api_client.post("/api/v1/contact-logs/", {**body, "date": "2026-12-08"}, format="json")
    assert ahead.json()["code"] == "contact_log.date_in_future"
