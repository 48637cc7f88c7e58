"""The display agreement pages: list (filters, totals, Excel), detail with the evidence, the KA manager's form;
and who sees what (scope: a rep sees their stores' agreements and their chains' chain-wide ones)."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from evidence.agreements import agreements_evaluate
from evidence.models import DisplayAgreement
from tests.evidence.agreement_data import agreement, chain, checked
from tests.factories import StoreFactory, make_user
from visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.english]
LIST = reverse("evidence:agreement-list")


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="WMT")
    other_store = StoreFactory(account=account, code="WMT9", name="沃尔玛别店")  # another rep's
    payable = agreement(account, store=store, fee="4000.00")
    checked(payable, store=store, rep=rep, day=date(2026, 9, 8))
    short = agreement(account, store=other_store, kind="floor_stack", fee="1500.00", note="春节地堆")
    chain_wide = agreement(account, kind="cold_case", fee="800.00", start=date(2026, 11, 1), end=date(2026, 11, 30))
    agreements_evaluate(today=date(2026, 10, 5))
    return account, store, payable, short, chain_wide


def test_the_list_filters_and_totals_fees_by_status(client, manager, world):
    _account, store, payable, short, chain_wide = world
    client.force_login(manager)

    page = client.get(LIST).content.decode()
    assert 'data-testid="total-payable"' in page and "4,000.00" in page and "1,500.00" in page
    assert page.count('data-testid="agreement-row"') == 3
    # each total is named in words, and a quota of one visit is "1 visit", not "1 visits"
    captions = re.findall(
        r'<div class="text-secondary small">([^<]*)</div>', page.split('data-testid="agreement-totals"')[1]
    )
    assert captions == ["Fees awaiting evidence", "Fees payable", "Fees not evidenced"]
    assert "1 of 1 visit<" in page and "0 of 1 visit<" in page and "visits<" not in page
    zh = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "举证中的费用" in zh and "拜访 0 / 1 次" in zh

    page = client.get(LIST, {"status": "not_evidenced"}).content.decode()
    assert reverse("evidence:agreement-detail", args=[short.pk]) in page
    assert reverse("evidence:agreement-detail", args=[payable.pk]) not in page
    page = client.get(LIST, {"store": store.code, "kind": "end_cap"}).content.decode()
    assert reverse("evidence:agreement-detail", args=[payable.pk]) in page and page.count("agreement-row") == 1
    page = client.get(LIST, {"period": "2026-11"}).content.decode()
    assert reverse("evidence:agreement-detail", args=[chain_wide.pk]) in page and page.count("agreement-row") == 1
    page = client.get(LIST, {"q": "春节"}).content.decode()
    assert reverse("evidence:agreement-detail", args=[short.pk]) in page and page.count("agreement-row") == 1


def test_the_export_has_every_filtered_agreement_with_its_fee_and_status(client, manager, world):
    client.force_login(manager)
    answer = client.get(LIST, {"export": "xlsx", "status": "not_evidenced"})
    sheet = load_workbook(BytesIO(b"".join(answer.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Fee" in rows[0] and "Status" in rows[0]
    assert [(r[rows[0].index("Display")], r[rows[0].index("Fee")], r[rows[0].index("Status")]) for r in rows[1:]] == [
        ("Floor stack", 1500, "Not evidenced")
    ]


def test_the_detail_shows_each_visit_and_why_it_counts(client, manager, rep, world):
    _account, store, payable, _short, chain_wide = world
    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-detail", args=[payable.pk])).content.decode()
    assert "1 of 1 visit with a photo" in page and "On site" in page and "Counts" in page
    assert reverse("visits:photo", args=[payable.checks.get().photo_id]) in page

    page = client.get(reverse("evidence:agreement-detail", args=[chain_wide.pk])).content.decode()
    assert page.count('data-testid="store-evidence"') == 2  # every store of the chain


def test_the_figure_and_the_store_card_stay_the_same_when_a_visit_changes_after_the_evaluation(client, manager, world):
    # Given an agreement evaluated payable on one visit, whose position then goes (the demo's seed did so)
    _account, _store, payable, _short, _chain_wide = world
    Visit.objects.filter(pk=payable.checks.get().visit_id).update(latitude=None, longitude=None, distance_m=None)
    client.force_login(manager)
    # When the manager opens it
    page = client.get(reverse("evidence:agreement-detail", args=[payable.pk])).content.decode()
    # Then its figure and its store's card both say 0 of 1 (not 1 stored beside 0 from the visits), and it asks
    # to be evaluated again
    facts = page.split('data-testid="agreement-evidence">')[1].split("</dd>")[0]
    card = page.split('data-testid="store-evidence"')[1].split("</h2>")[0]
    assert facts.startswith("0 of 1 visit with a photo") and "0 of 1</span>" in card
    assert "evaluate it again to update its status" in facts
    client.post(reverse("evidence:agreement-evaluate", args=[payable.pk]))
    page = client.get(reverse("evidence:agreement-detail", args=[payable.pk])).content.decode()
    assert ">Not evidenced<" in page and "0 of 1 visit with a photo" in page and "agreement-stale" not in page


def test_the_form_keeps_what_was_typed_and_shows_the_refusal_next_to_the_field(client, manager, world):
    account, store, *_ = world
    client.force_login(manager)
    data = {"account": account.pk, "store": store.code, "kind": "facings", "start_on": "2026-12-01",
            "end_on": "2026-12-31", "fee": "650.00", "evidence_visits": "2", "note": "排面十个"}  # fmt: skip

    page = client.post(reverse("evidence:agreement-new"), data)

    text = page.content.decode()
    assert page.status_code == 200 and "Give the number of facings agreed" in text
    assert 'value="650.00"' in text and "排面十个" in text
    answer = client.post(reverse("evidence:agreement-new"), {**data, "facings": "10"})
    made = DisplayAgreement.objects.get(kind="facings")
    assert answer.url == reverse("evidence:agreement-detail", args=[made.pk]) and made.facings == 10


def test_a_rep_sees_their_stores_and_their_chains_chain_wide_agreements_without_fees(client, rep, world):
    _account, _store, payable, short, chain_wide = world
    client.force_login(rep)
    page = client.get(LIST).content.decode()
    assert reverse("evidence:agreement-detail", args=[payable.pk]) in page
    assert reverse("evidence:agreement-detail", args=[chain_wide.pk]) in page
    assert reverse("evidence:agreement-detail", args=[short.pk]) not in page  # another rep's store
    assert "4,000.00" not in page and "total-payable" not in page
    assert client.get(reverse("evidence:agreement-detail", args=[short.pk])).status_code == 404
    assert client.get(reverse("evidence:agreement-new")).status_code == 403


def test_another_manager_finds_nothing(client, world):
    _account, _store, payable, *_ = world
    client.force_login(make_user(Role.MANAGER, username="mgr_other"))
    assert "No display agreements yet." in client.get(LIST).content.decode()
    assert client.get(reverse("evidence:agreement-detail", args=[payable.pk])).status_code == 404


def test_evaluate_now_and_delete_from_the_detail_page(client, manager, world):
    _account, _store, payable, short, _chain_wide = world
    client.force_login(manager)
    answer = client.post(reverse("evidence:agreement-evaluate", args=[payable.pk]), follow=True)
    assert "Evaluated: 1 of 1 visit with a photo. Status: Payable." in answer.content.decode()
    client.post(reverse("evidence:agreement-delete", args=[short.pk]))
    assert not DisplayAgreement.objects.filter(pk=short.pk).exists()


def test_an_agreement_being_edited_shows_its_store_chosen_by_code(client, manager, world):
    """The agreement's store is taken by its code (ka_portal.lists.choose_by_code: a box past 500 stores)."""
    _account, store, payable, _short, _chain_wide = world
    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-edit", args=[payable.pk])).content.decode()
    assert re.search(rf'<option value="{store.code}"[^>]*selected', page)
