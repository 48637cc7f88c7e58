"""Filters for visits, route plans, tasks and suggested orders: one FilterSet per list, serving its page and its API.

References follow the API convention (ka_portal/api_fields.py): stores, key accounts and products by code, people
by username, each within the user's scope (a code outside it is refused like one that does not exist). Labels are
the page's words; help texts are the API schema's descriptions.
"""

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.filters import account_search_q
from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, WordsFilter, day_filter, day_range_filters, yes_no_filter
from ka_portal.scope import accounts_for, products_for, route_stops_for, stores_for
from stores.models import Product, Store

from . import selectors
from .models import RoutePlan, SuggestedOrder, Task, Visit, VisitReview


def _store_filter(**kwargs):
    return record_filter(Store, scope=stores_for, label=_("Store"), help_text="The store, by code.", **kwargs)


def _rep_filter(**kwargs):
    kwargs.setdefault("help_text", "The sales rep, by username.")
    return record_filter(get_user_model(), scope=selectors.reps_for, label=_("Sales rep"), **kwargs)


class StoreSearchFilterSet(StyledFilterSet):
    """A filterset with a free-text store search: the store's name or code, or its chain's code or name in either
    language (the lists show an English reader the chain's English name: "Walmart" must find its stores)."""

    q = WordsFilter(
        label=_("Store or chain, name or code"),
        method="filter_store",
        help_text="Text in the store's name or code, or in its key account's code or name (Chinese or English).",
    )

    def filter_store(self, queryset, name, value):
        return queryset.filter(self.store_q(value))

    @staticmethod
    def store_q(value: str) -> Q:
        return (
            Q(store__name__icontains=value)
            | Q(store__code__icontains=value)
            | account_search_q(value, "store__account")
        )


class VisitFilter(StoreSearchFilterSet):
    day = day_filter(_("Date"), method="filter_day", help_text="Checked in on this day (YYYY-MM-DD, local time).")
    since, until = day_range_filters("checked_in_at", what="Checked in (local time)", timed=True)
    store = _store_filter()
    rep = _rep_filter()
    rating = django_filters.ChoiceFilter(label=_("Rating"), choices=Visit.Rating.choices, help_text="The rating.")
    # who is still in a store (at 20:00, a supervisor's question): checked in and not checked out yet, of any day
    open = yes_no_filter(
        _("Check-out"),
        yes=pgettext_lazy("visit", "Still open"),
        no=_("Checked out"),
        field_name="checked_out_at",
        lookup_expr="isnull",
        help_text="`true`: checked in and not checked out yet (still in the store, or a check-out forgotten on an "
        "earlier day); `false`: checked out.",
    )
    far_from_store = yes_no_filter(_("Far from the store"), help_text="Checked in far from the store.")
    reviewed = yes_no_filter(
        _("Review"),
        yes=pgettext_lazy("visit", "Reviewed"),
        no=_("Not reviewed"),
        method="filter_reviewed",
        help_text="`true`: reviewed by at least one supervisor, KA manager or administrator (the visit's `reviews`); "
        "`false`: not reviewed by anyone yet (an open visit is never reviewed).",
    )
    # what a reviewer has still to review (SPEC §1): the queue on a supervisor's home is `open=false&reviewed_by_me=
    # false`; another reviewer's review leaves a visit in it (each reviewer writes their own)
    reviewed_by_me = yes_no_filter(
        _("Your review"),
        yes=_("Reviewed by you"),
        no=_("Not reviewed by you"),
        method="filter_reviewed_by_me",
        help_text="`true`: you reviewed it; `false`: you have not reviewed it yet, whoever else has (your review "
        "queue, with `open=false`). Only a reviewer (a supervisor, KA manager or administrator) reviews.",
    )
    # the rep's home links the visits whose review has words for them: a review without a comment only says "seen"
    commented = yes_no_filter(
        _("Review comment"),
        yes=_("With a comment"),
        no=_("Without a comment"),
        method="filter_commented",
        help_text="`true`: at least one of its reviews has a comment for the rep; `false`: none has (or it is not "
        "reviewed).",
    )
    flagged = yes_no_filter(
        # a yes/no filter: "有异常", not the run list's count of flagged pairs ("异常数")
        pgettext_lazy("filter", "Flagged"),
        method="filter_flagged",
        help_text="Short, without a position, checked out incomplete under a reason, or checked out on a later day "
        "than the check-in (the time of leaving given afterwards, or none).",
    )

    class Meta:
        model = Visit
        fields = [
            "q", "day", "since", "until", "store", "rep", "rating", "open", "reviewed", "reviewed_by_me", "commented",
            "far_from_store", "flagged",
        ]  # fmt: skip

    not_on_page = ("day",)

    def filter_day(self, queryset, name, value):
        start, end = selectors.day_bounds(value)
        return queryset.filter(checked_in_at__gte=start, checked_in_at__lt=end)

    def filter_reviewed(self, queryset, name, value):
        return self._with_review(queryset, value)

    def filter_reviewed_by_me(self, queryset, name, value):
        return self._with_review(queryset, value, by=self.request.user)

    def filter_commented(self, queryset, name, value):
        return self._with_review(queryset, value, commented=True)

    @staticmethod
    def _with_review(queryset, value: bool, *, by=None, commented: bool = False):
        """The visits with (`value`) or without a review: any, `by`'s, or one with a comment. An EXISTS, so a visit
        with several reviews is listed once."""
        reviews = VisitReview.objects.filter(visit=OuterRef("pk"))
        if by is not None:
            reviews = reviews.filter(by=by)
        if commented:
            reviews = reviews.exclude(comment="")
        found = Exists(reviews)
        return queryset.filter(found if value else ~found)

    def filter_flagged(self, queryset, name, value):
        """Short, without a position, checked out incomplete (under a reason), or checked out on a later day (its
        time of leaving stated afterwards, or none)."""
        flagged = (
            Q(short_visit=True)
            | Q(latitude__isnull=True)
            | Q(longitude__isnull=True)
            | ~Q(checkout_missing={})
            | Q(checkout_entered_at__isnull=False)
        )
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class RoutePlanFilter(StyledFilterSet):
    q = WordsFilter(
        label=_("Rep or store, name or code"),
        method="filter_search",
        help_text="Text in the sales rep's name or username, or in the name or code of a store the plan visits "
        "(among the stores you reach) or of its key account.",
    )
    rep = _rep_filter()
    week_start = day_filter(
        _("Week of"),
        method="filter_week",
        help_text="The week holding this day (YYYY-MM-DD): its Monday, or any day of it.",
    )
    # "not published" is what a supervisor looks for on a Friday (the weeks the reps cannot see yet): a draft, new or
    # taken back, read so in the filter; the badge in the list still says Draft
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (RoutePlan.Status.PUBLISHED, _("Published")),
            (RoutePlan.Status.DRAFT, _("Not published (draft)")),
        ],
        help_text="`published`, or `draft`: not published (new, or taken back to draft).",
    )

    class Meta:
        model = RoutePlan
        fields = ["q", "rep", "week_start", "status"]

    def filter_search(self, queryset, name, value):
        """The rep as the list names them (张伟: family name first; Wei Zhang) or by username, or a store among the
        plan's stops the user reaches (a KA manager finds a plan by their own stores only, as they see its stops)."""
        value = value.strip()
        if not value:
            return queryset
        store = Q(store__name__icontains=value) | Q(store__code__icontains=value)
        stops = (
            route_stops_for(self.request.user)
            .filter(plan=OuterRef("pk"))
            .filter(store | account_search_q(value, "store__account"))
        )
        named = queryset.alias(
            rep_name_zh=Concat("rep__last_name", "rep__first_name"),
            rep_name_en=Concat("rep__first_name", Value(" "), "rep__last_name"),
        )
        return named.filter(
            Q(rep__username__icontains=value)
            | Q(rep_name_zh__icontains=value)
            | Q(rep_name_en__icontains=value)
            | Exists(stops)
        )

    def filter_week(self, queryset, name, value):
        """A day picked in the week, not only its Monday (a date picker's Wednesday found nothing, saying nothing)."""
        return queryset.filter(week_start=value - timedelta(days=value.weekday()))


class TaskFilter(StoreSearchFilterSet):
    # what a supervisor remembers of a task is what it asks (端架, 价签): its words, as well as its store's
    q = WordsFilter(
        label=_("Task, store or chain"),
        method="filter_task",
        help_text="Text in the task's title or description, or in its store's name or code, or in the store's key "
        "account's code or name (Chinese or English).",
    )
    store = _store_filter()
    rep = _rep_filter(field_name="store__rep", help_text="The store's sales rep, who does the task, by username.")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Task.Status.choices, help_text="The status.")
    due_on = day_filter(_("Due on"), help_text="Due on this day (YYYY-MM-DD).")
    due_from, due_to = day_range_filters("due_on", what="Due", labels=(_("Due from"), _("Due to")))
    overdue = yes_no_filter(
        _("Overdue"), method="filter_overdue", help_text="Still open after the due day (due today is not overdue)."
    )

    class Meta:
        model = Task
        fields = ["q", "store", "rep", "status", "due_on", "due_from", "due_to", "overdue"]

    not_on_page = ("due_on",)

    def filter_task(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | self.store_q(value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = selectors.task_overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SuggestedOrderFilter(StoreSearchFilterSet):
    """Without a date, the suggestions in force now; with one, those in force on that day."""

    date = day_filter(
        _("Date"),
        method="filter_in_force_on",
        help_text="The suggestions in force on this day (YYYY-MM-DD); without it, those in force now.",
    )
    account = record_filter(
        KeyAccount,
        scope=accounts_for,
        field_name="store__account",
        label=_("Key account"),
        help_text="The stores' key account, by code.",
    )
    store = _store_filter()
    rep = _rep_filter(field_name="store__rep")
    product = record_filter(Product, scope=products_for, label=_("Product"), help_text="The product, by code.")
    flag = django_filters.ChoiceFilter(
        label=_("Flag"), choices=SuggestedOrder.Flag.choices, help_text="Why the pair could not be computed."
    )
    flagged = yes_no_filter(
        pgettext_lazy("filter", "Flagged"), method="filter_flagged", help_text="Only pairs that could not be computed."
    )
    # most pairs suggest nothing on a given day: the lines to order are what a supervisor checks with the store
    to_order = yes_no_filter(
        _("To order"), method="filter_to_order", help_text="Only pairs that suggest ordering a case or more."
    )

    class Meta:
        model = SuggestedOrder
        fields = ["q", "date", "account", "store", "rep", "product", "flag", "flagged", "to_order"]

    def filter_flagged(self, queryset, name, value):
        return queryset.exclude(flag="") if value else queryset.filter(flag="")

    def filter_to_order(self, queryset, name, value):
        return queryset.filter(suggested_cases__gt=0) if value else queryset.filter(suggested_cases=0)

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force_on(value)

    @classmethod
    def unfiltered(cls, queryset):
        return queryset.current()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("date") else self.unfiltered(queryset)
