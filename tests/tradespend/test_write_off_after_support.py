"""A requested write-off is not approved once its deduction is supported in full (QA): finance matched it to the
ledger meanwhile, so an approval would accept spend the ledger already holds. Refused at every door with
``dispute.supported_since_request``; the sheet tells the approver instead of offering the approval."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from ka_portal.errors import DomainError
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open, dispute_write_off, dispute_write_off_approve
from tradespend.matching import deduction_match_add
from tradespend.models import Dispute

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


@pytest.fixture
def requested(finance, matching_invoice):
    """An unsupported TG fee of 8,000.00 (above the approval threshold) disputed, its write-off requested."""
    deduction = matching_deduction(matching_invoice, "8000.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute = dispute_write_off(dispute=dispute, note="金额小，接受", by=finance)
    assert dispute.status == Dispute.Status.WRITE_OFF_REQUESTED
    return dispute


def _supported_meanwhile(finance, dispute, amount="8000.00"):
    """Finance finds the fee in the ledger after asking, and matches it by hand."""
    line = matching_line(dispute.deduction.account, SEP, "8000.00")
    deduction_match_add(deduction=dispute.deduction, line=line, amount=Decimal(amount), by=finance)


def test_the_approval_is_refused_once_the_deduction_is_matched_in_full(finance, manager, requested):
    _supported_meanwhile(finance, requested)
    with translation.override("en"):  # the refusal's text is read in English
        with pytest.raises(DomainError) as refused:
            dispute_write_off_approve(dispute=requested, by=manager)
        assert refused.value.code == "dispute.supported_since_request"
        assert "8,000.00" in refused.value.detail and "Reject the request instead" in refused.value.detail
    requested.refresh_from_db()
    assert (requested.status, requested.resolved_at) == (Dispute.Status.WRITE_OFF_REQUESTED, None)


def test_partly_supported_it_is_still_approved(finance, manager, requested):
    _supported_meanwhile(finance, requested, amount="3000.00")
    assert dispute_write_off_approve(dispute=requested, by=manager).status == Dispute.Status.WRITTEN_OFF


def test_the_api_refuses_with_the_code(api_client, finance, manager, requested):
    _supported_meanwhile(finance, requested)
    api_client.force_authenticate(manager)
    answer = api_client.post(f"/api/v1/disputes/{requested.pk}/approve/", format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "dispute.supported_since_request"
    assert answer.json()["params"] == {"amount": "8000.00", "matched": "8000.00", "recovered": "0.00"}


def test_the_sheet_tells_the_approver_and_offers_only_the_rejection(client, finance, manager, requested):
    sheet = reverse("tradespend:deduction-sheet", args=[requested.deduction_id])
    client.force_login(manager)
    # while unsupported, the approver may approve
    before = client.get(sheet).content.decode()
    assert 'data-testid="approve"' in before and 'data-testid="write-off-refusal"' not in before
    # once supported in full, the sheet says why not, where the approver acts, and keeps the rejection
    _supported_meanwhile(finance, requested)
    page = client.get(sheet).content.decode()
    assert 'data-testid="write-off-refusal"' in page
    assert "has been supported in full since the write-off was asked" in page
    assert 'data-testid="approve"' not in page and 'value="reject"' in page
    # and an approval posted all the same (a page open since before) is refused with the same words
    answer = client.post(sheet, {"action": "approve"}, follow=True).content.decode()
    assert "has been supported in full since the write-off was asked" in answer
    requested.refresh_from_db()
    assert requested.status == Dispute.Status.WRITE_OFF_REQUESTED
    # the rejection sends it back
    client.post(sheet, {"action": "reject", "reason": "已核销"})
    requested.refresh_from_db()
    assert requested.status == Dispute.Status.OPEN
