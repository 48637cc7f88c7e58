"""The refusals of contracts and receivables (SPEC §6), as pure checks: facts in, a coded DomainError out.

No database here: contracts/services.py gathers the facts (the locked invoice, what is left on the
payment) and calls these, and the page, the API (create and update), the admin and the nightly job all
reach them only through a service, so a rule reads the same and says the same at every door. The
arithmetic behind them (due dates, buckets, oldest-first, DSO) is in contracts/receivables.py.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainConflict, DomainError

from .receivables import to_money


def check_contract_validity(*, valid_from: date, valid_to: date) -> None:
    """A contract ends on or after the day it starts."""
    if valid_to < valid_from:
        raise DomainError(
            "contract.validity_reversed",
            _("The contract ends on %(valid_to)s, before it starts on %(valid_from)s."),
            field="valid_to",
            valid_from=valid_from,
            valid_to=valid_to,
        )


def positive_amount(amount, code: str) -> Decimal:
    """The amount in money (two places); refused unless above zero."""
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError(code, _("The amount must be above zero; %(amount)s is not."), field="amount", amount=amount)
    return amount


def check_invoice_due(*, invoice_date: date, due_on: date) -> None:
    """An invoice falls due on or after its own date."""
    if due_on < invoice_date:
        raise DomainError(
            "invoice.due_before_date",
            _("The due date %(due_on)s is before the invoice date %(date)s."),
            field="due_on",
            due_on=due_on,
            date=invoice_date,
        )


def check_contract_account(*, contract_account_id: int, account_id: int, contract_number: str) -> None:
    """An invoice under a contract belongs to the contract's key account."""
    if contract_account_id != account_id:
        raise DomainError(
            "invoice.contract_other_account",
            _("Contract %(contract)s belongs to another key account."),
            field="contract",
            contract=contract_number,
        )


REASON_MAX_LENGTH = 200


def _reason(reason: str | None, code: str, missing) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(code, missing, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            "reason.too_long",
            _("Keep the reason to %(limit)s characters."),
            field="reason",
            limit=REASON_MAX_LENGTH,
        )
    return reason


def write_off_reason(reason: str | None) -> str:
    """A write-off says why."""
    return _reason(reason, "invoice.write_off_needs_reason", _("Give the reason for the write-off."))


def reversal_reason(reason: str | None) -> str:
    """A reversal says why (bounced, booked to the wrong account)."""
    return _reason(reason, "payment.reversal_needs_reason", _("Give the reason for the reversal."))


def deduction_reason(reason: str | None) -> str:
    """A deduction says why the chain withheld the money."""
    return _reason(reason, "deduction.needs_reason", _("Give the reason for the deduction."))


def check_within_open(
    *,
    amount: Decimal,
    open_amount: Decimal,
    number: str,
    code: str = "allocation.exceeds_invoice",
    field: str = "allocations",
) -> None:
    """An allocation, a deduction or a credit note never takes more than is still open on the invoice."""
    if amount > open_amount:
        raise DomainConflict(
            code,
            _("%(amount)s is more than the %(open)s still open on invoice %(number)s."),
            field=field,
            amount=amount,
            open=open_amount,
            number=number,
        )


def check_within_payment(*, total: Decimal, left: Decimal) -> None:
    """Allocations never take more than is left on the payment."""
    if total > left:
        raise DomainConflict(
            "allocation.exceeds_payment",
            _("Allocating %(total)s is more than the %(left)s left on this payment."),
            field="allocations",
            total=total,
            left=left,
        )


# --- credit notes (issue 12) --------------------------------------------------------------------------------


def credit_note_reason(reason: str | None) -> str:
    """A credit note says what it corrects (returns, price difference, short delivery)."""
    return _reason(reason, "credit_note.needs_reason", _("Give the reason for the credit note."))


def check_credit_note_invoice(
    *, invoice_account_id: int, account_id: int, invoice_number: str, invoice_date: date, credit_date: date
) -> None:
    """A credit note corrects an invoice of its own key account, raised on or before the credit note's date."""
    if invoice_account_id != account_id:
        raise DomainError(
            "credit_note.invoice_other_account",
            _("Invoice %(number)s belongs to another key account."),
            field="invoice",
            number=invoice_number,
        )
    if credit_date < invoice_date:
        raise DomainError(
            "credit_note.before_invoice",
            _("The credit note's date %(date)s is before invoice %(number)s of %(invoice_date)s."),
            field="date",
            date=credit_date,
            number=invoice_number,
            invoice_date=invoice_date,
        )
