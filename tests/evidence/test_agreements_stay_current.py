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


def _contract_around(account, today, **fields):
    """A contract in force a year either side of today: the terms below run from days before today to weeks after
    (the factory's contract is 2026's, and a term may not outrun its contract)."""
    return ContractFactory(
        account=account, signed_on=today - timedelta(days=370), valid_from=today - timedelta(days=365),
        valid_to=today + timedelta(days=365), **fields,
    )  # fmt: skip


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
        contract=_contract_around(account, today), kind="end_cap", basis="fixed", period="once",
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


def _end_cap_term(account, today, **fields):
    values = {"kind": "end_cap", "basis": "fixed", "period": "once", "amount": Decimal("3000.00"),
              "settlement": "deducted", "valid_from": today - timedelta(days=10),
              "valid_to": today + timedelta(days=20), **fields}  # fmt: skip
    return contract_services.contract_term_create(contract=_contract_around(account, today), **values)


def test_a_contract_made_active_again_takes_back_its_agreement_at_once(client, manager, finance, world):
    account, store, rep, today = world
    term = _end_cap_term(account, today)
    deal = DisplayAgreement.objects.get(term=term)
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5), photo=None)  # no photo: does not count
    contract_services.contract_update(contract=term.contract, status="draft")  # its terms grant nothing now
    deal.refresh_from_db()
    assert deal.source_gone and deal.note == ""  # kept for the visit that checked it, flagged (not a note's text)
    # said in each reader's language, whoever's change set it off
    client.force_login(manager)
    for language, said in (("en", "Its source no longer grants this display"), ("zh-hans", "来源已不再包含该陈列")):
        client.cookies["django_language"] = language
        page = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
        assert said in page.split('data-testid="source-gone"')[1].split("</div>")[0]
    assert client.get(f"/api/v1/display-agreements/{deal.pk}/").json()["source_gone"] is True

    client.force_login(finance)
    answer = client.patch(
        reverse("contract-detail", args=[term.contract.pk]), {"status": "active"}, content_type="application/json"
    )
    assert answer.status_code == 200

    deal.refresh_from_db()
    assert not deal.source_gone and deal.evaluated_at is not None  # its own again, and evaluated in that request
    assert DisplayAgreement.objects.filter(term=term).count() == 1
    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "no longer grants" not in page.content.decode()


def test_a_terms_start_moved_keeps_its_agreement_and_the_visits_in_the_new_period(client, manager, world):
    account, store, rep, today = world
    term = _end_cap_term(account, today)
    deal = DisplayAgreement.objects.get(term=term)
    checked(deal, store=store, rep=rep, day=today - timedelta(days=5))
    agreements_evaluate(ids=[deal.pk])
    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)

    # finance corrects the start two days earlier: the same display, the same visit in its period
    contract_services.contract_term_update(term=term, valid_from=today - timedelta(days=12))

    assert list(DisplayAgreement.objects.filter(account=account).values_list("pk", "start_on")) == [
        (deal.pk, today - timedelta(days=12))
    ]
    assert _current(deal) == (DisplayAgreement.Status.PAYABLE, 1)
    _list_says(client, manager, "1 of 1 visit<")

    # and a start after the visit: the same agreement, which that visit no longer evidences
    contract_services.contract_term_update(term=term, valid_from=today - timedelta(days=3))
    assert DisplayAgreement.objects.filter(account=account).count() == 1
    assert _current(deal) == (DisplayAgreement.Status.OPEN, 0)


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_a_periodic_terms_first_period_moves_with_its_start(world, period):
    account, store, rep, today = world
    start = today.replace(day=1)
    term = _end_cap_term(account, today, period=period, valid_from=start + timedelta(days=1))
    first = DisplayAgreement.objects.filter(term=term).order_by("start_on").first()

    contract_services.contract_term_update(term=term, valid_from=start)

    first.refresh_from_db()
    assert first.start_on == start  # moved, not replaced
    assert DisplayAgreement.objects.filter(term=term, start_on__lt=first.end_on).count() == 1


def test_an_end_cap_term_imported_makes_its_agreement_at_once(client, manager, finance, world):
    from imports.registry import kind_named
    from imports.runner import run_import
    from tests.imports.xlsx import xlsx_upload

    account, store, rep, today = world
    contract = _contract_around(account, today, number="HT-STAY-1")
    headers = ["contract number", "kind", "basis", "period", "amount", "valid from", "valid to", "settlement"]
    row = ["HT-STAY-1", "end_cap", "fixed", "once", "3000.00", f"{today:%Y-%m-%d}",
           f"{today + timedelta(days=20):%Y-%m-%d}", "deducted"]  # fmt: skip

    run_import(kind=kind_named("contract-terms"), source=xlsx_upload(headers, [row]), user=finance)

    deal = DisplayAgreement.objects.get(term__contract=contract)
    assert (deal.kind, deal.fee, deal.start_on) == ("end_cap", Decimal("3000.00"), today)
    _list_says(client, manager, "0 of 1 visit<")


def test_the_migration_gives_an_agreement_left_behind_by_a_moved_start_its_key_back(world):
    # Given the state a moved start left before this fix: the checked agreement kept under its old key with the
    # note, and a new one for the same term's period without its evidence
    import importlib

    from django.apps import apps

    from contracts.models import ContractTerm
    from evidence.agreements import agreements_generate

    account, store, rep, today = world
    term = _end_cap_term(account, today)
    kept = DisplayAgreement.objects.get(term=term)
    checked(kept, store=store, rep=rep, day=today - timedelta(days=5))
    moved = today - timedelta(days=12)
    ContractTerm.objects.filter(pk=term.pk).update(valid_from=moved)
    DisplayAgreement.objects.filter(pk=kept.pk).update(
        source_key=f"term:{term.pk}:{today - timedelta(days=10):%Y%m%d}", source_gone=True
    )
    fresh = DisplayAgreement.objects.create(
        account=account, kind="end_cap", start_on=moved, end_on=today + timedelta(days=20), fee=Decimal("3000.00"),
        source="term", term=term, source_key=f"term:{term.pk}:{moved:%Y%m%d}",
    )  # fmt: skip

    # When the migration runs, then the next generation
    importlib.import_module("evidence.migrations.0002_term_agreement_keys").rekey(apps, None)
    agreements_generate(account=account)

    # Then the checked agreement is the term's again, over the new period, with its visit; the empty one is gone
    assert list(DisplayAgreement.objects.filter(account=account).values_list("pk", "start_on")) == [(kept.pk, moved)]
    assert _current(kept) == (DisplayAgreement.Status.PAYABLE, 1)
    assert not kept.source_gone and not DisplayAgreement.objects.filter(pk=fresh.pk).exists()


def test_the_migration_turns_the_written_sentence_into_the_flag(world):
    """Before: generation appended the sentence to the note in the language of whoever's change set it off."""
    import importlib

    from django.apps import apps

    account, _store, _rep, today = world
    deal = DisplayAgreement.objects.get(term=_end_cap_term(account, today))
    written = "店长同意加一个端架\n来源已不再包含该陈列；因已有拜访核查而保留。"
    DisplayAgreement.objects.filter(pk=deal.pk).update(note=written)
    importlib.import_module("evidence.migrations.0003_agreement_source_gone").flag(apps, None)
    deal.refresh_from_db()
    assert (deal.note, deal.source_gone) == ("店长同意加一个端架", True)
