"""A display agreement something rests on is not deleted (QA: deleting a store's facings agreement, evidenced and
deducted in full, moved the chain's deduction of 1,200.00 onto an unrelated chain-wide floor stack of the same month,
unseen, and threw its visits away): one whose fee deductions are matched to is refused (agreement.deducted: finance
removes the matches first), one visits checked is refused (agreement.has_evidence: end it early instead), at every
door — page, API, admin."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import Deduction
from evidence.agreements import agreement_create, agreement_delete, agreement_update, agreements_evaluate
from evidence.models import DisplayAgreement, DisplayCheck
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import chain, checked
from tests.tradespend.matching_data import matching_deduction
from tradespend.matching import deduction_match_remove
from tradespend.models import DeductionMatch

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _on_june_tenth(time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    """The demo's case: a store's facings (1,200.00, two visits seen of two) deducted in full by the chain's display
    deduction, and the chain's floor stack at every store the same month (5,000.00, no visit yet)."""
    settings.MEDIA_ROOT = tmp_path
    account, [store, _other] = chain(manager, rep, code="AUC", stores=2)
    invoice = InvoiceFactory(account=account, date=JUNE, amount=Decimal("100000.00"))
    facings = agreement_create(
        by=manager, account=account, store=store, kind="facings", facings=6, start_on=JUNE,
        end_on=date(2026, 7, 15), fee=Decimal("1200.00"), evidence_visits=2,
    )  # fmt: skip
    for day in (date(2026, 6, 3), date(2026, 6, 8)):
        checked(facings, store=store, rep=rep, day=day, facings=6)
    agreements_evaluate(ids=[facings.pk])
    floor_stack = agreement_create(
        by=manager, account=account, kind="floor_stack", start_on=date(2026, 6, 4), end_on=date(2026, 7, 3),
        fee=Decimal("5000.00"), evidence_visits=2,
    )  # fmt: skip
    deduction = matching_deduction(
        invoice, "1200.00", kind="display", on=date(2026, 6, 5), period_start=JUNE, period_end=JUNE,
        reference="DISP-EVID-1",
    )  # fmt: skip
    return account, store, facings, floor_stack, deduction


def _matched_to(deduction) -> list[tuple]:
    return [(m.line.agreement_id, m.amount) for m in DeductionMatch.objects.filter(deduction=deduction)]


def test_a_deducted_and_evidenced_agreement_is_not_deleted_and_the_deduction_stays_on_its_fee(manager, world):
    _account, _store, facings, floor_stack, deduction = world
    assert DisplayAgreement.objects.get(pk=facings.pk).status == DisplayAgreement.Status.PAYABLE
    assert _matched_to(deduction) == [(facings.pk, Decimal("1200.00"))]

    with translation.override("en"):  # the refusal's text is read in English
        with pytest.raises(DomainError) as refusal:
            agreement_delete(agreement=facings, by=manager)
        text = str(refusal.value.detail)

    assert refusal.value.code == "agreement.deducted"
    assert refusal.value.params["deductions"] == "DISP-EVID-1"
    assert "Ask finance to remove those matches" in text and "1,200.00" in text
    assert DisplayAgreement.objects.filter(pk=facings.pk).exists()
    assert DisplayCheck.objects.filter(agreement=facings).count() == 2
    deduction.refresh_from_db()
    assert deduction.state == Deduction.State.MATCHED
    assert _matched_to(deduction) == [(facings.pk, Decimal("1200.00"))]  # not the floor stack's
    assert not DeductionMatch.objects.filter(line__agreement=floor_stack).exists()


def test_once_finance_removed_the_match_the_visits_still_keep_it_and_ending_it_early_is_the_way(
    manager, finance, world
):
    _account, _store, facings, floor_stack, deduction = world
    deduction_match_remove(match=DeductionMatch.objects.get(deduction=deduction), by=finance)

    with translation.override("en"):
        with pytest.raises(DomainError) as refusal:
            agreement_delete(agreement=facings, by=manager)
        text = str(refusal.value.detail)

    assert refusal.value.code == "agreement.has_evidence"
    assert refusal.value.params == {"agreement": facings.pk, "visits": 2}
    assert "End it early instead" in text
    assert DisplayCheck.objects.filter(agreement=facings).count() == 2
    # what the message says to do instead goes through, and keeps the visits
    ended = agreement_update(agreement=facings, by=manager, end_on=date(2026, 6, 9))
    assert ended.end_on == date(2026, 6, 9) and ended.evidenced_visits == 2
    # the deduction finance took off stays theirs: not put on the floor stack behind their back
    assert _matched_to(deduction) == []


def test_an_agreement_nothing_rests_on_is_still_deleted(manager, world):
    _account, _store, _facings, floor_stack, deduction = world
    agreement_delete(agreement=floor_stack, by=manager)
    assert not DisplayAgreement.objects.filter(pk=floor_stack.pk).exists()
    assert _matched_to(deduction) != []  # the facings' match untouched


def test_every_door_refuses_it_saying_what_to_do(client, api_client, manager, admin_user, world):
    _account, _store, facings, _floor_stack, deduction = world

    # the page: back on the agreement, the message above it
    client.force_login(manager)
    page = client.post(reverse("evidence:agreement-delete", args=[facings.pk]), follow=True, **EN)
    assert page.redirect_chain[-1][0] == reverse("evidence:agreement-detail", args=[facings.pk])
    text = page.content.decode()
    assert f"Display agreement #{facings.pk} cannot be deleted: deductions are matched to its fee" in text
    assert "The display agreement was deleted." not in text

    # the API: a conflict with the code and the numbers
    api_client.force_authenticate(manager)
    answer = api_client.delete(f"/api/v1/display-agreements/{facings.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 409
    assert answer.json()["code"] == "agreement.deducted" and answer.json()["params"]["deductions"] == "DISP-EVID-1"

    # the admin: its page again, saying why (not a server error)
    client.force_login(admin_user)
    url = reverse("admin:evidence_displayagreement_delete", args=[facings.pk])
    page = client.post(url, {"post": "yes"}, follow=True, **EN)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse("admin:evidence_displayagreement_change", args=[facings.pk])
    assert "cannot be deleted: deductions are matched to its fee" in page.content.decode()

    assert DisplayAgreement.objects.filter(pk=facings.pk).exists()
    assert _matched_to(deduction) == [(facings.pk, Decimal("1200.00"))]


def test_the_admin_refuses_a_generated_agreements_delete_on_its_page_and_offers_no_bulk_delete(
    client, admin_user, world
):
    account, _store, _facings, _floor_stack, _deduction = world
    generated = DisplayAgreement.objects.create(
        account=account, kind="end_cap", start_on=JUNE, end_on=date(2026, 6, 30), fee=Decimal("900.00"),
        source=DisplayAgreement.Source.TERM, source_key="term:x:2026-06",
    )  # fmt: skip
    client.force_login(admin_user)
    page = client.post(
        reverse("admin:evidence_displayagreement_delete", args=[generated.pk]), {"post": "yes"}, follow=True, **EN
    )
    assert page.status_code == 200 and "it goes when its source no longer grants it" in page.content.decode()
    assert DisplayAgreement.objects.filter(pk=generated.pk).exists()
    listing = client.get(reverse("admin:evidence_displayagreement_changelist"), **EN).content.decode()
    assert 'value="delete_selected"' not in listing


def test_the_page_asks_before_it_deletes(client, manager, world):
    """QA: the agreement page's Delete deleted at once. It now opens a box that says what goes, and the one button
    that posts the delete is inside it."""
    _account, _store, _facings, floor_stack, _deduction = world
    client.force_login(manager)
    page = client.get(reverse("evidence:agreement-detail", args=[floor_stack.pk]), **EN).content.decode()
    box = page.split('data-testid="agreement-delete-box"', 1)[1].split("</details>", 1)[0]
    assert "This cannot be undone." in box
    assert reverse("evidence:agreement-delete", args=[floor_stack.pk]) in box
    assert page.count(reverse("evidence:agreement-delete", args=[floor_stack.pk])) == 1  # no delete outside the box
