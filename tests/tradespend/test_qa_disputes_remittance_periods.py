"""QA (finance clerk): a remittance's deduction could claim 2099-07; an unknown kind was answered with English codes
while the advice's template asks for 进场费、条码费…; an unknown invoice number in the keyed-in lines added a second,
false problem ("this remittance names no invoice"). Now a claimed month past what the books take (or outside the
months the portal holds) is refused at every door that claims months (contracts.rules.claimed_months), the kinds are
listed by their labels in the reader's language, and only the real problem is said."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from contracts.models import Deduction, Payment
from contracts.rules import claimed_months
from contracts.services import deduction_record
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_upload
from tradespend.models import Remittance
from tradespend.remittances import deduction_kind

pytestmark = pytest.mark.django_db
D = Decimal
HEADERS = ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"]


def _last_month() -> date:
    """The last month a deduction may claim: a year after the month of the latest day the books take today."""
    latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
    return date(latest.year + 1, latest.month, 1)


def _next(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


@pytest.fixture
def chain():
    account = KeyAccountFactory(code="WMT")
    invoice = InvoiceFactory(number="B-1", account=account, date=date(2026, 9, 5), amount=D("8000.00"))
    return {"account": account, "invoice": invoice, "finance": make_user(Role.FINANCE)}


def _written():
    return Remittance.objects.count(), Payment.objects.count(), Deduction.objects.count()


# --- the rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (date(2099, 7, 1), None, "deduction.period_too_far_ahead"),
        (date(2026, 1, 1), date(2099, 7, 1), "deduction.period_too_far_ahead"),
        (date(1999, 12, 1), date(2026, 1, 1), "month.out_of_range"),
        (date(2101, 1, 1), None, "month.out_of_range"),
    ],
)
def test_claimed_months_refuses_months_the_books_do_not_take(start, end, code):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        claimed_months(date(2026, 10, 8), start, end, latest=date(2026, 11, 8))
    assert refused.value.code == code


def test_claimed_months_takes_the_last_month_the_books_take_and_says_it_when_past():
    assert claimed_months(date(2026, 10, 8), date(2026, 10, 1), date(2027, 11, 1), latest=date(2026, 11, 8)) == (
        date(2026, 10, 1),
        date(2027, 11, 1),
    )  # a year's fees claimed in advance
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            claimed_months(date(2026, 10, 8), None, date(2027, 12, 1), latest=date(2026, 11, 8))
        assert refused.value.field == "period_end"
        assert refused.value.detail == (
            "Period to: 2027-12 is after 2027-11, a year past the last day the books take (2026-11-08): "
            "a deduction cannot claim a month so far ahead."
        )


# --- the doors -----------------------------------------------------------------------------------------------------


def _keyed(client, *, period, kind="tg", invoice="B-1", deduction_invoice=""):
    data = {
        "account": "WMT", "date": "2026-10-08", "reference": "PAY-K", "cash": "7600.00", "mode": "key", "file": "",
        "invoices-TOTAL_FORMS": "1", "invoices-INITIAL_FORMS": "0",
        "deductions-TOTAL_FORMS": "1", "deductions-INITIAL_FORMS": "0",
        "invoices-0-invoice": invoice, "invoices-0-amount": "8000.00",
        "deductions-0-kind": kind, "deductions-0-period": period, "deductions-0-amount": "400.00",
        "deductions-0-invoice": deduction_invoice,
    }  # fmt: skip
    return client.post(reverse("tradespend:remittance-new"), data, follow=True)


@pytest.mark.english
def test_a_keyed_in_deduction_claiming_2099_is_refused_on_the_page(client, chain):
    client.force_login(chain["finance"])

    response = _keyed(client, period="2099-07")

    page = response.content.decode()
    assert "2099-07 is after" in page and "a deduction cannot claim a month so far ahead" in page
    assert _written() == (0, 0, 0)
    # the last month the books take is claimed
    _keyed(client, period=f"{_last_month():%Y-%m}")
    assert Deduction.objects.get().period_end == _last_month()


@pytest.mark.english
def test_an_imported_advice_claiming_a_month_past_the_books_is_refused(client, chain):
    client.force_login(chain["finance"])
    rows = [
        ["B-1", 8000, None, None, None, None, None],
        ["B-1", None, "TG费", f"{_next(_last_month()):%Y-%m}", 400, "TG", None],
    ]
    data = {
        "account": "WMT", "date": "2026-10-08", "reference": "PAY-F", "cash": "7600.00", "mode": "upload",
        "file": xlsx_upload(HEADERS, rows, name="advice.xlsx"),
        "invoices-TOTAL_FORMS": "0", "invoices-INITIAL_FORMS": "0",
        "deductions-TOTAL_FORMS": "0", "deductions-INITIAL_FORMS": "0",
    }  # fmt: skip

    response = client.post(reverse("tradespend:remittance-new"), data, follow=True)

    page = response.content.decode()
    assert f"{_next(_last_month()):%Y-%m} is after {_last_month():%Y-%m}" in page
    assert _written() == (0, 0, 0)


def test_the_api_refuses_a_period_past_the_books(api_client, chain):
    api_client.force_authenticate(chain["finance"])
    body = {
        "account": "WMT", "date": "2026-10-08", "reference": "PAY-A", "cash": "7600.00",
        "invoices": [{"invoice": "B-1", "amount": "8000.00"}],
        "deductions": [{"kind": "tg", "period_start": "2026-10", "period_end": "2099-07", "amount": "400.00"}],
    }  # fmt: skip

    response = api_client.post("/api/v1/remittances/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "deduction.period_too_far_ahead"
    assert _written() == (0, 0, 0)


def test_a_deduction_entered_on_its_own_takes_the_same_bound(chain):
    with pytest.raises(DomainError) as refused:
        deduction_record(
            invoice=chain["invoice"], date=date(2026, 10, 8), kind="tg", amount=D("400.00"), reason="TG",
            period_start=date(2026, 10, 1), period_end=date(2099, 7, 1),
        )  # fmt: skip
    assert refused.value.code == "deduction.period_too_far_ahead"
    assert Deduction.objects.count() == 0


# --- what a refusal says --------------------------------------------------------------------------------------------


def test_an_unknown_kind_lists_the_kinds_by_their_labels_in_the_readers_language():
    # Given a kind no one knows, read in Chinese and in English
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as refused:
            deduction_kind("贿赂费")
        labels = translation.gettext(", ").join(str(label) for label in Deduction.Kind.labels)
        chinese = refused.value.detail
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            deduction_kind("bribe")
        english = refused.value.detail
        listed = ", ".join(str(label) for label in Deduction.Kind.labels)

    # Then each lists the kinds as the advice's template asks for them: 进场费、条码费…, never the codes
    assert labels in chinese and "进场费" in chinese
    assert "listing" not in chinese and "barcode" not in chinese
    assert english == f"Unknown deduction kind “bribe”: use one of {listed}."
    # and what is listed is what the import takes
    with translation.override("zh-hans"):
        assert [deduction_kind(str(label)) for label in Deduction.Kind.labels] == list(Deduction.Kind.values)


@pytest.mark.english
def test_an_unknown_invoice_number_is_the_only_problem_said(client, chain):
    client.force_login(chain["finance"])

    response = _keyed(client, period="2026-10", invoice="NOPE-9")

    page = response.content.decode()
    assert "Unknown invoice number “NOPE-9”." in page
    assert "names no invoice" not in page
    assert _written() == (0, 0, 0)


@pytest.mark.english
def test_a_deduction_naming_the_unknown_invoice_adds_no_second_problem(client, chain):
    client.force_login(chain["finance"])

    response = _keyed(client, period="2026-10", invoice="NOPE-9", deduction_invoice="NOPE-9")

    page = response.content.decode()
    assert "Unknown invoice number “NOPE-9”." in page
    assert "is not among this remittance's invoice lines" not in page
    assert "names no invoice" not in page


@pytest.mark.english
def test_an_advice_whose_period_excel_kept_as_a_date_claims_that_month(client, chain):
    """QA: Excel turns a typed "2026-10" into a date, read back as a datetime; the upload answered a 500 (a datetime
    compared with a date). The cell is read as its month."""
    from datetime import datetime

    client.force_login(chain["finance"])
    rows = [
        ["B-1", 8000, None, None, None, None, None],
        ["B-1", None, "TG费", datetime(2026, 10, 1), 400, "TG", None],
    ]
    data = {
        "account": "WMT", "date": "2026-10-08", "reference": "PAY-XL", "cash": "7600.00", "mode": "upload",
        "file": xlsx_upload(HEADERS, rows, name="advice.xlsx"),
        "invoices-TOTAL_FORMS": "0", "invoices-INITIAL_FORMS": "0",
        "deductions-TOTAL_FORMS": "0", "deductions-INITIAL_FORMS": "0",
    }  # fmt: skip

    response = client.post(reverse("tradespend:remittance-new"), data, follow=True)

    assert response.status_code == 200
    deduction = Deduction.objects.get()
    assert (deduction.period_start, deduction.period_end, deduction.amount) == (
        date(2026, 10, 1),
        date(2026, 10, 1),
        D("400.00"),
    )
