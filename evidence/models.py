"""Visit evidence (issue 13): what the rep proves in the store, and what it releases or flags.

- Promotions in the visit: the shelf price seen per promoted product (PromotionCheck), each display the plan
  bought found or not with its photo (DisplayCheck), and the execution computed from them (PromotionExecution).
- Display agreements (陈列协议): a fee for a display at a store (or every store of a chain), payable only when
  visits on site with photos meet its evidence quota (DisplayAgreement, checked through DisplayCheck).
- Competitor sightings (竞品动态) recorded at a visit.
- Fraud signals for supervisors (FraudSignal), among them reused photos found by a perceptual hash (PhotoHash).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, KeyAccount
from contracts.models import ContractTerm
from promotions.models import PromotionItem, PromotionPlan
from stores.models import Store
from visits.models import Visit, VisitPhoto


class DisplayKind(models.TextChoices):
    DM = "dm", _("DM slot")
    END_CAP = "end_cap", _("End cap / TG")
    FLOOR_STACK = "floor_stack", _("Floor stack")
    FACINGS = "facings", _("Shelf facings")
    COLD_CASE = "cold_case", _("Cold case")
    OTHER = "other", _("Other display")


class DisplayAgreement(models.Model):
    """A display the chain is paid for (陈列协议): its fee is payable once the evidence quota is met."""

    class Source(models.TextChoices):
        TERM = "term", _("Contract term")
        PLAN = "plan", _("Promotion plan")
        MANUAL = "manual", _("Entered by a KA manager")

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting evidence")
        PAYABLE = "payable", _("Payable")
        NOT_EVIDENCED = "not_evidenced", _("Not evidenced")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="display_agreements"
    )
    # Empty: every store of the chain (each store must meet the quota).
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="display_agreements",
        help_text=_("Empty: every store of the chain."),
    )
    kind = models.CharField(_("display"), max_length=12, choices=DisplayKind.choices)
    facings = models.PositiveSmallIntegerField(
        _("facings"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    fee = models.DecimalField(_("fee"), **MONEY, validators=[MinValueValidator(0)])
    evidence_visits = models.PositiveSmallIntegerField(
        _("visits with a photo required"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Seen with a photo, on site, at least this many times in the period."),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.MANUAL)
    term = models.ForeignKey(
        ContractTerm,
        verbose_name=_("contract term"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="display_agreements",
    )
    plan = models.ForeignKey(
        PromotionPlan,
        verbose_name=_("promotion plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="display_agreements",
    )
    # A generated agreement's natural key ("term:12", "plan:34:end_cap"): generating again updates it.
    source_key = models.CharField(_("source key"), max_length=60, blank=True, default="", editable=False)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    # Visits that count as evidence (per store for a chain-wide agreement: the fewest of any store), and when the
    # status was last worked out.
    evidenced_visits = models.PositiveIntegerField(_("visits with evidence"), default=0)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # A generated agreement its source no longer grants, kept for the visits that checked it: said in the reader's
    # language where it is shown (the agreement's page), the manager's note left as typed.
    source_gone = models.BooleanField(_("source no longer grants it"), default=False, editable=False)
    # A store agreement whose store moved to another chain: when that was seen (stores/services.py → evidence/hooks.py).
    # Visits from then on are not this chain's evidence; cleared when the store comes back to the agreement's chain.
    store_left_at = models.DateTimeField(_("store left the chain at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("display agreement")
        verbose_name_plural = _("display agreements")
        ordering = ["-start_on", "account", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="displayagreement_dates_ordered"
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="displayagreement_fee_not_negative"),
            models.CheckConstraint(
                condition=models.Q(evidence_visits__gte=1), name="displayagreement_evidence_at_least_one"
            ),
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="displayagreement_one_per_source"
            ),
        ]
        indexes = [models.Index(fields=["account", "start_on", "end_on"], name="displayagreement_account_dates")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.get_kind_display()} {self.start_on}–{self.end_on}"


class PromotionCheck(models.Model):
    """The shelf price the rep saw of one promoted product of a running plan at a visit."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="promotion_checks")
    item = models.ForeignKey(
        PromotionItem, verbose_name=_("promotion product"), on_delete=models.CASCADE, related_name="checks"
    )
    # Empty: the product was not found on the shelf.
    shelf_price = models.DecimalField(
        _("shelf price seen"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        verbose_name = _("promotion price check")
        verbose_name_plural = _("promotion price checks")
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="promotioncheck_one_per_visit_item")]

    def __str__(self) -> str:
        return f"{self.visit} {self.item}: {self.shelf_price}"


class DisplayCheck(models.Model):
    """Whether a display is in place at a visit, with its photo: one the plan bought, or one agreed."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="display_checks")
    kind = models.CharField(_("display"), max_length=12, choices=DisplayKind.choices)
    plan = models.ForeignKey(
        PromotionPlan,
        verbose_name=_("promotion plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="display_checks",
    )
    agreement = models.ForeignKey(
        DisplayAgreement,
        verbose_name=_("display agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checks",
    )
    present = models.BooleanField(_("in place"))
    facings = models.PositiveSmallIntegerField(_("facings seen"), null=True, blank=True)
    photo = models.ForeignKey(
        VisitPhoto,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="display_checks",
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        verbose_name = _("display check")
        verbose_name_plural = _("display checks")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(plan__isnull=False) & models.Q(agreement__isnull=True))
                | (models.Q(plan__isnull=True) & models.Q(agreement__isnull=False)),
                name="displaycheck_plan_or_agreement",
            ),
            models.UniqueConstraint(
                fields=["visit", "plan", "kind"],
                condition=models.Q(plan__isnull=False),
                name="displaycheck_one_per_visit_plan_kind",
            ),
            models.UniqueConstraint(
                fields=["visit", "agreement"],
                condition=models.Q(agreement__isnull=False),
                name="displaycheck_one_per_visit_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.kind}: {self.present}"


class PromotionExecution(models.Model):
    """A plan's execution at one store as one visit found it, computed from the checks (never typed)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="executions")
    plan = models.ForeignKey(
        PromotionPlan, verbose_name=_("promotion plan"), on_delete=models.CASCADE, related_name="executions"
    )
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    executed = models.BooleanField(_("executed"))
    # Why not: [{"code", "params"}] (a price off the plan's, a display missing or without a photo, a product not seen).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("promotion execution")
        verbose_name_plural = _("promotion executions")
        constraints = [models.UniqueConstraint(fields=["visit", "plan"], name="promotionexecution_one_per_visit_plan")]
        indexes = [models.Index(fields=["plan", "store", "checked_at"], name="promoexec_plan_store")]

    def __str__(self) -> str:
        return f"{self.plan} {self.store}: {self.executed}"


class CompetitorSighting(models.Model):
    """What a competitor does in a store, seen at a visit (竞品动态)."""

    class Mechanics(models.TextChoices):
        NONE = "", _("No promotion")
        PRICE_CUT = "price_cut", _("Price cut")
        MULTI_BUY = "multi_buy", _("Multi-buy")
        GIFT = "gift", _("Gift with purchase")
        BUNDLE = "bundle", _("Bundle")
        TASTING = "tasting", _("Tasting / promoter")
        OTHER = "other", _("Other")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="competitor_sightings"
    )
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="+")
    seen_on = models.DateField(_("seen on"))
    brand = models.CharField(_("brand"), max_length=60)
    product = models.CharField(_("product"), max_length=120, blank=True)
    shelf_price = models.DecimalField(
        _("shelf price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    regular_price = models.DecimalField(
        _("regular price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    mechanics = models.CharField(_("promotion"), max_length=10, choices=Mechanics.choices, blank=True, default="")
    mechanics_note = models.CharField(_("promotion details"), max_length=200, blank=True)
    display = models.CharField(_("display"), max_length=12, choices=DisplayKind.choices, blank=True, default="")
    photo = models.ForeignKey(
        VisitPhoto,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competitor_sightings",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("competitor sighting")
        verbose_name_plural = _("competitor sightings")
        ordering = ["-seen_on", "-id"]
        indexes = [models.Index(fields=["account", "seen_on"], name="competitor_account_seen")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shelf_price__isnull=True) | models.Q(shelf_price__gte=0),
                name="competitor_shelf_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(regular_price__isnull=True) | models.Q(regular_price__gte=0),
                name="competitor_regular_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.product} @ {self.store}"

    @property
    def depth(self):
        """How deep the cut is: 1 − shelf ÷ regular price; None without both."""
        if not self.regular_price or self.shelf_price is None:
            return None
        return 1 - self.shelf_price / self.regular_price


class PhotoHash(models.Model):
    """A visit photo's 64-bit perceptual hash (imagehash.phash), stored signed, and cut into eight 8-bit bands:
    two hashes within Hamming distance 7 share at least one band exactly (pigeonhole), so an index on each band
    finds the candidates without reading every row."""

    photo = models.OneToOneField(VisitPhoto, verbose_name=_("photo"), on_delete=models.CASCADE, related_name="hash")
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField(_("perceptual hash"))
    band0 = models.SmallIntegerField(db_index=True)
    band1 = models.SmallIntegerField(db_index=True)
    band2 = models.SmallIntegerField(db_index=True)
    band3 = models.SmallIntegerField(db_index=True)
    band4 = models.SmallIntegerField(db_index=True)
    band5 = models.SmallIntegerField(db_index=True)
    band6 = models.SmallIntegerField(db_index=True)
    band7 = models.SmallIntegerField(db_index=True)

    class Meta:
        verbose_name = _("photo hash")
        verbose_name_plural = _("photo hashes")

    def __str__(self) -> str:
        return f"{self.photo_id}: {self.value & 0xFFFFFFFFFFFFFFFF:016x}"


class FraudSignal(models.Model):
    """Something in how a visit was done a supervisor should look at, with its evidence; confirmed or dismissed."""

    class Kind(models.TextChoices):
        FAR_CHECK_IN = "far_check_in", _("Checked in far from the store")
        NO_POSITION = "no_position", _("Checked in without a position")
        SHORT_VISIT = "short_visit", _("Shorter than the minimum")
        IMPOSSIBLE_TRAVEL = "impossible_travel", _("Too fast from the last check-in")
        PHOTO_REUSED = "photo_reused", _("Photo reused")
        PHOTO_TIME = "photo_time", _("Photo taken outside the visit")
        LATE_UPLOAD = "late_upload", _("Check-in sent long after its time")
        LONG_VISIT = "long_visit", _("Checked out long after the check-in")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(_("signal"), max_length=20, choices=Kind.choices)
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="fraud_signals")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.CASCADE, related_name="+"
    )
    photo = models.ForeignKey(
        VisitPhoto, verbose_name=_("photo"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The other side of a pair: the earlier visit of an impossible trip, the earlier photo a reused one matches.
    other_visit = models.ForeignKey(
        Visit, verbose_name=_("earlier visit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    other_photo = models.ForeignKey(
        VisitPhoto, verbose_name=_("earlier photo"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What was measured: metres, minutes, km/h, Hamming distance, the camera time…
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # Detection is idempotent: one signal per kind, visit and key (the photo's id, or "" for the visit itself).
    key = models.CharField(max_length=40, blank=True, default="", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "visit", "key"], name="fraudsignal_one_per_kind_visit_key"),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(reviewed_at__isnull=False),
                name="fraudsignal_reviewed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "rep"], name="fraudsignal_status_rep")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.visit}"
