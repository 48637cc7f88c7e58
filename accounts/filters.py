"""Filters for key-account lists: the same FilterSets serve the pages and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ka_portal.lists import StyledFilterSet, active_filter

from .models import Contact, ContactLog, KeyAccount, SalesTarget
from .roles import Role

User = get_user_model()


def _managers(request):
    return User.objects.filter(profile__role=Role.MANAGER).order_by("username")


class KeyAccountFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=KeyAccount.Tier.choices)
    owner = django_filters.ModelChoiceFilter(label=_("KA manager"), queryset=_managers)
    format = django_filters.ChoiceFilter(label=_("Format"), choices=KeyAccount.Format.choices)
    active = active_filter()
    o = django_filters.OrderingFilter(fields=("code", "name", "tier", "region"), label=_("Sort"))

    class Meta:
        model = KeyAccount
        fields = ["q", "tier", "owner", "format", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value))


class ContactFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    account = django_filters.CharFilter(field_name="account__code", label=_("Key account code"))
    part = django_filters.ChoiceFilter(label=_("Part in the deal"), choices=Contact.Part.choices)
    relationship_level = django_filters.NumberFilter(label=_("Relationship level"))

    class Meta:
        model = Contact
        fields = ["q", "account", "part", "relationship_level"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value) | Q(phone__icontains=value))


class ContactLogFilter(StyledFilterSet):
    account = django_filters.CharFilter(field_name="account__code", label=_("Key account code"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    follow_up_due_by = django_filters.DateFilter(
        field_name="follow_up_on", lookup_expr="lte", label=_("Follow-up due by")
    )
    follow_up_done = django_filters.BooleanFilter(label=_("Follow-up done"))

    class Meta:
        model = ContactLog
        fields = ["account", "channel", "date_from", "date_to", "follow_up_due_by", "follow_up_done"]


class SalesTargetFilter(StyledFilterSet):
    account = django_filters.CharFilter(field_name="account__code", label=_("Key account code"))

    class Meta:
        model = SalesTarget
        fields = ["account", "year", "month"]
