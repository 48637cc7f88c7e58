"""Key accounts (SPEC §2), their contacts and targets, and each user's role and place in the team."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ka_portal.bounds import MONEY_MAX
from ka_portal.formatting import account_name
from ka_portal.models import ActiveQuerySet

from .roles import Role

MONEY = {"max_digits": 14, "decimal_places": 2}


class Profile(models.Model):
    """A user's role, region and supervisor: the facts ka_portal/scope.py decides reach from."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    region = models.CharField(_("region"), max_length=60, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_profiles",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class KeyAccount(models.Model):
    class Tier(models.TextChoices):
        GKA = "GKA", _("GKA (global chain)")
        NKA = "NKA", _("NKA (national chain)")
        LKA = "LKA", _("LKA (regional chain)")

    class Format(models.TextChoices):
        HYPERMARKET = "hypermarket", _("Hypermarket")
        SUPERMARKET = "supermarket", _("Supermarket")
        CONVENIENCE = "convenience", _("Convenience")
        APPLIANCE = "appliance", _("Appliance chain")
        HOME_IMPROVEMENT = "home_improvement", _("Home improvement")

    class PurchasingMode(models.TextChoices):
        CENTRAL = "central", _("Central")
        PER_STORE = "per_store", _("Per store")

    class MarginModel(models.TextChoices):
        FRONT = "front", _("Front margin")
        BACK = "back", _("Back margin")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    tier = models.CharField(_("tier"), max_length=3, choices=Tier.choices)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.HYPERMARKET)
    purchasing_mode = models.CharField(
        _("purchasing mode"), max_length=10, choices=PurchasingMode.choices, default=PurchasingMode.CENTRAL
    )
    margin_model = models.CharField(
        _("margin model"), max_length=5, choices=MarginModel.choices, default=MarginModel.BACK
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("KA manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    region = models.CharField(_("region"), max_length=60, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("key account")
        verbose_name_plural = _("key accounts")
        ordering = ["code"]
        # A code is unique whatever its case, as a store's and a product's (accounts.services.account_save refuses it
        # first with account.code_taken, naming the account; this holds whatever writes the row).
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="keyaccount_code_unique_without_case",
                violation_error_code="account.code_taken",
                violation_error_message=_("This code is already taken (codes are compared without case)."),
            )
        ]

    def __str__(self) -> str:
        # what a choice list, the admin and a label show: the code and the chain's name in the reader's language
        return f"{self.code} {account_name(self)}"


class Contact(models.Model):
    class Part(models.TextChoices):
        BENEFICIARY = "beneficiary", _("Beneficiary")
        DECISION_MAKER = "decision_maker", _("Decision maker")
        PURCHASER = "purchaser", _("Purchaser")
        INTERMEDIARY = "intermediary", _("Intermediary")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=80)
    title = models.CharField(_("title"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    interests = models.CharField(_("interests"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    part = models.CharField(_("part in the deal"), max_length=20, choices=Part.choices)
    relationship_level = models.PositiveSmallIntegerField(
        _("relationship level"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 strongest – 3 weakest"),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["account", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relationship_level__gte=1, relationship_level__lte=3),
                name="contact_relationship_level_1_to_3",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account.code})"


class ContactLog(models.Model):
    class Channel(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone")
        MESSAGE = "message", _("Message")
        EMAIL = "email", _("Email")
        MEAL = "meal", _("Meal")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="contact_logs"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="logs"
    )
    date = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="contact_logs"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.VISIT)
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_on__isnull=True) | models.Q(follow_up_on__gte=models.F("date")),
                name="contactlog_follow_up_not_before_date",
                violation_error_code="contact_log.follow_up_before_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.account.code}"


class SalesTarget(models.Model):
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)  # not negative: accounts/rules.py and a constraint

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["account", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year", "month"], name="salestarget_one_per_account_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="salestarget_month_1_to_12"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="salestarget_amount_not_negative",
                violation_error_code="target.negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.year}-{self.month:02d}"


class StoreTarget(models.Model):
    """A store's sell-in target for one month (门店指标); an account's stores' targets roll up beside its own
    SalesTarget (analytics/targets.py), never replacing it. Rules: accounts/rules.py (check_store_target)."""

    store = models.ForeignKey("stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="targets")
    # The month's first day (accounts/rules.check_month: a database CHECK on the day would need SQLite's
    # user-defined date functions, so every door refuses another day through the rule instead).
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("amount (CNY)"), **MONEY, validators=[MinValueValidator(0), MaxValueValidator(MONEY_MAX)]
    )

    class Meta:
        verbose_name = _("store target")
        verbose_name_plural = _("store targets")
        ordering = ["store", "month"]
        constraints = [
            models.UniqueConstraint(fields=["store", "month"], name="storetarget_one_per_store_month"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="storetarget_amount_not_negative",
                violation_error_code="target.negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} {self.month:%Y-%m}"


class CollectionTarget(models.Model):
    """What an account should pay in one month (回款指标), against payments received (contracts.Payment)."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="collection_targets"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("amount (CNY)"), **MONEY, validators=[MinValueValidator(0), MaxValueValidator(MONEY_MAX)]
    )

    class Meta:
        verbose_name = _("collection target")
        verbose_name_plural = _("collection targets")
        ordering = ["account", "month"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="collectiontarget_one_per_account_month"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="collectiontarget_amount_not_negative",
                violation_error_code="target.negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.month:%Y-%m}"
