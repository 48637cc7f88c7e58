"""Competitor sightings: the visit section's form and the list's filters (one FilterSet for the page and the API).

They only parse; every rule is evidence/competitors.py's, so each door says the same thing."""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.days import IsoDayField
from ka_portal.lists import StyledFilterSet, style_filter_form, style_form_fields
from ka_portal.pages import mark_problems
from ka_portal.scope import NOT_FOUND_TEXT, accounts_for, stores_for
from stores.models import Store

from .competitors import PROMOTION_MECHANICS, normalise_brand, sighting_problems
from .models import CompetitorSighting, DisplayKind

Mechanics = CompetitorSighting.Mechanics
_DECIMAL = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}


class CompetitorSightingForm(forms.Form):
    """What the rep types in the visit's "Competitors seen" section."""

    brand = forms.CharField(
        label=_("Brand"),
        max_length=60,
        required=False,  # the service says "Name the competitor's brand." at every door
        widget=forms.TextInput(attrs={"list": "competitor-brands", "autocomplete": "off"}),
    )
    product = forms.CharField(label=_("Product"), max_length=120, required=False)
    shelf_price = forms.DecimalField(
        label=_("Shelf price"), max_digits=14, decimal_places=2, required=False, widget=forms.TextInput(attrs=_DECIMAL)
    )
    regular_price = forms.DecimalField(
        label=_("Regular price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=_DECIMAL),
    )
    mechanics = forms.ChoiceField(label=_("Promotion"), choices=Mechanics.choices, required=False)
    display = forms.ChoiceField(label=_("Display"), choices=[("", "—"), *DisplayKind.choices], required=False)
    mechanics_note = forms.CharField(
        label=_("Promotion details"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. buy 2 get 1, 9.9 yuan")}),
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)

    def clean(self):
        """The rule's reasons for the values that were read (competitors.sighting_problems, as the service asks
        them), so every bad field is named at once, each once, beside a value that did not read at all; the service
        asks them again on saving."""
        data = super().clean()
        problems = sighting_problems(
            brand=normalise_brand(data.get("brand")),
            shelf_price=data.get("shelf_price"),
            regular_price=data.get("regular_price"),
            mechanics=data.get("mechanics") or "",
            display=data.get("display") or "",
        )
        mark_problems(self, problems)
        return data

    def mark_invalid(self) -> None:
        """Outline the fields with an error (after a refusal too), as Bootstrap shows them."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def photo_thumbnail_url(photo) -> str:
    """Where a list shows a sighting's photo small: the server-made thumbnail (the scoped thumb view answers with
    the photo itself for one kept before thumbnails were made; never /media/)."""
    if photo is None:
        return ""
    return reverse("visits:photo-thumb", args=[photo.pk])


MECHANICS_FILTER_CHOICES = [
    ("promoted", _("Any promotion")),
    ("none", _("No promotion")),
    *[(value, label) for value, label in Mechanics.choices if value],
]


class _SightingFilterBase(StyledFilterSet):
    account = record_filter(
        KeyAccount,
        scope=accounts_for,
        label=_("Key account"),
        help_text="The chain, by code (e.g. WMT); one outside your reach is not found.",
    )
    store = record_filter(
        Store, scope=stores_for, label=_("Store"), help_text="The store, by code; one outside your reach is not found."
    )
    brand = django_filters.CharFilter(
        label=_("Brand"),
        method="filter_brand",
        widget=forms.TextInput(attrs={"list": "competitor-brands", "autocomplete": "off"}),
        help_text="The competitor's brand, exactly (case and spaces aside).",
    )
    mechanics = django_filters.ChoiceFilter(
        label=_("Promotion"),
        choices=MECHANICS_FILTER_CHOICES,
        method="filter_mechanics",
        help_text="promoted (any promotion), none, or one mechanics.",
    )

    class Meta:
        model = CompetitorSighting
        fields: list[str] = []

    def filter_brand(self, queryset, name, value):
        brand = normalise_brand(value)
        return queryset.filter(brand__iexact=brand) if brand else queryset

    def filter_mechanics(self, queryset, name, value):
        if value == "promoted":
            return queryset.exclude(mechanics="")
        if value == "none":
            return queryset.filter(mechanics="")
        return queryset.filter(mechanics=value) if value in PROMOTION_MECHANICS else queryset

    def filter_text(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(brand__icontains=value)
            | Q(product__icontains=value)
            | Q(mechanics_note__icontains=value)
            | Q(note__icontains=value)
            | Q(store__name__icontains=value)
            | Q(store__code__iexact=value)
        )


def _date_filter(label, lookup: str, help_text: str):
    return django_filters.DateFilter(
        label=label,
        field_name="seen_on",
        lookup_expr=lookup,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
    )


# `from` and `to` are the API's names (and the page's): Python keywords, so the class is built by its metaclass.
CompetitorSightingFilter = type(
    "CompetitorSightingFilter",
    (_SightingFilterBase,),
    {
        "__module__": __name__,
        "__doc__": "Sightings by chain (code), store (code), brand, promotion, period (seen on) and a text search.",
        "from": _date_filter(_("From"), "gte", "Seen on or after (YYYY-MM-DD)."),
        "to": _date_filter(_("To"), "lte", "Seen on or before (YYYY-MM-DD)."),
        "q": django_filters.CharFilter(
            label=_("Search"), method="filter_text", help_text="Text in the brand, product, details, note or store."
        ),
        "o": django_filters.OrderingFilter(fields=("seen_on", "brand", "shelf_price")),
    },
)


class SummaryFilterForm(forms.Form):
    """The summary's period and chain (the page's GET form; the API reads the same names)."""

    account = forms.ModelChoiceField(
        label=_("Key account"),
        queryset=KeyAccount.objects.none(),
        required=False,
        to_field_name="code",
        error_messages={"invalid_choice": NOT_FOUND_TEXT},  # a chain outside your reach names nothing
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = IsoDayField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["to"] = IsoDayField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["account"].queryset = accounts_for(user).order_by("code")
        style_filter_form(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end of the period is before its start."))
        return cleaned
