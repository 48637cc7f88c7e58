"""A store's display agreement follows its store (QA: a store moved to another chain left its agreement payable under
the old chain, and then nothing of it could be edited, not even its note; a closed store's agreement said nothing,
and a new one for a closed store was accepted). Moved: marked at once, its visits from then on are no evidence, its
page and list say so, and its note and end stay editable. Closed: its page says so; a new agreement is refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from evidence.agreements import agreements_evaluate
from evidence.models import DisplayAgreement
from evidence.visit_checks import agreements_to_check
from ka_portal.formatting import account_name
from stores.services import store_save
from tests.evidence.agreement_data import agreement, chain, checked
from tests.factories import KeyAccountFactory, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
Status = DisplayAgreement.Status


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store, closing] = chain(manager, rep, code="TIMES", stores=2)
    other_chain = KeyAccountFactory(code="RTM", name="大润发", owner=make_user(Role.MANAGER, username="mgr_rtm"))
    today = timezone.localdate()
    deal = agreement(account, store=store, start=today - timedelta(days=10), end=today + timedelta(days=20), visits=2)
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5))
    agreements_evaluate(ids=[deal.pk])
    return account, store, closing, other_chain, deal, today


def test_a_store_moved_to_another_chain_marks_its_agreement_and_its_later_visits_do_not_count(
    client, manager, rep, world
):
    account, store, _closing, other_chain, deal, today = world
    # when the store moves to another chain
    store_save(store=store, account=other_chain)
    # then its agreement is marked at once
    deal.refresh_from_db()
    assert deal.store_left_at is not None
    # and a visit at the store since (now the other chain's) is no evidence for the old chain's end cap
    checked(deal, store=store, rep=rep, day=today + timedelta(days=1))
    agreements_evaluate(ids=[deal.pk])
    deal.refresh_from_db()
    assert (deal.status, deal.evidenced_visits) == (Status.OPEN, 1)
    # and the KA manager reads why, on its page and in the list
    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), **EN).content.decode()
    assert f"TIMES门店1 moved to {account_name(other_chain)} on" in page
    assert "its visits from then on do not count" in page
    assert "✗ The store had left the chain by then" in page
    listed = client.get(reverse("evidence:agreement-list"), **EN).content.decode()
    assert 'data-testid="row-store-left"' in listed and "Store left the chain" in listed
    # and a visit there no longer asks the rep to check the old chain's display
    assert list(agreements_to_check(store, today)) == []
    mine = agreement(other_chain, store=store, start=today, end=today + timedelta(days=5), kind="floor_stack")
    assert list(agreements_to_check(store, today)) == [mine]


def test_a_moved_stores_agreement_keeps_its_note_and_end_editable(client, api_client, manager, world):
    account, store, _closing, other_chain, deal, today = world
    store_save(store=store, account=other_chain)  # another manager's chain: the store is out of this one's reach

    api_client.force_authenticate(manager)
    answer = api_client.patch(
        reverse("display-agreement-detail", args=[deal.pk]), {"note": "门店已转大润发"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["store_left_at"] is not None
    client.force_login(manager)
    form = {"account": account.pk, "store": store.code, "kind": "end_cap", "facings": "",
            "start_on": deal.start_on.isoformat(), "end_on": today.isoformat(), "fee": "4000.00",
            "evidence_visits": "2", "note": "门店已转大润发，协议提前结束"}  # fmt: skip
    saved = client.post(reverse("evidence:agreement-edit", args=[deal.pk]), form, **EN)
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    deal.refresh_from_db()
    assert (deal.end_on, deal.note) == (today, "门店已转大润发，协议提前结束")
    # choosing that store for another agreement of the old chain is still refused
    new = api_client.post(reverse("display-agreement-list"), {
        "account": account.code, "store": store.code, "kind": "floor_stack", "start_on": today.isoformat(),
        "end_on": today.isoformat(), "fee": "100.00"}, format="json")  # fmt: skip
    assert new.status_code in (400, 404)


def test_a_store_moving_back_is_unmarked(world):
    account, store, _closing, other_chain, deal, _today = world
    store_save(store=store, account=other_chain)
    store_save(store=store, account=account)

    deal.refresh_from_db()
    assert deal.store_left_at is None


def test_a_closed_stores_agreement_says_so_and_a_new_one_is_refused(client, api_client, manager, world):
    account, _store, closing, _other, _deal, today = world
    kept = agreement(account, store=closing, kind="floor_stack", start=today, end=today + timedelta(days=30))
    store_save(store=closing, active=False)

    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-detail", args=[kept.pk]), **EN).content.decode()
    assert "This store is closed: no further visit can evidence this display there." in page
    listed = client.get(reverse("evidence:agreement-list"), **EN).content.decode()
    assert 'data-testid="row-store-closed"' in listed
    # a new agreement for the closed store: refused at the API and on the page
    api_client.force_authenticate(manager)
    body = {"account": account.code, "store": closing.code, "kind": "end_cap", "start_on": today.isoformat(),
            "end_on": (today + timedelta(days=30)).isoformat(), "fee": "800.00"}  # fmt: skip
    answer = api_client.post(reverse("display-agreement-list"), body, format="json", **EN)
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("agreement.store_closed", "store")
    form = {**body, "account": account.pk, "facings": "", "evidence_visits": "1", "note": ""}
    page = client.post(reverse("evidence:agreement-new"), form, **EN).content.decode()
    assert "TIMES门店2 (TIMES2) is closed: no visit can evidence a display there." in page
    assert DisplayAgreement.objects.filter(store=closing).count() == 1
    # its own agreement keeps its note editable
    assert api_client.patch(reverse("display-agreement-detail", args=[kept.pk]), {"note": "已闭店"}).status_code == 200
