"""The refusals of contracts and receivables (SPEC §6), as pure checks: facts in, a coded DomainError out.

No database here: contracts/services.py gathers the facts (the locked invoice, what is left on the
payment) and calls these, and the page, the API (create and update), the admin and the nightly job all
reach them only through a service, so a rule reads the same and says the same at every door. The
arithmetic behind them (due dates, buckets, oldest-first, DSO) is in contracts/receivables.py.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ka_portal.bounds import DAYS_MAX, DOCUMENT_AMOUNT_MAX, check_text_length
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.money import to_money
from ka_portal.months import YEARS
from ka_portal.wordlists import WordList

from .receivables import BUCKET_ORDER

# The first day the books take: the first year a month box reads (ka_portal.months.YEARS), so every record's month
# can be typed in a filter. 1900 or 0001 is a typo, and a report read from before it would count back past the
# calendar's start.
BOOKS_START = date(YEARS[0], 1, 1)


def check_report_date(day: date, *, field: str, label) -> None:
    """A date a report is read as of or from (aging's as-of day, a statement's first day) is not before the books
    start: refused naming the field (``label`` as the page shows it), never a report of nothing or an overflow."""
    if day < BOOKS_START:
        raise DomainError(
            "books.date_before_start",
            _("%(label)s: %(day)s is before the books start on %(start)s."),
            field=field,
            label=label,
            day=day,
            start=BOOKS_START,
        )


def check_book_date(day: date, *, today: date, days_ahead: int, field: str = "date", label=None) -> None:
    """The date of an invoice, a payment, a deduction or a credit note (or of a write-off or reversal) lies between
    BOOKS_START and ``days_ahead`` days after ``today`` (settings.KA.books_days_ahead): a year typed wrong (1900,
    2062, 9999) is refused naming the field, before a due date or a claimed month computed from it overflows."""
    label = label if label is not None else _("Date")
    check_report_date(day, field=field, label=label)
    latest = today + timedelta(days=days_ahead)
    if day > latest:
        raise DomainError(
            "books.date_too_far_ahead",
            _("%(label)s: %(day)s is more than %(days)s days after today; the books take dates up to %(latest)s."),
            field=field,
            label=label,
            day=day,
            days=days_ahead,
            latest=latest,
        )


def check_book_month(month: date, *, today: date, days_ahead: int, field: str = "month", label=None) -> None:
    """A month a record is booked in (an adjustment's, held as its first day) within the months the books take: from
    BOOKS_START's to the month of the last day they take (``days_ahead`` days after ``today``, as check_book_date
    reads it), refused with the same codes, naming the month as YYYY-MM (as it was typed), not its first day."""
    label = label if label is not None else _("Month")
    month = month.replace(day=1)
    if month < BOOKS_START:
        raise DomainError(
            "books.date_before_start",
            _("%(label)s: %(month)s is before the books start in %(start)s."),
            field=field,
            label=label,
            month=f"{month:%Y-%m}",
            start=f"{BOOKS_START:%Y-%m}",
        )
    latest = today + timedelta(days=days_ahead)
    if month > latest.replace(day=1):
        raise DomainError(
            "books.date_too_far_ahead",
            _(
                "%(label)s: %(month)s is after %(last)s, the last month the books take (they take dates up to "
                "%(latest)s, %(days)s days after today)."
            ),
            field=field,
            label=label,
            month=f"{month:%Y-%m}",
            last=f"{latest:%Y-%m}",
            latest=latest,
            days=days_ahead,
        )


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls on the 28th."""
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def check_contract_date(day: date, *, today: date, years_ahead: int, field: str, label) -> None:
    """A date of a contract (signed on, valid from, valid to) or of a trade-term line (valid from, valid to): not
    before the books start (BOOKS_START, ``books.date_before_start``) and at most ``years_ahead`` years after
    ``today`` (settings.KA.contract_years_ahead: a contract runs for years ahead, so wider than the books' days). A
    year typed wrong (1900, 2206, 9999) is refused naming the field, before a term's periods or a display agreement
    computed from it run for centuries or overflow."""
    check_report_date(day, field=field, label=label)
    latest = years_after(today, years_ahead)
    if day > latest:
        raise DomainError(
            "contract.date_too_far_ahead",
            _("%(label)s: %(day)s is more than %(years)s years after today; contracts take dates up to %(latest)s."),
            field=field,
            label=label,
            day=day,
            years=years_ahead,
            latest=latest,
        )


def check_bucket(bucket: str | None) -> str | None:
    """An aging bucket asked for by name (the aging page's links): one of Bucket's, or none for every bucket."""
    if bucket in (None, ""):
        return None
    if bucket not in BUCKET_ORDER:
        raise DomainError(
            "aging.bucket_unknown",
            _("“%(value)s” is not an aging bucket: give one of %(buckets)s."),
            field="bucket",
            value=bucket,
            buckets=", ".join(BUCKET_ORDER),
        )
    return bucket


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


def check_termination(
    *,
    contract_number: str,
    terminated: bool,
    status_label,
    valid_from: date,
    valid_to: date,
    terminated_on: date | None,
    today: date | None = None,
) -> None:
    """A termination date goes only with the status terminated (a contract taken back from it has none), and is a day
    of the contract's validity: not before it starts (its terms would accrue a month they never ran), not after its
    own end (it would have expired first). The services default it to today (contracts.services.settle_termination).
    A contract that has not started by ``today`` (given when the termination is new or moved) cannot be terminated,
    whatever the date: it is called off by taking it back to Draft (a draft's terms accrue nothing and make no display
    agreements), or made to end sooner by its end date, which the refusal says, next to the status."""
    if terminated_on is None:
        return
    if not terminated:
        raise DomainError(
            "contract.not_terminated",
            _(
                "Contract %(contract)s is %(status)s: a termination date is given only with the status Terminated. "
                "Choose Terminated, or leave the date empty."
            ),
            field="terminated_on",
            contract=contract_number,
            status=status_label,
        )
    if today is not None and today < valid_from:
        raise DomainError(
            "contract.terminated_before_start",
            _(
                "Contract %(contract)s has not started: it starts on %(valid_from)s, and a contract that has not "
                "started cannot be terminated. To call it off, choose the status Draft instead of Terminated (a "
                "draft's terms accrue nothing); to have it end sooner, change its end date."
            ),
            field="status",
            contract=contract_number,
            terminated_on=terminated_on,
            valid_from=valid_from,
        )
    if terminated_on < valid_from:
        raise DomainError(
            "contract.terminated_before_start",
            _(
                "Contract %(contract)s cannot be terminated on %(terminated_on)s: it starts on %(valid_from)s. "
                "Enter a termination date from its start on."
            ),
            field="terminated_on",
            contract=contract_number,
            terminated_on=terminated_on,
            valid_from=valid_from,
        )
    if terminated_on > valid_to:
        raise DomainError(
            "contract.terminated_after_end",
            _(
                "Contract %(contract)s cannot be terminated on %(terminated_on)s: it ends on %(valid_to)s. "
                "Enter a termination date up to its end."
            ),
            field="terminated_on",
            contract=contract_number,
            terminated_on=terminated_on,
            valid_to=valid_to,
        )


def positive_amount(amount, code: str, *, field: str = "amount", label=None) -> Decimal:
    """The amount in money (two places) of one record of the books: refused unless above zero (``code``), and above
    ka_portal.bounds.DOCUMENT_AMOUNT_MAX (``code``'s ``amount_too_large``), naming ``field`` (as ``label``)."""
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError(code, _("The amount must be above zero; %(amount)s is not."), field=field, amount=amount)
    if amount > DOCUMENT_AMOUNT_MAX:
        raise DomainError(
            code.replace("amount_not_positive", "amount_too_large"),
            _("%(label)s: %(amount)s is above %(max)s, the largest amount one invoice, payment, deduction or credit "
              "note carries."),
            field=field,
            label=label if label is not None else _("Amount"),
            amount=amount,
            max=DOCUMENT_AMOUNT_MAX,
        )  # fmt: skip
    return amount


def check_invoice_due(*, invoice_date: date, due_on: date) -> None:
    """An invoice falls due on or after its own date, and at most the longest payment terms after it (what a
    contract's payment terms may be: ka_portal.bounds.DAYS_MAX)."""
    if due_on < invoice_date:
        raise DomainError(
            "invoice.due_before_date",
            _("The due date %(due_on)s is before the invoice date %(date)s."),
            field="due_on",
            due_on=due_on,
            date=invoice_date,
        )
    if (due_on - invoice_date).days > DAYS_MAX:
        raise DomainError(
            "invoice.due_too_late",
            _(
                "Due date: %(due_on)s is %(days)s days after the invoice date %(date)s; payment terms are at most "
                "%(max)s days."
            ),
            field="due_on",
            due_on=due_on,
            date=invoice_date,
            days=(due_on - invoice_date).days,
            max=DAYS_MAX,
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


def check_contract_move(*, contract_number: str, stored_account: str, invoices: int) -> None:
    """A contract given another key account: with invoices it stays with theirs (SPEC §6: an invoice is its key
    account's, under its contract). Moved, its invoices and the payments and deductions on them would stay on the old
    chain's books under a contract naming another (check_contract_account, the other way round). Without invoices it
    moves."""
    if invoices:
        raise DomainConflict(
            "contract.has_invoices",
            _(
                "Contract %(contract)s already has invoices at %(account)s (%(invoices)s): it stays with that key "
                "account, where its invoices and their payments and deductions are. For another key account, enter a "
                "new contract."
            ),
            field="account",
            contract=contract_number,
            account=stored_account,
            invoices=invoices,
        )


REASON_MAX_LENGTH = 200


def _reason(reason: str | None, code: str, missing) -> str:
    reason = check_text_length(reason, limit=REASON_MAX_LENGTH, code="reason.too_long", field="reason")
    if not reason:
        raise DomainError(code, missing, field="reason")
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


def check_allocation_mode(*, auto_allocate: bool | None, by_hand: bool) -> None:
    """A payment is allocated by hand (its allocations) or oldest first (auto_allocate), not both: asked for both, one
    of them would be dropped without a word (the explicit ones were kept, and the client believed the rest was
    allocated oldest first). auto_allocate left out (None) is oldest first unless allocations are given."""
    if by_hand and auto_allocate:
        raise DomainError(
            "payment.allocation_mode_conflict",
            _("Allocate by hand (allocations) or oldest invoice first (auto_allocate: true), not both: send "
              "allocations without auto_allocate, or auto_allocate without allocations."),
            field="auto_allocate",
        )  # fmt: skip


def check_invoices_once(invoice_ids: Sequence[Any], numbers: dict) -> None:
    """Allocations name each invoice once (as a visit names a product once): a second line for the same invoice was
    added to the first without a word, so one typed twice by mistake took twice the money. Refused naming the
    invoice and both lines (1-based, as a person counts them), on the second line's invoice. `numbers`: invoice id →
    number, for the words."""
    first_line: dict = {}
    for index, invoice_id in enumerate(invoice_ids):
        if invoice_id in first_line:
            raise DomainError(
                "allocation.invoice_twice",
                _("Invoice %(number)s is named twice in the allocations (lines %(first)s and %(line)s): give one "
                  "line per invoice, with the whole amount to allocate to it."),
                field=f"allocations.{index}.invoice",
                number=numbers.get(invoice_id, invoice_id),
                first=first_line[invoice_id] + 1,
                line=index + 1,
            )  # fmt: skip
        first_line[invoice_id] = index


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


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------
# A term line's rules: the same checks for the page, the API, the admin and the Excel import (all through
# contracts.services.contract_term_create / _update, or the import's row check), backed by check constraints.

REBATE_KINDS = ("rebate", "rebate_conditional")
# Which bases make sense for each kind: a rebate is a % of sell-in; a listing or barcode fee is per store per SKU
# (or a lump sum); slot, display and promoter fees are fixed per period; "other" may be anything.
KIND_BASES: dict[str, tuple[str, ...]] = {
    "rebate": ("percent",),
    "rebate_conditional": ("percent",),
    "listing": ("per_store_sku", "fixed"),
    "barcode": ("per_store_sku", "fixed"),
    "anniversary": ("fixed",),
    "dm": ("fixed",),
    "end_cap": ("fixed",),
    "display": ("fixed", "per_store_sku"),
    "promoter": ("fixed",),
    "other": ("percent", "fixed", "per_store_sku"),
}
RATE_MAX = Decimal(100)
ACHIEVEMENT_MAX = Decimal(1000)


def parse_tiers(text: str | None) -> list[dict]:
    """Tiers as typed ("90:1.5;100:2.5": achievement % → rate %) into the stored form, in the order given
    (check_tiers says whether they ascend). Refused as term.tiers_unreadable, naming the piece."""
    tiers = []
    for piece in (text or "").replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        piece = piece.strip().replace("：", ":").replace("%", "")
        if not piece:
            continue
        try:
            achievement, rate = (Decimal(part.strip()) for part in piece.split(":"))
            if not (achievement.is_finite() and rate.is_finite()):
                raise ValueError
        except (ValueError, ArithmeticError):
            raise DomainError(
                "term.tiers_unreadable",
                _("“%(piece)s” is not a tier; write tiers as achievement:rate, e.g. 90:1.5;100:2.5."),
                field="tiers",
                piece=piece,
            ) from None
        tiers.append({"achievement": str(to_money(achievement)), "rate": str(to_money(rate))})
    return tiers


def tiers_text(tiers: list[dict] | None) -> str:
    """The stored tiers as a person types them: 90:1.5;100:2.5."""
    return ";".join(
        f"{Decimal(t['achievement']).normalize():f}:{Decimal(t['rate']).normalize():f}" for t in tiers or []
    )


def check_tiers(tiers: list[dict]) -> None:
    """Each tier: achievement above 0 (at most 1000 %), rate 0–100; thresholds strictly ascending and rates not
    falling (reaching more never pays less)."""
    previous = None
    for tier in tiers:
        achievement, rate = Decimal(tier["achievement"]), Decimal(tier["rate"])
        if not (0 < achievement <= ACHIEVEMENT_MAX) or not (0 <= rate <= RATE_MAX):
            raise DomainError(
                "term.tier_out_of_range",
                _("Tier %(achievement)s:%(rate)s: achievement must be above 0 %% and rate between 0 and 100 %%."),
                field="tiers",
                achievement=achievement,
                rate=rate,
            )
        if previous is not None and (
            achievement <= Decimal(previous["achievement"]) or rate < Decimal(previous["rate"])
        ):
            raise DomainError(
                "term.tiers_not_ascending",
                _(
                    "Tiers must ascend: %(achievement)s %% at %(rate)s %% follows %(previous_achievement)s %% "
                    "at %(previous_rate)s %%."
                ),
                field="tiers",
                achievement=achievement,
                rate=rate,
                previous_achievement=Decimal(previous["achievement"]),
                previous_rate=Decimal(previous["rate"]),
            )
        previous = tier


def check_term(values, *, contract_from: date | None, contract_to: date | None, contract_number: str = "") -> None:
    """A term line as it will be stored (a mapping by field name), against its contract's validity."""
    kind, basis = values.get("kind"), values.get("basis")
    rate, amount, tiers = values.get("rate"), values.get("amount"), values.get("tiers") or []
    if kind in KIND_BASES and basis is not None and basis not in KIND_BASES[kind]:
        from .models import ContractTerm  # the choices' labels only: no database

        def label(choices, value):
            # the lazy label: a refusal kept to be read later (an import's problem) reads in its reader's language
            return dict(choices.choices).get(value, value)

        raise DomainError(
            "term.kind_basis",
            _("A %(kind)s cannot be charged on the basis “%(basis)s”; allowed: %(allowed)s."),
            field="basis",
            kind=label(ContractTerm.Kind, kind),
            basis=label(ContractTerm.Basis, basis),
            allowed=WordList(label(ContractTerm.Basis, allowed) for allowed in KIND_BASES[kind]),
        )
    if basis == "percent":
        if rate is None:  # a blank cell or field: said as a required one is, not as "— is not" a rate
            raise DomainError(
                "term.rate_out_of_range", _("Required: a percentage of sell-in needs a rate (0 to 100)."), field="rate"
            )
        if not (0 <= rate <= RATE_MAX):
            raise DomainError(
                "term.rate_out_of_range",
                _("A %% of sell-in needs a rate between 0 and 100 %%; %(rate)s is not."),
                field="rate",
                rate=rate,
            )
        if amount is not None:
            raise DomainError(
                "term.amount_with_rate",
                _("A %% of sell-in takes a rate, not an amount (%(amount)s)."),
                field="amount",
                amount=amount,
            )
    elif basis is not None:
        if amount is None:  # a blank cell or field: said as a required one is, not as "— is not" an amount
            raise DomainError(
                "term.amount_required",
                _("Required: a fixed or per-store fee needs an amount (0 or more)."),
                field="amount",
            )
        if amount < 0:
            raise DomainError(
                "term.amount_required",
                _("A fixed or per-store fee needs an amount of 0 or more; %(amount)s is not."),
                field="amount",
                amount=amount,
            )
        if rate is not None:
            raise DomainError(
                "term.rate_with_amount",
                _("A fixed or per-store fee takes an amount, not a rate (%(rate)s %%)."),
                field="rate",
                rate=rate,
            )
    if kind == "rebate_conditional" and not tiers:
        raise DomainError(
            "term.tiers_required",
            _("A conditional rebate needs its tiers (achievement:rate, e.g. 90:1.5;100:2.5)."),
            field="tiers",
        )
    if kind != "rebate_conditional" and tiers:
        raise DomainError("term.tiers_unconditional", _("Only a conditional rebate has tiers."), field="tiers")
    check_tiers(tiers)
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise DomainError(
            "term.validity_reversed",
            _("The term ends on %(valid_to)s, before it starts on %(valid_from)s."),
            field="valid_to",
            valid_from=valid_from,
            valid_to=valid_to,
        )
    known = None not in (contract_from, contract_to, valid_from, valid_to)
    if known and (valid_from < contract_from or valid_to > contract_to):
        raise DomainError(
            "term.outside_contract",
            _(
                "The term runs %(valid_from)s – %(valid_to)s, outside contract %(contract)s "
                "(%(contract_from)s – %(contract_to)s)."
            ),
            field="valid_to" if valid_from >= contract_from else "valid_from",
            valid_from=valid_from,
            valid_to=valid_to,
            contract=contract_number,
            contract_from=contract_from,
            contract_to=contract_to,
        )


def check_terms_within_contract(
    *, contract_from: date, contract_to: date, terms: Sequence[tuple[Any, date, date]], contract_number: str = ""
) -> None:
    """``term.outside_contract`` from the contract's side: a contract's dates changed keep every one of its trade-term
    lines (``terms``: each line's kind label, valid from, valid to) within them, so no line accrues a month outside its
    contract (and none is then refused for it when only its note is changed). The lines outside are named with their
    dates: the clerk ends or moves them first, then changes the contract. Clipping them silently would change what
    they accrue, and a line's months may be closed (term.months_closed) or its agreements evidenced."""
    if contract_to < contract_from:  # contract.validity_reversed says so
        return
    outside = [(kind, start, end) for kind, start, end in terms if start < contract_from or end > contract_to]
    if not outside:
        return
    raise DomainError(
        "term.outside_contract",
        _(
            "Contract %(contract)s would run %(contract_from)s – %(contract_to)s, but these trade-term lines run "
            "outside those dates: %(lines)s. End or move those lines first (their valid from and valid to), then "
            "change the contract's dates."
        ),
        field="valid_to" if any(end > contract_to for _kind, _start, end in outside) else "valid_from",
        contract=contract_number,
        contract_from=contract_from,
        contract_to=contract_to,
        lines=WordList(format_lazy("{} ({} – {})", kind, start, end) for kind, start, end in outside),
    )


def claimed_months(
    day: date, start: date | None, end: date | None, *, field: str = "period_end", latest: date | None = None
) -> tuple[date, date]:
    """The months a deduction claims, as the first days of its first and last month: its date's month when
    none is given, one month when only one end is. Each lies within the months the portal holds
    (ka_portal.months.YEARS: ``month.out_of_range``) and none more than a year after the month of the latest day
    the books take (``latest``: today + KA.books_days_ahead unless given, as contracts.rules.check_book_date reads
    it: ``deduction.period_too_far_ahead``; a year's fees claimed in advance stay possible), so a year typed wrong
    (2099-07 for 2026-07) is refused naming the field at every door that claims months (the receivables page,
    remittances keyed in or imported, the API)."""
    # Lazy: the only rule here that reads today and the settings itself; every door reaches it without them.
    from django.conf import settings
    from django.utils import timezone

    from ka_portal.months import FIRST, LAST

    start = (start or end or day).replace(day=1)
    end = (end or start).replace(day=1)
    labels = {"period_start": _("Period from"), "period_end": _("Period to")}
    start_field = "period_start" if field == "period_end" else field
    for name, month in ((start_field, start), (field, end)):
        if not YEARS[0] <= month.year <= YEARS[1]:
            raise DomainError(
                "month.out_of_range",
                _("%(label)s: %(value)s is outside the months the portal holds: enter one from %(first)s to %(last)s."),
                field=name,
                label=labels.get(name, _("Period")),
                value=f"{month:%Y-%m}",
                first=FIRST,
                last=LAST,
            )
    if end < start:
        raise DomainError(
            "deduction.period_order",
            _("The period ends (%(end)s) before it starts (%(start)s)."),
            field=field,
            start=f"{start:%Y-%m}",
            end=f"{end:%Y-%m}",
        )
    if latest is None:
        latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
    # a year's fees may be claimed in advance (an annual contract's, deducted in its first month)
    last = date(latest.year + 1, latest.month, 1)
    if end > last:
        raise DomainError(
            "deduction.period_too_far_ahead",
            _(
                "%(label)s: %(month)s is after %(last)s, a year past the last day the books take (%(latest)s): "
                "a deduction cannot claim a month so far ahead."
            ),
            field=field,
            label=labels.get(field, _("Period")),
            month=f"{end:%Y-%m}",
            last=f"{last:%Y-%m}",
            latest=latest,
        )
    return start, end
