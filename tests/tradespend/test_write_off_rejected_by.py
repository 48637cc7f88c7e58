"""Who rejected a requested write-off, and when, is kept and shown (QA, month-end): the rejection reopened the dispute
and only its reason stayed, as the outcome note, until finance asked again. The deduction sheet, the disputes list,
its Excel and the API's dispute name the approver who rejected it and the time, whatever followed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ka_portal.errors import DomainError
from tests.imports.xlsx import read_xlsx
from tests.tradespend.matching_data import matching_deduction
from tradespend.disputes import dispute_open, dispute_write_off, dispute_write_off_approve, dispute_write_off_reject
from tradespend.models import Dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(finance, manager, matching_invoice):
    """A TG fee of 8,000.00 (above the approval threshold) disputed by finance, its write-off asked for and rejected by
    王敏, the account's KA manager."""
    manager.first_name, manager.last_name = "敏", "王"
    manager.save()
    deduction = matching_deduction(matching_invoice, "8000.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="金额小，接受", by=finance)
    before = timezone.now()
    dispute = dispute_write_off_reject(dispute=dispute, reason="先找门店核对", by=manager)
    assert dispute.status == Dispute.Status.OPEN
    assert dispute.write_off_rejected_by == manager and dispute.write_off_rejected_at >= before
    return dispute


def _shown(moment) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _cell(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">')[1].split("<")[0]


def test_the_sheet_names_who_rejected_it_and_when(client, finance, rejected):
    client.force_login(finance)
    page = client.get(
        reverse("tradespend:deduction-sheet", args=[rejected.deduction_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Write-off rejected by" in page and _cell(page, "dispute-rejected-by") == "王敏"
    assert _cell(page, "dispute-rejected-at") == _shown(rejected.write_off_rejected_at)


def test_it_stays_when_finance_asks_again_and_the_write_off_is_approved(client, finance, manager, rejected):
    rejected_at = rejected.write_off_rejected_at
    dispute = dispute_write_off(dispute=rejected, note="门店确认无误", by=finance)
    dispute = dispute_write_off_approve(dispute=dispute, by=manager)
    assert dispute.status == Dispute.Status.WRITTEN_OFF
    assert (dispute.write_off_rejected_by, dispute.write_off_rejected_at) == (manager, rejected_at)
    client.force_login(finance)
    page = client.get(
        reverse("tradespend:deduction-sheet", args=[dispute.deduction_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert _cell(page, "dispute-rejected-by") == "王敏" and _cell(page, "dispute-resolved-by") == "王敏"


def test_a_rejection_refused_records_no_one(finance, manager, matching_invoice):
    deduction = matching_deduction(matching_invoice, "8000.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="接受", by=finance)
    with pytest.raises(DomainError) as refusal:
        dispute_write_off_reject(dispute=dispute, reason="  ", by=manager)
    assert refusal.value.code == "dispute.needs_reason"
    with pytest.raises(DomainError) as refusal:
        dispute_write_off_reject(dispute=dispute, reason="不行", by=finance)  # finance cannot approve or reject it
    assert refusal.value.code == "dispute.approval_needs_owner"
    dispute.refresh_from_db()
    assert (dispute.status, dispute.write_off_rejected_by, dispute.write_off_rejected_at) == (
        Dispute.Status.WRITE_OFF_REQUESTED, None, None
    )  # fmt: skip


def test_no_rejection_shows_nothing(client, finance, matching_invoice):
    dispute = dispute_open(
        deduction=matching_deduction(matching_invoice, "600.00"), reason="无合同依据", owner=finance, by=finance
    )
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[dispute.deduction_id])).content.decode()
    assert 'data-testid="dispute-rejected-by"' not in page
    listed = client.get(reverse("tradespend:disputes")).content.decode()
    assert 'data-testid="rejected"' not in listed and 'data-testid="rejected-phone"' not in listed


def test_the_disputes_list_and_its_excel_name_them(client, finance, rejected):
    client.force_login(finance)
    page = client.get(reverse("tradespend:disputes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split(f'data-dispute="{rejected.pk}"')[1].split("</tr>")[0]
    wide = row.split('data-testid="rejected">')[1].split("</span></span>")[0]
    assert "Write-off rejected by 王敏" in wide and _shown(rejected.write_off_rejected_at) in wide
    phone = row.split('data-testid="rejected-phone">')[1].split("</dd>")[0]
    assert "王敏" in phone and _shown(rejected.write_off_rejected_at) in phone
    export = client.get(reverse("tradespend:disputes"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(export.streaming_content)).values()
    headers, values = rows[0], rows[1]
    assert values[headers.index("Write-off rejected by")] == "王敏"
    at = timezone.localtime(rejected.write_off_rejected_at).replace(tzinfo=None)
    assert abs(values[headers.index("Write-off rejected at")] - at) < timedelta(seconds=1)


def test_the_api_names_them_read_only(api_client, finance, manager, rejected):
    api_client.force_authenticate(manager)
    found = api_client.get(f"/api/v1/disputes/{rejected.pk}/").json()
    assert found["write_off_rejected_by"] == "mgr_a" and found["write_off_rejected_at"] is not None
    listed = api_client.get("/api/v1/disputes/").json()["results"]
    assert [(d["id"], d["write_off_rejected_by"]) for d in listed] == [(rejected.pk, "mgr_a")]
    # read-only: a step's body naming them is refused, naming each, and changes nothing
    api_client.force_authenticate(finance)
    answer = api_client.post(
        f"/api/v1/disputes/{rejected.pk}/write-off/",
        {"note": "再次申请", "write_off_rejected_by": "fin_a", "write_off_rejected_at": None},
        format="json",
        HTTP_IDEMPOTENCY_KEY="again-1",
    )
    assert answer.status_code == 400, answer.content
    assert set(answer.json()["errors"]) == {"write_off_rejected_by", "write_off_rejected_at"}
    assert api_client.get(f"/api/v1/disputes/{rejected.pk}/").json()["write_off_rejected_by"] == "mgr_a"
