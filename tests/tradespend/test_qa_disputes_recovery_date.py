"""QA (finance clerk): a recovery dated years ahead was accepted, so the receivables page (which counts it) and aging
and the statement (read as of today, which do not yet) disagreed. dispute_recover now takes the books' dates as a
payment does (contracts.rules.check_book_date), at the sheet and the API alike, and a refused one keeps nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from contracts.models import Invoice
from ka_portal.errors import DomainError
from tests.tradespend.matching_data import matching_deduction
from tradespend.disputes import dispute_open, dispute_recover
from tradespend.models import DeductionRecovery, Dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(matching_invoice, finance):
    """An unsupported TG deduction of 800.00 (nothing in the ledger for it), taken up with the chain."""
    deduction = matching_deduction(matching_invoice, "800.00")
    return dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)


def _too_far():
    return timezone.localdate() + timedelta(days=settings.KA.books_days_ahead + 1)


def _books(invoice):
    invoice.refresh_from_db()
    return invoice.open_amount, DeductionRecovery.objects.count(), Dispute.objects.get().recovered_amount


def test_the_service_refuses_a_recovery_dated_past_what_the_books_take(disputed, matching_invoice, finance):
    # Given a disputed deduction and the books as they stand
    before = _books(matching_invoice)
    latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)

    # When finance records a recovery one day past the latest day the books take
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            dispute_recover(dispute=disputed, amount=Decimal("100.00"), on=_too_far(), by=finance)
        said = refused.value.detail

    # Then it is refused naming the field and the last day taken, and nothing is written
    assert refused.value.code == "books.date_too_far_ahead"
    assert refused.value.field == "on"
    assert said.startswith("Recovered on: ")
    assert f"the books take dates up to {latest}" in said
    assert _books(matching_invoice) == before
    # and the latest day itself is taken
    dispute_recover(dispute=disputed, amount=Decimal("100.00"), on=latest, by=finance)
    assert _books(matching_invoice)[1] == 1


@pytest.mark.english
def test_the_sheet_shows_the_refusal_next_to_the_date_and_offers_only_the_days_taken(
    client, disputed, matching_invoice, finance
):
    # Given finance on the deduction's sheet
    client.force_login(finance)
    url = reverse("tradespend:deduction-sheet", args=[disputed.deduction_id])
    before = _books(matching_invoice)

    # When they record a recovery dated past the books
    day = _too_far()
    response = client.post(
        url, {"action": "recover", "recover-amount": "100.00", "recover-on": day.isoformat(), "recover-note": ""}
    )

    # Then the sheet says why beside the date, the date picker stops at the last day taken, and nothing changed
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Recovered on: {day} is more than {settings.KA.books_days_ahead} days after today" in page
    latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
    assert f'max="{latest.isoformat()}"' in page
    assert _books(matching_invoice) == before


def test_the_api_refuses_it_with_the_code_and_keeps_the_invoice(api_client, disputed, matching_invoice, finance):
    # Given finance on the API
    api_client.force_authenticate(finance)
    before = _books(matching_invoice)

    # When they post a recovery dated 2027-01-01 style: past the books
    response = api_client.post(
        reverse("dispute-recover", args=[disputed.pk]),
        {"amount": "100.00", "on": _too_far().isoformat()},
        format="json",
    )

    # Then 400 with the book-date code, and the invoice is not re-opened
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "books.date_too_far_ahead"
    assert _books(matching_invoice) == before
    assert Invoice.objects.get(pk=matching_invoice.pk).open_amount == before[0]
