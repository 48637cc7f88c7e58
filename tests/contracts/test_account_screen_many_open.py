"""The account screen of a chain with many open invoices (a chain invoiced store by store has thousands open at once:
9,466 for the biggest of the issue-15 bench made an 8 MB page). It shows the oldest (OPEN_ROWS) and all of them a
page at a time; a payment by hand takes amounts for those shown; the deduction's and the credit note's invoice is any
open one, a box for its number past RecordChoice.MANY; the overdue total is over every open invoice."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services, views
from contracts.models import Deduction, Payment
from ka_portal.lists import RecordChoice
from tests.factories import KeyAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(account, monkeypatch):
    """Seven open invoices of 100.00, a day apart, the first five overdue; the screen shows three."""
    monkeypatch.setattr(views, "OPEN_ROWS", 3)
    today = timezone.localdate()
    return [
        services.invoice_create(
            account=account,
            number=f"MANY-{n}",
            date=today - timedelta(days=40 - n),
            amount=D("100.00"),
            due_on=today - timedelta(days=5 - n),
        )  # fmt: skip
        for n in range(7)
    ]


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-invoice="([^"]+)"', page)


def test_the_screen_shows_the_oldest_open_invoices_and_all_of_them_a_page_at_a_time(client, finance, account, many):
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[account.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert _rows(page) == ["MANY-0", "MANY-1", "MANY-2"]
    assert "Showing the 3 oldest of 7." in page and "Show all open invoices" in page
    # the overdue total is every open invoice's past its due date, not only those shown
    assert response.context["overdue_total"] == D("500.00")
    # the payment's amounts by hand are for those shown, and it says so
    fields = [name for name in response.context["payment_form"].fields if name.startswith("allocate_")]
    assert fields == [f"allocate_{invoice.pk}" for invoice in many[:3]]
    assert "The 3 open invoices shown below, of 7" in page
    # all of them, a page at a time (25 a page), and back to the oldest
    link = re.search(r'href="([^"]*)" class="text-nowrap" data-testid="open-invoices-all"', page).group(1)
    assert "open=all" in link
    page = client.get(url, {"open": "all"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(page) == [invoice.number for invoice in many]
    assert 'data-testid="open-invoices-recent"' in page


def test_a_payment_by_hand_takes_the_shown_invoices_and_one_named_since_it_was_read(client, finance, account, many):
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[account.pk])
    form = {
        "action": "payment", "payment-date": timezone.localdate().isoformat(), "payment-amount": "150.00",
        "payment-mode": "by_hand", "payment-request_key": str(uuid.uuid4()),
        f"payment-allocate_{many[1].pk}": "100.00",
        f"payment-allocate_{many[5].pk}": "50.00",  # not among the three shown: its amount still counts
    }  # fmt: skip
    client.post(url, form)
    payment = Payment.objects.get()
    allocated = {a.invoice.number: a.amount for a in payment.allocations.select_related("invoice")}
    assert allocated == {"MANY-1": D("100.00"), "MANY-5": D("50.00")}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_deduction_names_its_invoice_by_number_in_a_box_past_many(client, finance, account, many, monkeypatch,
                                                                      language):  # fmt: skip
    monkeypatch.setattr(RecordChoice, "MANY", 5)
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[account.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    box = re.search(r'<input type="text" name="deduction-invoice"[^>]*>', page).group(0)
    assert ('placeholder="Invoice number"' if language == "en" else 'placeholder="发票号"') in box
    # as the clerk types, the box offers the account's open invoices the API's search finds (record-lookup.js)
    lookup = f"{reverse('invoice-list')}?account={account.code}&amp;open=true"
    assert f'data-lookup="{lookup}"' in box and 'data-lookup-key="number"' in box
    assert 'data-lookup-show="date open_amount"' in box and 'list="id_deduction-invoice-found"' in box
    form = {"action": "deduction", "deduction-date": timezone.localdate().isoformat(), "deduction-kind": "tg",
            "deduction-amount": "20.00", "deduction-reason": "堆头费"}  # fmt: skip
    # a number no open invoice of the account has: refused beside the box, kept
    answer = client.post(url, {**form, "deduction-invoice": "MANY-99"}, HTTP_ACCEPT_LANGUAGE=language)
    said = {"en": "No open invoice of this account has this number.", "zh-hans": "该客户没有此号码的未结发票。"}
    assert answer.context["deduction_form"].errors["invoice"] == [said[language]]
    assert 'value="MANY-99"' in re.search(r'<input type="text" name="deduction-invoice"[^>]*>',
                                           answer.content.decode()).group(0)  # fmt: skip
    assert not Deduction.objects.exists()
    # the sixth, beyond the screen's three: taken by its number
    client.post(url, {**form, "deduction-invoice": "MANY-6"})
    assert Deduction.objects.get().invoice == many[6]


def test_the_invoice_box_offers_what_the_api_finds_among_the_accounts_open_invoices(client, finance, account, many):
    """What the deduction's box asks the API (its data-lookup and ?search=): this account's open invoices whose number
    the words find, not a settled one, nor another chain's."""
    services.invoice_write_off(invoice=many[2], reason="坏账", by=finance)
    other = KeyAccountFactory(code="OTHER")
    services.invoice_create(
        account=other, number="MANY-OTHER", date=timezone.localdate(), amount=D("1.00"), due_on=timezone.localdate()
    )
    client.force_login(finance)
    answer = client.get(reverse("invoice-list"), {"account": account.code, "open": "true", "search": "MANY-"})
    assert [row["number"] for row in answer.json()["results"]] == [f"MANY-{n}" for n in (0, 1, 3, 4, 5, 6)]
    assert all(row["open_amount"] == "100.00" for row in answer.json()["results"])
    answer = client.get(reverse("invoice-list"), {"account": account.code, "open": "false"})
    assert [row["number"] for row in answer.json()["results"]] == ["MANY-2"]


def test_a_settled_account_says_nothing_is_open(client, finance, account):
    client.force_login(finance)
    page = client.get(reverse("contracts:receivables-account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing is open: every invoice is settled." in page.content.decode()
    assert page.context["overdue_total"] == D("0.00") and not _rows(page.content.decode())
