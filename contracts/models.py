"""Contracts and receivables (SPEC §6): the contract ledger, invoices, payments and their allocation, deductions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, KeyAccount


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
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=60)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    attachment = models.FileField(_("attachment"), upload_to="contracts/%Y/", blank=True)
    execution_notes = models.TextField(_("execution notes"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="contract_validity_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Invoice(models.Model):
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
    write_off_reason = models.TextField(_("write-off reason"), blank=True)
    written_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["date", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_amount__gte=0) & models.Q(open_amount__lte=models.F("amount")),
                name="invoice_open_amount_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.account.code} {self.date} {self.amount}"


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

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="deductions"
    )
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="deductions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="deduction_amount_positive")]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.get_kind_display()} {self.amount}"
