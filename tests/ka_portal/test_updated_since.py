"""?updated_since= on the lists integrations sync (ka_portal/updated_since.py), and the `updated_at` every write path
sets (ka_portal/updated_at.py): a service's save of a few fields, the bulk writes of an allocation across invoices,
the nightly run, an import's upsert. On SQLite and PostgreSQL alike (the PostgreSQL leg runs this module too)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import CreditNote, Invoice, Payment
from imports.registry import KINDS
from imports.runner import run_import
from stores.models import Delivery
from tests.contracts.factories import InvoiceFactory
from tests.factories import DeliveryFactory, KeyAccountFactory, ProductFactory, StoreFactory
from tests.imports.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _age(model, **lookup) -> None:
    """Mark rows as last changed long ago (a QuerySet.update naming updated_at itself)."""
    model.objects.filter(**lookup).update(updated_at=LONG_AGO)


def _changed_since(model, pk) -> bool:
    return model.objects.get(pk=pk).updated_at > LONG_AGO


# --- the parameter ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    ["2026-12-01", "2026-12-01T08:00:00", "yesterday", "2026-02-30T08:00:00+08:00", "1733040000", "100%s"],
    ids=["a-day", "no-offset", "a-word", "no-such-day", "a-timestamp", "a-percent"],
)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/deliveries/",
        "/api/v1/invoices/",
        "/api/v1/payments/",
        "/api/v1/credit-notes/",
        "/api/v1/accrual-lines/",
    ],
)
def test_a_moment_without_offset_or_no_moment_is_refused_naming_the_parameter(api_client, admin_user, url, sent):
    api_client.force_authenticate(admin_user)

    refused = api_client.get(url, {"updated_since": sent}, **EN)

    assert refused.status_code == 400
    body = refused.json()
    assert list(body["errors"]) == ["updated_since"]
    assert f"“{sent}” is not a date and time with its offset" in body["detail"]


def test_the_deliveries_page_does_not_offer_it(client, admin_user):
    """API only: the page's filters are the API list's FilterSet without it."""
    client.force_login(admin_user)

    page = client.get(reverse("delivery-list"))

    assert page.status_code == 200 and 'name="updated_since"' not in page.content.decode()


# --- deliveries -------------------------------------------------------------------------------------------------------


def test_deliveries_changed_since_a_moment_come_oldest_change_first_with_their_time(api_client, admin_user):
    old, first, second = DeliveryFactory.create_batch(3)
    Delivery.objects.filter(pk=old.pk).update(updated_at=LONG_AGO)
    Delivery.objects.filter(pk=second.pk).update(updated_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    Delivery.objects.filter(pk=first.pk).update(updated_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    api_client.force_authenticate(admin_user)

    since = api_client.get("/api/v1/deliveries/", {"updated_since": "2026-12-01T08:00:00+08:00"}, **EN).json()
    unencoded = api_client.get("/api/v1/deliveries/?updated_since=2026-12-01T08:00:00+08:00", **EN).json()

    assert [row["id"] for row in since["results"]] == [first.pk, second.pk]
    assert [row["updated_at"] for row in since["results"]] == ["2026-12-01T08:00:00+08:00", "2026-12-01T09:00:00+08:00"]
    assert unencoded["results"] == since["results"]  # a + not sent as %2B arrives as a space: still +08:00


def test_a_pull_pages_through_ties_by_cursor_each_row_once(api_client, admin_user):
    """Rows changed in the same instant (an import's batch) are walked in id order, none skipped or read twice."""
    deliveries = DeliveryFactory.create_batch(7)
    Delivery.objects.update(updated_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    api_client.force_authenticate(admin_user)

    seen, page = (
        [],
        api_client.get(
            "/api/v1/deliveries/", {"updated_since": "2026-12-01T00:00:00Z", "cursor": "", "page_size": 3}, **EN
        ),
    )
    while True:
        body = page.json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        page = api_client.get(body["next"], **EN)

    assert seen == sorted(d.pk for d in deliveries)


def test_a_delivery_saved_through_the_api_is_changed_now(api_client, admin_user):
    delivery = DeliveryFactory(quantity=10)
    _age(Delivery, pk=delivery.pk)
    api_client.force_authenticate(admin_user)

    answer = api_client.patch(f"/api/v1/deliveries/{delivery.pk}/", {"quantity": 12}, format="json", **EN)

    assert answer.status_code == 200, answer.content
    assert _changed_since(Delivery, delivery.pk)
    assert answer.json()["updated_at"].endswith("+08:00")


def test_an_import_updating_a_delivery_marks_it_changed_and_leaves_an_unchanged_one_alone(admin_user):
    store, product = StoreFactory(code="S1"), ProductFactory(code="P1")
    changed = DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=10, reference="DN-1")
    same = DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=5, reference="DN-2")
    _age(Delivery)
    header = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]
    rows = [["S1", "P1", "2026-03-01", 12, None, "DN-1"], ["S1", "P1", "2026-03-01", 5, None, "DN-2"]]

    result = run_import(kind=KINDS["deliveries"], source=xlsx_upload(header, rows), user=admin_user)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _changed_since(Delivery, changed.pk)
    assert not _changed_since(Delivery, same.pk)


# --- invoices, payments, credit notes ---------------------------------------------------------------------------------


@pytest.fixture
def invoice(db):
    return InvoiceFactory(date=date(2026, 9, 1), amount=Decimal("10000.00"))


def test_an_allocation_marks_the_invoice_and_its_payment_changed(invoice, finance):
    _age(Invoice)

    payment = services.payment_record(
        account=invoice.account,
        date=date(2026, 10, 8),
        amount=Decimal("3000.00"),
        allocations=[(invoice, Decimal("3000.00"))],
        by=finance,
    )

    assert _changed_since(Invoice, invoice.pk)
    _age(Invoice)
    _age(Payment)
    services.payment_reverse(payment=payment, by=finance, reason="退票")  # saves a few fields of each
    assert _changed_since(Invoice, invoice.pk) and _changed_since(Payment, payment.pk)


def test_a_write_off_marks_the_invoice_changed(invoice, finance):
    _age(Invoice)

    services.invoice_write_off(invoice=invoice, reason="客户破产", by=finance)

    assert _changed_since(Invoice, invoice.pk)


def test_a_settlement_written_in_bulk_marks_its_invoices_changed(invoice, finance):
    other = InvoiceFactory(account=invoice.account, date=date(2026, 9, 2))
    untouched = InvoiceFactory(account=invoice.account, date=date(2026, 9, 3))
    _age(Invoice)
    locked = list(Invoice.objects.select_for_update().filter(pk__in=[invoice.pk, other.pk]).order_by("pk"))

    services.settlement_record(
        account=invoice.account,
        date=date(2026, 10, 8),
        amount=Decimal("2000.00"),
        reference="RM-1",
        allocations=[(locked[0], Decimal("1000.00")), (locked[1], Decimal("1000.00"))],
        deductions=[],
        by=finance,
    )

    assert _changed_since(Invoice, invoice.pk) and _changed_since(Invoice, other.pk)
    assert not _changed_since(Invoice, untouched.pk)


def test_the_nightly_run_moving_an_invoice_to_a_worse_bucket_marks_it_changed(invoice):
    _age(Invoice)

    services.receivables_nightly_run(today=invoice.due_on + timedelta(days=40))

    assert _changed_since(Invoice, invoice.pk)


def test_a_credit_note_on_an_invoice_marks_both(invoice, finance):
    _age(Invoice)

    note = services.credit_note_record(
        account=invoice.account,
        number="CN-1",
        date=date(2026, 10, 1),
        amount=Decimal("500.00"),
        reason="价差",
        invoice=invoice,
        by=finance,
    )

    assert _changed_since(Invoice, invoice.pk)
    assert CreditNote.objects.get(pk=note.pk).updated_at > LONG_AGO


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/invoices/", lambda account: InvoiceFactory(account=account)),
        (
            "/api/v1/payments/",
            lambda account: services.payment_record(
                account=account, date=date(2026, 10, 8), amount=Decimal("100.00"), auto_allocate=False
            ),
        ),
        (
            "/api/v1/credit-notes/",
            lambda account: services.credit_note_record(
                account=account, number=f"CN-{account.pk}-{timezone.now().timestamp()}", date=date(2026, 10, 1),
                amount=Decimal("100.00"), reason="价差",
            ),
        ),
    ],
    ids=["invoices", "payments", "credit-notes"],
)  # fmt: skip
def test_finance_lists_answer_only_what_changed_since(api_client, finance, url, make):
    account = KeyAccountFactory()
    old, new = make(account), make(account)
    type(old).objects.filter(pk=old.pk).update(updated_at=LONG_AGO)
    api_client.force_authenticate(finance)

    body = api_client.get(url, {"updated_since": "2026-06-01T00:00:00+08:00"}, **EN).json()

    assert [row["id"] for row in body["results"]] == [new.pk]
    moment = datetime.fromisoformat(body["results"][0]["updated_at"])
    assert moment.utcoffset() == timedelta(hours=8) and moment > datetime(2026, 6, 1, tzinfo=SHANGHAI)
