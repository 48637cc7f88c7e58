"""Head-office remittances (总部回款, issue 12 item 6): one payment for many stores' invoices, net of deductions.

    remittance_record(*, account, date, reference, cash, invoices, deductions, by=None, file_sha256="")
        -> RemittanceOutcome(remittance, created)
        refused (payment.reference_used, contracts.services.check_payment_reference) when a payment recorded by
        hand holds the reference
    remittance_import(*, account, date, reference, cash, file, by=None) -> RemittanceOutcome
    advice_read(file) -> (invoice lines, deduction lines, sha256)      the Excel advice, every bad cell named
    advice_template() -> Workbook                                       the advice to fill in (the user's headers)
    remittance_summary(remittance) -> RemittanceSummary                 what the screen shows

All or nothing: every bad line is named (row, column, why) in one RemittanceRefused and nothing is written.
The same account + reference again with the same content (the same date and cash, and the same lines: the file's
sha256, or the lines keyed in) answers the remittance already recorded and changes nothing; other content under a
used reference is refused naming what differs (a cash corrected in the form beside the same file is other content).

How the money lands: each invoice line settles ``amount`` of its invoice, cash and deductions together. A
deduction naming an invoice of the remittance sits on it; the others go first-fit-decreasing onto the lines with
the most room (tradespend.rules.place_deductions). A line's cash is its amount less the deductions on it; what
the cash pays beyond the lines (cash + deductions − Σ lines) goes oldest first to the account's other open
invoices, and anything left stays unallocated on the payment (over-paid). Speed: the named invoices are locked in
one query and everything is written in bulk (contracts.services.settlement_record), so the number of queries does
not grow with the lines.
"""

import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from accounts.models import KeyAccount
from contracts import notes as contract_notes
from contracts.models import Deduction, Invoice, open_q
from contracts.receivables import OpenItem, allocate_oldest_first
from contracts.rules import check_within_open, claimed_months, positive_amount
from contracts.services import check_book_date, check_payment_reference, settlement_record
from imports.kinds import CellError, Column, choices_hint, normal_header
from imports.kinds import money as money_cell
from imports.kinds import text as text_cell
from imports.runner import MERGED_WITH_HEADER, check_size, not_a_spreadsheet
from imports.runner import _MergedRanges as MergedRanges
from ka_portal import excel
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.money import ZERO, to_money
from ka_portal.scope import finance_accounts_for, not_found

from . import rules
from .matching import deductions_match
from .models import ClosedMonth, Remittance, RemittanceInvoice

# --- what a remittance is made of --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice the advice settles: its number and the amount settled (cash and deductions together)."""

    invoice: str
    amount: Decimal | None
    row: int | None = None  # the file's row, or the line's number as entered


@dataclass(frozen=True)
class DeductionLine:
    """One deduction the chain took: kind (a code or its label), months, amount, its reference and why;
    ``invoice`` (a number, optional) names the invoice of the remittance it is taken from."""

    kind: str
    amount: Decimal | None
    period_start: date | None = None
    period_end: date | None = None
    reference: str = ""
    reason: str = ""
    invoice: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the section ("invoices", "deductions", or "" for the header and a file's rows), the
    row, the column (a field name; a file's own header once read from a file), why, and the rule's code."""

    section: str
    row: int | None
    column: str
    message: str
    code: str

    def as_dict(self) -> dict:
        return {
            "section": self.section,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
        }


class RemittanceRefused(DomainError):
    """The remittance has problems: nothing was recorded. ``problems`` lists every one (row, column, why); the
    code is the first problem's (remittance.does_not_add_up, remittance.unknown_invoice, …)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        order = {"": 0, "invoices": 1, "deductions": 2}
        self.problems = sorted(
            problems, key=lambda p: (p.row is not None, order.get(p.section, 3), p.row or 0, p.column)
        )
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(
                first.code, "%(why)s", field=first.column if first.row is None else None, why=first.message
            )
        else:
            super().__init__(
                first.code,
                _("%(count)s problems; nothing was recorded. Fix them and try again."),
                count=len(self.problems),
            )

    @property
    def extra(self) -> dict:
        return {"errors": [problem.as_dict() for problem in self.problems]}

    def relabel(self, columns: dict[tuple[str, str], str]) -> "RemittanceRefused":
        """The same problems with their columns named as ``columns`` maps (section, field) → header."""
        return RemittanceRefused(
            [
                Problem(
                    "" if p.row is not None else p.section,
                    p.row,
                    columns.get((p.section, p.column), p.column),
                    p.message,
                    p.code,
                )
                for p in self.problems
            ]
        )


@dataclass(frozen=True)
class RemittanceOutcome:
    remittance: Remittance
    created: bool  # False: the same advice was already recorded; nothing changed


# --- kinds and reasons ---------------------------------------------------------------------------------------


@cache
def _kind_names() -> dict[str, str]:
    """Every way a deduction kind may be written (code, English and Chinese label), upper-cased → the code."""
    found = {}
    for value, label in Deduction.Kind.choices:
        found[value.upper()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                found[str(label).strip().upper()] = value
    return found


def deduction_kind(value) -> str:
    """A deduction kind written as its code or its label in either language; refused otherwise."""
    found = _kind_names().get(str(value or "").strip().upper())
    if found is None:
        raise DomainError(
            "deduction.kind",
            _("Unknown deduction kind “%(kind)s”: use one of %(kinds)s."),
            field="kind",
            kind=value,
            # the labels, in the reader's language: what the advice's template asks for (进场费、条码费…); the
            # codes and the other language's labels are read too
            kinds=gettext(", ").join(str(label) for label in Deduction.Kind.labels),
        )
    return found


def default_reason(reference: str) -> str:
    """What a deduction the advice gives no reason for compares as when the same advice is keyed in again; the same
    in every language. Stored as the code contracts.notes.REMITTANCE with the reference, so it reads in the
    reader's language (deduction.reason_text)."""
    return f"remittance {reference}"


def _compared_reason(reason: str, code: str, params: dict) -> str:
    """A stored deduction's reason as an advice's content compares it."""
    return default_reason(params.get("reference", "")) if code == contract_notes.REMITTANCE else reason


# --- idempotency: what makes two advices the same ------------------------------------------------------------


def _lines(invoices, deductions) -> dict:
    """An advice's lines as compared: the invoice lines and the deductions, order ignored."""
    return {
        "invoices": sorted([number, str(to_money(amount))] for number, amount in invoices),
        "deductions": sorted(
            [kind, start.isoformat(), end.isoformat(), str(to_money(amount)), reference, reason]
            for kind, start, end, amount, reference, reason in deductions
        ),
    }


def _digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


_STORED_DEDUCTION = (
    "kind",
    "period_start",
    "period_end",
    "amount",
    "reference",
    "reason",
    "reason_code",
    "reason_params",
)


def _stored_lines(remittance: Remittance) -> str:
    return _digest(
        _lines(
            remittance.invoice_lines.values_list("invoice__number", "amount"),
            [
                (kind, start, end, amount, reference, _compared_reason(reason, code, params))
                for kind, start, end, amount, reference, reason, code, params in remittance.deductions.values_list(
                    *_STORED_DEDUCTION
                )
            ],
        )
    )


def _new_lines(*, when, reference, invoices, deductions) -> str | None:
    """The digest of an advice's lines as given, or None when they cannot be read (they are then not the stored
    ones)."""
    try:
        lines = [((line.invoice or "").strip(), to_money(line.amount)) for line in invoices]
        taken = []
        for line in deductions:
            start, end = claimed_months(when, line.period_start, line.period_end)
            taken.append(
                (
                    deduction_kind(line.kind),
                    start,
                    end,
                    to_money(line.amount),
                    (line.reference or "").strip(),
                    (line.reason or "").strip() or default_reason(reference),
                )
            )
        return _digest(_lines(lines, taken))
    except (DomainError, TypeError, ArithmeticError, ValueError):
        return None


def _money_text(amount) -> str:
    """An amount as a refusal writes it (12,028.00); as typed when it is not one."""
    try:
        return f"{to_money(amount):,}"
    except (ArithmeticError, ValueError, TypeError):
        return str(amount)


def _differences(existing: Remittance, *, when: date, cash, same_lines: bool) -> list[str]:
    """What an advice given again under a used reference changes of the recorded one: its date, its cash (both
    typed in the form, whatever the file), its lines. None: it is the same advice."""
    found = []
    if when != existing.date:
        found.append(
            gettext("date received %(recorded)s recorded, %(given)s now") % {"recorded": existing.date, "given": when}
        )
    if _money_text(cash) != _money_text(existing.cash):
        found.append(
            gettext("cash %(recorded)s recorded, %(given)s now")
            % {"recorded": _money_text(existing.cash), "given": _money_text(cash)}
        )
    if not same_lines:
        found.append(gettext("the invoice or deduction lines"))
    return found


def _same_or_refused(
    existing: Remittance, *, when: date, cash, file_sha256: str, lines: str | None
) -> RemittanceOutcome:
    """The remittance already recorded under the reference when the advice is the same again (its date, its cash
    and its lines: the same file, or the same lines keyed in); refused naming what differs otherwise. A file's hash
    vouches for its lines only: the date and the cash are typed beside it, so a corrected cash with the same file
    is other content, never "nothing changed"."""
    same_lines = bool(file_sha256 and file_sha256 == existing.file_sha256) or (
        lines is not None and lines == _stored_lines(existing)
    )
    differences = _differences(existing, when=when, cash=cash, same_lines=same_lines)
    if not differences:
        return RemittanceOutcome(existing, created=False)
    raise DomainConflict(
        "remittance.reference_used",
        _(
            "Reference %(reference)s was already used for a remittance of %(account)s recorded on %(recorded)s "
            "(dated %(date)s) with other content (%(differences)s): check the reference, or open that remittance."
        ),
        field="reference",
        reference=existing.reference,
        account=existing.account.code,
        recorded=f"{existing.created_at:%Y-%m-%d}",
        date=existing.date,
        differences="; ".join(differences),
        remittance=existing.pk,
    )


# --- the service ----------------------------------------------------------------------------------------------


class _Problems(list):
    def add(self, section: str, row: int | None, column: str, error: DomainError | str, code: str = "") -> None:
        if isinstance(error, DomainError):
            self.append(Problem(section, row, column, error.detail, code or error.code))
        else:
            self.append(Problem(section, row, column, str(error), code))


def _row(line, index: int) -> int:
    return line.row if line.row is not None else index + 1


@transaction.atomic
def remittance_record(
    *,
    account: KeyAccount,
    date: date,
    reference: str,
    cash: Decimal,
    invoices: Sequence[InvoiceLine],
    deductions: Sequence[DeductionLine] = (),
    by=None,
    file_sha256: str = "",
    problems: Sequence[Problem] = (),
) -> RemittanceOutcome:
    """Record a head office's remittance, all or nothing: the payment and its allocations, the deductions, the
    remittance with its lines, then the matching of the new deductions. ``by`` (the user) also scopes which
    invoices may be named. Raises RemittanceRefused listing every problem; DomainConflict
    remittance.reference_used when the reference was used for other content, payment.reference_used when a
    standing payment of the account recorded by hand holds it (contracts.services.check_payment_reference).
    ``problems`` are those found before (cells of a file that could not be read): refused with the rest."""
    when = date
    found_before = list(problems)
    problems = _Problems(found_before)
    reference = (reference or "").strip()
    if by is not None and not finance_accounts_for(by).filter(pk=account.pk).exists():
        raise not_found("account")
    if not reference:
        problems.add("", None, "reference", _("Give the chain's payment reference."), "remittance.needs_reference")
    elif len(reference) > 60:
        problems.add("", None, "reference", _("The reference is longer than 60 characters."), "remittance.reference")
    else:
        account = KeyAccount.objects.select_for_update().get(pk=account.pk)  # one remittance of an account at a time
        # a reference is the same whatever its case (contracts.services.check_payment_reference compares alike)
        existing = (
            Remittance.objects.filter(account=account, reference__iexact=reference).select_related("account").first()
        )
        if existing is not None:
            lines = None
            if not found_before:
                lines = _new_lines(when=when, reference=existing.reference, invoices=invoices, deductions=deductions)
            return _same_or_refused(existing, when=when, cash=cash, file_sha256=file_sha256, lines=lines)
        # A reference a payment recorded by hand already holds is that money, booked once (contracts' one rule,
        # payment.reference_used, naming it; a reversed payment frees its reference). The account is locked above, as
        # payment_record locks it, so a hand payment and a remittance of the same reference cannot both pass.
        check_payment_reference(account=account, reference=reference)
    try:
        cash = rules_positive(cash, "remittance.cash_not_positive")
    except DomainError as error:
        problems.add("", None, "cash", error)
        cash = None
    try:
        check_book_date(when, label=_("Date received"))  # what payment_record and settlement_record refuse
        rules.check_month_open(when, ClosedMonth.objects.months())
    except DomainError as error:
        problems.add("", None, "date", error)

    # The invoices named, locked in one query (the account's, within the user's scope).
    numbers = {(line.invoice or "").strip() for line in invoices} | {
        (line.invoice or "").strip() for line in deductions if line.invoice
    }
    numbers.discard("")
    found = {
        invoice.number: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .filter(number__in=sorted(numbers))
        .select_related("account")
        .order_by("pk")
    }
    # The chains the user sees, read only when an invoice of another chain is named (its number is then unknown to a
    # user who does not see it): the account itself is in scope, so a remittance of its own invoices reads none.
    visible = None
    if by is not None and any(invoice.account_id != account.pk for invoice in found.values()):
        visible = set(finance_accounts_for(by).values_list("pk", flat=True))
    lines: dict[str, tuple[Invoice, Decimal, int]] = {}
    first_row: dict[str, int] = {}
    for index, line in enumerate(invoices):
        row, number = _row(line, index), (line.invoice or "").strip()
        if not number:
            problems.add("invoices", row, "invoice", _("An invoice number is required."), "remittance.needs_invoice")
            continue
        invoice = found.get(number)
        if invoice is None or (visible is not None and invoice.account_id not in visible):
            problems.add(
                "invoices",
                row,
                "invoice",
                _("Unknown invoice number “%(number)s”.") % {"number": number},
                "remittance.unknown_invoice",
            )
            continue
        if invoice.account_id != account.pk:
            problems.add(
                "invoices",
                row,
                "invoice",
                _("Invoice %(number)s is %(other)s's, not %(account)s's.")
                % {"number": number, "other": invoice.account.code, "account": account.code},
                "remittance.other_account",
            )
            continue
        if number in first_row:
            problems.add(
                "invoices",
                row,
                "invoice",
                _("Invoice %(number)s is named twice: also row %(row)s.")
                % {"number": number, "row": first_row[number]},
                "remittance.invoice_twice",
            )
            continue
        first_row[number] = row
        try:
            amount = rules_positive(line.amount, "remittance.line_not_positive")
            check_within_open(
                amount=amount,
                open_amount=invoice.open_amount,
                number=number,
                code="remittance.exceeds_open",
                field="amount",
            )
        except DomainError as error:
            problems.add("invoices", row, "amount", error)
            continue
        lines[number] = (invoice, amount, row)

    # The deductions: kind, amount, months, and the invoice line they name.
    given = {(line.invoice or "").strip() for line in invoices} - {""}
    taken: list[dict] = []
    named_total: dict[str, Decimal] = defaultdict(Decimal)
    for index, line in enumerate(deductions):
        row, bad = _row(line, index), False
        values = {"row": row}
        try:
            values["kind"] = deduction_kind(line.kind)
        except DomainError as error:
            problems.add("deductions", row, "kind", error)
            bad = True
        try:
            values["amount"] = rules_positive(line.amount, "deduction.amount_not_positive")
        except DomainError as error:
            problems.add("deductions", row, "amount", error)
            bad = True
        try:
            values["period_start"], values["period_end"] = claimed_months(when, line.period_start, line.period_end)
        except DomainError as error:
            problems.add("deductions", row, "period", error)
            bad = True
        values["reference"] = (line.reference or "").strip()
        if len(values["reference"]) > 60:
            problems.add(
                "deductions",
                row,
                "reference",
                _("The reference is longer than 60 characters."),
                "remittance.reference",
            )
            bad = True
        values["reason"] = (line.reason or "").strip()
        if len(values["reason"]) > 200:
            problems.add(
                "deductions", row, "reason", _("The reason is longer than 200 characters."), "remittance.reason"
            )
            bad = True
        number = (line.invoice or "").strip()
        values["line"] = None
        if number:
            if number in given and number not in first_row:
                bad = True  # its invoice line was refused: that line's problem says why, not a second one here
            elif number not in first_row:
                problems.add(
                    "deductions",
                    row,
                    "invoice",
                    _(
                        "Invoice %(number)s is not among this remittance's invoice lines: add a line for it, "
                        "or leave the deduction's invoice empty."
                    )
                    % {"number": number},
                    "remittance.deduction_invoice",
                )
                bad = True
            elif number in lines and not bad:
                named_total[number] += values["amount"]
                if named_total[number] > lines[number][1]:
                    problems.add(
                        "deductions",
                        row,
                        "amount",
                        _(
                            "The deductions named on invoice %(number)s come to %(total)s, more than the %(settled)s "
                            "this remittance settles of it."
                        )
                        % {"number": number, "total": named_total[number], "settled": lines[number][1]},
                        "remittance.deductions_over_line",
                    )
                    named_total[number] -= values["amount"]
                    bad = True
            values["line"] = number
        if not bad:
            taken.append(values)

    settled = sum((amount for _invoice, amount, _row_number in lines.values()), ZERO)
    deducted = sum((values["amount"] for values in taken), ZERO)
    if cash is not None and not found_before:  # with unread lines the totals would be wrong
        try:
            rules.remittance_rest(cash=cash, deducted=deducted, settled=settled)
        except DomainError as error:
            problems.add("", None, "cash", error)

    # Deductions onto the invoice lines: every one that fits on none is named.
    placed: dict[int, str] = {}
    if found_before:
        pass
    elif lines:
        rooms = {number: amount - named_total[number] for number, (_i, amount, _r) in lines.items()}
        pending = [(index, values["amount"], values["line"]) for index, values in enumerate(taken)]
        while True:
            try:
                placed = rules.place_deductions(rooms, pending)
                break
            except DomainError as error:
                key = error.params.pop("key")
                problems.add("deductions", taken[key]["row"], "amount", error)
                pending = [item for item in pending if item[0] != key]
    elif taken and not given:  # lines were given but refused: their problems say why, nothing is placed
        for values in taken:
            problems.add(
                "deductions",
                values["row"],
                "amount",
                _("A deduction needs an invoice line to sit on: this remittance names no invoice."),
                "remittance.deduction_too_big",
            )
    if problems:
        raise RemittanceRefused(problems)

    # Cash per line: its amount less the deductions on it; the rest oldest first to the other open invoices.
    on_line: dict[str, Decimal] = defaultdict(Decimal)
    for index, number in placed.items():
        on_line[number] += taken[index]["amount"]
    open_before = {number: invoice.open_amount for number, (invoice, _a, _r) in lines.items()}
    allocations = []
    for number, (invoice, amount, _r) in lines.items():
        part = amount - on_line[number]
        if part > 0:
            allocations.append((invoice, part))
    rest = cash - sum((part for _invoice, part in allocations), ZERO)
    if rest > 0:
        others = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(open_q(), account=account)
            .exclude(pk__in=[invoice.pk for invoice, _a, _r in lines.values()])
            .order_by("date", "pk")
        }
        plan = allocate_oldest_first(rest, [OpenItem(i.pk, i.date, i.open_amount) for i in others.values()])
        allocations.extend((others[invoice_id], part) for invoice_id, part in plan)
    payment, _made, withheld = settlement_record(
        account=account,
        date=when,
        amount=cash,
        reference=reference,
        allocations=allocations,
        deductions=[
            {
                "invoice": lines[placed[index]][0],
                "kind": values["kind"],
                "amount": values["amount"],
                "reason": values["reason"],
                # no reason given: the system's, in the reader's language when read
                "reason_code": "" if values["reason"] else contract_notes.REMITTANCE,
                "reason_params": {} if values["reason"] else {"reference": reference},
                "reference": values["reference"],
                "period_start": values["period_start"],
                "period_end": values["period_end"],
            }
            for index, values in enumerate(taken)
        ],
        by=by,
    )
    remittance = Remittance.objects.create(
        account=account,
        date=when,
        reference=reference,
        cash=cash,
        payment=payment,
        settled=settled,
        deducted=deducted,
        file_sha256=file_sha256,
        recorded_by=by,
    )
    RemittanceInvoice.objects.bulk_create(
        [
            RemittanceInvoice(
                remittance=remittance, invoice=invoice, amount=amount, open_before=open_before[number], row=row
            )
            for number, (invoice, amount, row) in lines.items()
        ],
        batch_size=500,
    )
    if withheld:
        remittance.deductions.add(*withheld)
        deductions_match(deductions=remittance.deductions.all())
    return RemittanceOutcome(remittance, created=True)


def rules_positive(amount, code: str) -> Decimal:
    """Above zero, in money; refused (with ``code``) when missing or not above zero."""
    if amount is None or amount == "":
        raise DomainError(code, _("An amount is required."), field="amount")
    try:
        return positive_amount(amount, code)
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError(code, _("“%(value)s” is not an amount.") % {"value": amount}, field="amount") from None


# --- the Excel advice -----------------------------------------------------------------------------------------


def _period_cell(value) -> tuple[date, date]:
    if isinstance(value, date):  # Excel keeps a typed "2026-10" as a date, read as a datetime: its month
        month = (value.date() if isinstance(value, datetime) else value).replace(day=1)
        return month, month
    try:
        return rules.parse_period(str(value))
    except DomainError as error:
        raise CellError(error.detail) from None


def _kind_cell(value) -> str:
    try:
        return deduction_kind(value)
    except DomainError as error:
        raise CellError(error.detail) from None


# One sheet: a row with an amount settled is an invoice line; a row with a deduction (kind or deduction amount)
# is a deduction, taken from the invoice of its row when it names one. A row may be both.
ADVICE_COLUMNS = (
    Column(
        "invoice",
        "发票号",
        "invoice number",
        text_cell(40),
        aliases=("发票号码", "发票编号", "发票", "invoice", "invoice no", "invoice no."),
        hint=_("An invoice of this key account"),
        example="INV000123",
    ),
    Column(
        "amount",
        "结算金额",
        "amount settled",
        money_cell(min_value=None),
        aliases=("本次结算金额", "回款金额", "付款金额", "amount", "settled", "amount paid"),
        hint=_("What this remittance settles of the invoice, cash and deductions together"),
        example="10000.00",
    ),
    Column(
        "kind",
        "扣款类型",
        "deduction kind",
        _kind_cell,
        aliases=("费用类型", "扣款项目", "kind", "deduction type"),
        hint=choices_hint(Deduction.Kind),
        example="dm",
    ),
    Column(
        "period",
        "费用期间",
        "period",
        _period_cell,
        aliases=("期间", "扣款期间", "所属期间", "period (yyyy-mm)", "months"),
        hint=_("YYYY-MM or YYYY-MM~YYYY-MM"),
        example="2026-09",
    ),
    Column(
        "deduction_amount",
        "扣款金额",
        "deduction amount",
        money_cell(min_value=None),
        aliases=("扣款", "deduction", "deducted", "deduction amount (cny)"),
        hint=_("What the chain withheld"),
        example="500.00",
    ),
    Column(
        "reference",
        "费用单号",
        "chain reference",
        text_cell(60),
        aliases=("扣款单号", "单号", "reference", "deduction reference"),
        example="DM-2026-09-01",
    ),
    Column(
        "reason",
        "扣款原因",
        "reason",
        text_cell(200),
        aliases=("原因", "说明", "备注", "note"),
        hint=_("Empty: “remittance <reference>”"),
    ),
)
_BY_KEY = {column.key: column for column in ADVICE_COLUMNS}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match(header_row) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    for index, header in enumerate(header_row):
        if _blank(header):
            continue
        parts = [normal_header(header), *(normal_header(part) for part in str(header).replace("\n", "/").split("/"))]
        column = next((c for c in ADVICE_COLUMNS if any(part in c.names for part in parts)), None)
        if column is None:
            continue
        if column.key in positions:
            problems.append(Problem("", 1, str(header).strip(), gettext("This column appears twice."), "import.header"))
        else:
            positions[column.key] = index
            headers[column.key] = str(header).strip()
    for key in ("invoice", "amount"):
        if key not in positions:
            column = _BY_KEY[key]
            problems.append(
                Problem(
                    "",
                    1,
                    column.header(),
                    gettext("Required column missing: “%(zh)s” or “%(en)s”.")
                    % {"zh": column.zh, "en": column.header("en")},
                    "import.header",
                )
            )
    return positions, headers, problems


def advice_read(
    file,
) -> tuple[list[InvoiceLine], list[DeductionLine], str, dict[tuple[str, str], str], list[Problem]]:
    """The lines of an Excel advice (first sheet, headers in row 1, Chinese or English), its sha256, and the
    column headers it used by (section, field) — to name the columns of the service's refusals — and the problems of
    its cells (a cell that cannot be read, a row that is neither an invoice line nor a deduction), which the service
    refuses together with the problems of the lines it could read. Bad headers are refused at once."""
    check_size(file)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip, XML or format error from a file we cannot trust
        raise not_a_spreadsheet() from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as exc:
        workbook.close()
        raise not_a_spreadsheet() from exc
    if not rows or all(_blank(value) for value in rows[0]):
        workbook.close()
        raise DomainError(
            "import.empty", _("The first sheet is empty: row 1 must hold the column headers."), field="file"
        )
    positions, headers, problems = _match(rows[0])
    if problems:
        workbook.close()
        raise RemittanceRefused(problems)
    # A merged range's value counts in every cell it covers, as the sheet shows it and the generic imports read it
    # (an invoice number merged down the rows of its deductions): the imports' own reader of merged ranges.
    try:
        merged = MergedRanges(sheet, width=max(positions.values()) + 1, header_row=1)
    finally:
        workbook.close()

    def header(key):
        return headers.get(key) or _BY_KEY[key].header()

    invoice_lines, deduction_lines = [], []
    for number, values in enumerate(rows[1:], start=2):
        values, blank, above = merged.apply(number, values)
        if blank:
            continue
        parsed = {}
        for key, index in positions.items():
            if index in above:  # merged with the headers: no value of this row's
                message = MERGED_WITH_HEADER % {"cells": above[index]}
                problems.append(Problem("", number, header(key), str(message), "import.merged_with_header"))
                parsed[key] = CellError
                continue
            value = values[index] if index < len(values) else None
            if _blank(value):
                continue
            try:
                parsed[key] = _BY_KEY[key].parse(value)
            except CellError as error:
                problems.append(Problem("", number, header(key), str(error), "import.cell"))
                parsed[key] = CellError
        is_line = "amount" in parsed
        is_deduction = "kind" in parsed or "deduction_amount" in parsed
        if not (is_line or is_deduction):
            problems.append(
                Problem(
                    "",
                    number,
                    header("amount"),
                    gettext("Give the amount settled (an invoice line) or a deduction kind and amount (a deduction)."),
                    "remittance.empty_row",
                )
            )
            continue
        if any(value is CellError for value in parsed.values()):
            continue
        if is_line:
            invoice_lines.append(InvoiceLine(parsed.get("invoice", ""), parsed["amount"], number))
        if is_deduction:
            if "kind" not in parsed:
                problems.append(Problem("", number, header("kind"), gettext("A value is required."), "deduction.kind"))
                continue
            start, end = parsed.get("period", (None, None))
            deduction_lines.append(
                DeductionLine(
                    kind=parsed["kind"],
                    amount=parsed.get("deduction_amount"),
                    period_start=start,
                    period_end=end,
                    reference=parsed.get("reference", ""),
                    reason=parsed.get("reason", ""),
                    invoice=parsed.get("invoice", ""),
                    row=number,
                )
            )
    if not invoice_lines and not deduction_lines and not problems:
        raise DomainError("import.no_rows", _("The file has headers but no data rows."), field="file")
    columns = {("invoices", "invoice"): header("invoice"), ("invoices", "amount"): header("amount")}
    columns.update({("deductions", key): header(key) for key in ("invoice", "kind", "period", "reference", "reason")})
    columns[("deductions", "amount")] = header("deduction_amount")
    return invoice_lines, deduction_lines, sha256, columns, problems


def remittance_import(*, account: KeyAccount, date: date, reference: str, cash: Decimal, file, by=None):
    """Record a remittance from its Excel advice (the header typed, the lines in the file): remittance_record
    with the file's sha256, the problems named by the file's rows and headers."""
    invoices, deductions, sha256, columns, problems = advice_read(file)
    try:
        return remittance_record(
            account=account,
            date=date,
            reference=reference,
            cash=cash,
            invoices=invoices,
            deductions=deductions,
            by=by,
            file_sha256=sha256,
            problems=problems,
        )
    except RemittanceRefused as refusal:
        raise refusal.relabel(columns) from None


def advice_template():
    """The advice to fill in: the headers the import reads and names its problems by, in the user's language
    (Column.header: 发票号, or “Invoice number”), and no rows (an example row left in would be read as a line); the
    second sheet says per column the other headers accepted, what it takes and an example, and how a row is read."""
    workbook = excel.new_workbook()
    excel.write_sheet(workbook, gettext("Remittance advice"), [column.header() for column in ADVICE_COLUMNS], [])
    other = "en" if (translation.get_language() or "zh-hans").startswith("zh") else "zh-hans"
    excel.write_sheet(
        workbook,
        gettext("Instructions"),
        [gettext("Column"), gettext("Also accepted"), pgettext("import column", "Format"), gettext("Example")],
        ([c.header(), ", ".join([c.header(other), *c.aliases]), str(c.hint), str(c.example)] for c in ADVICE_COLUMNS),
        intro=[
            gettext(
                "A row with an amount settled is an invoice line; a row with a deduction kind and amount is a "
                "deduction (taken from the invoice of its row when it names one). A row may be both."
            )
        ],
    )
    return workbook


# --- what is left to reconcile --------------------------------------------------------------------------------

# A deduction a remittance took is explained once matching finds it fully matched to spend lines.
_UNEXPLAINED = [Deduction.State.PARTLY_MATCHED, Deduction.State.UNSUPPORTED, Deduction.State.DUPLICATE]


def to_reconcile_q() -> Q:
    """Remittances not fully explained yet: cash still unallocated on their payment (not reversed), or a deduction
    they took that matching has not fully matched. The filter behind to_reconcile=true (one row per remittance)."""
    unallocated = Q(payment__reversed_at__isnull=True, payment__allocated_amount__lt=F("payment__amount"))
    unexplained = Q(deductions__state__in=_UNEXPLAINED)
    return Q(pk__in=Remittance.objects.filter(unallocated | unexplained).values("pk"))


# --- what the screen shows ------------------------------------------------------------------------------------


@dataclass
class ScreenLine:
    invoice: Invoice
    open_before: Decimal
    settled: Decimal
    cash: Decimal
    deducted: Decimal
    row: int | None

    @property
    def still_open(self) -> Decimal:
        return self.open_before - self.settled

    @property
    def short(self) -> bool:
        return self.settled < self.open_before


@dataclass
class RemittanceSummary:
    remittance: Remittance
    lines: list[ScreenLine]
    deductions: list[Deduction]
    others: list = field(default_factory=list)  # allocations of the rest to other invoices
    cash_to_lines: Decimal = ZERO
    rest_allocated: Decimal = ZERO
    unallocated: Decimal = ZERO
    short_total: Decimal = ZERO


def remittance_summary(remittance: Remittance) -> RemittanceSummary:
    """Per invoice line: open before, settled, its cash and the deductions placed on it, still open (short where
    settled < open before); the deductions with their matching state; the rest on other invoices; what is over."""
    payment = remittance.payment
    allocations = list(payment.allocations.select_related("invoice").order_by("invoice__date", "invoice__pk"))
    cash_by_invoice = defaultdict(Decimal)
    for allocation in allocations:
        cash_by_invoice[allocation.invoice_id] += allocation.amount
    deductions = list(remittance.deductions.select_related("invoice").order_by("invoice__number", "kind", "pk"))
    deducted_by_invoice = defaultdict(Decimal)
    for deduction in deductions:
        deducted_by_invoice[deduction.invoice_id] += deduction.amount
    lines = [
        ScreenLine(
            invoice=line.invoice,
            open_before=line.open_before,
            settled=line.amount,
            cash=cash_by_invoice[line.invoice_id],
            deducted=deducted_by_invoice[line.invoice_id],
            row=line.row,
        )
        for line in remittance.invoice_lines.select_related("invoice").order_by("row", "pk")
    ]
    named = {line.invoice.pk for line in lines}
    others = [allocation for allocation in allocations if allocation.invoice_id not in named]
    return RemittanceSummary(
        remittance=remittance,
        lines=lines,
        deductions=deductions,
        others=others,
        cash_to_lines=sum((line.cash for line in lines), ZERO),
        rest_allocated=sum((allocation.amount for allocation in others), ZERO),
        unallocated=payment.amount - payment.allocated_amount,
        short_total=sum((line.still_open for line in lines if line.short), ZERO),
    )
