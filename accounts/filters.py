"""Filters for key-account lists: the same FilterSets serve the pages and the API.

Every filter naming a record is a `record_filter` (ka_portal.api_fields): key accounts by code
(?account=WMT), users by username (?owner=mgr_li), within the user's scope.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, WordsFilter, active_filter, yes_no_filter
from ka_portal.months import MonthFilter
from ka_portal.scope import account_owners_for, accounts_for, finance_accounts_for, stores_for
from stores.models import Store

from .models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget

User = get_user_model()


def account_filter(field_name: str = "account"):
    """?account=WMT: a key account by its code, within the user's scope (also for stores' lists)."""
    return record_filter(
        KeyAccount,
        scope=accounts_for,
        field_name=field_name,
        label=_("Key account"),
        help_text="The key account, by its code.",
    )


# A key account is found by its code or by its name in either language (SPEC §2: a Chinese and an English name),
# whatever the page's language: an English reader sees "Walmart" in the list and types it; a Chinese one types 沃尔玛.
ACCOUNT_SEARCH_FIELDS = ("code", "name", "name_en")


def account_search_fields(relation: str = "") -> tuple[str, ...]:
    """The lookups a search names a key account by — through ``relation`` ("account", "store__account") from another
    record: for a DRF view's or an admin's ``search_fields``."""
    return tuple(f"{relation}__{name}" if relation else name for name in ACCOUNT_SEARCH_FIELDS)


def account_search_q(value: str, relation: str = "") -> Q:
    """What a search box's text finds of a key account, through ``relation`` from another record: text in its code,
    its Chinese name or its English name (every list searching by a chain calls this)."""
    found = Q()
    for lookup in account_search_fields(relation):
        found |= Q(**{f"{lookup}__icontains": value})
    return found


def account_owners_in_scope(user):
    """The KA managers owning a key account the user reaches: what the "KA manager" filter of a list of accounts may
    offer (another manager's accounts are out of a manager's scope, so choosing them could only empty the list)."""
    return account_owners_for(user).filter(pk__in=accounts_for(user).values("owner_id"))


class KeyAccountFilter(StyledFilterSet):
    q = WordsFilter(label=_("Search"), method="search")
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=KeyAccount.Tier.choices)
    owner = record_filter(
        User,
        scope=account_owners_in_scope,
        label=_("KA manager"),
        help_text="The owning KA manager, by username (one owning an account in your scope).",
    )
    format = django_filters.ChoiceFilter(label=_("Format"), choices=KeyAccount.Format.choices)
    active = active_filter()
    o = django_filters.OrderingFilter(fields=("code", "name", "tier", "region"), label=_("Sort"))

    class Meta:
        model = KeyAccount
        fields = ["q", "tier", "owner", "format", "active"]

    @property
    def not_on_page(self) -> tuple[str, ...]:
        """One manager to choose (a manager's own accounts): a filter that cannot narrow the list is left off the
        page; ?owner= still works for a link or the API. Asked by the page only (FilteredListView)."""
        if (self.data or {}).get("owner"):
            return ()  # asked for by a link: shown with its value, or its refusal
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and account_owners_in_scope(user).count() <= 1:
            return ("owner",)
        return ()

    def search(self, queryset, name, value):
        return queryset.filter(account_search_q(value))


class ContactFilter(StyledFilterSet):
    q = WordsFilter(label=_("Search"), method="search")
    account = account_filter()
    part = django_filters.ChoiceFilter(label=_("Part in the deal"), choices=Contact.Part.choices)
    relationship_level = django_filters.NumberFilter(label=_("Relationship level"))

    class Meta:
        model = Contact
        fields = ["q", "account", "part", "relationship_level"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value) | Q(phone__icontains=value))


class ContactLogFilter(StyledFilterSet):
    account = account_filter()
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    follow_up_due_by = django_filters.DateFilter(
        field_name="follow_up_on", lookup_expr="lte", label=_("Follow-up due by")
    )
    follow_up_done = yes_no_filter(_("Follow-up done"))

    class Meta:
        model = ContactLog
        fields = ["account", "channel", "date_from", "date_to", "follow_up_due_by", "follow_up_done"]


class SalesTargetFilter(StyledFilterSet):
    account = account_filter()

    class Meta:
        model = SalesTarget
        fields = ["account", "year", "month"]


class StoreTargetFilter(StyledFilterSet):
    """?store=S001, ?account=WMT (the store's chain), ?month=2026-03, ?month_from=2026-01&month_to=2026-06 (months
    as YYYY-MM everywhere, ka_portal.months; a month's first day still reads as that month)."""

    store = record_filter(Store, scope=stores_for, label=_("Store"), help_text="The store, by its code.")
    account = account_filter("store__account")
    month = MonthFilter(field_name="month", label=_("Month"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To month"))

    class Meta:
        model = StoreTarget
        fields = ["store", "account", "month", "month_from", "month_to"]


class CollectionTargetFilter(StyledFilterSet):
    account = record_filter(
        KeyAccount, scope=finance_accounts_for, label=_("Key account"), help_text="The key account, by its code."
    )
    month = MonthFilter(field_name="month", label=_("Month"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To month"))

    class Meta:
        model = CollectionTarget
        fields = ["account", "month", "month_from", "month_to"]
