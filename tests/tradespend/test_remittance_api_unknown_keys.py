"""The remittance API refuses a key it does not take in its header (and in an invoice line), naming each with what it
takes, as a deduction line does (tradespend.api.remittances.KnownKeysOnly): before, ``{"note": …}`` or ``"referenc"``
was dropped without a word and the remittance recorded as if it had not been sent."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tradespend.remittance_world import REMITTANCES, crf, nothing_booked, remittance, today  # noqa: F401
from tradespend.models import Remittance

# ruff: noqa: F811 - the tests take the world's fixtures (the frozen day, the CRF chain with K-1) by their names
pytestmark = pytest.mark.django_db


def test_keys_the_header_does_not_take_are_refused_each_named(api_client, finance, crf):
    api_client.force_authenticate(finance)

    body = remittance(note="月结", paid_on="2026-12-01")
    answer = api_client.post(REMITTANCES, body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    known = "account, date, reference, cash, invoices, deductions"
    assert answer.json()["errors"] == {
        "note": [f"A remittance takes no field “note”: it takes {known}."],
        "paid_on": [f"A remittance takes no field “paid_on”: it takes {known}."],
    }
    assert nothing_booked()


def test_a_key_an_invoice_line_does_not_take_is_refused_naming_it(api_client, finance, crf):
    api_client.force_authenticate(finance)

    body = remittance(invoices=[{"invoice": "K-1", "amount": "6000.00", "amout": "6000.00"}])
    answer = api_client.post(REMITTANCES, body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["errors"]["invoices"]["0"]["amout"] == [
        "An invoice line takes no field “amout”: it takes invoice, amount."
    ]
    assert nothing_booked()


def test_the_excel_advice_s_form_refuses_an_unknown_field_too(api_client, finance, crf):
    api_client.force_authenticate(finance)

    form = {"account": "CRF", "date": "2026-12-02", "reference": "CRF-1202", "cash": "6000.00", "memo": "x",
            "file": SimpleUploadedFile("advice.xlsx", b"not read")}  # fmt: skip
    answer = api_client.post(f"{REMITTANCES}import/", form, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["errors"] == {
        "memo": ["A remittance takes no field “memo”: it takes account, date, reference, cash, file."]
    }
    assert nothing_booked()


def test_a_remittance_with_only_the_keys_it_takes_is_recorded(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, remittance(), format="json")

    assert answer.status_code == 201, answer.json()
    assert Remittance.objects.get().reference == "CRF-1202"
