"""Writes for contracts and receivables: every change to an open amount goes through here.

Each service runs in one transaction and locks the rows it changes (payment first, then invoices in
id order), so for every account, at every moment:
invoices − allocated payments − deductions − write-offs = open amount.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.errors import DomainConflict, DomainError, KeyReused
from ka_portal.money import to_money
from ka_portal.scope import user_role
from ka_portal.updated_at import touched_fields

from . import rules
from .models import (
    AgingMove,
    Allocation,
    Contract,
    ContractReminder,
    ContractTerm,
    CreditNote,
    Deduction,
    Invoice,
    Payment,
    ReceivablesRun,
    open_q,
)
from .receivables import Bucket, OpenItem, aging_bucket, allocate_oldest_first, days_past_due, due_date, is_worse
from .selectors import invoices_for

# What a contract's writer may set, in the order forms show it.
CONTRACT_FIELDS = (
    "number",
    "account",
    "kind",
    "status",
    "terminated_on",
    "signed_on",
    "valid_from",
    "valid_to",
    "total_amount",
    "rebate_percent",
    "listing_fee",
    "payment_terms_days",
    "attachment",
    "execution_notes",
)


def _check_month_open(day: date, *, field: str = "date") -> None:
    """Refuse a record dated in a month finance has closed (issue 12 item 4: ``month.closed``)."""
    # Lazy: tradespend imports contracts.models.
    from tradespend.models import ClosedMonth
    from tradespend.rules import check_month_open, month_start

    # the day's month and every closed month after it: a day before a closed month is refused too
    closed = ClosedMonth.objects.filter(month__gte=month_start(day)).months()
    check_month_open(day, closed, field=field)


def check_book_date(day: date, *, field: str = "date", label=None) -> None:
    """A record's date within what the books take (contracts.rules.check_book_date): from BOOKS_START to
    settings.KA.books_days_ahead days after today. Every write of a dated record asks it, whatever the door."""
    rules.check_book_date(
        day, today=timezone.localdate(), days_ahead=settings.KA.books_days_ahead, field=field, label=label
    )


def check_book_month(month: date, *, field: str = "month", label=None) -> None:
    """A month a record is booked in (a ledger adjustment's) within the months the books take
    (contracts.rules.check_book_month: check_book_date's bounds, the refusal naming the month as YYYY-MM)."""
    rules.check_book_month(
        month, today=timezone.localdate(), days_ahead=settings.KA.books_days_ahead, field=field, label=label
    )


# A contract's dates and a term line's (which has no signed_on), each with the label its refusal names it by.
CONTRACT_DATES = {"signed_on": _("Signed on"), "valid_from": _("Valid from"), "valid_to": _("Valid to")}


def check_contract_dates(values: Mapping[str, date | None], *, stored: Mapping[str, date | None] | None = None) -> None:
    """A contract's or a term line's dates within what contracts take (contracts.rules.check_contract_date): from the
    books' start to settings.KA.contract_years_ahead years after today, refused naming the field. ``stored``: the
    record's dates as saved, when it is changed; a date it already holds is not refused again, so a contract entered
    before the bound stays editable (its status, its notes) while any date typed anew is checked."""
    today = timezone.localdate()
    for name, label in CONTRACT_DATES.items():
        day = values.get(name)
        if day is None or (stored is not None and stored.get(name) == day):
            continue
        rules.check_contract_date(
            day, today=today, years_ahead=settings.KA.contract_years_ahead, field=name, label=label
        )


def _stored_dates(model, pk: int | None, names) -> dict | None:
    return model.objects.filter(pk=pk).values(*names).first() if pk is not None else None


# --- contracts ---------------------------------------------------------------------------------


def contract_check(contract: Contract) -> None:
    """Every rule a contract's terms must keep (contracts.rules, the number, the model's own validators):
    what the create and update services refuse (the first of contract_problems)."""
    problems = contract_problems(contract)
    if problems:
        raise problems[0]


def contract_problems(contract: Contract, *, unread: Iterable[str] = ()) -> list[DomainError]:
    """Everything wrong with a contract as entered, at most one refusal per field, so the page's and the admin's
    forms name every bad field at once (the services refuse the first). ``unread``: fields the form could not read;
    a check reading one of them is not asked (the value it would see is not the one typed)."""
    unread = set(unread)
    problems: list[DomainError] = []

    def ask(check, *reads: str) -> None:
        if any(name in unread or getattr(contract, Contract._meta.get_field(name).attname) is None for name in reads):
            return
        try:
            check()
        except DomainError as refusal:
            problems.append(refusal)

    stored = _stored_dates(Contract, contract.pk, CONTRACT_DATES)
    stored_termination = settle_termination(contract)
    for name in CONTRACT_DATES:
        ask(lambda name=name: check_contract_dates({name: getattr(contract, name)}, stored=stored), name)
    ask(
        lambda: rules.check_contract_validity(valid_from=contract.valid_from, valid_to=contract.valid_to),
        "valid_from",
        "valid_to",
    )
    termination = ("terminated_on", "status", "valid_from", "valid_to")
    ask(lambda: check_termination(contract, stored=stored_termination), *termination)
    ask(lambda: check_contract_move(contract), "account")
    ask(lambda: check_terms_within(contract, stored=stored), "valid_from", "valid_to")
    ask(lambda: check_figures_from_terms(contract), "rebate_percent", "listing_fee")
    ask(lambda: _check_number_free(contract), "number")
    try:
        contract.full_clean(exclude=unread, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems += [
            DomainError("contract.invalid", "%(problem)s", field=field, problem=" ".join(messages))
            for field, messages in error.message_dict.items()
        ]
    if not problems and not unread:
        from evidence.agreements import check_contract_change  # lazy: evidence builds on contracts

        # its display agreements in closed months stay (agreement.source_month_closed)
        ask(lambda: check_contract_change(contract))
    return _one_per_field(problems)


def settle_termination(contract: Contract) -> date | None:
    """A contract's termination date as its status asks (contracts.rules.check_termination): one made terminated
    without a date ends today, or on its own end when that has passed (terminated once over, it accrued all it would);
    one taken back from terminated (any other status) drops the date it held, so its
    terms accrue again over their own dates. A date given anew with another status is left for the check to refuse.
    Returns the termination date stored (None for a new contract), which the check reads."""
    stored = Contract.objects.filter(pk=contract.pk).values_list("terminated_on", flat=True).first()
    if contract.status == Contract.Status.TERMINATED:
        if contract.terminated_on is None:
            today = timezone.localdate()
            contract.terminated_on = min(today, contract.valid_to) if contract.valid_to else today
    elif contract.terminated_on is not None and contract.terminated_on == stored:
        contract.terminated_on = None
    return stored


def check_termination(contract: Contract, *, stored: date | None) -> None:
    """A terminated contract's date within its validity (rules.check_termination) and, when it is given or moved, of a
    contract that has started (one that has not is taken back to Draft instead) and in an open month
    (tradespend.rules.check_month_open: a closed month's figures never change, and months close in order). A date the
    contract already holds is not asked about either again."""
    rules.check_termination(
        contract_number=contract.number,
        terminated=contract.status == Contract.Status.TERMINATED,
        status_label=Contract.Status(contract.status).label if contract.status in Contract.Status.values else "",
        valid_from=contract.valid_from,
        valid_to=contract.valid_to,
        terminated_on=contract.terminated_on,
        # a contract not started yet is called off as a draft (asked of a termination new or moved only)
        today=timezone.localdate() if contract.terminated_on != stored else None,
    )
    if contract.terminated_on is not None and contract.terminated_on != stored:
        _check_month_open(contract.terminated_on, field="terminated_on")


def _one_per_field(problems: list[DomainError]) -> list[DomainError]:
    seen: set = set()
    first = []
    for problem in problems:
        if problem.field is None or problem.field not in seen:
            first.append(problem)
            seen.add(problem.field)
    return first


def _check_number_free(contract: Contract) -> None:
    if Contract.objects.filter(number=contract.number).exclude(pk=contract.pk).exists():
        raise DomainError(
            "contract.number_taken",
            _("Contract number %(number)s is already in the ledger."),
            field="number",
            number=contract.number,
        )


def check_terms_within(contract: Contract, *, stored: Mapping[str, date | None] | None) -> None:
    """A stored contract whose dates change keeps every trade-term line within them (contracts.rules
    .check_terms_within_contract, ``term.outside_contract`` from the contract's side): page, API and admin alike. Its
    dates as they stand are not asked again (a contract stored before the rule stays editable: its status, notes)."""
    if stored is None or (stored["valid_from"], stored["valid_to"]) == (contract.valid_from, contract.valid_to):
        return
    terms = ContractTerm.objects.filter(contract_id=contract.pk).order_by("valid_from", "kind", "pk")
    rules.check_terms_within_contract(
        contract_from=contract.valid_from,
        contract_to=contract.valid_to,
        terms=[(ContractTerm.Kind(term.kind).label, term.valid_from, term.valid_to) for term in terms],
        contract_number=contract.number,
    )


def check_contract_move(contract: Contract) -> None:
    """A stored contract given another key account keeps the one its invoices are at (contract.has_invoices);
    without invoices it moves (its display agreements follow: contract_update)."""
    if contract.pk is None:
        return
    stored = Contract.objects.filter(pk=contract.pk).values_list("account_id", "account__code").first()
    if stored is None or stored[0] == contract.account_id:
        return
    rules.check_contract_move(
        contract_number=contract.number,
        stored_account=stored[1],
        invoices=Invoice.objects.filter(contract_id=contract.pk).count(),
    )


@transaction.atomic
def contract_create(**fields) -> Contract:
    """Add a contract to the ledger (fields as on the model; the number must be new)."""
    contract = Contract(**{name: value for name, value in fields.items() if name in CONTRACT_FIELDS})
    contract_check(contract)
    contract.save()
    return contract


# What of a contract its chain's trade-spend ledger reads: whether its terms accrue (its status: a draft's accrue
# nothing), until when (a terminated one's accrue nothing after its termination date's month), on which chain's
# ledger (its key account), and its validity, which bounds the display agreements its terms generate (a fee not
# evidenced comes off its term's line: tradespend/accruals.py).
CONTRACT_LEDGER_FIELDS = ("status", "account_id", "valid_from", "valid_to", "terminated_on")


@transaction.atomic
def contract_update(*, contract: Contract, **fields) -> Contract:
    """Change a contract's terms, status, attachment or notes. A change of its status, dates or key account reaches
    its display agreements and its chain's trade-spend ledger in this transaction, as a term's change does."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = {name: getattr(contract, name) for name in CONTRACT_LEDGER_FIELDS}
    for name, value in fields.items():
        if name in CONTRACT_FIELDS:
            setattr(contract, name, value)
    contract_check(contract)
    contract.save()
    _agreements_follow(contract, account_ids=[before["account_id"]])  # its status or validity moves its agreements
    if any(getattr(contract, name) != was for name, was in before.items()):
        # the open months at once, not the next morning (its notes, figures or attachment change no ledger line)
        _ledger_follows([contract], before=[(before["account_id"], before["status"])])
    return contract


# --- invoices ----------------------------------------------------------------------------------


def _status_for(invoice: Invoice) -> str:
    if invoice.open_amount == 0:
        return Invoice.Status.WRITTEN_OFF if invoice.written_off_amount > 0 else Invoice.Status.PAID
    if invoice.open_amount == invoice.amount:
        return Invoice.Status.OPEN
    return Invoice.Status.PARTLY_PAID


def _change_open_amount(invoice: Invoice, delta: Decimal) -> None:
    """Add ``delta`` (negative to reduce) to a locked invoice's open amount and set its status."""
    invoice.open_amount = to_money(invoice.open_amount + delta)
    invoice.status = _status_for(invoice)
    invoice.save(update_fields=["open_amount", "status"])


@transaction.atomic
def invoice_create(
    *,
    account: KeyAccount,
    number: str,
    date: date,
    amount: Decimal,
    contract: Contract | None = None,
    due_on: date | None = None,
    by=None,
) -> Invoice:
    """Raise an invoice; its due date is the one given, else its date plus the contract's payment terms. Its number
    is trimmed and unique whatever its case (invoice_number_taken); ``by`` is who raises it (None: the system)."""
    number = (number or "").strip()
    amount = rules.positive_amount(amount, "invoice.amount_not_positive")
    check_book_date(date)
    _check_month_open(date)
    if contract is not None:
        # Its key account as it stands, locked: a contract moved to another chain at this moment is either moved
        # before this invoice (refused here) or keeps it (contract_update then refuses the move: contract.has_invoices).
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        rules.check_contract_account(
            contract_account_id=contract.account_id, account_id=account.pk, contract_number=contract.number
        )
    terms = contract.payment_terms_days if contract else settings.KA.default_payment_terms_days
    due = due_date(invoice_date=date, given=due_on, payment_terms_days=terms)
    rules.check_invoice_due(invoice_date=date, due_on=due)
    refusal = invoice_number_taken(number, by=by)
    if refusal is not None:
        raise refusal
    taken = DomainError(
        "invoice.number_taken", _("Invoice number %(number)s already exists."), field="number", number=number
    )
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                account=account,
                contract=contract,
                number=number,
                date=date,
                due_on=due,
                amount=amount,
                open_amount=amount,
            )
    except IntegrityError as error:  # the same number saved at the same moment by someone else
        raise taken from error


def invoice_number_taken(number: str, *, by=None) -> DomainError | None:
    """The refusal of an invoice number another invoice already has, compared trimmed and without case as the chains'
    numbers are typed (ERP-INV-0001 is erp-inv-0001, as a payment's reference: check_payment_reference); None when
    it is free. It names that invoice (its number as recorded, account, date and amount) to whoever may see it; to a
    user `by` who may not, only that the number is in use. `by` None: the system's own writes."""
    number = (number or "").strip()
    earlier = (
        Invoice.objects.annotate(number_key=Lower(Trim("number")))
        .filter(number_key=number.lower())
        .select_related("account")
        .order_by("pk")
        .first()
    )
    if earlier is None:
        return None
    if by is not None and not invoices_for(by).filter(pk=earlier.pk).exists():
        return DomainError(
            "invoice.number_taken",
            _("Invoice number %(number)s is already in use (invoice numbers are the same whatever their case): "
              "check the number."),
            field="number",
            number=number,
        )  # fmt: skip
    recorded = earlier.number.strip()
    if recorded == number:
        message = _(
            "Invoice number %(number)s already exists. It is the invoice of %(account)s dated %(date)s for "
            "%(amount)s: check the number."
        )
    else:
        message = _(
            "Invoice number %(number)s already exists, as %(recorded)s: the invoice of %(account)s dated %(date)s "
            "for %(amount)s (invoice numbers are the same whatever their case). Check the number."
        )
    return DomainError(
        "invoice.number_taken",
        message,
        field="number",
        number=number,
        recorded=recorded,
        account=earlier.account.code,
        date=earlier.date,
        amount=earlier.amount,
        invoice=earlier.pk,
    )


@transaction.atomic
def invoice_write_off(*, invoice: Invoice, reason: str, by, on: date | None = None) -> Invoice:
    """Write off what is still open on an invoice: needs a reason and a finance user."""
    if user_role(by) not in (Role.FINANCE, Role.ADMIN):
        raise DomainError("invoice.write_off_needs_finance", _("Only finance may write off an invoice."))
    reason = rules.write_off_reason(reason)
    on = on or timezone.localdate()
    check_book_date(on, field="on")
    _check_month_open(on, field="on")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_settled:
        raise DomainConflict(
            "invoice.already_settled",
            _("Invoice %(number)s is already %(status)s: nothing is open to write off."),
            number=invoice.number,
            status=invoice.get_status_display(),
        )
    invoice.written_off_amount = invoice.open_amount
    invoice.written_off_on = on
    invoice.written_off_by = by
    invoice.write_off_reason = reason
    invoice.save(update_fields=["written_off_amount", "written_off_on", "written_off_by", "write_off_reason"])
    _change_open_amount(invoice, -invoice.written_off_amount)
    return invoice


# --- payments and allocation -------------------------------------------------------------------


def _allocate(payment: Payment, allocations: Sequence[tuple] | None) -> list[Allocation]:
    """Allocate what is left of a locked payment: by hand (invoice, amount) pairs, else oldest first."""
    if payment.is_reversed:
        raise DomainConflict("payment.reversed", _("This payment was reversed; it cannot be allocated."))
    left = payment.unallocated_amount
    if allocations is None:
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(open_q(), account_id=payment.account_id)
            .order_by("pk")
        }
        items = [OpenItem(i.pk, i.date, i.open_amount) for i in invoices.values()]
        plan = allocate_oldest_first(left, items)
    else:
        # Each line named as the client sent it: allocations.<n>.invoice / .amount (n from 0, as the list is sent).
        ids = [getattr(invoice, "pk", invoice) for invoice, _amount in allocations]
        numbers = {getattr(i, "pk", i): i.number for i, _amount in allocations if hasattr(i, "number")}
        rules.check_invoices_once(ids, numbers)
        wanted: dict[int, Decimal] = {}
        for index, (invoice_id, (_invoice, amount)) in enumerate(zip(ids, allocations, strict=True)):
            wanted[invoice_id] = rules.positive_amount(
                amount, "allocation.amount_not_positive", field=f"allocations.{index}.amount", label=_("Allocation")
            )
        invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
        for index, invoice_id in enumerate(wanted):
            invoice = invoices.get(invoice_id)
            if invoice is None or invoice.account_id != payment.account_id:
                raise other_account_refusal(invoice, payment=payment, field=f"allocations.{index}.invoice")
            rules.check_within_open(amount=wanted[invoice_id], open_amount=invoice.open_amount, number=invoice.number)
        rules.check_within_payment(total=sum(wanted.values(), Decimal("0")), left=left)
        plan = list(wanted.items())
    made = []
    for invoice_id, amount in plan:
        invoice = invoices[invoice_id]
        made.append(Allocation.objects.create(payment=payment, invoice=invoice, amount=amount))
        _change_open_amount(invoice, -amount)
        payment.allocated_amount += amount
    payment.save(update_fields=["allocated_amount"])
    return made


def other_account_refusal(invoice: Invoice | None, *, payment: Payment, field: str) -> DomainError:
    """An allocation of a payment to an invoice of another key account (or to none): refused naming the invoice, its
    account and the payment's."""
    if invoice is None:
        return DomainError(
            "allocation.other_account",
            _("A payment from one key account can only settle that account's invoices."),
            field=field,
        )
    return DomainError(
        "allocation.other_account",
        _("Invoice %(number)s is %(invoice_account)s's: a payment from %(account)s settles only that key account's "
          "invoices."),
        field=field,
        number=invoice.number,
        invoice=invoice.pk,
        invoice_account=invoice.account.code,
        account=payment.account.code,
    )  # fmt: skip


@transaction.atomic
def payment_record(
    *,
    account: KeyAccount,
    date: date,
    amount: Decimal,
    reference: str = "",
    allocations: Sequence[tuple] | None = None,
    auto_allocate: bool | None = None,
    by=None,
    request_key: uuid.UUID | None = None,
) -> Payment:
    """Record a payment from a key account and allocate it: by hand when ``allocations`` is given,
    else oldest invoice first (unless ``auto_allocate`` is False); both asked for is refused
    (rules.check_allocation_mode). A repeated ``request_key`` returns the
    payment already recorded with it instead of a second one; the same key for another account, date,
    amount or reference is refused (422 ``idempotency.key_reused``)."""
    rules.check_allocation_mode(auto_allocate=auto_allocate, by_hand=allocations is not None)
    amount = rules.positive_amount(amount, "payment.amount_not_positive")
    reference = (reference or "").strip()
    if request_key is not None:
        existing = Payment.objects.filter(request_key=request_key).first()
        if existing is not None:
            return _same_payment(existing, by=by, account=account, date=date, amount=amount, reference=reference)
    check_book_date(date)
    _check_month_open(date)
    if reference:
        # One payment of an account at a time, as a remittance (tradespend.remittances): two clerks recording the
        # same reference at once cannot both find it unused. A repeated request key that waited here answers the
        # payment its first post made, not a refusal of its own reference.
        KeyAccount.objects.select_for_update().filter(pk=account.pk).first()
        if request_key is not None and (existing := Payment.objects.filter(request_key=request_key).first()):
            return _same_payment(existing, by=by, account=account, date=date, amount=amount, reference=reference)
        check_payment_reference(account=account, reference=reference)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                account=account, date=date, amount=amount, reference=reference, recorded_by=by, request_key=request_key
            )
    except IntegrityError:  # the same form posted twice at the same moment: the first one won
        existing = Payment.objects.get(request_key=request_key)
        return _same_payment(existing, by=by, account=account, date=date, amount=amount, reference=reference)
    if allocations is not None or auto_allocate is not False:
        _allocate(payment, allocations)
    return payment


def check_payment_reference(*, account: KeyAccount, reference: str) -> None:
    """Refuse a payment whose reference (the bank's or the chain's, as the clerk types it) is already on a payment
    of the same key account that stands (payment.reference_used): pressing Back and submitting again, or typing the
    same advice twice, would book the same money twice. A bank reference is the same whatever its case and the spaces
    around it (QA3P-2026-12-01, qa3p-2026-12-01): compared trimmed and without case, the stored one trimmed too. An
    empty reference is never compared; a reversed payment frees its reference (booked wrong, recorded again right).
    The refusal names the earlier payment (its date, amount and reference as recorded) and where it is shown."""
    reference = (reference or "").strip()
    if not reference:
        return
    earlier = (
        Payment.objects.filter(account_id=account.pk, reversed_at__isnull=True)
        .annotate(stored_reference=Trim("reference"))
        .filter(stored_reference__iexact=reference)
        .order_by("date", "pk")
        .first()
    )
    if earlier is None:
        return
    recorded = earlier.reference.strip()
    if recorded == reference:
        message = _(
            "Reference %(reference)s is already recorded for a payment of %(account)s on %(date)s of %(amount)s: "
            "check the reference. That payment is listed under Payments on the account's receivables page; if it "
            "was booked wrong, reverse it there first."
        )
    else:
        message = _(
            "Reference %(reference)s is already recorded, as %(recorded)s, for a payment of %(account)s on %(date)s "
            "of %(amount)s (a reference is the same whatever its case): check the reference. That payment is listed "
            "under Payments on the account's receivables page; if it was booked wrong, reverse it there first."
        )
    raise DomainConflict(
        "payment.reference_used",
        message,
        field="reference",
        reference=reference,
        recorded=recorded,
        account=account.code,
        date=earlier.date,
        amount=earlier.amount,
        payment=earlier.pk,
    )


def _same_payment(payment: Payment, *, by, account: KeyAccount, date: date, amount: Decimal, reference: str) -> Payment:
    """The payment a repeated request key names, if the repeat asks for the same payment (the key means one
    thing). Another user's key is refused without saying anything about that payment."""
    if by is not None and payment.recorded_by_id not in (None, by.pk):
        raise DomainConflict(
            "payment.request_key_taken", _("This request key belongs to another payment."), field="request_key"
        )
    first = {
        "account": payment.account_id,
        "date": payment.date,
        "amount": payment.amount,
        "reference": payment.reference,
    }
    again = {"account": account.pk, "date": date, "amount": amount, "reference": reference}
    differs = [name for name in first if first[name] != again[name]]
    if differs:
        raise KeyReused(differs)
    return payment


@transaction.atomic
def payment_allocate(*, payment: Payment, allocations: Sequence[tuple] | None = None) -> list[Allocation]:
    """Allocate what is left of a payment: to the given (invoice, amount) pairs, else oldest first. An allocation
    counts from its payment's date, so a payment dated in a closed month takes no new one (``month.closed``)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    _check_month_open(payment.date)
    return _allocate(payment, allocations)


@transaction.atomic
def payment_reverse(*, payment: Payment, by, reason: str, on: date | None = None) -> Payment:
    """Reverse a payment (bounced, booked to the wrong account), with the reason: its allocations give their
    amounts back."""
    reason = rules.reversal_reason(reason)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_reversed:
        raise DomainConflict("payment.already_reversed", _("This payment was already reversed."))
    # The reversal counts on its own day (today's month is never closed): a payment of a closed month is reversed
    # in an open one, which leaves the closed month as it was.
    reversed_on = max(on or timezone.localdate(), payment.date)
    check_book_date(reversed_on, field="on")
    _check_month_open(reversed_on, field="on")
    allocations = list(payment.allocations.all())
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update().filter(pk__in=[a.invoice_id for a in allocations]).order_by("pk")
    }
    written_off = [i.number for i in invoices.values() if i.status == Invoice.Status.WRITTEN_OFF]
    if written_off:
        raise DomainConflict(
            "payment.invoice_written_off",
            _("Invoice %(numbers)s was written off after this payment; reverse the write-off first."),
            numbers=", ".join(written_off),
        )
    for allocation in allocations:
        _change_open_amount(invoices[allocation.invoice_id], allocation.amount)
    payment.reversed_at = timezone.now()
    payment.reversed_on = reversed_on
    payment.reversed_by = by
    payment.reversal_reason = reason
    payment.save(update_fields=["reversed_at", "reversed_on", "reversed_by", "reversal_reason"])
    return payment


# --- deductions --------------------------------------------------------------------------------


@transaction.atomic
def deduction_record(
    *,
    invoice: Invoice,
    date: date,
    kind: str,
    amount: Decimal,
    reason: str,
    by=None,
    reference: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
) -> Deduction:
    """Record a fee the chain withheld (listing, barcode, DM, TG, rebate, …): it reduces the invoice like a
    payment. It claims the months ``period_start``–``period_end`` (its date's month when not given)."""
    amount = rules.positive_amount(amount, "deduction.amount_not_positive")
    check_book_date(date)
    _check_month_open(date)
    reason = rules.deduction_reason(reason)
    if kind not in Deduction.Kind.values:
        raise DomainError("deduction.kind", _("Unknown deduction kind %(kind)s."), field="kind", kind=kind)
    period_start, period_end = rules.claimed_months(date, period_start, period_end)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    rules.check_within_open(
        amount=amount, open_amount=invoice.open_amount, number=invoice.number, code="allocation.exceeds_invoice",
        field="amount",
    )  # fmt: skip
    deduction = Deduction.objects.create(
        account_id=invoice.account_id,
        invoice=invoice,
        date=date,
        kind=kind,
        amount=amount,
        reason=reason,
        reference=(reference or "").strip(),
        period_start=period_start,
        period_end=period_end,
        recorded_by=by,
    )
    _change_open_amount(invoice, -amount)
    from tradespend.matching import deductions_match  # trade spend builds on contracts, not the other way

    deductions_match(deductions=[deduction])  # its state: matched, partly matched, unsupported or a duplicate
    deduction.refresh_from_db(fields=["state", "matched_amount", "duplicate_of"])
    return deduction


# --- the nightly run ---------------------------------------------------------------------------


@transaction.atomic
def receivables_nightly_run(*, today: date) -> ReceivablesRun:
    """Count overdue invoices, record those that fell into a worse aging bucket, expire ended contracts
    and remind account owners of contracts ending within the warning window. Safe to run twice a day.

    History only: what pages and the API show is computed as of the day they are read
    (contracts.selectors.with_aging); the run keeps each open invoice's bucket (``last_run_bucket``) so the
    next run can tell a move to a worse one."""
    run, _created = ReceivablesRun.objects.select_for_update().get_or_create(run_on=today)
    changed = []
    overdue_count = 0
    for invoice in Invoice.objects.select_for_update().filter(open_q()).order_by("pk"):
        bucket = aging_bucket(days_past_due(due_on=invoice.due_on, as_of=today))
        overdue_count += bucket != Bucket.NOT_DUE
        if is_worse(bucket, invoice.last_run_bucket):
            AgingMove.objects.get_or_create(
                run=run,
                invoice=invoice,
                defaults={
                    "from_bucket": invoice.last_run_bucket,
                    "to_bucket": bucket,
                    "open_amount": invoice.open_amount,
                },
            )
        if invoice.last_run_bucket != bucket:
            invoice.last_run_bucket = bucket
            changed.append(invoice)
    now = timezone.now()
    for invoice in changed:
        invoice.updated_at = now  # its aging bucket as read moved too: a pull of what changed finds it
    Invoice.objects.bulk_update(changed, touched_fields(Invoice, ["last_run_bucket"]))
    Contract.objects.filter(status=Contract.Status.ACTIVE, valid_to__lt=today).update(status=Contract.Status.EXPIRED)
    warning = today + timedelta(days=settings.KA.contract_expiry_warning_days)
    expiring = Contract.objects.filter(
        status=Contract.Status.ACTIVE, valid_to__gte=today, valid_to__lte=warning, account__owner__isnull=False
    ).select_related("account")
    for contract in expiring:
        ContractReminder.objects.get_or_create(
            contract=contract,
            recipient_id=contract.account.owner_id,
            valid_to=contract.valid_to,
            defaults={"created_on": today},
        )
    run.overdue_count = overdue_count
    run.moved_count = run.moves.count()
    run.reminder_count = ContractReminder.objects.filter(created_on=today).count()
    run.finished_at = timezone.now()
    run.save()
    return run


# --- credit notes (issue 12: sell-in is invoiced, net of credit notes) ----------------------------------------


@transaction.atomic
def credit_note_record(
    *,
    account: KeyAccount,
    number: str,
    date: date,
    amount: Decimal,
    reason: str,
    invoice: Invoice | None = None,
    by=None,
) -> CreditNote:
    """Issue a credit note to a key account: it lowers the account's invoiced sell-in in its date's month and
    what the chain owes. Naming an invoice (of the same account, raised by then), it reduces that invoice's
    open amount like a deduction, never beyond what is open."""
    amount = rules.positive_amount(amount, "credit_note.amount_not_positive")
    check_book_date(date)
    _check_month_open(date)
    reason = rules.credit_note_reason(reason)
    taken = DomainError(
        "credit_note.number_taken", _("Credit note number %(number)s already exists."), field="number", number=number
    )
    if CreditNote.objects.filter(number=number).exists():
        raise taken
    if invoice is not None:
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        rules.check_credit_note_invoice(
            invoice_account_id=invoice.account_id,
            account_id=account.pk,
            invoice_number=invoice.number,
            invoice_date=invoice.date,
            credit_date=date,
        )
        rules.check_within_open(
            amount=amount,
            open_amount=invoice.open_amount,
            number=invoice.number,
            code="credit_note.exceeds_invoice",
            field="amount",
        )
    try:
        with transaction.atomic():
            credit_note = CreditNote.objects.create(
                account=account, number=number, date=date, amount=amount, reason=reason, invoice=invoice, recorded_by=by
            )
    except IntegrityError as error:  # the same number saved at the same moment by someone else
        raise taken from error
    if invoice is not None:
        _change_open_amount(invoice, -amount)
    return credit_note


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------

# What a term's writer may set, in the order forms show it.
TERM_FIELDS = (
    "kind",
    "basis",
    "period",
    "rate",
    "amount",
    "tiers",
    "valid_from",
    "valid_to",
    "settlement",
    "note",
)


def _term_values(fields: dict) -> dict:
    values = {name: value for name, value in fields.items() if name in TERM_FIELDS}
    if isinstance(values.get("tiers"), str):  # as typed: "90:1.5;100:2.5"
        values["tiers"] = rules.parse_tiers(values["tiers"])
    for name in ("rate", "amount"):
        if values.get(name) is not None:
            values[name] = to_money(values[name])
    return values


def contract_term_check(term: ContractTerm) -> None:
    """Every rule a term line keeps (contracts.rules.check_term, the choices, one line per kind and start):
    what the services refuse, and what the page's and the admin's forms show before saving through them."""
    for name, choices in (
        ("kind", ContractTerm.Kind),
        ("basis", ContractTerm.Basis),
        ("period", ContractTerm.Period),
        ("settlement", ContractTerm.Settlement),
    ):
        if getattr(term, name) not in choices.values:
            raise DomainError(
                "term.choice", _("“%(value)s” is not a %(name)s."), field=name, value=getattr(term, name), name=name
            )
    contract = term.contract
    check_contract_dates(
        {"valid_from": term.valid_from, "valid_to": term.valid_to},
        stored=_stored_dates(ContractTerm, term.pk, ("valid_from", "valid_to")),
    )
    rules.check_term(
        {name: getattr(term, name) for name in TERM_FIELDS},
        contract_from=contract.valid_from,
        contract_to=contract.valid_to,
        contract_number=contract.number,
    )
    taken = ContractTerm.objects.filter(contract=contract, kind=term.kind, valid_from=term.valid_from)
    if taken.exclude(pk=term.pk).exists():
        raise DomainConflict(
            "term.duplicate",
            _("Contract %(contract)s already has a %(kind)s line starting on %(valid_from)s."),
            field="valid_from",
            contract=contract.number,
            kind=term.get_kind_display(),
            valid_from=term.valid_from,
        )
    from evidence.agreements import TERM_SOURCE_FIELDS, check_term_change  # lazy: evidence builds on contracts

    # its display agreements in closed months stay as finance closed them (agreement.source_month_closed)
    check_term_change(contract=contract, term_id=term.pk, values={n: getattr(term, n) for n in TERM_SOURCE_FIELDS})


# What a term's spend is computed from: a change to any of these in a closed period would change frozen figures.
TERM_FIGURE_FIELDS = tuple(name for name in TERM_FIELDS if name != "note")


def term_months_closed(valid_from: date | None, valid_to: date | None, closed=None) -> bool:
    """Whether every month of a term's period is closed (its spend is all in frozen figures)."""
    if valid_from is None or valid_to is None or valid_to < valid_from:
        return False
    from tradespend.models import ClosedMonth  # lazy: tradespend imports contracts.models
    from tradespend.rules import months_between

    months = months_between(valid_from, valid_to)
    if closed is None:
        closed = set(ClosedMonth.objects.filter(month__in=months).values_list("month", flat=True))
    return all(month in closed for month in months)


def check_term_months_open(*, before: dict | None, after: dict | None, contract_number: str, closed=None) -> None:
    """Refuse adding, changing (what its spend is computed from) or removing a term line whose months are all closed,
    before or after the change (issue 12 item 4: a closed month's figures never change). A term still running into
    an open month may change: what its closed months then owe lands as a true-up in the first open month."""
    if before is not None and after is not None and all(before[name] == after[name] for name in TERM_FIGURE_FIELDS):
        return
    for values in (before, after):
        if values is not None and term_months_closed(values.get("valid_from"), values.get("valid_to"), closed):
            raise DomainError(
                "term.months_closed",
                _(
                    "This line of contract %(contract)s runs %(valid_from)s–%(valid_to)s, and those months are all "
                    "closed: their figures are frozen, so the line can no longer be added, changed or removed. "
                    "Correct the spend with an adjustment in an open month."
                ),
                contract=contract_number,
                valid_from=values["valid_from"],
                valid_to=values["valid_to"],
            )


def term_figures(term: ContractTerm) -> dict:
    return {name: getattr(term, name) for name in TERM_FIGURE_FIELDS}


def contract_terms_summarize(contract: Contract, *, removed_kinds: Iterable[str] = ()) -> None:
    """Keep the contract's summary fields derived from its term lines (the lines are the source of truth): rebate % =
    the unconditional rebates' rates plus each conditional rebate's expected rate, once it has a rebate line; listing
    fee = the fixed and per-store-per-SKU listing amounts, once it has a listing line. A figure no line of its kind
    makes stays as typed on the contract — a DM line added never wipes a typed rebate % — and reads flagged as
    accruing nothing (``selectors.with_figure_sources``). ``removed_kinds``: the kinds a line had before this change
    (deleted, or changed to another kind); a figure whose last line went falls to 0, what it now accrues."""
    terms = list(contract.terms.all())
    removed = set(removed_kinds)
    figures = {}
    rebates = [t for t in terms if t.kind in rules.REBATE_KINDS]
    if rebates or removed & set(rules.REBATE_KINDS):
        rebate = sum((t.rate for t in rebates if t.rate is not None), Decimal("0"))
        figures["rebate_percent"] = min(rebate, rules.RATE_MAX)
    listings = [t for t in terms if t.kind == ContractTerm.Kind.LISTING]
    if listings or ContractTerm.Kind.LISTING in removed:
        figures["listing_fee"] = to_money(sum((t.amount for t in listings if t.amount), Decimal("0")))
    if figures:
        Contract.objects.filter(pk=contract.pk).update(**figures)


def check_figures_from_terms(contract: Contract) -> None:
    """A rebate % or listing fee typed on a stored contract whose lines of that kind make it is refused when it
    differs from theirs (it would be replaced by their sum without a word): change the lines instead."""
    if contract.pk is None:
        return
    stored = Contract.objects.filter(pk=contract.pk).values("rebate_percent", "listing_fee").first()
    kinds = set(contract.terms.values_list("kind", flat=True)) if stored else set()
    for name, made_by, label in (
        ("rebate_percent", set(rules.REBATE_KINDS), _("rebate %")),
        ("listing_fee", {ContractTerm.Kind.LISTING}, _("listing fee")),
    ):
        typed = getattr(contract, name)
        if kinds & made_by and typed is not None and typed != stored[name]:
            raise DomainError(
                "contract.figure_from_terms",
                _(
                    "The %(figure)s of contract %(contract)s is summed from its trade-term lines (%(summed)s); "
                    "change those lines instead."
                ),
                field=name,
                figure=label,
                contract=contract.number,
                summed=stored[name],
            )


@transaction.atomic
def contract_term_create(*, contract: Contract, **fields) -> ContractTerm:
    """Add a term line to a contract; its validity defaults to the contract's."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    values = _term_values(fields)
    values.setdefault("valid_from", None)
    values.setdefault("valid_to", None)
    values["valid_from"] = values["valid_from"] or contract.valid_from
    values["valid_to"] = values["valid_to"] or contract.valid_to
    term = ContractTerm(contract=contract, **values)
    contract_term_check(term)
    check_term_months_open(before=None, after=term_figures(term), contract_number=contract.number)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as error:  # the same line saved at the same moment by someone else
        raise DomainConflict(
            "term.duplicate",
            _("Contract %(contract)s already has a %(kind)s line starting on %(valid_from)s."),
            field="valid_from",
            contract=contract.number,
            kind=term.get_kind_display(),
            valid_from=term.valid_from,
        ) from error
    contract_terms_summarize(contract)
    _agreements_follow(contract)
    # Its spend joins the ledger with the nightly run, not now: a line with spend in the ledger can no longer be
    # removed (term.has_accruals), and a line added by mistake is removed the same day.
    return term


@transaction.atomic
def contract_term_update(*, term: ContractTerm, **fields) -> ContractTerm:
    """Change a term line (its contract stays)."""
    contract = Contract.objects.select_for_update().get(pk=term.contract_id)
    term = ContractTerm.objects.select_for_update().get(pk=term.pk)
    before = term_figures(term)
    kind_before = term.kind
    term.contract = contract
    for name, value in _term_values(fields).items():
        if name in ("valid_from", "valid_to") and value is None:  # left empty: the contract's
            value = getattr(contract, name)
        setattr(term, name, value)
    contract_term_check(term)
    check_term_months_open(before=before, after=term_figures(term), contract_number=contract.number)
    term.save()
    contract_terms_summarize(contract, removed_kinds=[kind_before])
    _agreements_follow(contract)
    if term_figures(term) != before:  # its note alone changes no figure
        _ledger_follows([contract])
    return term


@transaction.atomic
def contract_term_delete(*, term: ContractTerm) -> None:
    """Remove a term line from its contract; one with spend in the trade-spend ledger stays (end it instead)."""
    contract = Contract.objects.select_for_update().get(pk=term.contract_id)
    term = ContractTerm.objects.get(pk=term.pk)
    check_term_months_open(before=term_figures(term), after=None, contract_number=contract.number)
    booked = term.accrual_lines.count()
    if booked:
        raise DomainConflict(
            "term.has_accruals",
            _(
                "This term has %(lines)s lines in the trade-spend ledger: it cannot be removed. End it instead by "
                "setting its valid-to date."
            ),
            lines=booked,
        )
    from evidence.agreements import term_release

    term_release(term)  # its display agreements nobody checked go with it
    ContractTerm.objects.filter(pk=term.pk).delete()
    contract_terms_summarize(contract, removed_kinds=[term.kind])
    _agreements_follow(contract)
    _ledger_follows([contract])


def _ledger_follows(contracts: Iterable[Contract], *, before: Iterable[tuple[int, str]] = ()) -> None:
    """A term changed, imported or removed, or a contract's status, dates or key account changed: its chain's
    trade-spend ledger is computed again as of today in this transaction, and its deductions matched again — the
    nightly job's two steps for that chain, as a display agreement entered by hand does (evidence/agreements.py) — so
    the ledger shows the new figure at once, not the next morning. Once per chain, however many contracts (the
    import's). Closed months stay as they are (what they should have held lands as a true-up in the first open
    month: tradespend/accruals.py). A draft contract's terms accrue nothing, so its chain's ledger is left alone.
    ``before``: (key account id, status) of a contract as it was before this change — a contract made a draft again,
    or moved, takes its lines off the ledger of the chain it was on."""
    from tradespend.accruals import ACCRUING_CONTRACT_STATUSES, accruals_compute  # lazy: tradespend builds on us
    from tradespend.matching import deductions_match

    was_and_is = [*before, *((c.account_id, c.status) for c in contracts)]
    account_ids = sorted({account_id for account_id, status in was_and_is if status in ACCRUING_CONTRACT_STATUSES})
    if not account_ids:
        return
    today = timezone.localdate()
    for account in KeyAccount.objects.filter(pk__in=account_ids).order_by("pk"):
        accruals_compute(as_of=today, account=account)
    deductions_match(account_ids=account_ids)


def _agreements_follow(contract: Contract, *, account_ids=()) -> None:
    """A contract's status or validity changed, a term saved or removed: the chain's display agreements (end caps,
    display fees) follow in this transaction (issue 13; also a contract moved from ``account_ids``' chains)."""
    from evidence import hooks as evidence

    evidence.agreement_sources_changed({contract.account_id, *account_ids})


@transaction.atomic
def contract_terms_imported(*, contract_ids) -> None:
    """After the Excel import wrote term lines (contracts/imports.py): each contract's summary fields, and its
    chain's display agreements, follow as when a line is saved on the page, the API or the admin."""
    contracts = list(Contract.objects.filter(pk__in=set(contract_ids)))
    for contract in contracts:
        contract_terms_summarize(contract)
    if contracts:
        from evidence import hooks as evidence

        evidence.agreement_sources_changed({contract.account_id for contract in contracts})
    _ledger_follows(contracts)


# --- bulk settlement (issue 12 item 6: a head office's remittance over many invoices) ------------------------


@transaction.atomic
def settlement_record(
    *,
    account: KeyAccount,
    date: date,
    amount: Decimal,
    reference: str,
    allocations: Sequence[tuple[Invoice, Decimal]],
    deductions: Sequence[dict],
    by=None,
) -> tuple[Payment, list[Allocation], list[Deduction]]:
    """A payment with its allocations and the deductions taken from the same invoices, in a fixed number of
    queries however many invoices: what payment_record + deduction_record do one by one, with their rules
    (positive amounts, a reason, a known kind, never more than is open on an invoice, one account).

    The caller has locked every invoice given (select_for_update, one query) in this transaction; their
    ``open_amount`` is read from those objects. ``deductions`` are dicts of deduction_record's arguments
    (invoice, kind, amount, reason, reference, period_start, period_end); ``date`` is theirs too. Instead of a
    reason, ``reason_code`` and ``reason_params`` give the system's (contracts.notes)."""
    amount = rules.positive_amount(amount, "payment.amount_not_positive")
    check_book_date(date)
    # A closed month (month.closed) is refused by the caller, tradespend.remittances, with its other problems.
    taken: dict[int, Decimal] = defaultdict(Decimal)
    invoices: dict[int, Invoice] = {}
    for invoice, part in allocations:
        taken[invoice.pk] += rules.positive_amount(part, "allocation.amount_not_positive")
        invoices[invoice.pk] = invoice
    for fields in deductions:
        if fields["kind"] not in Deduction.Kind.values:
            raise DomainError(
                "deduction.kind", _("Unknown deduction kind %(kind)s."), field="kind", kind=fields["kind"]
            )
        fields["amount"] = rules.positive_amount(fields["amount"], "deduction.amount_not_positive")
        if fields.get("reason_code"):  # the system's reason (contracts.notes), made a sentence when read
            fields["reason"] = ""
        else:
            fields["reason"] = rules.deduction_reason(fields.get("reason"))
        fields["period_start"], fields["period_end"] = rules.claimed_months(
            date, fields.get("period_start"), fields.get("period_end")
        )
        taken[fields["invoice"].pk] += fields["amount"]
        invoices[fields["invoice"].pk] = fields["invoice"]
    for invoice_id, total in taken.items():
        invoice = invoices[invoice_id]
        if invoice.account_id != account.pk:
            raise DomainError(
                "allocation.other_account",
                _("A payment from one key account can only settle that account's invoices."),
                field="allocations",
            )
        rules.check_within_open(amount=total, open_amount=invoice.open_amount, number=invoice.number)
    allocated = sum((part for _invoice, part in allocations), Decimal("0.00"))
    rules.check_within_payment(total=allocated, left=amount)
    payment = Payment.objects.create(
        account=account, date=date, amount=amount, reference=reference, allocated_amount=allocated, recorded_by=by
    )
    made = Allocation.objects.bulk_create(
        [Allocation(payment=payment, invoice=invoice, amount=part) for invoice, part in allocations], batch_size=500
    )
    withheld = Deduction.objects.bulk_create(
        [
            Deduction(
                account_id=account.pk,
                invoice=fields["invoice"],
                date=date,
                kind=fields["kind"],
                amount=fields["amount"],
                reason=fields["reason"],
                reason_code=fields.get("reason_code", ""),
                reason_params=fields.get("reason_params") or {},
                reference=(fields.get("reference") or "").strip(),
                period_start=fields["period_start"],
                period_end=fields["period_end"],
                recorded_by=by,
            )
            for fields in deductions
        ],
        batch_size=500,
    )
    for invoice_id, total in taken.items():
        invoice = invoices[invoice_id]
        invoice.open_amount = to_money(invoice.open_amount - total)
        invoice.status = _status_for(invoice)
    _write_open_amounts(list(invoices.values()))
    return payment, made, withheld


def _write_open_amounts(invoices: Sequence[Invoice], chunk: int = 500) -> None:
    """Store the open amount and status of many locked invoices, one UPDATE … FROM (VALUES …) per ``chunk``:
    bulk_update's CASE per row takes seconds to build for a thousand invoices; this takes milliseconds (SQLite and
    PostgreSQL name a VALUES list's columns column1, column2, … alike)."""
    from django.db import connection

    table = connection.ops.quote_name(Invoice._meta.db_table)
    for start in range(0, len(invoices), chunk):
        part = invoices[start : start + chunk]
        rows = ", ".join(["(%s, %s, %s)"] * len(part))
        params = [value for i in part for value in (i.pk, to_money(i.open_amount), i.status)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET open_amount = v.column2, status = v.column3, updated_at = %s "  # noqa: S608
                f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",  # (no user text)
                [connection.ops.adapt_datetimefield_value(timezone.now()), *params],
            )
