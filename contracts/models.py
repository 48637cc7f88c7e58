"""Contracts and receivables (SPEC §6): the contract ledger, invoices, payments and their allocation, deductions."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Now, Round, Trim
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import MONEY, KeyAccount
from ka_portal import bounds, system_texts
from ka_portal.updated_at import UpdatedAtOnSave

from .receivables import Bucket

ATTACHMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "webp"]


def open_q(prefix: str = "") -> models.Q:
    """Invoices with an amount still to collect (open or partly paid); the others are settled (paid or written
    off). ``prefix`` names the invoices from a related model (``"invoices__"``). The partial index ``invoice_open``
    holds the same rows."""
    return models.Q(**{f"{prefix}open_amount__gt": 0})


def validate_attachment_size(file) -> None:
    """Attachments are kept in Django's storage; the size limit is a setting (KA.upload_max_bytes)."""
    limit = settings.KA.upload_max_bytes
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; attachments may be at most %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def attachment_upload_to(contract, filename: str) -> str:
    """contracts/<year>/<random folder>/<the file's own name>: a path no one can guess from a contract's
    number or date, the name kept for the download. Attachments are served only by the scoped view."""
    return f"contracts/{timezone.localdate():%Y}/{uuid.uuid4().hex}/{filename}"


def _by_user(verbose_name) -> models.ForeignKey:
    """Who did something to a record (recorded, reversed, wrote off): optional, kept when the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class Contract(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual trade terms")
        STORE_ENTRY = "store_entry", _("Store entry")
        PROMOTION = "promotion", _("Promotion agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=40, unique=True)
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    total_amount = models.DecimalField(_("total amount"), **MONEY, default=0, validators=[MinValueValidator(0)])
    rebate_percent = models.DecimalField(
        _("rebate %"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    listing_fee = models.DecimalField(_("listing fee"), **MONEY, default=0, validators=[MinValueValidator(0)])
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=60, validators=[MaxValueValidator(bounds.DAYS_MAX)]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The day a terminated contract ends: its terms accrue nothing after that day's month (tradespend/accruals.py).
    # Set exactly when the status is terminated (contracts.rules.check_termination; a contract taken back from
    # terminated has none), within the contract's validity.
    terminated_on = models.DateField(
        _("terminated on"),
        null=True,
        blank=True,
        help_text=_(
            "Only for a terminated contract: the day it ends (empty: today, or its end once past). Its terms accrue "
            "nothing after that month."
        ),
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_upload_to,
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS), validate_attachment_size],
        help_text=_("PDF or image (JPG, PNG, WebP)."),
    )
    execution_notes = models.TextField(_("execution notes"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="contract_validity_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0, listing_fee__gte=0), name="contract_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(rebate_percent__gte=0, rebate_percent__lte=100), name="contract_rebate_percent_range"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="terminated", terminated_on__isnull=False)
                    | (~models.Q(status="terminated") & models.Q(terminated_on__isnull=True))
                ),
                name="contract_terminated_on_with_status",
            ),
            models.CheckConstraint(
                condition=models.Q(terminated_on__isnull=True)
                | models.Q(terminated_on__gte=models.F("valid_from"), terminated_on__lte=models.F("valid_to")),
                name="contract_terminated_within_validity",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def expires_within(self, days: int, *, today) -> bool:
        return self.status == self.Status.ACTIVE and today <= self.valid_to <= today + timedelta(days=days)


class Invoice(UpdatedAtOnSave, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        WRITTEN_OFF = "written_off", _("Written off")

    number = models.CharField(_("number"), max_length=40, unique=True)
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="invoices"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    date = models.DateField(_("date"))
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    written_off_amount = models.DecimalField(_("written off"), **MONEY, default=0)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    write_off_reason = models.TextField(_("write-off reason"), blank=True)
    written_off_by = _by_user(_("written off by"))
    # The nightly run's snapshot, history only: the bucket the invoice stood in at the last run, so the next
    # run notices a move to a worse one. What pages and the API show is computed as of the day they are read
    # (contracts.selectors.with_aging): overdue, aging bucket and days past due are never stored.
    last_run_bucket = models.CharField(
        _("bucket at the last nightly run"), max_length=10, choices=Bucket.choices, default=Bucket.NOT_DUE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Every write sets it: save() (auto_now, ka_portal/updated_at.py), every bulk write naming it, a plain INSERT by
    # the database's default. Integrations pull what changed since by it (?updated_since=, ka_portal/updated_since.py).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["date", "number"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="invoice_updated_at_id"),
            models.Index(fields=["account", "status", "date"], name="invoice_account_status_date"),
            # months with records (the month close), the company's invoices of a span (DSO)
            models.Index(fields=["date"], include=["amount"], name="invoice_date"),
            # sell-in by month of a chain (performance, gross to net, the chain page) without reading the rows
            models.Index(fields=["account", "date"], include=["amount"], name="invoice_account_date_amount"),
            # aging reads the few invoices still open (contracts.selectors.invoices_open_as_of) among a year's many
            models.Index(fields=["account", "due_on"], condition=open_q(), name="invoice_open"),
            models.Index(
                fields=["written_off_on"], condition=models.Q(written_off_on__isnull=False), name="invoice_written_off"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_amount__gte=0) & models.Q(open_amount__lte=models.F("amount")),
                name="invoice_open_amount_within_amount",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(written_off_amount__gte=0), name="invoice_write_off_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(written_off_amount__lte=models.F("amount")), name="invoice_write_off_within_amount"
            ),
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("date")), name="invoice_due_after_date"),
            # One invoice a number whatever its case and spaces around it, company-wide: the rule
            # contracts.services.invoice_number_taken checks first, held here against two saved at the same moment.
            models.UniqueConstraint(
                Lower(Trim("number")),
                name="invoice_number_unique_ignoring_case",
                violation_error_code="invoice.number_taken",
                violation_error_message=_("This invoice number is already in use (numbers are compared without case)."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_settled(self) -> bool:
        return self.status in (self.Status.PAID, self.Status.WRITTEN_OFF)


class Payment(UpdatedAtOnSave, models.Model):
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    allocated_amount = models.DecimalField(_("allocated"), **MONEY, default=0)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    # The day the reversal counts in the ledger (never before the payment's own date).
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)
    reversed_by = _by_user(_("reversed by"))
    reversal_reason = models.CharField(_("reversal reason"), max_length=200, blank=True)
    recorded_by = _by_user(_("recorded by"))
    # A form's one-time key: a repeated POST (double tap) finds the payment it already made.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every write sets it: save() (auto_now, ka_portal/updated_at.py), every bulk write naming it, a plain INSERT by
    # the database's default. Integrations pull what changed since by it (?updated_since=, ka_portal/updated_since.py).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="payment_updated_at_id")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(allocated_amount__gte=0) & models.Q(allocated_amount__lte=models.F("amount")),
                name="payment_allocated_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(reversed_on__isnull=True) | models.Q(reversed_on__gte=models.F("date")),
                name="payment_reversed_not_before_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.date} {self.amount}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    @property
    def unallocated_amount(self):
        """What is left to allocate: none once reversed (the reversal took the whole payment back)."""
        return Decimal("0.00") if self.is_reversed else self.amount - self.allocated_amount

    @property
    def allocated_now(self):
        """What of the payment settles invoices now: its allocations' sum, none once reversed (each gave its amount
        back to its invoice; allocated_amount keeps what they were, for the record)."""
        return Decimal("0.00") if self.is_reversed else self.allocated_amount


class Allocation(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice.number}: {self.amount}"


class Deduction(models.Model):
    class Kind(models.TextChoices):
        LISTING = "listing", _("Listing fee")
        BARCODE = "barcode", _("Barcode fee")
        DM = "dm", _("DM fee")
        TG = "tg", _("TG fee")
        REBATE = "rebate", _("Rebate")
        ANNIVERSARY = "anniversary", _("Anniversary / festival fee")
        DISPLAY = "display", _("Display fee")
        PROMOTER = "promoter", _("Promoter fee")
        PROMOTION = "promotion", _("Promotion cost")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        """Exactly one per deduction, kept by tradespend.matching (issue 12 item 5)."""

        MATCHED = "matched", _("Matched")
        PARTLY_MATCHED = "partly_matched", _("Partly matched")
        UNSUPPORTED = "unsupported", _("Unsupported")
        DUPLICATE = "duplicate", _("Suspected duplicate")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="deductions"
    )
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="deductions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.CharField(_("reason"), max_length=200)  # as a person or the chain's advice gave it
    # A reason the system wrote: a code of contracts.notes and its parameters, made a sentence when read (reason "").
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    # The chain's own reference for the charge (费用单号), and the months it claims to pay for: the first days
    # of its first and last month (deduction_record fills its date's month when none is given).
    reference = models.CharField(_("chain reference"), max_length=60, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UNSUPPORTED)
    matched_amount = models.DecimalField(_("matched"), **MONEY, default=0)
    # What the chain gave back after a dispute (tradespend.Dispute): re-opened on the invoice on ``recovered_on``.
    recovered_amount = models.DecimalField(_("recovered"), **MONEY, default=0)
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = _by_user(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["account", "kind", "period_start"], name="deduction_account_kind_period"),
            # the oldest unsupported first (deduction lists, dashboards); months with records (the month close)
            models.Index(fields=["state", "date", "id"], name="deduction_state_date"),
            models.Index(fields=["date"], name="deduction_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deduction_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(matched_amount__gte=0, recovered_amount__gte=0)
                # in cents: SQLite subtracts in floating point (6,823.16 − 6,583.33 = 239.82999999999993 there)
                & models.Q(matched_amount__lte=Round(models.F("amount") - models.F("recovered_amount"), 2)),
                name="deduction_matched_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True, period_end__isnull=True)
                | models.Q(
                    period_start__isnull=False, period_end__isnull=False, period_end__gte=models.F("period_start")
                ),
                name="deduction_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.get_kind_display()} {self.amount}"

    @property
    def reason_text(self) -> str:
        """Why the chain withheld it, for the reader: the reason as given, or the system's in the reader's language."""
        return system_texts.render(self.reason_code, self.reason_params) if self.reason_code else self.reason


class ContractReminder(models.Model):
    """A reminder to a contract's owner that it expires soon: one per contract, owner and end date."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    valid_to = models.DateField(_("valid to"))
    created_on = models.DateField(_("reminded on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract reminder")
        verbose_name_plural = _("contract reminders")
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "recipient", "valid_to"], name="contractreminder_once_per_contract_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} → {self.recipient}"


class ReceivablesRun(models.Model):
    """One nightly receivables run (overdue marking, bucket moves, expiry reminders): one per day."""

    run_on = models.DateField(_("run on"), unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    overdue_count = models.PositiveIntegerField(_("overdue invoices"), default=0)
    moved_count = models.PositiveIntegerField(_("moved to a worse bucket"), default=0)
    reminder_count = models.PositiveIntegerField(_("reminders"), default=0)

    class Meta:
        verbose_name = _("receivables run")
        verbose_name_plural = _("receivables runs")
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return str(self.run_on)


class AgingMove(models.Model):
    """An invoice that fell into a worse aging bucket on a nightly run."""

    run = models.ForeignKey(ReceivablesRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="moves")
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="moves")
    from_bucket = models.CharField(_("from"), max_length=10, choices=Bucket.choices)
    to_bucket = models.CharField(_("to"), max_length=10, choices=Bucket.choices)
    open_amount = models.DecimalField(_("open amount"), **MONEY)

    class Meta:
        verbose_name = _("aging move")
        verbose_name_plural = _("aging moves")
        ordering = ["run", "invoice"]
        constraints = [models.UniqueConstraint(fields=["run", "invoice"], name="agingmove_once_per_run_invoice")]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.from_bucket} → {self.to_bucket}"


# --- credit notes (issue 12: sell-in is invoiced, net of credit notes) ----------------------------------------


class CreditNote(UpdatedAtOnSave, models.Model):
    """A credit note (红字发票/折让单) to a key account: it lowers the account's invoiced sell-in in its date's
    month and the balance the chain owes; naming an invoice, it also reduces that invoice's open amount, like a
    deduction, never beyond what is open."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice corrected"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = _by_user(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Every write sets it (auto_now; a bulk write names it; a plain INSERT the database's default): ?updated_since=.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="creditnote_updated_at_id"),
            models.Index(fields=["account", "date"], name="creditnote_account_date"),
            models.Index(fields=["date"], name="creditnote_date"),  # months with records (the month close)
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="creditnote_amount_positive")]

    def __str__(self) -> str:
        return self.number


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


class ContractTerm(models.Model):
    """One line of a contract's trade terms: what the chain is granted (a rebate, a fee), on what basis, how often,
    at what rate or amount, and how it is settled. The lines are the source of truth for a contract's terms; the
    contract's own ``rebate_percent`` and ``listing_fee`` are kept as a summary derived from them
    (contracts.services.contract_terms_summarize). Rules: contracts/rules.py (check_term)."""

    class Kind(models.TextChoices):
        REBATE = "rebate", _("Rebate on invoiced sell-in")
        REBATE_CONDITIONAL = "rebate_conditional", _("Conditional rebate (on reaching the annual target)")
        LISTING = "listing", _("Listing fee")
        BARCODE = "barcode", _("Barcode fee")
        ANNIVERSARY = "anniversary", _("Anniversary / festival fee")
        DM = "dm", _("DM slot fee")
        END_CAP = "end_cap", _("TG fee")
        DISPLAY = "display", _("Display fee")
        PROMOTER = "promoter", _("Promoter management fee")
        OTHER = "other", _("Other")

    class Basis(models.TextChoices):
        PERCENT = "percent", _("Percentage of invoiced sell-in")
        FIXED = "fixed", _("Fixed per period")
        PER_STORE_SKU = "per_store_sku", _("Per store per SKU")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")
        ONCE = "once", _("Once")

    class Settlement(models.TextChoices):
        DEDUCTED = "deducted", _("Deducted from payment")
        # we pay the chain (not an invoice the chain paid us: "Paid" there is 已回款)
        PAID = "paid", pgettext_lazy("term settlement", "Paid")
        CREDIT_NOTE = "credit_note", _("Credit note")

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    rate = models.DecimalField(_("rate %"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, null=True, blank=True)
    # Conditional rebates: [{"achievement": "90.00", "rate": "1.50"}, …], thresholds ascending (rules.parse_tiers).
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    settlement = models.CharField(_("settlement"), max_length=12, choices=Settlement.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract term")
        verbose_name_plural = _("contract terms")
        ordering = ["contract", "kind", "valid_from", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "valid_from"], name="contractterm_once_per_kind_start"),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="contractterm_validity_ordered"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(basis="percent", rate__isnull=False, rate__gte=0, rate__lte=100, amount__isnull=True)
                    | (~models.Q(basis="percent") & models.Q(amount__isnull=False, amount__gte=0, rate__isnull=True))
                ),
                name="contractterm_rate_or_amount_by_basis",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["rebate", "rebate_conditional"]) | models.Q(basis="percent"),
                name="contractterm_rebate_is_percent",
            ),
            models.CheckConstraint(
                condition=~models.Q(basis="percent") | models.Q(kind__in=["rebate", "rebate_conditional", "other"]),
                name="contractterm_percent_only_rebates",
            ),
            models.CheckConstraint(
                condition=~models.Q(basis="per_store_sku")
                | models.Q(kind__in=["listing", "barcode", "display", "other"]),
                name="contractterm_per_store_sku_kinds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_kind_display()}"

    @property
    def is_percent(self) -> bool:
        return self.basis == self.Basis.PERCENT
