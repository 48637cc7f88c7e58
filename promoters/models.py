"""In-store promoters (导购 / 促销员) and merchandisers (理货) (issue 16): the roster, their shifts at stores, what
they report of each shift (attendance and the day's sell-out) and their monthly sell-out targets.

- Promoter: one person of the roster, led by a KA supervisor, employed by us, an agency or the chain, paid by the
  day or the month, allowed at some stores; with a login (role `promoter`) when they report from a phone.
- Shift: one promoter at one store on one day from a time to a time, built by the supervisor a week at a time;
  it carries the attendance (check-in and check-out with the phone's position) and the supervisor's confirmation,
  which closes the day to further reports.
- SellOutLine: per shift and product, the packs sold to shoppers, the shelf stock at close and the price seen.
- PromoterTarget: a promoter's sell-out target for a month (value, CNY), for the appraisal (考核).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY
from ka_portal.bounds import MONEY_MAX, PACKS_MAX
from promotions.models import PromotionPlan
from stores.models import Product, Store

COORDINATE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class Promoter(models.Model):
    class Kind(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        MERCHANDISER = "merchandiser", _("Merchandiser")

    class Employer(models.TextChoices):
        MAKER = "maker", _("Our company")
        AGENCY = "agency", _("Agency")
        CHAIN = "chain", _("The chain")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PROMOTER)
    employer = models.CharField(_("employed by"), max_length=10, choices=Employer.choices, default=Employer.MAKER)
    agency = models.CharField(_("agency"), max_length=120, blank=True)
    # The login a promoter reports with (role `promoter`); none for one who does not sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoter",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="promoters_led",
    )
    stores = models.ManyToManyField(Store, verbose_name=_("stores"), related_name="promoters", blank=True)
    # Paid by the day worked, or by the month: exactly one of the two.
    daily_fee = models.DecimalField(_("daily fee"), **MONEY, null=True, blank=True)
    monthly_pay = models.DecimalField(_("monthly pay"), **MONEY, null=True, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promoter")
        verbose_name_plural = _("promoters")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(daily_fee__isnull=False) & models.Q(monthly_pay__isnull=True))
                | (models.Q(daily_fee__isnull=True) & models.Q(monthly_pay__isnull=False)),
                name="promoter_paid_by_day_or_month",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_fee__gte=0, daily_fee__lte=MONEY_MAX) | models.Q(daily_fee__isnull=True),
                name="promoter_daily_fee_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_pay__gte=0, monthly_pay__lte=MONEY_MAX) | models.Q(monthly_pay__isnull=True),
                name="promoter_monthly_pay_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="promoter_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(employer="agency") | ~models.Q(agency=""), name="promoter_agency_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Shift(models.Model):
    """One promoter at one store on one day; its attendance and the supervisor's confirmation."""

    class Attendance(models.TextChoices):
        """The supervisor's confirmed reading of a shift (computed until confirmed: promoters/attendance.py)."""

        ATTENDED = "attended", _("Attended")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        LATE_AND_EARLY = "late_and_early", _("Late and left early")
        OFF_SITE = "off_site", _("Checked in off site")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On approved leave")

    promoter = models.ForeignKey(Promoter, verbose_name=_("promoter"), on_delete=models.PROTECT, related_name="shifts")
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="shifts")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    # The promotion the promoter works for on this shift (their pay becomes its cost), if any.
    plan = models.ForeignKey(
        PromotionPlan,
        verbose_name=_("promotion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Attendance, from the promoter's phone (position checked against the store's, as for visits).
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(_("check-in latitude"), **COORDINATE)
    check_in_longitude = models.DecimalField(_("check-in longitude"), **COORDINATE)
    check_in_distance_m = models.PositiveIntegerField(_("check-in distance (m)"), null=True, blank=True)
    # The server's clock when the check-in arrived (checked_in_at is the phone's time): lateness is judged on it.
    check_in_received_at = models.DateTimeField(_("check-in received at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_latitude = models.DecimalField(_("check-out latitude"), **COORDINATE)
    check_out_longitude = models.DecimalField(_("check-out longitude"), **COORDINATE)
    check_out_distance_m = models.PositiveIntegerField(_("check-out distance (m)"), null=True, blank=True)
    # The supervisor's confirmation or correction; a confirmed shift's day is closed to reports.
    confirmed_attendance = models.CharField(
        _("confirmed attendance"), max_length=16, choices=Attendance.choices, blank=True
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["day", "starts_at", "promoter"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.UniqueConstraint(fields=["promoter", "day", "starts_at"], name="shift_one_start_per_promoter_day"),
            models.CheckConstraint(
                condition=models.Q(checked_out_at__isnull=True) | models.Q(checked_in_at__isnull=False),
                name="shift_check_out_after_check_in",
            ),
            models.CheckConstraint(
                condition=models.Q(check_in_latitude__isnull=True, check_in_longitude__isnull=True)
                | models.Q(check_in_latitude__isnull=False, check_in_longitude__isnull=False),
                name="shift_check_in_position_whole",
            ),
            models.CheckConstraint(
                condition=models.Q(check_out_latitude__isnull=True, check_out_longitude__isnull=True)
                | models.Q(check_out_latitude__isnull=False, check_out_longitude__isnull=False),
                name="shift_check_out_position_whole",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_attendance="") | models.Q(confirmed_at__isnull=False),
                name="shift_confirmation_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "day"], name="shift_store_day"),
            models.Index(fields=["day"], name="shift_day"),
        ]

    def __str__(self) -> str:
        return f"{self.promoter} @ {self.store} {self.day} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def is_closed(self) -> bool:
        """Confirmed by the supervisor: the day takes no more reports."""
        return self.confirmed_at is not None


class SellOutLine(models.Model):
    """What a promoter sold to shoppers of one product on one shift (packs), with the shelf stock at close."""

    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="sell_out")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(_("packs sold"))
    shelf_stock = models.PositiveIntegerField(_("shelf stock at close (packs)"), null=True, blank=True)
    price_seen = models.DecimalField(_("price seen"), **MONEY, null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("sell-out line")
        verbose_name_plural = _("sell-out lines")
        ordering = ["shift", "product"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "product"], name="sellout_one_per_shift_product"),
            models.CheckConstraint(condition=models.Q(units__lte=PACKS_MAX), name="sellout_units_bounded"),
            models.CheckConstraint(
                condition=models.Q(shelf_stock__isnull=True) | models.Q(shelf_stock__lte=PACKS_MAX),
                name="sellout_shelf_stock_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(price_seen__isnull=True) | models.Q(price_seen__gte=0, price_seen__lte=MONEY_MAX),
                name="sellout_price_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.product}: {self.units}"


class PromoterTarget(models.Model):
    """A promoter's sell-out target for a month (the value sold to shoppers, CNY)."""

    promoter = models.ForeignKey(Promoter, verbose_name=_("promoter"), on_delete=models.CASCADE, related_name="targets")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("target"), **MONEY)

    class Meta:
        verbose_name = _("promoter target")
        verbose_name_plural = _("promoter targets")
        ordering = ["promoter", "month"]
        constraints = [
            models.UniqueConstraint(fields=["promoter", "month"], name="promotertarget_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, amount__lte=MONEY_MAX), name="promotertarget_amount_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.promoter} {self.month:%Y-%m}: {self.amount}"
