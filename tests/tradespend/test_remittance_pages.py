"""The remittance pages: finance uploads an advice or keys it in and reads the screen; managers read their chains';
reps and supervisors are answered 404."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from contracts.models import Deduction, Invoice, Payment
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import read_xlsx, xlsx_upload
from tradespend.models import Remittance

pytestmark = pytest.mark.django_db
D = Decimal
HEADERS = ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"]


@pytest.fixture
def remit_pages():
    manager = make_user(Role.MANAGER)
    account = KeyAccountFactory(code="WMT", owner=manager)
    for number, day, amount in [("A-1", date(2026, 7, 1), "5000.00"), ("B-1", date(2026, 8, 1), "8000.00")]:
        InvoiceFactory(number=number, account=account, date=day, amount=D(amount))
    InvoiceFactory(number="C-1", account=account, date=date(2026, 8, 5), amount=D("3000.00"))
    return {"account": account, "manager": manager, "finance": make_user(Role.FINANCE)}


def _advice_file(rows=None):
    rows = rows or [
        ["B-1", 8000, None, None, None, None, None],
        ["C-1", 2000, None, None, None, None, None],
        ["C-1", None, "DM费", "2026-08", 300, "DM-0801", "八月DM"],
        [None, None, "listing", "2026-07~2026-09", "1200.00", "LST-Q3", None],
    ]
    return xlsx_upload(HEADERS, rows, name="advice.xlsx")


def _lines(invoices: int = 1, deductions: int = 1) -> dict:
    """The formsets' management keys for that many keyed-in invoice and deduction lines."""
    return {
        "invoices-TOTAL_FORMS": str(invoices),
        "invoices-INITIAL_FORMS": "0",
        "deductions-TOTAL_FORMS": str(deductions),
        "deductions-INITIAL_FORMS": "0",
    }


def _post(client, upload, **header):
    data = {
        "account": "WMT",
        "date": "2026-10-08",
        "reference": "PAY-1008",
        "cash": "9500.00",
        "mode": "upload",
        "file": upload if upload is not None else "",
        **_lines(),
        **header,
    }
    return client.post(reverse("tradespend:remittance-new"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def test_finance_uploads_an_advice_and_sees_paid_deducted_and_short(client, remit_pages):
    client.force_login(remit_pages["finance"])

    response = _post(client, _advice_file())

    # Lines 8000 + 2000 = 10000; deductions 300 (on C-1) + 1200 (→ B-1, the most room) = 1500; cash 9500:
    # cash to lines 8500, rest 1000 → A-1 (oldest); C-1 is 1000 short.
    page = response.content.decode()
    remittance = Remittance.objects.get()
    assert response.redirect_chain[-1][0] == reverse("tradespend:remittance-detail", args=[remittance.pk])
    assert "Remittance PAY-1008 recorded" in page
    assert "9,500.00" in page and "1,500.00" in page
    assert "short" in page and "1,000.00" in page
    assert "DM-0801" in page and "八月DM" in page and "LST-Q3" in page
    assert Invoice.objects.get(number="A-1").open_amount == D("4000.00")
    assert Invoice.objects.get(number="C-1").open_amount == D("1000.00")
    assert Deduction.objects.get(kind="listing").invoice.number == "B-1"
    assert remittance.file_sha256


def test_the_same_file_twice_says_already_imported_and_changes_nothing(client, remit_pages):
    client.force_login(remit_pages["finance"])
    _post(client, _advice_file())
    counts = (Payment.objects.count(), Deduction.objects.count())

    response = _post(client, _advice_file())

    assert "already imported" in response.content.decode()
    assert (Payment.objects.count(), Deduction.objects.count()) == counts
    assert Remittance.objects.count() == 1


def test_a_bad_file_names_every_row_and_records_nothing(client, remit_pages):
    client.force_login(remit_pages["finance"])
    rows = [
        ["B-1", 8000.01, None, None, None, None, None],
        ["NOPE", 10, None, None, None, None, None],
        [None, None, "bribe", "2026-13", 5, None, None],
    ]

    response = _post(client, _advice_file(rows), reference="PAY-BAD")

    page = response.content.decode()
    assert response.status_code == 200
    assert "8,000.01" in page and "NOPE" in page and "bribe" in page and "2026-13" in page
    assert 'data-testid="problems"' in page
    assert "PAY-BAD" in page  # what was typed is kept
    assert Remittance.objects.count() == 0 and Payment.objects.count() == 0


def test_a_remittance_that_does_not_add_up_is_refused_with_the_numbers(client, remit_pages):
    client.force_login(remit_pages["finance"])

    response = _post(client, _advice_file(), cash="8499.99")

    page = response.content.decode()
    assert "does not add up" in page and "8,499.99" in page and "10,000.00" in page
    assert Remittance.objects.count() == 0


def test_finance_keys_a_remittance_in(client, remit_pages):
    client.force_login(remit_pages["finance"])
    data = {
        "mode": "key",
        "file": "",
        **_lines(2, 1),
        "invoices-0-invoice": "B-1",
        "invoices-0-amount": "8000.00",
        "invoices-1-invoice": "",
        "invoices-1-amount": "",
        "deductions-0-kind": "tg",
        "deductions-0-period": "2026-09",
        "deductions-0-amount": "500.00",
        "deductions-0-reference": "TG-09",
    }

    response = _post(client, None, cash="7500.00", **data)

    remittance = Remittance.objects.get()
    assert remittance.deducted == D("500.00")
    assert "TG-09" in response.content.decode()
    assert Invoice.objects.get(number="B-1").open_amount == 0


def test_add_a_line_keeps_what_was_typed(client, remit_pages):
    client.force_login(remit_pages["finance"])
    data = {
        "mode": "key",
        "add": "invoices",
        **_lines(),
        "invoices-0-invoice": "B-1",
        "invoices-0-amount": "8000.00",
    }

    response = _post(client, None, **data)

    page = response.content.decode()
    assert page.count('data-testid="invoice-line"') == 2
    assert 'value="B-1"' in page
    assert Remittance.objects.count() == 0


@pytest.mark.parametrize("language, prompt", [("en", "Choose a kind"), ("zh-hans", "选择类型")])
def test_each_keyed_deduction_line_prompts_for_its_kind(client, remit_pages, language, prompt):
    # Given a clerk keying lines in, who adds a second deduction line
    client.force_login(remit_pages["finance"])
    data = {
        "mode": "key",
        "add": "deductions",
        **_lines(),
    }

    # When the page comes back
    response = client.post(reverse("tradespend:remittance-new"), data, HTTP_ACCEPT_LANGUAGE=language)

    # Then each line's kind opens with a prompt to choose one (it opened with a bare "—")
    first_choice = r'<select name="deductions-\d-kind"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>'
    kinds = re.findall(first_choice, response.text)
    assert kinds == [prompt, prompt]
    assert "—" not in re.search(r'<select name="deductions-1-kind".*?</select>', response.text, re.S).group()
    assert "{#" not in response.text  # a template comment over two lines is printed as text


def test_a_keyed_bad_period_is_named_by_its_line(client, remit_pages):
    client.force_login(remit_pages["finance"])
    data = {
        "mode": "key",
        **_lines(),
        "invoices-0-invoice": "B-1",
        "invoices-0-amount": "8000.00",
        "deductions-0-kind": "tg",
        "deductions-0-period": "Sept",
        "deductions-0-amount": "5",
    }

    response = _post(client, None, **data)

    assert "“Sept” is not a period" in response.content.decode()
    assert Remittance.objects.count() == 0


def test_the_list_filters_and_exports(client, remit_pages):
    client.force_login(remit_pages["finance"])
    _post(client, _advice_file())

    page = client.get(reverse("tradespend:remittances"), {"q": "PAY-10"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    none = client.get(
        reverse("tradespend:remittances"), {"date_from": "2026-11-01"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    export = client.get(reverse("tradespend:remittances"), {"export": "xlsx"})

    assert "PAY-1008" in page
    assert "PAY-1008" not in none and "No remittances match" in none
    rows = next(iter(read_xlsx(b"".join(export.streaming_content)).values()))
    assert rows[1][2] == "PAY-1008" and Decimal(str(rows[1][3])) == D("9500")


@pytest.mark.parametrize(
    ("language", "first", "instructions"),
    [
        ("zh-hans", ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"], "填写说明"),
        ("en", ["Invoice number", "Amount settled", "Deduction kind", "Period", "Deduction amount", "Chain reference",
                "Reason"], "Instructions"),
    ],
)  # fmt: skip
def test_the_template_in_the_users_language_filled_in_is_accepted(client, remit_pages, language, first, instructions):
    """Finding: the template carried “发票号 / invoice number” for every user, lower-case English included, and two
    example rows that would be read as lines. Now it carries the headers the import reads and names its problems by,
    in the user's language, and no rows: downloaded, filled with one line and uploaded, it is recorded."""
    client.force_login(remit_pages["finance"])
    response = client.get(reverse("tradespend:remittance-template"), HTTP_ACCEPT_LANGUAGE=language)
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet, notes = workbook.worksheets
    assert [cell.value for cell in sheet[1]] == first and sheet.max_row == 1
    assert notes.title == instructions
    sheet.append(["B-1", 8000, None, None, None, None, None])
    sheet.append(["A-1", None, "listing", "2026-07", "500.00", "LST-7", None])
    sheet.append(["A-1", 1000])
    filled = BytesIO()
    workbook.save(filled)
    upload = SimpleUploadedFile("advice.xlsx", filled.getvalue(), content_type="application/octet-stream")

    recorded = _post(client, upload, cash="8500.00")

    assert "Remittance PAY-1008 recorded" in recorded.content.decode()
    remittance = Remittance.objects.get()
    assert (remittance.settled, remittance.deducted) == (D("9000.00"), D("500.00"))


def test_managers_read_their_chains_and_reps_see_nothing(client, remit_pages):
    client.force_login(remit_pages["finance"])
    _post(client, _advice_file())
    remittance = Remittance.objects.get()
    detail = reverse("tradespend:remittance-detail", args=[remittance.pk])
    client.force_login(remit_pages["manager"])
    assert "PAY-1008" in client.get(detail).content.decode()
    assert client.get(reverse("tradespend:remittance-new")).status_code == 403
    other_manager = make_user(Role.MANAGER)
    client.force_login(other_manager)
    assert client.get(detail).status_code == 404
    for role in (Role.REP, Role.SUPERVISOR):
        client.force_login(make_user(role))
        assert client.get(detail).status_code == 404
        assert client.get(reverse("tradespend:remittances")).status_code == 404
