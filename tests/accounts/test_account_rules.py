"""The contact log is append-only at every door, a follow-up never precedes its contact, a target is never
negative — and the database holds to it whatever writes the row. References by code, within scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import ContactLog, SalesTarget
from tests.factories import ContactFactory, ContactLogFactory, KeyAccountFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db

FOLLOW_UP_REFUSED = "The follow-up date must not be before the contact date."


@pytest.fixture(autouse=True)
def _english(client, api_client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def entry(manager):
    account = KeyAccountFactory(owner=manager, code="MINE")
    return ContactLogFactory(account=account, author=manager, date=date(2026, 11, 20), follow_up_on=date(2026, 11, 27))


def test_a_log_entry_is_never_rewritten_over_the_api(api_client, manager, entry):
    api_client.force_authenticate(manager)
    url = f"/api/v1/contact-logs/{entry.pk}/"

    patched = api_client.patch(url, {"follow_up_on": "2026-11-01"}, format="json")
    put = api_client.put(url, {"account": "MINE", "date": "2026-11-20", "summary": "改写"}, format="json")
    deleted = api_client.delete(url)

    assert (patched.status_code, put.status_code, deleted.status_code) == (405, 405, 405)
    entry.refresh_from_db()
    assert entry.follow_up_on == date(2026, 11, 27) and entry.summary == "谈年度合同"


def test_a_follow_up_is_marked_done_by_its_own_step(api_client, manager, entry):
    api_client.force_authenticate(manager)

    done = api_client.post(f"/api/v1/contact-logs/{entry.pk}/follow-up-done/", {}, format="json")
    reopened = api_client.post(f"/api/v1/contact-logs/{entry.pk}/follow-up-done/", {"done": False}, format="json")

    assert done.status_code == 200 and done.json()["follow_up_done"] is True
    assert reopened.json()["follow_up_done"] is False
    assert ContactLog.objects.get().follow_up_done is False


def test_a_follow_up_before_the_contact_is_refused_by_post(api_client, manager, entry):
    api_client.force_authenticate(manager)
    body = {"account": "MINE", "date": "2026-11-20", "summary": "电话", "follow_up_on": "2026-11-19"}

    response = api_client.post("/api/v1/contact-logs/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == (
        "contact_log.follow_up_before_date",
        FOLLOW_UP_REFUSED,
    )
    assert ContactLog.objects.count() == 1


def test_the_admin_adds_entries_through_the_rule_and_then_keeps_them(client, admin_user, entry):
    client.force_login(admin_user)
    form = {"account": entry.account.pk, "contact": "", "date": "2026-11-20", "channel": "phone", "summary": "电话",
            "next_step": "", "follow_up_on": "2026-11-19"}  # fmt: skip

    refused = client.post("/admin/accounts/contactlog/add/", form)
    added = client.post("/admin/accounts/contactlog/add/", {**form, "follow_up_on": "2026-11-21"})
    change_page = client.get(f"/admin/accounts/contactlog/{entry.pk}/change/").content.decode()

    assert refused.status_code == 200 and FOLLOW_UP_REFUSED in refused.content.decode()
    assert added.status_code == 302
    assert ContactLog.objects.filter(summary="电话").get().author == admin_user
    assert 'name="summary"' not in change_page and 'name="follow_up_done"' in change_page  # read-only but the step
    assert client.post(f"/admin/accounts/contactlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_database_refuses_a_follow_up_before_its_contact(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLog.objects.filter(pk=entry.pk).update(follow_up_on=entry.date - timedelta(days=1))


def test_a_negative_target_is_refused_alike_by_the_api_and_the_database(api_client, manager):
    KeyAccountFactory(owner=manager, code="MINE")
    target = SalesTargetFactory(account__code="OTHER", year=2026, month=1, amount=Decimal("10"))
    api_client.force_authenticate(manager)

    response = api_client.post(
        "/api/v1/targets/", {"account": "MINE", "year": 2026, "month": 3, "amount": "-1.00"}, format="json"
    )

    assert response.status_code == 400 and response.json()["code"] == "target.negative"
    assert response.json()["detail"] == "The target for month 3 must not be negative."
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesTarget.objects.filter(pk=target.pk).update(amount=Decimal("-1"))


def test_accounts_are_named_by_code_and_a_foreign_one_is_not_found(api_client, manager):
    mine = KeyAccountFactory(owner=manager, code="MINE")
    KeyAccountFactory(code="THEIRS")
    api_client.force_authenticate(manager)

    made = api_client.post("/api/v1/contacts/", {"account": "MINE", "name": "王经理", "part": "purchaser"})
    foreign = api_client.post("/api/v1/contacts/", {"account": "THEIRS", "name": "李", "part": "purchaser"})
    by_id = api_client.post("/api/v1/contacts/", {"account": mine.pk, "name": "李", "part": "purchaser"})

    assert made.status_code == 201 and made.json()["account"] == "MINE"
    assert foreign.status_code == 400 and foreign.json()["errors"] == {"account": ["Not found."]}
    assert by_id.status_code == 400 and by_id.json()["errors"] == {"account": ["Not found."]}
    assert api_client.get("/api/v1/contacts/", {"account": "MINE"}).json()["count"] == 1
    assert api_client.get("/api/v1/accounts/", {"owner": manager.username}).json()["count"] == 1


def test_a_contact_log_create_replayed_with_its_key_is_made_once(api_client, manager):
    account = KeyAccountFactory(owner=manager, code="MINE")
    contact = ContactFactory(account=account)
    api_client.force_authenticate(manager)
    body = {"account": "MINE", "contact": contact.pk, "date": "2026-11-20", "summary": "电话"}

    first = api_client.post("/api/v1/contact-logs/", body, format="json", HTTP_IDEMPOTENCY_KEY="log-1")
    again = api_client.post("/api/v1/contact-logs/", body, format="json", HTTP_IDEMPOTENCY_KEY="log-1")

    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and ContactLog.objects.count() == 1
