"""A display agreement's stored figure and status follow every change after a check-out that alters its evidence
(a visit deleted, its period moved at the source, a store of its chain closed), in the same transaction: the list,
the deduction sheet and the API read them, not only the agreement's own page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services as contract_services
from evidence.agreements import agreements_evaluate
from evidence.models import DisplayAgreement
from stores.services import store_save
from tests.contracts.factories import ContractFactory
from tests.evidence.agreement_data import agreement, chain, checked
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LIST = reverse("evidence:agreement-list")


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep)
    return account, store, rep, timezone.localdate()


def _current(deal) -> tuple[str, int]:
    """The stored figure and status, checked against what a fresh evaluation gives."""
    deal.refresh_from_db()
    stored = (deal.status, deal.evidenced_visits)
    agreements_evaluate(ids=[deal.pk])
    deal.refresh_from_db()
    assert (deal.status, deal.evidenced_visits) == stored
    return stored


def _list_says(client, manager, text: str) -> None:
    client.force_login(manager)
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text in page


@pytest.mark.parametrize("door", ["delete_model", "delete_queryset"])
def test_deleting_a_visit_in_the_admin_takes_it_out_of_the_figure(client, manager, admin_user, world, door):
    account, store, rep, today = world
    deal = agreement(account, store=store, start=today - timedelta(days=20), end=today - timedelta(days=1))
    kept = agreement(account, store=store, kind="floor_stack", start=today - timedelta(days=20), end=today)
    visit = checked(deal, store=store, rep=rep, day=today - timedelta(days=5)).visit
    checked(kept, store=store, rep=rep, day=today - timedelta(days=3))
    agreements_evaluate()
    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)

    client.force_login(admin_user)
    if door == "delete_model":
        answer = client.post(reverse("admin:visits_visit_delete", args=[visit.pk]), {"post": "yes"})
    else:
        answer = client.post(
            reverse("admin:visits_visit_changelist"),
            {"action": "delete_selected", "_selected_action": [visit.pk], "post": "yes"},
        )
    assert answer.status_code == 302

    assert _current(deal) == (DisplayAgreement.Status.NOT_EVIDENCED, 0)
    assert _current(kept) == (DisplayAgreement.Status.PAYABLE, 1)  # another visit's agreement as it was
    _list_says(client, manager, "0 of 1 visit<")


def test_a_terms_period_cut_short_of_its_visit_is_re_evaluated(client, manager, world):
    account, store, rep, today = world
    term = contract_services.contract_term_create(
        contract=ContractFactory(account=account), kind="end_cap", basis="fixed", period="once",
        amount=Decimal("3000.00"), settlement="deducted", valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=20),
    )  # fmt: skip
    deal = DisplayAgreement.objects.get(term=term)
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5))
    agreements_evaluate(ids=[deal.pk])
    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)

    contract_services.contract_term_update(term=term, valid_to=today - timedelta(days=7))  # ends before the visit

    assert _current(deal) == (DisplayAgreement.Status.NOT_EVIDENCED, 0)
    _list_says(client, manager, "0 of 1 visit<")


def test_closing_the_store_without_evidence_settles_a_chain_wide_agreement(client, manager, rep, world):
    account, store, rep, today = world
    idle = StoreFactory(account=account, rep=rep, code="AGR-IDLE")
    deal = agreement(account, start=today - timedelta(days=20), end=today - timedelta(days=1))
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5))
    agreements_evaluate()
    assert _current(deal) == (DisplayAgreement.Status.NOT_EVIDENCED, 0)

    store_save(store=idle, active=False)

    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)
    _list_says(client, manager, "1 of 1 visit<")


def test_a_store_closed_by_the_import_settles_a_chain_wide_agreement(client, manager, rep, admin_user, world):
    from imports.registry import kind_named
    from imports.runner import run_import
    from tests.imports.xlsx import xlsx_upload

    account, store, rep, today = world
    StoreFactory(account=account, rep=rep, code="AGR-IDLE")
    deal = agreement(account, start=today - timedelta(days=20), end=today - timedelta(days=1))
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5))
    agreements_evaluate()
    upload = xlsx_upload(
        ["account code", "store code", "store name", "grade", "active"], [["AGR", "AGR-IDLE", "店", "A", "no"]]
    )

    run_import(kind=kind_named("stores"), source=upload, user=admin_user)

    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)
    _list_says(client, manager, "1 of 1 visit<")
