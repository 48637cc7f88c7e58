"""Routes and visits (SPEC §4): the weekly route, the visit and what was found, tasks, suggested orders."""

import posixpath
import uuid
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.models import TransitionLog
from ka_portal.wordlists import WordList
from stores.models import Product, Store

from .rating import reason_text


class RoutePlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.CASCADE, related_name="route_plans"
    )
    week_start = models.DateField(_("week starting (Monday)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        ordering = ["-week_start", "rep"]
        constraints = [models.UniqueConstraint(fields=["rep", "week_start"], name="routeplan_one_per_rep_week")]

    def __str__(self) -> str:
        return f"{self.rep} {self.week_start}"


class RouteStop(models.Model):
    plan = models.ForeignKey(RoutePlan, verbose_name=_("route plan"), on_delete=models.CASCADE, related_name="stops")
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MaxValueValidator(5)], help_text=_("0 = Monday … 5 = Saturday")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="route_stops")
    # Added or moved by a planner rather than placed by the generator: a regenerated week keeps it where it is
    # (visits.services.route_plan_generate), so a supervisor's "Generate" never undoes a manager's edits.
    by_hand = models.BooleanField(_("placed by hand"), default=False)

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["plan", "day", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(day__lte=5), name="routestop_day_monday_to_saturday"),
            models.UniqueConstraint(fields=["plan", "day", "store"], name="routestop_store_once_a_day"),
        ]
        # a chain's or a store's stops over a year, read from the index alone (visits.selectors.stops_done)
        indexes = [models.Index(fields=["store", "plan", "day"], name="routestop_store_plan_day")]

    def __str__(self) -> str:
        return f"{self.plan} d{self.day}#{self.position} {self.store.code}"


class RoutePlanTransition(TransitionLog):
    """A plan published to the rep or taken back to draft: who did it and when. The rep's week appears or goes with
    it, so each one is kept, and the plan's page lists them (visits.services.route_plan_publish, _unpublish)."""

    plan = models.ForeignKey(
        RoutePlan, verbose_name=_("route plan"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=RoutePlan.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=RoutePlan.Status.choices)

    class Meta:
        verbose_name = _("route plan transition")
        verbose_name_plural = _("route plan transitions")
        ordering = ["plan", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.from_status} → {self.to_status}"


def missing_parts(*, checklist: int, products: str | None, no_position: bool, promotions: int) -> list[str]:
    """What a visit lacks at check-out, one part each in the active language (the check-out's refusal and the closed
    visit's note): ``products`` is the products' part as the caller words it, None when none is missing."""
    parts = []
    if checklist:
        parts.append(
            ngettext("%(n)s checklist item unanswered", "%(n)s checklist items unanswered", checklist)
            % {"n": checklist}
        )
    if products:
        parts.append(products)
    if no_position:
        parts.append(gettext("no check-in position"))
    if promotions:
        parts.append(
            ngettext("%(n)s running promotion not checked", "%(n)s running promotions not checked", promotions)
            % {"n": promotions}
        )
    return parts


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Visit(models.Model):
    class Rating(models.TextChoices):
        GREEN = "green", _("Green — doing well")
        YELLOW = "yellow", _("Yellow — room for improvement")
        RED = "red", _("Red — major problem")

    class CheckoutTime(models.TextChoices):
        """What the check-out time is. A visit left open overnight is checked out the next day: its check-out is not
        the time the rep left, so the rep gives that time (stated) or the visit is kept as not checked out, with no
        time in the store (none; `checked_out_at` is then when it was closed). Either way `checkout_entered_at` is
        when the check-out was made (visits/rules.check_out_time), and tells the three apart: none for recorded, the
        check-out time itself for none, a later moment for stated (one nullable column: a column added to this
        table must not make SQLite rebuild it under the replenishment triggers)."""

        RECORDED = "recorded", _("Recorded at the check-out")
        STATED = "stated", _("Time of leaving given afterwards")
        NONE = "none", _("Not checked out: closed on a later day")

    uuid = models.UUIDField(_("client id"), default=uuid.uuid4, unique=True, editable=False)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="visits"
    )
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="visits")
    route_stop = models.ForeignKey(
        RouteStop, verbose_name=_("route stop"), on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LONGITUDE_VALIDATORS
    )
    distance_m = models.PositiveIntegerField(_("distance from store (m)"), null=True, blank=True)
    far_from_store = models.BooleanField(_("checked in far from the store"), default=False)
    price_check_ok = models.BooleanField(_("prices and tags correct"), null=True, blank=True)
    promotion_executed = models.BooleanField(_("running promotion executed"), null=True, blank=True)
    problems = models.TextField(_("problems"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    rating = models.CharField(_("rating"), max_length=6, choices=Rating.choices, blank=True)
    # Why the rating is not green (visits/rating.py): [{"code", "params"}], written with the rating.
    rating_reasons = models.JSONField(_("rating reasons"), default=list, blank=True)
    # Checking out an incomplete visit takes a reason (visits/completeness.py); what was missing is kept with it.
    checkout_reason = models.TextField(_("reason for an incomplete check-out"), blank=True)
    checkout_missing = models.JSONField(_("missing at check-out"), default=dict, blank=True)
    short_visit = models.BooleanField(_("shorter than the minimum"), default=False)
    # A check-out that is not the time the rep left (CheckoutTime): when it was made.
    checkout_entered_at = models.DateTimeField(_("check-out entered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-checked_in_at"]
        indexes = [
            models.Index(fields=["store", "checked_in_at"], name="visit_store_checked_in"),
            models.Index(fields=["rep", "checked_in_at"], name="visit_rep_checked_in"),
            # the newest visits first across many stores and reps (the lists of a manager, a supervisor, the admin):
            # a page reads its 50 rows from the index instead of sorting every visit in scope (issue 17 item 3)
            models.Index(fields=["-checked_in_at", "-id"], name="visit_newest_first"),
            # the kept visits of a chain's stores over a span, read from the index alone (coverage, compliance)
            models.Index(
                fields=["store", "checked_in_at", "rep"],
                include=["rating"],
                condition=models.Q(checked_out_at__isnull=False),
                name="visit_kept",
            ),
            # the open visits alone, however many visits a store has had that day: a check-in's one look-up
            # (services._open_visits) reads the rep's open visits at every store, today's at this store sorted first
            # (then the others, oldest first, which the answer names); the database reads them from this index or from
            # visit_rep_open below, both over the open visits only (tests/visits/test_open_visit_index.py)
            models.Index(
                fields=["store", "rep", "checked_in_at", "id"],
                condition=models.Q(checked_out_at__isnull=True),
                name="visit_open",
            ),
            # a rep's open visits wherever they are (Today and a visit page say where the rep is still checked in):
            # the few open ones alone, not the rep's every visit
            models.Index(
                fields=["rep", "checked_in_at"],
                condition=models.Q(checked_out_at__isnull=True),
                name="visit_rep_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checked_out_at__isnull=True)
                | models.Q(checked_out_at__gte=models.F("checked_in_at")),
                name="visit_checked_out_after_check_in",
            ),
            *bounds.coordinates_constraints("visit"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} {timezone.localtime(self.checked_in_at):%Y-%m-%d %H:%M}"  # Shanghai, as every page

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None

    @property
    def revision(self) -> str:
        """Which state of the visit's findings a page shows: the time of its last write, in microseconds ("0" for a
        visit not written yet). The visit page carries it, so that a post from a copy drawn before a later write (a
        copy kept on the phone) does not clear what that write recorded (visits/forms.py, VisitForm)."""
        if self.updated_at is None:
            return "0"
        return str((self.updated_at - _EPOCH) // timedelta(microseconds=1))

    @property
    def minutes_in_store(self) -> int | None:
        """None while open, and for a visit closed on a later day without the time the rep left: no duration is
        made up for it."""
        if self.checked_out_at is None or self.checkout_time == self.CheckoutTime.NONE:
            return None
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)

    @classmethod
    def checkout_time_of(cls, checked_out_at: datetime | None, checkout_entered_at: datetime | None) -> str:
        """What a check-out time is (CheckoutTime), from the two columns."""
        if checkout_entered_at is None:
            return cls.CheckoutTime.RECORDED
        if checked_out_at == checkout_entered_at:
            return cls.CheckoutTime.NONE
        return cls.CheckoutTime.STATED

    @property
    def checkout_time(self) -> str:
        return self.checkout_time_of(self.checked_out_at, self.checkout_entered_at)

    @property
    def not_checked_out(self) -> bool:
        """Closed on a later day without the time the rep left (a check-out forgotten overnight)."""
        return self.checkout_time == self.CheckoutTime.NONE

    @property
    def left_time_stated(self) -> bool:
        """Its check-out time is the time of leaving the rep gave afterwards (at `checkout_entered_at`)."""
        return self.checkout_time == self.CheckoutTime.STATED

    @property
    def ended_by(self) -> datetime | None:
        """The latest the rep can have been in the store: the check-out, or for a visit closed on a later day without
        the time the rep left, the end of its check-in's day (Asia/Shanghai) — not the next morning's close, so a
        photo taken then is outside the visit (display evidence, the photo-time signal). None while open."""
        if self.checked_out_at is None or not self.not_checked_out:
            return self.checked_out_at
        day = timezone.localtime(self.checked_in_at).date()
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time())) - timedelta(
            microseconds=1
        )

    @property
    def from_earlier_day(self) -> bool:
        """Still open, checked in on a day before today (Asia/Shanghai): its check-out asks when the rep left."""
        return self.checked_out_at is None and timezone.localtime(self.checked_in_at).date() < timezone.localdate()

    @property
    def no_position(self) -> bool:
        """Checked in without a position (the device gave none): flagged for the supervisor."""
        return self.latitude is None or self.longitude is None

    @property
    def incomplete(self) -> bool:
        """Checked out with something missing, under a reason."""
        return bool(self.checkout_missing)

    @property
    def checkout_missing_text(self) -> str:
        """What was missing at an incomplete check-out, in the active language: only what was missing, each with
        its plural, joined by the language's list separator ("2 checklist items unanswered, no check-in position" /
        "2个检查项未作答，签到无定位"); empty for a complete visit."""
        missing = self.checkout_missing or {}
        products = len(missing.get("products", []))
        parts = missing_parts(
            checklist=len(missing.get("checklist", [])),
            products=ngettext("%(n)s product not counted", "%(n)s products not counted", products) % {"n": products}
            if products
            else None,
            no_position=bool(missing.get("no_position")),
            promotions=len(missing.get("promotions", [])),
        )
        if not parts:
            return ""
        return gettext("Missing at check-out: %(missing)s") % {"missing": WordList(parts)}

    @property
    def rating_shown(self) -> str:
        """The rating as the pages write it (visits/includes/rating_badge.html), for the export: its label once
        checked out; a visit still open is not rated yet and reads "In progress" (left open from an earlier day: "Not
        checked out yet")."""
        if self.rating:
            return str(self.get_rating_display())
        if self.from_earlier_day:
            return gettext("Not checked out yet")
        return gettext("In progress") if self.is_open else ""

    @property
    def rating_reason_texts(self) -> list[str]:
        """The reasons for a yellow or red rating, as sentences in the active language."""
        return self.reason_texts_of(self.rating_reasons)

    @staticmethod
    def reason_texts_of(rating_reasons: list[dict] | None) -> list[str]:
        """Stored rating reasons as sentences in the active language (a page of visits read as rows uses it)."""
        labels = dict(ChecklistResult.Item.choices)
        return [reason_text(reason, lambda item: str(labels.get(item, item))) for reason in rating_reasons or []]

    @property
    def flags(self) -> list[str]:
        """What a supervisor should look at in how the visit was done (not what was found): short labels for
        badges; the rating reasons say the rest (the minutes, the reason given)."""
        flags = []
        if self.short_visit:
            flags.append(_("Short visit"))
        if self.no_position:
            flags.append(_("No position"))
        if self.incomplete:
            flags.append(_("Incomplete"))
        if self.not_checked_out:
            flags.append(_("Not checked out"))
        elif self.left_time_stated:
            flags.append(_("Time of leaving given afterwards"))
        return flags


class VisitReview(models.Model):
    """A reviewer's review of a visit report (SPEC §1: a KA supervisor reviews visit reports): who marked the
    checked-out visit reviewed and when, with an optional comment for the rep ("价签问题下次带新价签"). One per
    reviewer and visit: the rep's supervisor and the account's KA manager each write their own, and a visit stays in
    a reviewer's queue until they have written theirs. Its writer may amend the comment, which keeps who and when it
    was first written and says when it was last edited (`edited_at`); earlier wordings are not kept. Written only by
    visits.services.visit_review, visit_review_edit and visit_review_save (page and API alike)."""

    # the longest comment a review takes (visits.services: visit.review_comment_too_long)
    COMMENT_MAX = 1000

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="reviews")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    comment = models.TextField(_("review comment"), blank=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit review")
        verbose_name_plural = _("visit reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(edited_at__isnull=True) | models.Q(edited_at__gte=models.F("reviewed_at")),
                name="visitreview_edited_after_reviewed",
            ),
            # a reviewer amends their own review; a second one of theirs is a repeat (visit.already_reviewed)
            models.UniqueConstraint(fields=["visit", "by"], name="visitreview_one_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.visit}: {self.by}"


class ChecklistResult(models.Model):
    class Item(models.TextChoices):
        TOGETHER = "together", _("Products together, front facing the shopper")
        TIDY = "tidy", _("Tidy and clean, no damaged or crushed packs")
        PRICE_TAG = "price_tag", _("Clear and correct price tag")
        PROMOTION_DISPLAY = "promotion_display", _("Lively promotion display")
        STOCK_LEVEL = "stock_level", _("Enough stock: no out-of-stock, no overstock")

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NA = "na", _("n.a.")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="checklist")
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="checklist_one_per_visit_item")]

    def __str__(self) -> str:
        return f"{self.visit} {self.item}: {self.result}"


class StockCount(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="stock_counts")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock_counts"
    )
    packs = models.PositiveIntegerField(_("stock (packs)"), validators=bounds.packs_validators())

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [
            models.UniqueConstraint(fields=["visit", "product"], name="stockcount_one_per_visit_product"),
            models.CheckConstraint(condition=models.Q(packs__lte=bounds.PACKS_MAX), name="stockcount_packs_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.product.code}: {self.packs}"


class StockNotCounted(models.Model):
    """A listed product the rep explicitly did not count at a visit: it answers for the product at check-out."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="not_counted")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("product not counted")
        verbose_name_plural = _("products not counted")
        constraints = [models.UniqueConstraint(fields=["visit", "product"], name="stocknotcounted_one_per_visit")]

    def __str__(self) -> str:
        return f"{self.visit} {self.product.code}: -"


def photo_upload_to(photo, filename: str) -> str:
    """visits/<year>/<month>/<random name>.<extension>: a name no one can guess. Photos are served only by
    the scoped view."""
    extension = posixpath.splitext(filename)[1].lower()
    return f"visits/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{extension}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    # The camera's time (EXIF DateTimeOriginal) when the file has one; a photo taken outside the visit is a
    # fraud signal (evidence/), and only a photo taken during the visit counts as evidence of a display.
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # A small JPEG made by the server for lists (the original is never sent for a thumbnail).
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_upload_to, blank=True)
    # Where the phone was when the photo was added (the browser's position, optional), bounded like the visit's.
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LONGITUDE_VALIDATORS
    )
    # The checklist item the photo shows (e.g. the promotion display); empty for a photo of the visit in general.
    checklist_item = models.CharField(
        _("checklist item"), max_length=20, choices=ChecklistResult.Item.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        constraints = [*bounds.coordinates_constraints("visitphoto")]

    def __str__(self) -> str:
        return f"{self.visit} {self.image.name}"

    @property
    def download_name(self) -> str:
        """The name a downloaded copy gets: which visit it is from, not the random stored name."""
        return f"visit-{self.visit_id}-photo-{self.pk}{posixpath.splitext(self.image.name)[1]}"

    @property
    def thumbnail_download_name(self) -> str:
        return f"visit-{self.visit_id}-photo-{self.pk}-thumb.jpg"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "Open")
        DONE = "done", _("Done")
        NOT_DONE = "not_done", _("Not done")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(pgettext_lazy("task", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="assigned_tasks"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_visit = models.ForeignKey(
        Visit,
        verbose_name=_("done at visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks_done",
    )
    done_comment = models.TextField(_("comment"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        constraints = [
            # visits/rules.task_report_comment: a task reported not done says why.
            models.CheckConstraint(
                condition=~models.Q(status="not_done") | ~models.Q(done_comment=""), name="task_not_done_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(done_at__isnull=False), name="task_reported_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskTransition(TransitionLog):
    """One report on a task (done, not done and why, a changed comment): who, when, from what to what."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=Task.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Task.Status.choices)

    class Meta:
        verbose_name = _("task transition")
        verbose_name_plural = _("task transitions")
        ordering = ["task", "at", "id"]

    def __str__(self) -> str:
        return f"{self.task}: {self.from_status} → {self.to_status}"


class TaskChange(TransitionLog):
    """A task corrected or deleted by who assigns tasks (visits.services.task_edit, task_delete; page, API and admin
    alike): who, when and what. An edit keeps each field it changed as [before, after] in `params` and is listed on
    the task's page and under it in the task list; a deletion outlives its task (`task` emptied) with the store, the
    title and the due day it had, and the task list names it among its store's deleted tasks."""

    class Kind(models.TextChoices):
        EDITED = "edited", pgettext_lazy("task change", "Edited")
        DELETED = "deleted", pgettext_lazy("task change", "Deleted")

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    # the task as the change left it (as it was, for a deletion): what a reader knows a deleted task by
    title = models.CharField(pgettext_lazy("task", "title"), max_length=200)
    due_on = models.DateField(_("due on"))

    # what an edit's `params` name, in the order a reader is told them
    FIELDS = ("title", "due_on", "description")

    class Meta:
        verbose_name = _("task change")
        verbose_name_plural = _("task changes")
        ordering = ["at", "id"]
        # a store's (a scope's) deleted tasks, newest first (visits.selectors.task_deletions_for)
        indexes = [models.Index(fields=["kind", "store", "at"], name="taskchange_kind_store_at")]

    def __str__(self) -> str:
        return f"{self.title}: {self.kind}"

    @property
    def changed(self) -> list[tuple[str, str]]:
        """An edit's changes for the reader, each (the field's label, "before → after"): a due day written as the
        pages write short dates in the reader's language, an empty description as a dash."""
        rows = []
        for name in self.FIELDS:
            if name not in self.params:
                continue
            values = [str(value) if value else "—" for value in self.params[name]]
            if name == "due_on":
                values = [date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT") for value in values]
            rows.append((capfirst(Task._meta.get_field(name).verbose_name), " → ".join(values)))
        return rows


class SuggestedOrderQuerySet(models.QuerySet):
    def in_force_on(self, day) -> "SuggestedOrderQuerySet":
        """The rows in force on `day`: computed on or before it and not superseded by then (one per pair)."""
        return self.filter(models.Q(superseded_on__isnull=True) | models.Q(superseded_on__gt=day), date__lte=day)

    def current(self) -> "SuggestedOrderQuerySet":
        """The rows in force now and until the next run changes them (one per pair)."""
        return self.filter(superseded_on__isnull=True)


class SuggestedOrder(models.Model):
    """The suggested order for one store × product (SPEC §4) as computed on `date`, in force until `superseded_on`.

    A run (visits/replenishment_job.py) writes only what changed: a pair whose result differs from the row in
    force gets a new row dated the run's day and the old row's `superseded_on` set to that day (a rerun of the
    same day updates the day's row in place); a pair no longer computed has its row superseded. The rows in
    force on a day (`SuggestedOrder.objects.in_force_on(day)`) are what a full run of that day would give.
    """

    class Flag(models.TextChoices):
        NONE = "", _("—")
        NO_PREVIOUS_COUNT = "no_previous_count", _("No previous stock count")
        NEGATIVE_SALES = "negative_sales", _("Negative actual sales")

    # Derived rows, written by the nightly statement, which takes store and product from the listings
    # it joins, so they always exist when written; Django's ORM still cascades deletes. Without database
    # foreign keys the commit skips two deferred checks a row: 45 % of a chunk's time at 3,000,000 pairs
    # (docs/performance.md). No index of its own on store (the (store, product, date) index serves it) nor on
    # product: each costs every changed pair two index entries.
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="suggested_orders",
        db_index=False,
        db_constraint=False,
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="suggested_orders",
        db_index=False,  # like store: every night writes here; a product's rows are few enough to scan for
        db_constraint=False,
    )
    date = models.DateField(_("date"))
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True, help_text=_("Empty: still in force."))
    previous_packs = models.IntegerField(_("previous stock (packs)"), null=True, blank=True)
    previous_counted_on = models.DateField(_("previous count date"), null=True, blank=True)
    delivered_packs = models.IntegerField(_("delivered since (packs)"), default=0)
    current_packs = models.IntegerField(_("current stock (packs)"), null=True, blank=True)
    current_counted_on = models.DateField(_("current count date"), null=True, blank=True)
    actual_sales_packs = models.IntegerField(_("actual sales (packs)"), null=True, blank=True)
    safety_stock_packs = models.IntegerField(_("safety stock (packs)"), null=True, blank=True)
    suggested_packs = models.IntegerField(_("suggested (packs)"), default=0)
    suggested_cases = models.IntegerField(_("suggested (cases)"), default=0)
    flag = models.CharField(_("flag"), max_length=20, choices=Flag.choices, blank=True, default="")

    objects = SuggestedOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggested order")
        verbose_name_plural = _("suggested orders")
        ordering = ["-date", "store_id", "product_id"]
        constraints = [
            # A run finds a pair's rows (the one in force among them) through this index; at most one current row
            # per pair is the job's to keep (replenishment_job.py). A rerun of a day rewrites its rows in place, a
            # HOT update on their page (fillfactor 90 on PostgreSQL, migration 0017).
            models.UniqueConstraint(fields=["store", "product", "date"], name="suggestedorder_one_per_pair_date"),
            models.CheckConstraint(
                condition=models.Q(superseded_on__isnull=True) | models.Q(superseded_on__gt=models.F("date")),
                name="suggestedorder_superseded_after_computed",
            ),
            # Stock counts and deliveries are never negative, and an order is never below nothing.
            models.CheckConstraint(
                condition=models.Q(suggested_packs__gte=0, suggested_cases__gte=0, delivered_packs__gte=0)
                & (models.Q(previous_packs__isnull=True) | models.Q(previous_packs__gte=0))
                & (models.Q(current_packs__isnull=True) | models.Q(current_packs__gte=0))
                & (models.Q(safety_stock_packs__isnull=True) | models.Q(safety_stock_packs__gte=0)),
                name="suggestedorder_packs_not_negative",
            ),
        ]
        # A store's rows (in force on a day, or current) are found by the unique one. The flagged rows, a few in a
        # hundred, have one of their own, so the flags of a chain's or a rep's stores are counted without reading
        # every pair's history (a row a change: some fifty a pair after a year); it carries the two dates that say
        # whether a row is in force on a day, so the count never visits the table (migration 0025).
        # The rows in force now, newest first: the list of suggested orders (page and API) reads its page and counts
        # its rows here, not through every pair's history. Superseding a row takes it out of this index, so that is
        # no longer a HOT update: the price of a night's changed pair (migration 0024, docs/performance.md).
        indexes = [
            models.Index(
                fields=["store", "flag"],
                include=["date", "superseded_on"],
                condition=~models.Q(flag=""),
                name="suggestedorder_flagged_dated",
            ),
            models.Index(
                fields=["-date", "store", "product"],
                condition=models.Q(superseded_on__isnull=True),
                name="suggestedorder_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.store.code} {self.product.code}: {self.suggested_cases}"

    @property
    def flag_advice(self) -> str:
        """What the rep does about a flagged order, said under the flag (the flag's name alone leaves them guessing)."""
        return {
            self.Flag.NO_PREVIOUS_COUNT: _("A first count here: the next count gives the order."),
            # more stock than the last count plus the deliveries explain
            self.Flag.NEGATIVE_SALES: _("Check this count, or a delivery is missing."),
        }.get(self.flag, "")


class ReplenishmentRun(models.Model):
    """One run of the nightly suggested-order job: when, how much, and how it ended."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    date = models.DateField(_("date"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    pairs = models.PositiveIntegerField(_("pairs"), default=0)
    flagged = models.PositiveIntegerField(_("flagged"), default=0)
    chunks = models.PositiveIntegerField(_("chunks"), default=0, validators=[MinValueValidator(0)])
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    scope = models.CharField(_("scope"), max_length=80, blank=True, help_text=_("Empty: every store."))
    error = models.TextField(_("error"), blank=True)
    # Incremental nights (issue 17): a full run recomputes every pair; an incremental one only the pairs whose
    # inputs changed since the last successful whole-company run with the same settings
    # (visits/replenishment_incremental.py).
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.FULL)
    settings_fingerprint = models.CharField(_("settings fingerprint"), max_length=64, blank=True)
    base_date = models.DateField(
        _("base date"), null=True, blank=True, help_text=_("Incremental: the day of the run it carries on from.")
    )
    pairs_recomputed = models.PositiveIntegerField(_("pairs recomputed"), default=0)
    # Rows written: pairs whose result differed from the row in force (new, changed or gone); the rest untouched.
    pairs_changed = models.PositiveIntegerField(_("pairs changed"), default=0)
    # Incremental: pairs and flagged start from the base run's and each chunk adds its differences (no count of the
    # rows in force), when nothing else wrote suggested orders since the base (replenishment_incremental.py).
    tallies_carried = models.BooleanField(_("tallies carried from the base run"), default=False)

    class Meta:
        verbose_name = _("replenishment run")
        verbose_name_plural = _("replenishment runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.date} {self.status}"


class ReplenishmentChange(models.Model):
    """A store × product whose suggested-order inputs changed (a count, a close, a delivery, a listing, a product).

    Written only by database triggers (migration 0015), so every write path (pages, API, imports, admin, SQL)
    is seen; a whole-company run's chunk takes its stores' rows out in the transaction that answers them.
    Plain integers, no foreign keys: a row of a deleted store or product is still a change to act on.
    """

    store_id = models.BigIntegerField()
    product_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("replenishment change")
        verbose_name_plural = _("replenishment changes")
        indexes = [
            models.Index(fields=["store_id", "product_id"], name="replchange_store_product"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} × {self.product_id}"
