"""The remittance API: JSON and Excel advice, Idempotency-Key, refusals with every bad line, scoped reads."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from contracts.models import Deduction, Invoice, Payment
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_upload
from tradespend.models import Remittance

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/remittances/"


@pytest.fixture
def remit_api():
    manager = make_user(Role.MANAGER)
    account = KeyAccountFactory(code="CRF", owner=manager)
    InvoiceFactory(number="K-1", account=account, date=date(2026, 8, 1), amount=D("6000.00"))
    InvoiceFactory(number="K-2", account=account, date=date(2026, 8, 9), amount=D("4000.00"))
    InvoiceFactory(number="K-0", account=account, date=date(2026, 6, 1), amount=D("900.00"))
    return {"manager": manager, "finance": make_user(Role.FINANCE)}


def _body(**changes):
    body = {
        "account": "CRF",
        "date": "2026-10-09",
        "reference": "CRF-0910",
        "cash": "9000.00",
        "invoices": [{"invoice": "K-1", "amount": "6000.00"}, {"invoice": "K-2", "amount": "3500.00"}],
        "deductions": [
            {
                "kind": "TG费",
                "period_start": "2026-08",
                "period_end": "2026-09",
                "amount": "800.00",
                "reference": "TG-1",
            },
        ],
    }
    body.update(changes)
    return body


def test_a_json_remittance_lands_and_reads_back_with_its_deductions_state(api_client, remit_api):
    api_client.force_authenticate(remit_api["finance"])

    response = api_client.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="r-1")

    # 9500 settled − 800 (TG → K-1, most room) = 8700 cash on the lines; rest 300 → K-0 (oldest).
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["settled"], body["deducted"], body["unallocated"]) == ("9500.00", "800.00", "0.00")
    lines = {line["invoice"]: line for line in body["lines"]}
    assert (lines["K-1"]["cash"], lines["K-1"]["deducted"]) == ("5200.00", "800.00")
    assert (lines["K-2"]["still_open"], lines["K-2"]["short"]) == ("500.00", True)
    assert body["rest"] == [{"invoice": "K-0", "amount": "300.00"}]
    deduction = body["deductions"][0]
    # the months as /api/v1/deductions/ answers them (YYYY-MM)
    assert (deduction["kind"], deduction["period_start"], deduction["period_end"]) == ("tg", "2026-08", "2026-09")
    assert deduction["state"] in {s.value for s in Deduction.State}
    assert Invoice.objects.get(number="K-0").open_amount == D("600.00")

    again = api_client.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    other_key = api_client.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="r-2")

    assert again.json()["id"] == body["id"]
    assert other_key.status_code == 200 and other_key.json()["already_imported"] is True
    assert Payment.objects.count() == 1


def test_the_same_reference_with_other_lines_is_a_conflict(api_client, remit_api):
    api_client.force_authenticate(remit_api["finance"])
    api_client.post(URL, _body(), format="json")

    response = api_client.post(URL, _body(cash="9100.00"), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "remittance.reference_used"


def test_a_refusal_lists_every_bad_line(api_client, remit_api):
    api_client.force_authenticate(remit_api["finance"])
    body = _body(
        invoices=[{"invoice": "K-1", "amount": "6000.01"}, {"invoice": "NOPE", "amount": "1.00"}],
        deductions=[{"kind": "tg", "period_start": "2026-09", "period_end": "2026-08", "amount": "5.00"}],
    )

    response = api_client.post(URL, body, format="json")

    assert response.status_code in (400, 409)
    errors = [(e["section"], e["row"], e["column"]) for e in response.json()["errors"]]
    assert errors == [("invoices", 1, "amount"), ("invoices", 2, "invoice"), ("deductions", 1, "period_end")]
    assert Remittance.objects.count() == 0 and Payment.objects.count() == 0


def test_an_excel_advice_through_the_api(api_client, remit_api):
    api_client.force_authenticate(remit_api["finance"])
    upload = xlsx_upload(
        ["invoice number", "amount settled", "deduction kind", "period", "deduction amount", "chain reference"],
        [["K-1", 6000, None, None, None, None], [None, None, "Listing fee", "2026-07..2026-09", 1000, "L-9"]],
    )
    fields = {"account": "CRF", "date": "2026-10-09", "reference": "CRF-X", "cash": "5000.00", "file": upload}

    response = api_client.post(URL + "import/", fields, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["deductions"][0]["period_end"] == "2026-09"
    assert Invoice.objects.get(number="K-1").open_amount == 0


def test_reads_are_scoped(api_client, remit_api):
    api_client.force_authenticate(remit_api["finance"])
    created = api_client.post(URL, _body(), format="json").json()

    api_client.force_authenticate(remit_api["manager"])
    assert api_client.get(URL).json()["count"] == 1
    assert api_client.get(URL, {"search": "K-2"}).json()["count"] == 1
    assert api_client.get(URL, {"date_from": "2026-10-10"}).json()["count"] == 0
    assert api_client.post(URL, _body(reference="M-1"), format="json").status_code == 403
    api_client.force_authenticate(make_user(Role.MANAGER))
    assert api_client.get(f"{URL}{created['id']}/").status_code == 404
    api_client.force_authenticate(make_user(Role.REP))
    assert api_client.get(URL).status_code == 404
