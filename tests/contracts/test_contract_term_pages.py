"""The contract's page lists its trade terms; finance adds, edits and removes them (a refusal keeps what was
typed); KA managers read their accounts' terms and change none; reps and supervisors reach none."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import ContractTerm
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contract(account):
    return ContractFactory(account=account, number="HT-WMT", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


FORM = {"kind": "listing", "basis": "per_store_sku", "period": "once", "rate": "", "amount": "800.00", "tiers": "",
        "valid_from": "", "valid_to": "", "settlement": "deducted", "note": "每店每SKU"}  # fmt: skip


def test_finance_adds_a_term_and_sees_it_on_the_contract(client, finance, contract):
    client.force_login(finance)

    saved = client.post(reverse("contracts:term-create", args=[contract.pk]), FORM)
    page = client.get(reverse("contracts:contract-detail", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert saved.status_code == 302
    text = page.content.decode()
    assert "Listing fee" in text and "Per store per SKU" in text and "每店每SKU" in text
    assert ContractTerm.objects.get().valid_to == date(2026, 12, 31)


def test_a_refused_term_keeps_what_was_typed_and_says_why_next_to_the_field(client, finance, contract):
    client.force_login(finance)

    page = client.post(
        reverse("contracts:term-create", args=[contract.pk]),
        {**FORM, "valid_from": "2026-06-01", "valid_to": "2027-03-31", "note": "跨年"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 200
    form = page.context["form"]
    assert form.errors["valid_to"] == [
        "The term runs 2026-06-01 – 2027-03-31, outside contract HT-WMT (2026-01-01 – 2026-12-31)."
    ]
    assert form["note"].value() == "跨年" and form["amount"].value() == "800.00"
    assert not ContractTerm.objects.exists()


def test_the_refusal_reads_in_chinese_too(client, finance, contract):
    client.force_login(finance)

    page = client.post(
        reverse("contracts:term-create", args=[contract.pk]),
        {**FORM, "amount": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "金额" in page.context["form"].errors["amount"][0]


def test_finance_edits_and_removes_a_term(client, finance, contract):
    term = services.contract_term_create(contract=contract, kind="rebate", basis="percent", period="year",
                                         rate=D("2"), settlement="credit_note")  # fmt: skip
    client.force_login(finance)

    edit = client.get(reverse("contracts:term-edit", args=[term.pk]))
    refused = client.post(reverse("contracts:term-edit", args=[term.pk]), {**FORM, "kind": "rebate",
                          "basis": "percent", "rate": "2", "amount": "5"})  # fmt: skip
    saved = client.post(reverse("contracts:term-edit", args=[term.pk]), {**FORM, "kind": "rebate",
                        "basis": "percent", "rate": "3.5", "amount": "", "settlement": "credit_note"})  # fmt: skip

    assert edit.context["form"]["rate"].value() == D("2.00")
    assert "amount" in refused.context["form"].errors
    assert saved.status_code == 302 and ContractTerm.objects.get().rate == D("3.50")
    removed = client.post(reverse("contracts:term-delete", args=[term.pk]))
    assert removed.status_code == 302 and not ContractTerm.objects.exists()


def test_the_contract_page_exports_its_terms(client, finance, contract):
    services.contract_term_create(contract=contract, kind="rebate", basis="percent", period="year",
                                  rate=D("2.5"), settlement="credit_note")  # fmt: skip
    client.force_login(finance)

    response = client.get(reverse("contracts:contract-detail", args=[contract.pk]), {"export": "xlsx"},
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip

    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:3] == ("Contract number", "Kind", "Basis")  # headed as the other exports are
    assert rows[0][-3:] == ("Valid to", "Settlement", "Note")
    assert rows[1][0] == "HT-WMT" and rows[1][4] == 2.5
    today = timezone.localdate().isoformat()
    assert f'filename="contract terms-HT-WMT-{today}.xlsx"' in response["Content-Disposition"]


def test_the_term_list_export_is_named_with_its_day_like_the_other_exports(client, finance, contract):
    services.contract_term_create(contract=contract, kind="rebate", basis="percent", period="year",
                                  rate=D("2.5"), settlement="credit_note")  # fmt: skip
    client.force_login(finance)
    today = timezone.localdate().isoformat()

    english = client.get(reverse("contracts:term-list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    contracts = client.get(reverse("contracts:contract-list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert f'filename="contract terms-{today}.xlsx"' in english["Content-Disposition"]
    assert f"-{today}.xlsx" in contracts["Content-Disposition"]  # the pattern it follows
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(english.streaming_content))).active
    assert next(sheet.values)[0] == "Contract number"


def test_a_manager_reads_own_terms_without_buttons_and_may_not_change_them(client, manager, contract):
    term = services.contract_term_create(contract=contract, kind="rebate", basis="percent", period="year",
                                         rate=D("2.5"), settlement="credit_note")  # fmt: skip
    foreign = ContractFactory(account=KeyAccountFactory(code="CRF"), number="HT-CRF")
    theirs = services.contract_term_create(contract=foreign, kind="rebate", basis="percent", period="year",
                                           rate=D("1"), settlement="paid")  # fmt: skip
    client.force_login(manager)

    page = client.get(reverse("contracts:contract-detail", args=[contract.pk]))
    listed = client.get(reverse("contracts:term-list"))

    assert page.status_code == 200 and reverse("contracts:term-edit", args=[term.pk]) not in page.content.decode()
    assert [t.pk for t in listed.context["object_list"]] == [term.pk]
    assert client.get(reverse("contracts:term-edit", args=[term.pk])).status_code == 403
    assert client.get(reverse("contracts:term-edit", args=[theirs.pk])).status_code in (403, 404)
    assert client.post(reverse("contracts:term-delete", args=[term.pk])).status_code == 403


@pytest.mark.parametrize("role", ["rep", "supervisor"])
def test_reps_and_supervisors_reach_no_term_pages(request, client, role, contract):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("contracts:term-list")).status_code == 404
    assert client.get(reverse("contracts:term-create", args=[contract.pk])).status_code == 404


def test_a_term_paid_by_us_is_not_called_an_invoice_paid_to_us():
    """Finding: a term settled "paid" read 已回款 (the chain paid our invoice), the opposite of the company paying the
    chain; the settlement has its own word, the invoice keeps its own."""
    from django.utils import translation

    from contracts.models import ContractTerm, Invoice

    with translation.override("zh-hans"):
        assert str(ContractTerm.Settlement.PAID.label) == "我方付款"
        assert str(Invoice.Status.PAID.label) == "已回款"
    with translation.override("en"):
        assert str(ContractTerm.Settlement.PAID.label) == "Paid"
