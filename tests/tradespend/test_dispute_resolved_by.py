"""Who resolved a dispute and when is shown where finance and the KA manager look (QA): the approval of a write-off
was stored (resolved_by, resolved_at) and shown nowhere. The deduction sheet, the disputes list, its Excel and the
API's dispute name the approver, the time, and who asked for the write-off."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ka_portal.formatting import display_name
from tests.imports.xlsx import read_xlsx
from tests.tradespend.matching_data import matching_deduction
from tradespend.disputes import dispute_open, dispute_recover, dispute_write_off, dispute_write_off_approve
from tradespend.models import Dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(finance, manager, matching_invoice):
    """A TG fee of 8,000.00 (above the approval threshold) disputed by 李娜 of finance, its write-off asked for and
    approved by 王敏, the account's KA manager."""
    finance.first_name, finance.last_name = "娜", "李"
    finance.save()
    manager.first_name, manager.last_name = "敏", "王"
    manager.save()
    deduction = matching_deduction(matching_invoice, "8000.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="金额小，接受", by=finance)
    dispute = dispute_write_off_approve(dispute=dispute, by=manager)
    assert dispute.status == Dispute.Status.WRITTEN_OFF and dispute.resolved_at is not None
    return dispute


def _shown_at(dispute) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(dispute.resolved_at), "SHORT_DATETIME_FORMAT")


def _cell(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">')[1].split("<")[0]


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_the_sheet_names_the_approver_the_time_and_who_asked(client, request, approved, who):
    client.force_login(request.getfixturevalue(who))
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[approved.deduction_id]), HTTP_ACCEPT_LANGUAGE="en")
    page = sheet.content.decode()
    assert "Resolved by" in page and _cell(page, "dispute-resolved-by") == "王敏"
    assert _cell(page, "dispute-resolved-at") == _shown_at(approved)
    assert "Write-off requested by" in page and _cell(page, "dispute-requested-by") == "李娜"


def test_a_recovery_names_who_recorded_it_and_asks_no_approver(client, finance, matching_invoice):
    deduction = matching_deduction(matching_invoice, "600.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute = dispute_recover(dispute=dispute, amount=deduction.amount, on=deduction.date, by=finance)
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert _cell(page, "dispute-resolved-by") == display_name(finance)
    assert 'data-testid="dispute-requested-by"' not in page


def test_an_open_dispute_has_no_resolution_yet(client, finance, matching_invoice):
    dispute = dispute_open(
        deduction=matching_deduction(matching_invoice, "600.00"), reason="无合同依据", owner=finance, by=finance
    )
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[dispute.deduction_id])).content.decode()
    assert 'data-testid="dispute-resolved-by"' not in page and 'data-testid="dispute-resolved-at"' not in page


def test_the_disputes_list_and_its_excel_name_them(client, finance, approved):
    client.force_login(finance)
    page = client.get(reverse("tradespend:disputes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split(f'data-dispute="{approved.pk}"')[1].split("</tr>")[0]
    assert "王敏" in row and _shown_at(approved) in row
    export = client.get(reverse("tradespend:disputes"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(export.streaming_content)).values()
    headers, values = rows[0], rows[1]
    assert values[headers.index("Write-off requested by")] == "李娜"
    assert values[headers.index("Resolved by")] == "王敏"
    at = timezone.localtime(approved.resolved_at).replace(tzinfo=None)
    assert abs(values[headers.index("Resolved at")] - at) < timedelta(seconds=1)


def test_the_api_names_them(api_client, manager, approved):
    api_client.force_authenticate(manager)
    found = api_client.get(f"/api/v1/disputes/{approved.pk}/").json()
    assert (found["write_off_requested_by"], found["resolved_by"]) == ("fin_a", "mgr_a")
    assert found["resolved_at"] is not None
    listed = api_client.get("/api/v1/disputes/").json()["results"]
    assert [(d["id"], d["resolved_by"]) for d in listed] == [(approved.pk, "mgr_a")]
