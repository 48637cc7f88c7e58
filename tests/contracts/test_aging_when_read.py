"""Overdue, aging bucket and days past due are today's truth wherever they are read (API, pages, exports,
admin), computed when read, never the nightly run's stored copy (issue 11, item 5)."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Invoice, ReceivablesRun
from contracts.receivables import Bucket
from contracts.selectors import invoice_days_past_due, invoices_for, with_aging

from .factories import ContractFactory, InvoiceFactory
from .test_receivables_rules import BUCKET_BOUNDARIES

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def on_today(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=False)
    return time_machine


@pytest.fixture
def late(account, on_today):
    """An invoice 48 days past due today, and the nightly run has never run."""
    invoice = services.invoice_create(
        account=account,
        number="INV-LATE",
        date=TODAY - timedelta(days=108),
        amount=D("1000.00"),
        due_on=TODAY - timedelta(days=48),
    )
    assert not ReceivablesRun.objects.exists()
    return invoice


def _api_invoice(api_client, user, number):
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/invoices/", {"search": number})
    assert response.status_code == 200
    (row,) = [r for r in response.json()["results"] if r["number"] == number]
    return row


def test_api_reads_an_invoice_48_days_past_due_as_overdue_without_a_nightly_run(api_client, finance, late):
    row = _api_invoice(api_client, finance, "INV-LATE")
    assert (row["overdue"], row["aging_bucket"], row["days_past_due"]) == (True, "31_60", 48)
    detail = api_client.get(f"/api/v1/invoices/{late.pk}/").json()
    assert (detail["overdue"], detail["aging_bucket"], detail["days_past_due"]) == (True, "31_60", 48)


def test_api_overdue_filter_is_todays(api_client, finance, account, late):
    services.invoice_create(account=account, number="INV-FRESH", date=TODAY, amount=D("500.00"))
    api_client.force_authenticate(finance)
    overdue = api_client.get("/api/v1/invoices/", {"overdue": "true"}).json()["results"]
    not_overdue = api_client.get("/api/v1/invoices/", {"overdue": "false"}).json()["results"]
    assert [r["number"] for r in overdue] == ["INV-LATE"]
    assert [r["number"] for r in not_overdue] == ["INV-FRESH"]
    assert not_overdue[0]["aging_bucket"] == "not_due" and not_overdue[0]["days_past_due"] == 0


def test_moving_the_date_changes_the_answer_without_a_job(api_client, finance, late, on_today):
    # when 13 days pass (61 days past due) and still no job has run
    on_today.move_to(datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI), tick=False)
    row = _api_invoice(api_client, finance, "INV-LATE")
    assert (row["overdue"], row["aging_bucket"], row["days_past_due"]) == (True, "61_90", 61)
    # and back before its due date it is not due
    on_today.move_to(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    row = _api_invoice(api_client, finance, "INV-LATE")
    assert (row["overdue"], row["aging_bucket"], row["days_past_due"]) == (False, "not_due", 0)
    assert not ReceivablesRun.objects.exists()


def test_a_settled_invoice_is_not_aging(api_client, finance, account, late):
    services.payment_record(account=account, date=TODAY, amount=D("1000.00"))
    row = _api_invoice(api_client, finance, "INV-LATE")
    assert (row["status"], row["overdue"], row["aging_bucket"], row["days_past_due"]) == ("paid", False, None, None)


def test_a_stale_snapshot_from_the_nightly_run_is_not_what_is_shown(api_client, finance, late):
    # given the nightly run ran 30 days ago (the invoice was 18 days past due then)
    services.receivables_nightly_run(today=TODAY - timedelta(days=30))
    assert Invoice.objects.get(pk=late.pk).last_run_bucket == Bucket.D1_30
    # then what is read is today's bucket
    assert _api_invoice(api_client, finance, "INV-LATE")["aging_bucket"] == "31_60"


def test_receivables_page_and_contract_page_show_it_overdue(client, finance, account, late):
    client.force_login(finance)
    page = client.get(reverse("contracts:receivables-account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = page.content.decode()
    assert "48 days past due" in page
    assert 'data-testid="invoice-overdue">Overdue · 31–60 days</span>' in page

    contract = ContractFactory(account=account)
    Invoice.objects.filter(pk=late.pk).update(contract=contract)
    page = client.get(reverse("contracts:contract-detail", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = page.content.decode()
    assert 'data-testid="invoice-overdue">Overdue · 31–60 days</span>' in page


def test_receivables_page_in_chinese(client, finance, account, late):
    client.force_login(finance)
    page = client.get(
        reverse("contracts:receivables-account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "31–60天" in page


def test_aging_drill_down_page_and_export_read_31_60_and_48_days(client, finance, late):
    client.force_login(finance)
    url = reverse("contracts:aging-invoices")
    page = client.get(url, {"bucket": "31_60"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "INV-LATE" in page and "31–60 days" in page
    response = client.get(url, {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, (line,) = rows[0], rows[1:]
    assert dict(zip(header, line, strict=True))["Days past due"] == 48
    assert dict(zip(header, line, strict=True))["Aging bucket"] == "31–60 days"


def test_aging_report_api_takes_as_of(api_client, finance, late):
    api_client.force_authenticate(finance)
    today = api_client.get("/api/v1/reports/aging/").json()
    assert today["as_of"] == "2026-11-23"
    assert today["total"]["buckets"]["31_60"] == "1000.00"
    back = api_client.get("/api/v1/reports/aging/", {"as_of": (TODAY - timedelta(days=40)).isoformat()}).json()
    assert back["total"]["buckets"]["1_30"] == "1000.00" and back["total"]["buckets"]["31_60"] == "0.00"
    page = api_client.get("/api/v1/reports/aging/", {"as_of": "2026-13-01"})
    assert page.status_code == 400


def test_aging_page_takes_as_of(client, finance, late):
    client.force_login(finance)
    response = client.get(reverse("contracts:aging"), {"as_of": (TODAY - timedelta(days=40)).isoformat()})
    assert response.context["report"].total.buckets[Bucket.D1_30] == D("1000.00")
    response = client.get(reverse("contracts:aging"))
    assert response.context["report"].total.buckets[Bucket.D31_60] == D("1000.00")


@pytest.mark.parametrize("days_after_due, bucket", [(-3, Bucket.NOT_DUE), *BUCKET_BOUNDARIES, (400, Bucket.OVER_90)])
def test_the_query_annotation_agrees_with_the_pure_rule(account, finance, days_after_due, bucket):
    due = date(2026, 6, 30)
    InvoiceFactory(account=account, date=due - timedelta(days=30), due_on=due)
    (invoice,) = with_aging(invoices_for(finance), as_of=due + timedelta(days=days_after_due))
    assert invoice.aging_bucket == bucket
    assert invoice.overdue is (days_after_due > 0)
    assert invoice_days_past_due(invoice) == max(days_after_due, 0)


def test_invoice_list_runs_a_fixed_number_of_queries(api_client, finance, account, on_today):
    contract = ContractFactory(account=account)
    api_client.force_authenticate(finance)

    def listed(count):
        for n in range(Invoice.objects.count(), count):
            InvoiceFactory(
                account=account, contract=contract, date=TODAY - timedelta(days=90), due_on=TODAY - timedelta(days=n)
            )
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get("/api/v1/invoices/", {"overdue": "true"}).json()
        assert body["count"] == count - 1  # the one due today is not yet overdue
        assert all(row["aging_bucket"] for row in body["results"])
        return len(queries)

    api_client.get("/api/v1/invoices/")  # warm up: the user's permissions are cached after the first request
    assert listed(2) == listed(20) <= 3


def test_a_contract_past_its_end_reads_expired_before_the_nightly_run(api_client, client, finance, account, on_today):
    # given an active contract that ended yesterday and one running on; no nightly run since
    ended = ContractFactory(account=account, number="HT-ENDED", valid_to=TODAY - timedelta(days=1))
    running = ContractFactory(account=account, number="HT-RUNNING", valid_to=TODAY + timedelta(days=100))
    assert ended.status == "active"
    # then the API, its status filter, the ledger page and its export say expired
    api_client.force_authenticate(finance)
    assert api_client.get(f"/api/v1/contracts/{ended.pk}/").json()["status"] == "expired"
    assert api_client.get(f"/api/v1/contracts/{running.pk}/").json()["status"] == "active"
    expired = api_client.get("/api/v1/contracts/", {"status": "expired"}).json()["results"]
    active = api_client.get("/api/v1/contracts/", {"status": "active"}).json()["results"]
    assert ([c["number"] for c in expired], [c["number"] for c in active]) == (["HT-ENDED"], ["HT-RUNNING"])
    client.force_login(finance)
    page = client.get(reverse("contracts:contract-detail", args=[ended.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="contract-status">Expired<' in page.content.decode()
    response = client.get(reverse("contracts:contract-list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    status = {row[0]: dict(zip(rows[0], row, strict=True))["Status"] for row in rows[1:]}
    assert status == {"HT-ENDED": "Expired", "HT-RUNNING": "Active"}


def test_the_admin_lists_todays_bucket_and_filters_overdue_today(client, admin_user, account, late):
    services.invoice_create(account=account, number="INV-FRESH", date=TODAY, amount=D("500.00"))
    client.force_login(admin_user)
    url = reverse("admin:contracts_invoice_changelist")
    page = client.get(url, {"overdue": "yes"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "INV-LATE" in page and "31–60 days" in page and "INV-FRESH" not in page
    page = client.get(url, {"overdue": "no"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "INV-FRESH" in page and "INV-LATE" not in page
