"""Credit notes (issue 12): they lower an invoice's open amount (never beyond it) and the balance the chain owes,
show on the receivables page and the statement, and are issued by finance through the page or the API
(account by code, Idempotency-Key); a KA manager reads only their accounts' credit notes."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import CreditNote, Invoice
from contracts.selectors import account_balance, account_reconciliation, aging_report, statement
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory

from .factories import InvoiceFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_credit_note_on_an_invoice_lowers_its_open_amount_and_the_balance(account, finance):
    # given an invoice of 1,000 dated 1 March
    invoice = InvoiceFactory(account=account, number="FP-1", date=date(2026, 3, 1), amount=D("1000.00"))

    # when a credit note of 150 names it on 20 March
    services.credit_note_record(
        account=account, number="HZ-1", date=date(2026, 3, 20), amount=D("150.00"), reason="退货", invoice=invoice,
        by=finance,
    )  # fmt: skip

    # then the invoice has 850 open, the books reconcile, and the balance drops on the credit note's day
    invoice.refresh_from_db()
    assert invoice.open_amount == D("850.00") and invoice.status == Invoice.Status.PARTLY_PAID
    books = account_reconciliation(account)
    assert books.credited == D("150.00") and books.reconciles
    assert account_balance(account, date(2026, 3, 19)) == D("1000.00")
    assert account_balance(account, date(2026, 3, 20)) == D("850.00")
    assert aging_report(finance, as_of=date(2026, 3, 19)).total.total == D("1000.00")
    assert aging_report(finance, as_of=date(2026, 3, 20)).total.total == D("850.00")


def test_a_credit_note_on_no_invoice_lowers_the_balance_not_an_invoice(account, finance):
    invoice = InvoiceFactory(account=account, date=date(2026, 3, 1), amount=D("1000.00"))

    services.credit_note_record(account=account, number="HZ-2", date=date(2026, 3, 5), amount=D("40.00"), reason="价差")

    invoice.refresh_from_db()
    assert invoice.open_amount == D("1000.00")
    books = account_reconciliation(account)
    assert books.unapplied_credit == D("40.00") and books.reconciles
    assert account_balance(account, date(2026, 3, 31)) == D("960.00")


def test_never_beyond_the_open_amount_and_nothing_written(account, finance):
    invoice = InvoiceFactory(account=account, number="FP-9", date=date(2026, 3, 1), amount=D("100.00"))

    with pytest.raises(DomainError) as refused:
        services.credit_note_record(
            account=account, number="HZ-3", date=date(2026, 3, 2), amount=D("100.01"), reason="退货", invoice=invoice
        )

    assert refused.value.code == "credit_note.exceeds_invoice"
    assert refused.value.params == {"amount": D("100.01"), "open": D("100.00"), "number": "FP-9"}
    assert not CreditNote.objects.exists()
    invoice.refresh_from_db()
    assert invoice.open_amount == D("100.00")


def test_statement_shows_the_credit_line_and_closes_lower(account, finance):
    InvoiceFactory(account=account, number="FP-S", date=date(2026, 3, 1), amount=D("1000.00"))
    services.credit_note_record(account=account, number="HZ-S", date=date(2026, 3, 9), amount=D("70.00"), reason="折让")

    result = statement(account, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))

    line = next(line for line in result.lines if line.kind == "credit_note")
    assert (line.credit, line.debit, line.balance) == (D("70.00"), D("0.00"), D("930.00"))
    assert "HZ-S" in line.reference
    assert result.credited == D("70.00") and result.closing == D("930.00")


def test_receivables_page_shows_and_issues_credit_notes(client, account, finance):
    invoice = InvoiceFactory(account=account, number="FP-P", date=date(2026, 3, 1), amount=D("500.00"))
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[account.pk])

    response = client.post(
        url,
        {"action": "credit_note", "credit_note-number": "HZ-P", "credit_note-invoice": invoice.number,
         "credit_note-date": "2026-03-10", "credit_note-amount": "50.00", "credit_note-reason": "退货冲红"},
        follow=True,
    )  # fmt: skip

    html = response.content.decode()
    assert 'data-testid="credit-notes"' in html and "HZ-P" in html and "退货冲红" in html
    invoice.refresh_from_db()
    assert invoice.open_amount == D("450.00")
    statement_page = client.get(
        reverse("contracts:statement"), {"account": account.code, "date_from": "2026-03-01", "date_to": "2026-03-31"}
    ).content.decode()
    assert "HZ-P" in statement_page


def test_api_creates_by_account_code_and_repeats_with_the_same_key(api_client, account, finance):
    invoice = InvoiceFactory(account=account, date=date(2026, 3, 1), amount=D("500.00"))
    api_client.force_authenticate(finance)
    body = {"number": "HZ-API", "account": "WMT", "invoice": invoice.pk, "date": "2026-03-02", "amount": "20.00",
            "reason": "退货"}  # fmt: skip

    first = api_client.post("/api/v1/credit-notes/", body, format="json", headers={"Idempotency-Key": "cn-1"})
    again = api_client.post("/api/v1/credit-notes/", body, format="json", headers={"Idempotency-Key": "cn-1"})

    assert first.status_code == 201, first.json()
    assert first.json()["account"] == "WMT" and first.json()["invoice"] == invoice.pk
    assert again.status_code == 201 and again.json() == first.json()
    assert CreditNote.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.open_amount == D("480.00")  # taken off once

    other = api_client.post(
        "/api/v1/credit-notes/", {**body, "amount": "21.00"}, format="json", headers={"Idempotency-Key": "cn-1"}
    )
    assert other.status_code == 422


def test_an_account_id_is_not_a_code(api_client, account, finance):
    api_client.force_authenticate(finance)
    response = api_client.post(
        "/api/v1/credit-notes/",
        {"number": "HZ-ID", "account": account.pk, "date": "2026-03-02", "amount": "20.00", "reason": "退货"},
        format="json",
    )
    assert response.status_code == 400
    assert not CreditNote.objects.exists()


def test_a_manager_reads_only_their_accounts_credit_notes_and_cannot_issue(api_client, account, manager):
    # given a credit note on the manager's account and one on an account they do not own
    foreign = KeyAccountFactory(code="CRF", name="家乐福")
    services.credit_note_record(account=account, number="HZ-MINE", date=date(2026, 3, 1), amount=D("5"), reason="a")
    theirs = services.credit_note_record(
        account=foreign, number="HZ-THEIRS", date=date(2026, 3, 1), amount=D("5"), reason="b"
    )
    api_client.force_authenticate(manager)

    listed = api_client.get("/api/v1/credit-notes/").json()["results"]
    assert [row["number"] for row in listed] == ["HZ-MINE"]
    assert api_client.get(f"/api/v1/credit-notes/{theirs.pk}/").status_code == 404
    assert "HZ-THEIRS" not in api_client.get("/api/v1/credit-notes/", {"account": "CRF"}).content.decode()
    refused = api_client.post(
        "/api/v1/credit-notes/",
        {"number": "HZ-M", "account": "WMT", "date": "2026-03-02", "amount": "1.00", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 403
    assert CreditNote.objects.count() == 2


def test_reps_do_not_see_credit_notes(api_client, rep):
    api_client.force_authenticate(rep)
    assert api_client.get("/api/v1/credit-notes/").status_code == 404


@pytest.mark.parametrize("paid", [D("0.00"), D("25.00")], ids=["credit-note-alone", "with-unallocated-cash"])
def test_statement_note_explains_a_closing_balance_below_the_open_invoices(client, account, finance, paid):
    # given an invoice of 1,000 open in full, a credit note of 40 on no invoice, and perhaps 25 of unallocated cash
    InvoiceFactory(account=account, number="FP-N", date=date(2026, 3, 1), amount=D("1000.00"))
    services.credit_note_record(account=account, number="HZ-N", date=date(2026, 3, 5), amount=D("40.00"), reason="价差")
    if paid:
        services.payment_record(
            account=account, date=date(2026, 3, 6), amount=paid, reference="HK-N", auto_allocate=False, by=finance
        )

    # when finance reads the statement up to today
    client.force_login(finance)
    response = client.get(
        reverse("contracts:statement"), {"account": account.code, "date_from": "2026-03-01", "date_to": "2026-12-31"}
    )

    # then the closing balance is 1,000 − 40 − cash, and the note under it names the 40 of credit notes that no
    # invoice carries (as it names the unallocated cash), so open invoices less the note's amounts give the balance
    assert response.context["statement"].closing == D("1000.00") - D("40.00") - paid
    html = response.content.decode()
    assert 'data-testid="unallocated-note"' in html
    note = html.split('data-testid="unallocated-note">')[1].split("</p>")[0]
    assert "1,000.00" in note and "40.00" in note
    assert ("25.00" in note) == bool(paid)
