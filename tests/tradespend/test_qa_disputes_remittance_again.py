"""QA (finance clerk): the same remittance advice uploaded again with its cash corrected in the form answered
"already imported: nothing changed" and kept the wrong figure. A file's checksum vouches for its lines only: the
date and the cash are typed beside it, so another cash or date under a used reference is refused naming what
differs, at the page and the API alike, and nothing is written."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from contracts.models import Deduction, Invoice, Payment
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_upload
from tradespend.models import Remittance
from tradespend.remittances import InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db
D = Decimal
HEADERS = ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"]


@pytest.fixture
def chain():
    account = KeyAccountFactory(code="WMT")
    InvoiceFactory(number="A-1", account=account, date=date(2026, 9, 1), amount=D("5000.00"))
    InvoiceFactory(number="B-1", account=account, date=date(2026, 9, 5), amount=D("8000.00"))
    return {"account": account, "finance": make_user(Role.FINANCE)}


def _advice():
    return xlsx_upload(HEADERS, [["B-1", 8000, None, None, None, None, None]], name="advice.xlsx")


def _upload(client, **header):
    data = {
        "account": "WMT",
        "date": "2026-10-08",
        "reference": "PAY-1008",
        "cash": "8000.00",
        "mode": "upload",
        "file": _advice(),
        "invoices-TOTAL_FORMS": "0",
        "invoices-INITIAL_FORMS": "0",
        "deductions-TOTAL_FORMS": "0",
        "deductions-INITIAL_FORMS": "0",
        **header,
    }
    return client.post(reverse("tradespend:remittance-new"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def _books():
    return (
        list(Remittance.objects.values_list("cash", "date")),
        Payment.objects.count(),
        list(Invoice.objects.order_by("number").values_list("number", "open_amount")),
        Deduction.objects.count(),
    )


def test_the_same_file_with_a_corrected_cash_is_refused_naming_the_cash(client, chain):
    # Given the advice uploaded with 8,000.00 received, and the same file uploaded again as it was
    client.force_login(chain["finance"])
    _upload(client)
    again = _upload(client)
    assert "already imported" in again.content.decode()
    before = _books()

    # When the clerk uploads the same file with the cash corrected to 8,500.00 in the form
    response = _upload(client, cash="8500.00")

    # Then it is refused beside the reference, naming the cash recorded and the cash now, and nothing changed
    page = response.content.decode()
    assert "already imported" not in page
    assert "Reference PAY-1008 was already used" in page
    assert "cash 8,000.00 recorded, 8,500.00 now" in page
    assert "invoice or deduction lines" not in page  # the file is the same: its lines are not what differs
    assert _books() == before


def test_the_same_file_with_another_date_is_refused_naming_the_date(client, chain):
    client.force_login(chain["finance"])
    _upload(client)
    before = _books()

    response = _upload(client, date="2026-10-09")

    page = response.content.decode()
    assert "date received 2026-10-08 recorded, 2026-10-09 now" in page
    assert "cash" not in page.split("already used")[1].split("check the reference")[0]
    assert _books() == before


def test_the_api_names_what_differs_too(api_client, chain):
    # Given a remittance keyed in through the API
    api_client.force_authenticate(chain["finance"])
    body = {
        "account": "WMT",
        "date": "2026-10-08",
        "reference": "PAY-1008",
        "cash": "8000.00",
        "invoices": [{"invoice": "B-1", "amount": "8000.00"}],
    }
    assert api_client.post("/api/v1/remittances/", body, format="json").status_code == 201
    before = _books()

    # When the same lines come again with another cash and another invoice line
    body.update(cash="8500.00", invoices=[{"invoice": "B-1", "amount": "8000.00"}, {"invoice": "A-1", "amount": "500"}])
    with translation.override("en"):
        response = api_client.post("/api/v1/remittances/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    # Then 409, the code kept, the differences said: the cash and the lines
    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "remittance.reference_used"
    assert "cash 8,000.00 recorded, 8,500.00 now; the invoice or deduction lines" in answer["detail"]
    assert _books() == before


def test_the_same_content_keyed_again_is_still_the_same_remittance(chain):
    lines = [InvoiceLine("B-1", D("8000.00"))]
    first = remittance_record(
        account=chain["account"], date=date(2026, 10, 8), reference="R-1", cash=D("8000.00"), invoices=lines
    )

    again = remittance_record(
        account=chain["account"], date=date(2026, 10, 8), reference="R-1", cash=D("8000"), invoices=lines
    )

    assert not again.created and again.remittance.pk == first.remittance.pk
