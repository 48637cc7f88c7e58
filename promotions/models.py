"""Promotions (SPEC §5): types and their norms, plans with products and costs, budgets, the transition log."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, KeyAccount
from ka_portal import bounds
from ka_portal.models import TransitionLog
from stores.models import Product, Store

from .rules import price_cut

RATIO = {"max_digits": 5, "decimal_places": 4}


def at_least_zero(*names: str, prefix: str) -> list[models.CheckConstraint]:
    """The database's word that an amount is never negative, whatever door wrote it."""
    return [
        models.CheckConstraint(condition=models.Q(**{f"{name}__gte": 0}), name=f"{prefix}_{name}_not_negative")
        for name in names
    ]


def ratio_or_empty(name: str, *, prefix: str) -> models.CheckConstraint:
    """A share or ratio is empty or between 0 and 1."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__gte": 0, f"{name}__lte": 1}),
        name=f"{prefix}_{name}_ratio",
    )


class PromotionType(models.Model):
    class Kind(models.TextChoices):
        IN_STORE = "in_store", _("In-store promotion")
        DM = "dm", _("DM flyer")
        CRAZY_PRICE = "crazy_price", _("Crazy price")
        CLEARANCE = "clearance", _("Delisting clearance")
        BUNDLE = "bundle", _("Bundle")

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    typical_price_ratio = models.DecimalField(
        _("typical price ratio"),
        **RATIO,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    max_days = models.PositiveSmallIntegerField(
        _("longest run (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.DAYS_MAX)],
        help_text=_("Empty: only the general limit applies."),
    )
    periods_allowed = models.PositiveSmallIntegerField(_("periods back to back"), default=1)
    company_share = models.DecimalField(
        _("company share of cost"),
        **RATIO,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    class Meta:
        verbose_name = _("promotion type")
        verbose_name_plural = _("promotion types")
        ordering = ["code"]
        constraints = [
            ratio_or_empty("typical_price_ratio", prefix="promotiontype"),
            ratio_or_empty("company_share", prefix="promotiontype"),
            models.CheckConstraint(
                condition=models.Q(periods_allowed__gte=1), name="promotiontype_periods_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The type's name for the reader: the stored name is the company's Chinese one; a reader of another
        language sees the translated label of a seeded type (TYPE_LABELS, by its stable code), and a type the
        company added keeps its own name in every language."""
        label = TYPE_LABELS.get(self.code)
        if label is None or (get_language() or "zh").startswith("zh"):
            return self.name
        return str(label)


# The seeded types (demo/promotions.py) by their stable code, as an English reader names them.
TYPE_LABELS = {
    "INSTORE": _("In-store promotion"),
    "DM": _("DM flyer"),
    "CRAZY": _("Crazy price"),
    "CLEAR": _("Delisting clearance"),
    "BUNDLE": _("Buy-and-get bundle (2+1 / 1+1)"),
}


class Budget(models.Model):
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="budgets"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("budget"), **MONEY, validators=[MinValueValidator(0)])
    consumed = models.DecimalField(_("consumed"), **MONEY, default=0)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["account", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start"], name="budget_one_per_account_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="budget_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(consumed__lte=models.F("amount")), name="budget_never_overspent"),
            *at_least_zero("amount", "consumed", prefix="budget"),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.period_start}–{self.period_end}"

    @property
    def remaining(self):
        return self.amount - self.consumed


class PromotionPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")
        EVALUATED = "evaluated", _("Evaluated")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="promotion_plans"
    )
    all_stores = models.BooleanField(_("all the account's stores"), default=True)
    stores = models.ManyToManyField(Store, verbose_name=_("stores"), blank=True, related_name="promotion_plans")
    type = models.ForeignKey(PromotionType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("plan name"), max_length=120)
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    mechanics = models.TextField(_("mechanics"), blank=True)
    dm_slot = models.BooleanField(_("DM slot"), default=False)
    end_cap = models.BooleanField(_("TG / end cap"), default=False)
    floor_stack = models.BooleanField(_("floor stack"), default=False)
    dm_fee = models.DecimalField(_("DM fee"), **MONEY, default=0, validators=[MinValueValidator(0)])
    tg_fee = models.DecimalField(_("TG fee"), **MONEY, default=0, validators=[MinValueValidator(0)])
    promoter_fee = models.DecimalField(_("promoter fee"), **MONEY, default=0, validators=[MinValueValidator(0)])
    gift_cost = models.DecimalField(_("gifts"), **MONEY, default=0, validators=[MinValueValidator(0)])
    company_share = models.DecimalField(
        _("company share"), **RATIO, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="promotion_plans"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    price_support = models.DecimalField(_("price support"), **MONEY, default=0)
    # Σ (normal − promotional supply price) × forecast volume: what the maker gives the chain on its purchases
    # during the promotion (促销供价), trade spend of the plan like its fees; part of total_cost.
    supply_funding = models.DecimalField(_("supply price funding"), **MONEY, default=0)
    total_cost = models.DecimalField(_("total cost"), **MONEY, default=0)
    price_floor_override_reason = models.TextField(_("price floor override reason"), blank=True)
    price_floor_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("price floor override by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first approval by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # A rejected plan is reopened as a new draft that points back to it: the rejection stays on record
    # with its log, the new draft starts its own. One reopening per rejected plan (the unique key says so).
    reopened_from = models.OneToOneField(
        "self",
        verbose_name=_("reopened from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopened_as",
    )
    # The key of the page form that created the draft: a second send of the same form finds this plan
    # (promotion_save_draft refuses it, naming the plan) instead of making a twin. Empty from the API,
    # whose creates carry an Idempotency-Key instead.
    client_key = models.CharField(_("client key"), max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("promotion plan")
        verbose_name_plural = _("promotion plans")
        ordering = ["-start_on", "id"]
        permissions = [("approve_promotionplan", _("Can approve or reject promotion plans"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="promotionplan_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["owner", "client_key"],
                condition=~models.Q(client_key=""),
                name="promotionplan_one_per_client_key",
            ),
            *at_least_zero(
                "dm_fee",
                "tg_fee",
                "promoter_fee",
                "gift_cost",
                "price_support",
                "supply_funding",
                "total_cost",
                prefix="promotionplan",
            ),
            ratio_or_empty("company_share", prefix="promotionplan"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days + 1

    @property
    def share(self):
        """The company's share of the price support: the plan's agreed share, else the type's norm."""
        if self.company_share is not None:
            return self.company_share
        return self.type.company_share


class PromotionItem(models.Model):
    plan = models.ForeignKey(PromotionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="promotion_items"
    )
    normal_price = models.DecimalField(_("normal shelf price"), **MONEY, validators=[MinValueValidator(0)])
    promotion_price = models.DecimalField(_("promotion price"), **MONEY, validators=[MinValueValidator(0)])
    forecast_volume = models.PositiveIntegerField(
        _("forecast volume (packs)"), default=0, validators=bounds.packs_validators()
    )
    # The normal store purchase price when the draft was saved (the highest among the covered stores), and the
    # promotional supply price the maker grants the chain for the promotion, below it (promotion.supply_price).
    normal_supply_price = models.DecimalField(
        _("normal supply price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    promo_supply_price = models.DecimalField(
        _("promotional supply price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("promotion product")
        verbose_name_plural = _("promotion products")
        constraints = [
            models.UniqueConstraint(fields=["plan", "product"], name="promotionitem_one_per_plan_product"),
            models.CheckConstraint(
                condition=models.Q(forecast_volume__lte=bounds.PACKS_MAX), name="promotionitem_forecast_bounded"
            ),
            *at_least_zero("normal_price", "promotion_price", prefix="promotionitem"),
            models.CheckConstraint(
                condition=models.Q(promo_supply_price__isnull=True) | models.Q(promo_supply_price__gte=0),
                name="promotionitem_promo_supply_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.product.code}"

    @property
    def cut(self):
        """1 − promotion price ÷ normal shelf price (SPEC §5 rule 2); None without a normal price."""
        return price_cut(self.promotion_price, self.normal_price)

    @property
    def funding_per_pack(self):
        """What the maker gives per pack bought at the promotional supply price; None without one."""
        if self.promo_supply_price is None or self.normal_supply_price is None:
            return None
        return self.normal_supply_price - self.promo_supply_price


class PromotionEvaluation(models.Model):
    """The figures of a plan after its end (SPEC §5 Evaluation), kept as they were when evaluated."""

    plan = models.OneToOneField(
        PromotionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="evaluation"
    )
    days = models.PositiveIntegerField(_("days"))
    sales_units = models.IntegerField(_("sales (packs)"))
    sales_amount = models.DecimalField(_("sales"), **MONEY)
    baseline_units = models.IntegerField(_("baseline (packs)"))
    baseline_amount = models.DecimalField(_("baseline sales"), **MONEY)
    uplift = models.DecimalField(_("uplift"), max_digits=9, decimal_places=4, null=True, blank=True)
    total_cost = models.DecimalField(_("total cost"), **MONEY)
    # The supply price funding on the packs actually sold in (delivered) during the promotion.
    supply_funding = models.DecimalField(_("supply price funding"), **MONEY, default=0)
    cost_per_incremental_unit = models.DecimalField(_("cost per incremental pack"), **MONEY, null=True, blank=True)
    expense_ratio = models.DecimalField(_("expense ratio"), max_digits=9, decimal_places=4, null=True, blank=True)
    # Sell-out (issue 16): packs sold to shoppers as promoters reported them at the plan's stores
    # (promotions.evaluation.SellOutEvaluation says how they compare); all zero where nobody reported.
    sell_out_units = models.PositiveIntegerField(_("sell-out (packs)"), default=0)
    sell_out_amount = models.DecimalField(_("sell-out"), **MONEY, default=0)
    sell_out_store_days = models.PositiveIntegerField(_("store-days with sell-out reported"), default=0)
    sell_out_compared_units = models.PositiveIntegerField(_("sell-out of the compared stores (packs)"), default=0)
    sell_out_compared_days = models.PositiveIntegerField(_("store-days compared"), default=0)
    sell_out_baseline_units = models.PositiveIntegerField(_("sell-out baseline (packs)"), default=0)
    sell_out_baseline_days = models.PositiveIntegerField(_("store-days in the sell-out baseline"), default=0)
    sell_out_uplift = models.DecimalField(_("sell-out uplift"), max_digits=9, decimal_places=4, null=True, blank=True)
    sell_out_incremental_units = models.IntegerField(_("incremental packs sold to shoppers"), null=True, blank=True)
    sell_out_cost_per_incremental_unit = models.DecimalField(
        _("cost per incremental pack sold to shoppers"), **MONEY, null=True, blank=True
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now=True)

    class Meta:
        verbose_name = _("promotion evaluation")
        verbose_name_plural = _("promotion evaluations")

    def __str__(self) -> str:
        return str(self.plan)

    @property
    def sell_out(self):
        """The kept sell-out figures as the pure evaluation reads them (its uplift and cost per pack as computed)."""
        from .evaluation import SellOutEvaluation

        return SellOutEvaluation(
            self.sell_out_units,
            self.sell_out_amount,
            self.sell_out_store_days,
            self.sell_out_compared_units,
            self.sell_out_compared_days,
            self.sell_out_baseline_units,
            self.sell_out_baseline_days,
            self.total_cost,
        )


class PromotionTransition(TransitionLog):
    plan = models.ForeignKey(
        PromotionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=PromotionPlan.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=PromotionPlan.Status.choices)

    class Meta:
        verbose_name = _("promotion transition")
        verbose_name_plural = _("promotion transitions")
        ordering = ["plan", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.step}"

    @property
    def step(self) -> str:
        """What happened, in the reader's language: a move names its two states (Submitted → Approved; the first
        line its state alone), a step that keeps the state names itself (a first approval, a reopening) rather than
        reading "Submitted → Submitted"."""
        if self.from_status and self.from_status == self.to_status:
            return str(STEPS_IN_PLACE.get(self.to_status, self.get_to_status_display()))
        if not self.from_status:
            return str(self.get_to_status_display())
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def in_place(self) -> bool:
        """A step that kept the plan's state (see `step`)."""
        return bool(self.from_status) and self.from_status == self.to_status


# The steps the workflow logs without a change of state (promotions.services: promotion_approve's first approval
# above the threshold, promotion_reopen on the rejected plan), by the state they keep.
STEPS_IN_PLACE = {
    PromotionPlan.Status.SUBMITTED: _("First approval"),
    PromotionPlan.Status.REJECTED: _("Reopened"),
}
