"""An open dispute with nothing unsupported left closes as supported (QA): the deduction was matched meanwhile, or its
write-off was rejected for that, and recovering and writing off both refused, so it stayed open for ever. Finance
closes it (page and API, who and when kept); refused while any of it is unsupported (``dispute.still_unsupported``);
opened again once the deduction is unsupported again."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ka_portal.errors import DomainError
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import (
    dispute_close,
    dispute_open,
    dispute_recover,
    dispute_write_off,
    dispute_write_off_reject,
)
from tradespend.matching import deduction_match_add, deduction_match_remove
from tradespend.models import Dispute

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


@pytest.fixture
def disputed(finance, matching_invoice):
    """An unsupported TG fee of 8,000.00, disputed."""
    deduction = matching_deduction(matching_invoice, "8000.00")
    return dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)


def _match(finance, dispute, amount="8000.00"):
    """Finance finds the fee in the ledger meanwhile and matches it by hand."""
    line = matching_line(dispute.deduction.account, SEP, "8000.00")
    return deduction_match_add(deduction=dispute.deduction, line=line, amount=Decimal(amount), by=finance)


def test_matched_meanwhile_only_closing_is_left_and_the_sheet_offers_it(client, finance, disputed):
    _match(finance, disputed)
    # recovering and writing off have nothing to take
    with pytest.raises(DomainError) as recover:
        dispute_recover(dispute=disputed, amount=Decimal("1.00"), on=date(2026, 9, 25), by=finance)
    with pytest.raises(DomainError) as write_off:
        dispute_write_off(dispute=disputed, note="接受", by=finance)
    assert (recover.value.code, write_off.value.code) == ("dispute.beyond_unsupported", "dispute.nothing_unsupported")
    sheet = reverse("tradespend:deduction-sheet", args=[disputed.deduction_id])
    client.force_login(finance)
    page = client.get(sheet).content.decode()
    assert 'data-testid="closable"' in page and 'data-testid="close"' in page
    assert 'data-testid="recover-form"' not in page and 'data-testid="write-off-form"' not in page
    # closed from the sheet: who and when kept, and said
    answer = client.post(sheet, {"action": "close", "note": "已找到合同条款"}, follow=True).content.decode()
    assert "Dispute closed: the ledger supports the deduction in full." in answer
    assert "Closed: supported in full" in answer and 'data-testid="close"' not in answer
    disputed.refresh_from_db()
    assert (disputed.status, disputed.resolved_by, disputed.outcome_note) == ("supported", finance, "已找到合同条款")
    assert disputed.resolved_at is not None


def test_a_write_off_rejected_because_it_was_matched_is_closed_through_the_api(api_client, finance, manager, disputed):
    dispute_write_off(dispute=disputed, note="金额小，接受", by=finance)  # 8,000.00: the KA manager approves it
    _match(finance, disputed)
    dispute_write_off_reject(dispute=disputed, reason="已匹配，无需核销", by=manager)
    api_client.force_authenticate(finance)
    answer = api_client.post(f"/api/v1/disputes/{disputed.pk}/close/", {"note": ""}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["resolved_by"], answer.json()["unsupported"]) == (
        "supported", "fin_a", "0.00",
    )  # fmt: skip


def test_refused_while_any_of_it_is_unsupported(api_client, finance, disputed):
    _match(finance, disputed, amount="6000.00")  # beyond the matching tolerance: 2,000.00 unsupported
    with pytest.raises(DomainError) as refused:
        dispute_close(dispute=disputed, by=finance)
    assert refused.value.code == "dispute.still_unsupported" and "2,000.00" in refused.value.detail
    api_client.force_authenticate(finance)
    answer = api_client.post(f"/api/v1/disputes/{disputed.pk}/close/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 409
    assert (answer.json()["code"], answer.json()["params"]) == ("dispute.still_unsupported", {"unsupported": "2000.00"})
    disputed.refresh_from_db()
    assert (disputed.status, disputed.resolved_at) == (Dispute.Status.OPEN, None)


def test_only_finance_closes(api_client, client, manager, finance, disputed):
    _match(finance, disputed)
    with pytest.raises(DomainError) as refused:
        dispute_close(dispute=disputed, by=manager)
    assert refused.value.code == "dispute.needs_finance"
    client.force_login(manager)
    page = client.get(reverse("tradespend:deduction-sheet", args=[disputed.deduction_id])).content.decode()
    assert 'data-testid="close"' not in page


def test_the_disputes_list_points_at_those_to_close(client, finance, disputed, matching_invoice):
    still = dispute_open(
        deduction=matching_deduction(matching_invoice, "300.00", reference="B"), reason="无依据", owner=finance,
        by=finance,
    )  # fmt: skip
    _match(finance, disputed)
    client.force_login(finance)
    page = client.get(reverse("tradespend:disputes")).content.decode()
    closable = page.split(f'data-dispute="{disputed.pk}"')[1].split("</tr>")[0]
    other = page.split(f'data-dispute="{still.pk}"')[1].split("</tr>")[0]
    assert "Supported in full: close it" in closable and "Supported in full: close it" not in other


def test_unsupported_again_the_dispute_is_taken_up_again(client, finance, disputed):
    match = _match(finance, disputed)
    dispute_close(dispute=disputed, by=finance)
    deduction_match_remove(match=match, by=finance)  # the match was wrong after all
    sheet = reverse("tradespend:deduction-sheet", args=[disputed.deduction_id])
    client.force_login(finance)
    page = client.get(sheet).content.decode()
    assert 'data-testid="unsupported-again"' in page and 'data-testid="dispute-form"' in page
    client.post(sheet, {"action": "dispute_open", "dispute-reason": "匹配有误，重新追讨"})
    again = Dispute.objects.get(deduction=disputed.deduction)
    assert again.pk == disputed.pk
    assert (again.status, again.reason) == ("open", "匹配有误，重新追讨")
    assert (again.resolved_by, again.resolved_at) == (None, None)
