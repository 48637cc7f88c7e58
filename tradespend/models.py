"""Trade spend (费用, issue 12): the accrual ledger per key account × month × source, closed months and their
figures, deduction matches and disputes, and head-office remittances.

Where the rules live: tradespend/rules.py (pure: months, schedules, tiers, tolerance, states);
tradespend/accruals.py (the ledger: the nightly computation, adjustments, month close),
tradespend/matching.py (deductions against the ledger, disputes, write-offs),
tradespend/remittances.py (a remittance: payment, allocations, deductions, matching, all or nothing),
tradespend/reports.py (gross to net per chain). Deductions themselves are contracts.Deduction.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import MONEY, KeyAccount
from contracts.models import (
    ATTACHMENT_EXTENSIONS,
    ContractTerm,
    Deduction,
    Invoice,
    Payment,
    attachment_upload_to,
    validate_attachment_size,
)
from ka_portal.models import TransitionLog
from ka_portal.system_texts import render
from promotions.models import PromotionPlan

from .rules import add_months


def _user(verbose_name, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        **extra,
    )


class SpendKind(models.TextChoices):
    """What a spend line pays for. Term kinds map onto these (both rebate kinds → REBATE); a plan's costs
    split into DM, END_CAP (its TG fee), PROMOTER and PROMOTION (gifts, price support, supply funding)."""

    REBATE = "rebate", _("Rebate")
    LISTING = "listing", _("Listing fee")
    BARCODE = "barcode", _("Barcode fee")
    ANNIVERSARY = "anniversary", _("Anniversary / festival fee")
    DM = "dm", _("DM fee")
    END_CAP = "end_cap", _("TG fee")
    DISPLAY = "display", _("Display fee")
    PROMOTER = "promoter", _("Promoter fee")
    PROMOTION = "promotion", _("Promotion cost")
    OTHER = "other", _("Other")


class SpendCategory(models.TextChoices):
    """The steps of gross to net (item 7)."""

    REBATE = "rebate", _("Rebates")
    FIXED_FEE = "fixed_fee", _("Fixed fees")
    PROMOTION = "promotion", _("Promotion spend")


class ClosedMonthQuerySet(models.QuerySet):
    def months(self) -> frozenset:
        """Every closed month (first days): what tradespend.rules.check_month_open is given."""
        return frozenset(self.values_list("month", flat=True))

    def dated_in_q(self, field: str = "date") -> Q | None:
        """Rows whose `field` falls in a closed month, or None when no month is closed."""
        found = None
        for month in sorted(self.months()):  # one statement text for the same months
            within = Q(**{f"{field}__gte": month, f"{field}__lt": add_months(month, 1)})
            found = within if found is None else found | within
        return found


class ClosedMonth(models.Model):
    """A month finance has closed: its ledger lines and figures never change again; corrections land as
    adjustment or true-up lines in the first open month. Refused for closed months: new invoices, credit
    notes, deductions and adjustments dated in them (tradespend.rules.check_month_open)."""

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    closed_by = _user(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    objects = ClosedMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class AccrualRun(models.Model):
    """One computation of the ledger: the nightly job (all accounts) or on demand (one account)."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    run_on = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    lines_written = models.PositiveIntegerField(_("lines written"), default=0)
    requested_by = _user(_("requested by"))

    class Meta:
        verbose_name = _("accrual run")
        verbose_name_plural = _("accrual runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.run_on} {self.account or ''}".strip()


class AccrualLine(models.Model):
    """One line of the ledger: what one source costs one key account in one month.

    Computed lines (stages ACCRUED, FORECAST, ACTUAL, TRUE_UP) are upserted by the computation on their natural
    key (account, month, source_key, kind, stage), so a line keeps its id — and the deductions matched to it —
    across runs; in a closed month they are never touched. ADJUSTMENT lines are typed by finance with a reason
    and never recomputed (source_key "adjustment:<uuid>")."""

    class Source(models.TextChoices):
        TERM = "term", _("Contract term")
        PLAN = "plan", _("Promotion plan")
        # Promoters' pay (issue 16): per promoter, or per plan for the shifts assigned to one (plan set).
        PROMOTER = "promoter", _("Promoter pay")
        # A display agreement a KA manager entered by hand (issue 13): its fee, in the month it is payable. A
        # generated agreement's fee is its term's or plan's line already.
        DISPLAY = "display", _("Display agreement")
        ADJUSTMENT = "adjustment", _("Adjustment")

    class Stage(models.TextChoices):
        ACCRUED = "accrued", _("Accrued")  # a term's spend for the month
        FORECAST = "forecast", _("Forecast")  # an approved plan's cost, until it is evaluated
        ACTUAL = "actual", _("Actual")  # an evaluated plan's cost
        TRUE_UP = "true_up", _("True-up")  # what closed months owe a source, landed in an open month
        ADJUSTMENT = "adjustment", _("Adjustment")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="accrual_lines"
    )
    month = models.DateField(_("month"))  # the first day of the month
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    # "term:<id>", "plan:<id>", "promoter:<promoter id>", "promoter:plan:<plan id>", "display:<agreement id>",
    # "adjustment:<uuid>"
    source_key = models.CharField(_("source key"), max_length=60)
    term = models.ForeignKey(
        ContractTerm,
        verbose_name=_("contract term"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accrual_lines",
    )
    plan = models.ForeignKey(
        PromotionPlan,
        verbose_name=_("promotion plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accrual_lines",
    )
    # The display agreement entered by hand whose fee the line is (source DISPLAY); empty once it is deleted (the
    # line then goes, or stays at 0 when deductions were matched to it).
    agreement = models.ForeignKey(
        "evidence.DisplayAgreement",
        verbose_name=_("display agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accrual_lines",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SpendKind.choices)
    category = models.CharField(_("category"), max_length=10, choices=SpendCategory.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    amount = models.DecimalField(_("amount"), **MONEY)  # negative only for true-ups and adjustments
    # How it was computed, for the validation sheet: the sell-in a rate applied to, the rate, the count of
    # store × SKU listings. Empty where it does not apply.
    basis_amount = models.DecimalField(_("basis"), **MONEY, null=True, blank=True)
    rate = models.DecimalField(_("rate %"), max_digits=5, decimal_places=2, null=True, blank=True)
    units = models.PositiveIntegerField(_("units"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)  # an adjustment's, as finance typed it
    # The ledger's own reason: a code of tradespend.notes and its parameters, made a sentence when read.
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    created_by = _user(_("created by"))
    run = models.ForeignKey(
        AccrualRun, verbose_name=_("run"), on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("accrual line")
        verbose_name_plural = _("accrual lines")
        ordering = ["account", "month", "kind", "pk"]
        indexes = [models.Index(fields=["account", "month"], name="accrualline_account_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "source_key", "kind", "stage"], name="accrualline_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) | models.Q(stage__in=["true_up", "adjustment"]),
                name="accrualline_negative_only_corrections",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(source="term", term__isnull=False, plan__isnull=True)
                    | models.Q(source="plan", plan__isnull=False, term__isnull=True)
                    | models.Q(source="promoter", term__isnull=True)
                    | models.Q(source="display", term__isnull=True, plan__isnull=True)
                    | models.Q(source="adjustment")
                ),
                name="accrualline_source_matches_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.kind} {self.stage} {self.amount}"

    @property
    def reason_text(self) -> str:
        """Why the line holds what it holds, for the reader: the ledger's reason in the reader's language, or the
        reason finance typed for an adjustment."""
        system = render(self.reason_code, self.reason_params) if self.reason_code else ""
        return " ".join(part for part in (self.reason, system) if part)


class ClosedFigure(models.Model):
    """Gross to net of one account in one closed month, frozen when finance closed it (item 7 reads it for closed
    months, so whatever is recorded later, a closed month's figures stay). ``by_kind`` holds spend per
    SpendKind as strings of Decimals."""

    closed_month = models.ForeignKey(
        ClosedMonth, verbose_name=_("closed month"), on_delete=models.CASCADE, related_name="figures"
    )
    account = models.ForeignKey(KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="+")
    gross = models.DecimalField(_("gross invoiced"), **MONEY)
    rebates = models.DecimalField(_("rebates"), **MONEY)
    fixed_fees = models.DecimalField(_("fixed fees"), **MONEY)
    promotion = models.DecimalField(_("promotion spend"), **MONEY)
    unsupported = models.DecimalField(_("unsupported deductions"), **MONEY)
    by_kind = models.JSONField(_("spend by kind"), default=dict)

    class Meta:
        verbose_name = _("closed figure")
        verbose_name_plural = _("closed figures")
        constraints = [
            models.UniqueConstraint(fields=["closed_month", "account"], name="closedfigure_once_per_month_account")
        ]

    def __str__(self) -> str:
        return f"{self.closed_month} {self.account_id}"

    @property
    def net(self):
        return self.gross - self.rebates - self.fixed_fees - self.promotion - self.unsupported


class DeductionMatch(models.Model):
    """Part (or all) of a deduction paid for by one ledger line. Σ matches of a deduction ≤ its amount;
    Σ matches against a line ≤ the line, unless the deduction is flagged over-deducted (matching.py)."""

    deduction = models.ForeignKey(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="matches"
    )
    line = models.ForeignKey(
        AccrualLine, verbose_name=_("spend line"), on_delete=models.PROTECT, related_name="matches"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    automatic = models.BooleanField(_("matched automatically"), default=True)
    created_by = _user(_("matched by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deduction match")
        verbose_name_plural = _("deduction matches")
        ordering = ["deduction", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deductionmatch_amount_positive"),
            models.UniqueConstraint(fields=["deduction", "line"], name="deductionmatch_once_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.deduction_id} → {self.line_id}: {self.amount}"


class Dispute(models.Model):
    """An unsupported deduction taken up with the chain: reason, evidence, owner, due date and outcome —
    recovered (the chain pays it back), accepted and written off (by a KA manager above
    KA.deduction_write_off_approval_above), or closed by finance once the ledger supports it in full."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("dispute", "Open")
        WRITE_OFF_REQUESTED = "write_off_requested", _("Write-off awaiting approval")
        RECOVERED = "recovered", _("Recovered")
        WRITTEN_OFF = "written_off", _("Accepted and written off")
        SUPPORTED = "supported", _("Closed: supported in full")

    # Still being pursued (open, or a write-off awaiting approval); the other statuses have closed the dispute.
    UNRESOLVED = (Status.OPEN, Status.WRITE_OFF_REQUESTED)
    CLOSED = (Status.RECOVERED, Status.WRITTEN_OFF, Status.SUPPORTED)

    deduction = models.OneToOneField(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="dispute"
    )
    reason = models.CharField(_("reason"), max_length=200)
    evidence = models.FileField(
        _("evidence"),
        upload_to=attachment_upload_to,
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS), validate_attachment_size],
    )
    owner = _user(_("owner"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome_note = models.CharField(_("outcome"), max_length=200, blank=True)
    recovered_amount = models.DecimalField(_("recovered"), **MONEY, default=0)
    write_off_requested_by = _user(_("write-off requested by"))
    # The approver's last refusal of a requested write-off (disputes.dispute_write_off_reject): who and when, kept
    # when finance asks again or the dispute is resolved; its reason is the outcome note until finance asks again.
    write_off_rejected_by = _user(_("write-off rejected by"))
    write_off_rejected_at = models.DateTimeField(_("write-off rejected at"), null=True, blank=True)
    resolved_by = _user(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_by = _user(_("opened by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(recovered_amount__gte=0), name="dispute_recovered_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.deduction_id} {self.status}"


class DisputeStep(TransitionLog):
    """One step of a dispute, kept for good (tradespend.disputes writes one for every step, whatever the door: the
    deduction's page, the API, the demo): who (``by``), when (``at``), the status it moved from and to, and what was
    typed with it (``note``: the dispute's reason when opened, a recovery's or a write-off's note, the approver's
    reason for a rejection, the note a close was given). A dispute keeps only its latest note (``outcome_note``);
    its steps keep every one, so what was said to the chain is never lost. ``amount``: what a recovery gave back,
    or what a write-off (asked, done or approved) accepts; ``on``: a recovery's day."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Dispute opened")
        TAKEN_UP_AGAIN = "taken_up_again", _("Dispute taken up again")
        RECOVERED = "recovered", _("Recovery recorded")
        WRITE_OFF_REQUESTED = "write_off_requested", _("Write-off requested")
        WRITTEN_OFF = "written_off", _("Accepted and written off")
        WRITE_OFF_APPROVED = "write_off_approved", _("Write-off approved")
        WRITE_OFF_REJECTED = "write_off_rejected", _("Write-off rejected")
        CLOSED = "closed", _("Closed: supported in full")

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Dispute.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Dispute.Status.choices)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    on = models.DateField(_("recovered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute step")
        verbose_name_plural = _("dispute steps")
        ordering = ["dispute", "-at", "-pk"]  # newest first, as the deduction's page and the API read them

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.action}"

    @property
    def status_changed(self) -> bool:
        """Whether the step changed the dispute's status (a recovery of part of it, say, leaves it open)."""
        return self.from_status != self.to_status


class Remittance(models.Model):
    """A head office's lump-sum payment (总部回款) for many stores' invoices, net of deductions: one payment,
    its allocations to the invoices named, the deductions it took. ``reference`` is the chain's payment
    reference, once per account: the same advice imported twice finds this remittance and changes nothing."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="remittances"
    )
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=60)
    cash = models.DecimalField(_("amount received"), **MONEY)
    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="remittance"
    )
    deductions = models.ManyToManyField(Deduction, verbose_name=_("deductions"), related_name="remittances", blank=True)
    settled = models.DecimalField(_("invoices settled"), **MONEY, default=0)
    deducted = models.DecimalField(_("deducted"), **MONEY, default=0)
    file_sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    recorded_by = _user(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "reference"], name="remittance_once_per_reference"),
            models.CheckConstraint(condition=models.Q(cash__gt=0), name="remittance_cash_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.reference}"


class RemittanceInvoice(models.Model):
    """One invoice line of a remittance advice: what the chain says it settles of the invoice (cash and
    deductions together); ``open_before`` is what was open, so the screen shows short and over."""

    remittance = models.ForeignKey(
        Remittance, verbose_name=_("remittance"), on_delete=models.CASCADE, related_name="invoice_lines"
    )
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount settled"), **MONEY)
    open_before = models.DecimalField(_("open before"), **MONEY)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)

    class Meta:
        verbose_name = _("remittance invoice line")
        verbose_name_plural = _("remittance invoice lines")
        ordering = ["remittance", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["remittance", "invoice"], name="remittanceinvoice_once_per_invoice"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="remittanceinvoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.remittance_id} {self.invoice_id}: {self.amount}"


# --- matching (issue 12 item 5) ---------------------------------------------------------------------------------


class DeductionRecovery(models.Model):
    """Part of an unsupported deduction the chain gave back after a dispute, on its day: re-opened on the
    deduction's invoice from ``on`` (contracts.selectors reads these for balances and statements as of a date;
    contracts.Deduction.recovered_amount is their sum, recovered_on the latest).

    ``tolerance_difference``: what this recovery left of the deduction within the matching tolerance, accepted as
    matched with it (its matched_amount grew by that much, tradespend.matching.restate). It is the recovery's doing,
    so it counts in the month the recovery is dated in, like the amount given back (reports.live_figures), and the
    deduction's month — possibly closed — keeps its figure. A match changed by hand afterwards (the deduction's month
    is then open, and so every later month) decides the deduction again in its own month: it goes back to 0."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="recoveries")
    deduction = models.ForeignKey(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="recoveries"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    on = models.DateField(_("recovered on"))
    tolerance_difference = models.DecimalField(_("tolerance difference"), **MONEY, default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = _user(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deduction recovery")
        verbose_name_plural = _("deduction recoveries")
        ordering = ["on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="deductionrecovery_positive")]

    def __str__(self) -> str:
        return f"{self.deduction_id} {self.on}: {self.amount}"


class DuplicateClearance(models.Model):
    """Finance's word that a deduction flagged as a suspected duplicate is not one: automatic matching never
    flags it again."""

    deduction = models.OneToOneField(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="duplicate_clearance"
    )
    was_duplicate_of = models.ForeignKey(
        Deduction,
        verbose_name=_("was flagged as a duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cleared_by = _user(_("cleared by"))
    cleared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate clearance")
        verbose_name_plural = _("duplicate clearances")

    def __str__(self) -> str:
        return str(self.deduction_id)


class MatchedByHand(models.Model):
    """Finance changed a deduction's matches by hand (added or removed a match): automatic matching — the button,
    the API's run, the nightly job, a display fee's release — leaves its matches alone (it still states the
    deduction from the matches it has) until finance hands it back (matching.deduction_match_automatically)."""

    deduction = models.OneToOneField(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="matched_by_hand"
    )
    changed_by = _user(_("last changed by"))
    changed_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("deduction matched by hand")
        verbose_name_plural = _("deductions matched by hand")

    def __str__(self) -> str:
        return str(self.deduction_id)


class MatchRelease(models.Model):
    """Automatic matches of a deduction that the ledger released (matching.release_unbacked: a display-fee line
    lowered under them — its fee lowered, its agreement's period moved to another month, its display not evidenced,
    or no longer due) and what automatic matching then matched the deduction to, at once. Matching pays a chain's fees
    by chain × kind × month, not by agreement, so what it finds may be another agreement's line: ``moved`` says so
    (matched again to a line it was not released from), and the deduction's sheet and the deductions list (page,
    Excel, the API's filter) show it instead of the deduction changing lines unseen.

    ``released`` and ``matched_again`` are snapshots, each line as it was then (tradespend.releases.line_snapshot:
    id, month, kind, source, what names it, its agreement, the amount released or matched; a released line also
    what it held, what was matched to it and why it was released, as a code of tradespend.notes), since a line the
    release emptied is deleted with its last match."""

    deduction = models.ForeignKey(
        Deduction, verbose_name=_("deduction"), on_delete=models.CASCADE, related_name="match_releases"
    )
    released_at = models.DateTimeField(_("released at"), auto_now_add=True)
    released = models.JSONField(_("released from"), default=list)
    matched_again = models.JSONField(_("matched again to"), default=list, blank=True)
    moved = models.BooleanField(_("moved to another line"), default=False)

    class Meta:
        verbose_name = _("released match")
        verbose_name_plural = _("released matches")
        ordering = ["deduction", "released_at", "pk"]
        indexes = [
            models.Index(fields=["deduction"], condition=Q(moved=True), name="matchrelease_moved"),
        ]

    def __str__(self) -> str:
        return f"{self.deduction_id} {timezone.localtime(self.released_at):%Y-%m-%d}"
