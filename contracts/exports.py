"""Excel exports of the finance reports, written through ka_portal/excel.py."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, Side

from ka_portal import excel
from ka_portal.formatting import account_name

from .receivables import Bucket


def _bucket_headers() -> list[str]:
    return [str(label) for label in Bucket.labels]


def aging_workbook(report):
    """Aging by account: one row per account, the five buckets, total, invoiced over the DSO window, DSO."""
    headers = [
        _("Code"),
        _("Key account"),
        *_bucket_headers(),
        _("Total"),
        _("Invoiced, last %(days)s days") % {"days": report.dso_days},
        _("DSO (days)"),
    ]

    def line(code, name, row):
        return [code, name, *[amount for _bucket, amount in row.cells], row.total, row.sales, row.dso]

    rows = [line(r.account.code, account_name(r.account), r) for r in report.rows]
    rows.append(line("", _("Total"), report.total))
    formats = {len(headers) - 1: "0.0"}
    title = _("Aging %(date)s") % {"date": report.as_of.isoformat()}
    return excel.xlsx_response(f"aging-{report.as_of.isoformat()}.xlsx", title, headers, rows, formats)


def aging_invoices_workbook(invoices, *, as_of):
    headers = [
        _("Key account"),
        _("Invoice"),
        _("Date"),
        _("Due date"),
        _("Days past due"),
        _("Aging bucket"),
        _("Amount"),
        _("Open"),
    ]
    rows = (
        [
            account_name(i.account),
            i.number,
            i.date,
            i.due_on,
            i.days_past_due,
            str(i.bucket.label),
            i.amount,
            i.open_as_of,
        ]
        for i in invoices
    )
    title = _("Invoices %(date)s") % {"date": as_of.isoformat()}
    return excel.xlsx_response(f"aging-invoices-{as_of.isoformat()}.xlsx", title, headers, rows, {4: "0"})


def statement_workbook(statement):
    """The statement as a chain's accounts payable expects it: a heading, the opening balance, every
    movement with a running balance, the totals, the closing balance and a place to confirm.

    Written in openpyxl's streaming mode, each row styled as it is written and the lines read from the database a
    chunk at a time (selectors.StatementLines): a year of tens of thousands of lines takes the memory of a few."""
    workbook = excel.new_workbook()
    sheet = workbook.create_sheet(_("Statement")[:31])
    account = statement.account
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    money = excel.MONEY_FORMAT
    # the movement rows, totals and closing balance: dates in the first column, amounts in the last three
    formats = {0: "yyyy-mm-dd", 3: money, 4: money, 5: money}
    for column, width in zip("ABCDEF", (14, 22, 34, 16, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width  # before any row: the streaming sheet writes them first

    excel.append_row(
        sheet, [_("Statement of account")], font=Font(bold=True, size=14), alignment=Alignment(horizontal="center")
    )
    sheet.merged_cells.add("A1:F1")
    excel.append_row(sheet, [_("Key account"), f"{account_name(account)} ({account.code})"])
    period = f"{date_format(statement.date_from, 'Y-m-d')} – {date_format(statement.date_to, 'Y-m-d')}"
    excel.append_row(sheet, [_("Period"), period])
    excel.append_row(sheet, [])
    headers = [_("Date"), _("Type"), _("Reference"), _("Debit"), _("Credit"), _("Balance")]
    excel.append_row(sheet, headers, font=bold, border=Border(bottom=thin))
    excel.append_row(sheet, ["", _("Opening balance"), "", None, None, statement.opening], formats)
    # a movement: its amounts are Decimal (money); an empty debit or credit is left an empty cell, no style to write
    movement = {0: "yyyy-mm-dd"}
    for line in statement.lines:
        excel.append_row(
            sheet,
            [line.date, line.label, line.reference, line.debit or None, line.credit or None, line.balance],
            movement,
        )
    excel.append_row(sheet, [None] * 6, formats)
    total_rows = [
        (_("Invoices"), statement.invoiced),
        (_("Payments"), statement.paid),
        (_("Deductions"), statement.deducted),
        (_("Credit notes"), statement.credited),
        (_("Deductions recovered"), statement.recovered),
        (_("Write-offs"), statement.written_off),
    ]
    for label, amount in total_rows:
        excel.append_row(sheet, ["", label, "", None, None, amount], formats)
    closing = ["", _("Closing balance"), "", None, None, statement.closing]
    excel.append_row(sheet, closing, formats, font=bold, border=Border(top=thin))
    excel.append_row(sheet, [])
    excel.append_row(sheet, [_("Please check this statement and confirm it with your signature and stamp.")])
    excel.append_row(sheet, [_("Confirmed by (signature and stamp)"), "", "", _("Date")])
    filename = f"statement-{account.code}-{statement.date_from.isoformat()}-{statement.date_to.isoformat()}.xlsx"
    return excel.workbook_response(workbook, filename, in_memory_up_to=0)


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


def terms_workbook(terms, *, name: str = ""):
    """Term lines in the columns the "contract-terms" import reads (headers in the user's language, choices by
    their labels): exported, changed and imported again, the same lines are updated."""
    from .imports import TERM_COLUMNS
    from .rules import tiers_text

    # Headed as the other exports are ("Contract number"); the import reads headers without case.
    headers = [capfirst(column.header()) for column in TERM_COLUMNS]
    rows = (
        [
            term.contract.number,
            term.get_kind_display(),
            term.get_basis_display(),
            term.get_period_display(),
            term.rate,
            term.amount,
            tiers_text(term.tiers),
            term.valid_from,
            term.valid_to,
            term.get_settlement_display(),
            term.note,
        ]
        for term in terms
    )
    # Named as the other exports are: what it holds (a contract's number, when one), then the day it was made.
    stamp = f"-{name}" if name else ""
    filename = f"{_('contract terms')}{stamp}-{timezone.localdate().isoformat()}.xlsx"
    return excel.xlsx_response(filename, _("Contract terms"), headers, rows, {4: "0.00"})
