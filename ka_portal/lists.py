"""List pages shared by every app: a scoped queryset, django-filter filters kept in the URL,
pagination, sortable columns and `?export=xlsx` of everything the filters select.

A list view names its filterset, its scoped base queryset and its export columns (and `permission_required`
when the listed model's view permission is not the one); the template
includes `includes/filter_form.html` and `includes/pagination.html`.
"""

import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.utils import pretty_name
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from django_filters.constants import EMPTY_VALUES
from rest_framework.filters import search_smart_split

from accounts.roles import Role

from . import excel
from .formatting import NOT_IN_DIGITS, typed_number
from .ordering import total_order
from .permissions import ModelPermissionMixin
from .scope import has_role

# A period (From–To) of days whose end comes before its start: said on its end, wherever such a period is asked (a
# list's filters here, the statement's form and API), in these words. A period of months is read by ka_portal/months.py.
PERIOD_REVERSED = _("The period ends before it starts.")


class _Descending:
    """django-filter's "%s (descending)" made a sort's label when read, not when its FilterSet's module is imported.

    OrderingFilter builds its choices in its `__init__`, at import, with `descending_fmt % label`, which evaluates
    both lazy strings there and then: in the site's language (Chinese) whoever reads them, so the API schema (in
    English: ka_portal/schema.py) described `-code` as "编码 (descending)" and an English page's labels were half
    Chinese. Set on django-filter's class here, before any app's filters module builds one (each imports this)."""

    def __init__(self, fmt):
        self.fmt = fmt

    def __mod__(self, label):
        return _descending_label(self.fmt, label)


_descending_label = lazy(lambda fmt, label: str(fmt) % label, str)
# Our own msgid (django-filter's catalogue has no Simplified Chinese): a Chinese page reads 编码（降序）.
django_filters.OrderingFilter.descending_fmt = _Descending(_("%s (descending)"))


@dataclass(frozen=True)
class Column:
    """An export column: a header (translatable) and how to get the value from a row."""

    header: Any
    value: Callable[[Any], Any]
    number_format: str | None = None


EXPORT_CHUNK = 2000  # rows read from the database at a time by an export: its memory stays flat however many


def value_records(queryset, fields: Sequence[str]) -> Iterator:
    """Each row of ``queryset.values_list(*fields)`` as a light record whose attributes read as the model
    instance's do for those fields: ``store__code`` as ``record.store.code``, an annotation by its name. A relation
    whose listed fields are all empty reads as None, as an empty foreign key does. Read a chunk at a time.

    An export of 80,000 deliveries spent a third of its time building a delivery, a store and a product instance
    per row (and their converters); a record of the eleven values it writes costs a tenth of that."""
    make = _record_maker(_field_tree(fields), top=True)
    return map(make, queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK))


def _field_tree(fields: Sequence[str]) -> dict:
    """{"date": 0, "store": {"code": 1, "name": 2}, …}: each field's place in the row, under its relations."""
    tree: dict = {}
    for index, field in enumerate(fields):
        *relations, name = field.split("__")
        node = tree
        for relation in relations:
            node = node.setdefault(relation, {})
        node[name] = index
    return tree


def _record_maker(tree: dict, *, top: bool = False) -> Callable:
    record = namedtuple("Record", list(tree))
    places = [place for place in tree.values() if isinstance(place, int)]
    if len(places) == len(tree):  # no relation below: one itemgetter picks the values
        pick = itemgetter(*places) if len(places) > 1 else lambda row: (row[places[0]],)
        if top:
            return lambda row: record._make(pick(row))

        def related(row):
            values = pick(row)
            return None if all(value is None for value in values) else record._make(values)

        return related
    getters = [itemgetter(place) if isinstance(place, int) else _record_maker(place) for place in tree.values()]

    def make(row):
        values = [get(row) for get in getters]
        return record._make(values) if top or any(value is not None for value in values) else None

    return make


class FilteredListView(ModelPermissionMixin, ListView):
    """Login, then the role's view permission on the listed model (the API's map; or `permission_required`),
    then the scoped queryset: the page and its export show exactly what the API would list."""

    filterset_class = None
    paginate_by = 25
    export_columns: list[Column] = []
    # The fields the export reads through values() (a relation's as "store__code", an annotation by its name):
    # every column's value then reads a light record (`value_records`) rather than a model instance. Only for
    # columns that read fields alone (no model method or property); empty: the columns read the instances.
    export_fields: tuple[str, ...] = ()
    export_name = "export"
    page_kwarg = "page"

    def get_base_queryset(self):
        """The scoped queryset (from ka_portal/scope.py or the app's selectors); subclasses must say."""
        raise NotImplementedError

    def get_queryset(self):
        # The pk after the page's (or the chosen column's) order wherever it could tie: pages neither skip nor
        # repeat a row when one is rewritten between two requests (ka_portal/ordering.py).
        return total_order(self.get_filtered_queryset())

    def get_filtered_queryset(self):
        queryset = self.get_base_queryset()
        if self.filterset_class is None:
            self.filterset = None
            return queryset
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        self.sort_refused = None
        if self.filterset.is_bound and not self.filterset.is_valid() and set(self.filterset.errors) == {"o"}:
            # A sort the list does not offer (an old link, a hand-typed address) is dropped and said so: the list
            # shows in its own order, and its export too, rather than nothing (the API answers it with a 400).
            self.sort_refused = self.request.GET.get("o")
            data = self.request.GET.copy()
            data.pop("o")
            self.filterset = self.filterset_class(data or None, queryset=queryset, request=self.request)
        # An invalid filter value shows its error next to the field and the unfiltered list stays out of view.
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # A page past the end (a filter narrowed the list under a kept ?page=) shows the last page, and a page
        # that is not a number the first, rather than Django's 404: a link that worked a moment ago still leads
        # somewhere. The API keeps DRF's 404 for an invalid page.
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        page = paginator.get_page(paginator.num_pages if number == "last" else number)
        return paginator, page, page.object_list, page.has_other_pages()

    def exportable(self) -> bool:
        """Whether the list has an Excel export (?export=xlsx): its columns, or a list's own `export`."""
        return bool(self.export_columns)

    def filters_refused(self) -> bool:
        """A filter value the list cannot read (a month 2026-13, a To before its From): its error is shown next to
        it and the list holds nothing. Asked once get_queryset has built the filters."""
        return self.filterset is not None and self.filterset.is_bound and not self.filterset.is_valid()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and self.exportable():
            queryset = self.get_queryset()
            if self.filters_refused():
                # Never a sheet of nothing (or of everything) passing for the filters' rows: the page, with the
                # filters' errors and saying nothing was exported, as a 400.
                self.object_list = queryset
                self.export_refused = True
                return self.render_to_response(self.get_context_data(), status=400)
            return self.export(queryset)
        return super().get(request, *args, **kwargs)

    def export(self, queryset):
        columns = self.export_columns
        formats = {i: c.number_format for i, c in enumerate(columns) if c.number_format}
        records = (
            value_records(queryset, self.export_fields)
            if self.export_fields
            else queryset.iterator(chunk_size=EXPORT_CHUNK)
        )
        rows = ([column.value(record) for column in columns] for record in records)
        stamp = timezone.localdate().isoformat()
        return excel.xlsx_response(
            f"{self.export_name}-{stamp}.xlsx", str(self.export_name), [str(c.header) for c in columns], rows, formats
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["sort_refused"] = getattr(self, "sort_refused", None)
        # a filter refused (its error above the list) counts as active: the list then reads "nothing matches these
        # filters" with a Clear beside, not "nothing in your scope yet"; and it has nothing to export
        refused = self.filterset is not None and bool(self.filterset.errors)
        context["can_export"] = self.exportable() and not refused
        context["export_refused"] = getattr(self, "export_refused", False)
        context["filters_active"] = refused or any(k not in ("page", "o") and v for k, v in self.request.GET.items())
        if self.filterset is not None:
            # e.g. a single day the API keeps beside its From–To (?day=): on the page the range says it (from = to)
            for name in getattr(self.filterset, "not_on_page", ()):
                self.filterset.form.fields.pop(name, None)
        return context


class RepsOwnListMixin:
    """A rep's list holds only their own rows: a column and a filter naming them (their only choice) just squeeze
    the rest on a phone. The template leaves the column out when `own_rows`; the filter stays for the API (and
    ?rep= still works)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["own_rows"] = has_role(self.request.user, Role.REP)
        if context["own_rows"] and self.filterset is not None:
            self.filterset.form.fields.pop("rep", None)
        return context


class TypedNumberInput(forms.TextInput):
    """A number box whose text reaches the server as typed: a `type=number` box drops what it cannot read before
    the form is sent (12000。5 from a Chinese keyboard arrived as 120005, 16万 as 16), so no error could say so.
    This one is text with a numeric keypad on phones; `typed_number` reads 。, full-width digits, ¥ and grouping
    commas, and anything else reaches the field as typed, refused there and kept in the box.

    No autocomplete="off" (it came with the box, for no stated reason): with it Chrome drew the box empty again when
    the user came Back to a form left unsent, losing the number while the form's other boxes kept theirs. A form that
    must come back empty says so itself (the task list's assign form: a key drawn anew with it)."""

    def __init__(self, attrs=None, *, decimal: bool = True):
        kept = {key: value for key, value in (attrs or {}).items() if key not in ("step", "min", "max")}
        super().__init__({"inputmode": "decimal" if decimal else "numeric", **kept})

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return typed_number(value) if isinstance(value, str) else value


def written_in_digits(value) -> None:
    """An amount typed in digits: Decimal reads "1e5" as 100000 (a beer's shelf price of ¥100,000.00 on a phone whose
    keypad has an e), a figure nobody means — refused, as a number with a positive exponent is only ever written so."""
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent > 0:
        raise ValidationError(NOT_IN_DIGITS, code="not_digits")


def style_form_fields(form, *, nothing_chosen=None, prompt: Iterable[str] = ()) -> None:
    """Give a Django form's widgets Bootstrap's classes (selects, checkboxes and the rest), and name every select's
    unnamed empty choice (Django's "---------"): a select that must be chosen prompts for it ("Choose a key account"
    / "选择重点客户"), an optional one reads `nothing_chosen` (None / 无 on a form that writes; All / 全部 on a filter
    form). An empty choice a form names itself is kept; a second one (a model's own blank choice after a filter's
    All) goes. The selects named in `prompt` prompt though the form lets them be empty: a line of a formset that may
    be left blank, whose service refuses the line used without them (a remittance's deduction needs its kind)."""
    nothing_chosen = nothing_chosen or _("None")
    for name, field in form.fields.items():
        if field.label:
            field.label = capfirst(field.label)  # "key account" from a model's verbose name reads "Key account"
        if isinstance(field.widget, forms.NumberInput):
            field.widget = TypedNumberInput(field.widget.attrs, decimal=isinstance(field, forms.DecimalField))
        if isinstance(field, forms.DecimalField) and written_in_digits not in field.validators:
            field.validators.append(written_in_digits)
        widget = field.widget
        kind = getattr(widget, "input_type", "")
        css = (
            "form-check-input"
            if kind in ("checkbox", "radio")
            else "form-select"
            if kind == "select"
            else "form-control"
        )
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if kind == "select" and not getattr(widget, "allow_multiple_selected", False):
            _name_empty_choice(field, _choose(field, name) if field.required or name in prompt else nothing_chosen)


def search_words(text: str, term_q: Callable[[str], Q]) -> Q:
    """A search box's text split as the API's ?search= splits it (words, commas, "a quoted phrase"), every word to
    be found: ``term_q`` says what one word finds, the same function the API's search calls (ka_portal.api)."""
    found = Q()
    for term in search_smart_split(text):
        found &= term_q(term)
    return found


class _EveryWord(django_filters.filters.FilterMethod):
    """A WordsFilter's method called once per word of the text, each narrowing what the one before found."""

    def __call__(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        for word in search_smart_split(value):
            qs = self.method(qs, self.f.field_name, word)
        return qs


class WordsFilter(django_filters.CharFilter):
    """A list's search box whose every word must be found, as the API's ?search= reads it (words, commas, "a quoted
    phrase"): "沃尔玛 古北" finds Walmart's Gubei stores, not nothing. Its `method` says what one word finds; each word
    narrows the list further (a word may match one field and the next another: chain, then area)."""

    @property
    def method(self):
        return self._method

    @method.setter
    def method(self, value):
        self._method = value
        if value is not None:
            self.filter = _EveryWord(self)


class YesNoField(forms.NullBooleanField):
    """A yes / no filter's value: true/false, 1/0 or yes/no in any case, or nothing (no filter). Anything else is
    refused naming the filter (the API's 400, the page's error next to it), never read as "no filter": Django's
    NullBooleanField takes "no" or "zzz" for nothing chosen, and an integration asking for "no" got everything."""

    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no"})
    default_error_messages = {"invalid": _("“%(value)s” is not yes or no: give true or false (or 1/0, yes/no).")}

    def __init__(self, *, yes=None, no=None, **kwargs):
        # The field's own select, worded by the filter (yes_no_filter's yes / no: "Active only"): a plain Select, so
        # the raw value reaches to_python (NullBooleanSelect would turn "no" into nothing chosen before it).
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("All")), ("true", yes or _("Yes")), ("false", no or _("No"))])
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if not text:
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})


class YesNoFilter(django_filters.BooleanFilter):
    """django-filter's BooleanFilter reading its value strictly (YesNoField); the schema still says boolean."""

    field_class = YesNoField


def yes_no_filter(label, *, yes=None, no=None, **kwargs):
    """A yes / no / either filter worded for people (not django-filter's "Unknown / Yes / No"): All, then `yes`
    and `no` (Yes and No unless named), in the select YesNoField makes."""
    return YesNoFilter(label=label, yes=yes, no=no, **kwargs)


def day_filter(label, **kwargs) -> django_filters.DateFilter:
    """One day, picked with the browser's date input; the API takes it as YYYY-MM-DD."""
    return django_filters.DateFilter(label=label, widget=_day_input(), **kwargs)


def day_range_filters(field_name: str, *, what: str, timed: bool = False, labels=None):
    """A list's period as two filters, From and To, both days included: ``since, until = day_range_filters(…)``.
    The page shows two date pickers, the API takes the same two names (YYYY-MM-DD) and the Excel export follows them,
    since all three read the one FilterSet. ``what`` opens the API's descriptions ("Checked in", "Due"); ``timed``:
    the field is a moment (a check-in), read by the local (Asia/Shanghai) day it falls on."""
    kind = _LocalDayBound if timed else django_filters.DateFilter
    start, end = labels or (_("From"), _("To"))
    return (
        kind(label=start, field_name=field_name, lookup_expr="gte", widget=_day_input(),
             help_text=f"{what} on or after this day (YYYY-MM-DD).", ),
        kind(label=end, field_name=field_name, lookup_expr="lte", widget=_day_input(),
             help_text=f"{what} on or before this day (YYYY-MM-DD).", ),
    )  # fmt: skip


def _day_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class _LocalDayBound(django_filters.DateFilter):
    """A day as a bound of a date-and-time field: from its first instant (gte) or to its last (lte), local time, so
    the database compares the stored moments (its index) rather than each row's date."""

    inert_when_empty = True  # does nothing without a value, as django-filter's own (ka_portal.api.FilterBackend)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        day = value if self.lookup_expr == "gte" else value + timedelta(days=1)
        bound = timezone.make_aware(datetime.combine(day, time.min))
        lookup = "gte" if self.lookup_expr == "gte" else "lt"
        return self.get_method(qs)(**{f"{self.field_name}__{lookup}": bound})


def active_filter(label=None):
    return yes_no_filter(label or _("Active"), yes=_("Active only"), no=_("Inactive only"))


# What Django and django-filter put in a select for "nothing chosen".
_UNNAMED_EMPTY_CHOICES = {"---------", django_filters.conf.settings.EMPTY_CHOICE_LABEL}


def _name_empty_choice(field, label) -> None:
    if getattr(field, "empty_label", None) in _UNNAMED_EMPTY_CHOICES:  # a model choice (or a filter's choice) field
        field.empty_label = label
        # The widget's choices list lazily, but a form's copy of a choice filter's widget lists the class's field
        # (Select copies its choices shallowly): list this field's, which read the new label.
        field.widget.choices = field.choices
        if not isinstance(field, forms.ModelChoiceField):  # (its choices are a query, run when the form is drawn)
            # A filter on a model's choices with their own blank ("—": no flag) offered it after All, a second way to
            # choose nothing.
            first, *rest = field.choices
            field.widget.choices = [first, *(choice for choice in rest if choice[0] not in ("", None))]
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = list(field.choices)  # a model field's choices open with Django's blank: ("", "---------")
        if choices and choices[0][0] in ("", None) and str(choices[0][1]) in _UNNAMED_EMPTY_CHOICES:
            field.choices = [("", label), *choices[1:]]


def _lower_first(label: str) -> str:
    """ "Key account" → "key account" inside a sentence; "DM fee" (an initialism) and Chinese stay as they are."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _choose_text(label) -> str:
    label = _lower_first(str(label))
    prompt = _("Choose an %(field)s") if label[:1] and label[0] in "aeiou" else _("Choose a %(field)s")
    return prompt % {"field": label}


_choose_lazy = lazy(_choose_text, str)


def _choose(field, name: str):
    """A required select's prompt, naming the field as its label does, in the language the page is read in."""
    return _choose_lazy(field.label or pretty_name(name))


_DJANGOS_INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]
NO_SUCH_CODE = _("None of the choices here goes by this code.")
NO_SUCH_CODES = _("None of the choices here goes by the code %(value)s.")


def style_filter_form(form) -> None:
    """A page's filter form (a FilterSet's, or a report's own GET form): Bootstrap's classes, and every optional select
    offers "no filter" as All / 全部 — not Django's "---------" (a choice or model filter's empty choice) nor a
    yes/no filter's "Unknown". An empty choice a filter names itself ("Every store") is kept, and a select that must
    be chosen prompts for it ("Choose a key account": a statement's chain)."""
    style_form_fields(form, nothing_chosen=_("All"))
    for field in form.fields.values():
        if not field.required and isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("unknown", _("All")), *field.widget.choices[1:]]
        elif type(field.widget) is forms.Select and isinstance(field, forms.ModelChoiceField):
            field.widget = RecordChoice.of(field)
            # a code typed in the box (or an old link's): not Django's "Select a valid choice" (a form's own words
            # stay); the same words whether the record is outside the user's scope or nowhere (the API alike)
            if field.error_messages["invalid_choice"] is _DJANGOS_INVALID_CHOICE:
                field.error_messages["invalid_choice"] = NO_SUCH_CODE


def choose_by_code(form, *names: str, key: str = "code", placeholder=None, lookup=None) -> None:
    """A write form's choice of one record among what may be thousands (a store of a KA manager's, whose scope can
    hold a few thousand; an open invoice of a chain invoiced store by store): the field takes the record's `key`
    (its code, an invoice's number), so its select (up to RecordChoice.MANY choices) and the box that stands for it
    past that post the same, and one the choices do not hold is refused beside it (in the filters' words unless the
    field says its own). Its initial value is the record (or its key), not its primary key. `lookup`: the API list's
    filters that narrow its offers to the field's choices (an account's open invoices: {"account": code, "open":
    "true"}). Call once the fields' querysets are set and the form styled."""
    for name in names:
        field = form.fields[name]
        field.to_field_name = key
        field.widget = RecordChoice.of(field, placeholder=placeholder, key=key, lookup=lookup)
        if field.error_messages["invalid_choice"] is _DJANGOS_INVALID_CHOICE:
            field.error_messages = {**field.error_messages, "invalid_choice": NO_SUCH_CODE}


class RecordChoice(forms.Select):
    """A choice of one record (a filter's store or rep; a write form's store or invoice, choose_by_code): a select
    while its choices fit in one (`MANY`), past that a box for the record's code (an invoice's number) or username.
    An administrator's store choice listed 10,000 stores: 581 KB of page and half a second of rendering, and a select
    no one scrolls. The choices are read once either way, and no further than it takes to tell. A box for a kind of
    record the API lists (`LOOKUPS`) offers, as the user types, the records of their scope that their words find
    there (a datalist that static/js/record-lookup.js fills from the list's `?search=`, what the list pages' search
    finds), narrowed by `lookup` (the list's own filters): the key goes in the box."""

    MANY = 500
    # a model's label → the URL name of its list in the API, and the fields an offer shows after the record's key
    LOOKUPS = {
        "stores.store": ("store-list", "name"),
        "stores.product": ("product-list", "name"),
        "contracts.invoice": ("invoice-list", "date open_amount"),
    }

    def __init__(self, attrs=None, choices=(), placeholder="", model=None, key="code", lookup=None):
        super().__init__(attrs, choices)
        self.placeholder = placeholder
        self.model = model
        self.key = key
        self.lookup = lookup or {}

    @classmethod
    def of(cls, field: forms.ModelChoiceField, placeholder=None, key="code", lookup=None) -> "RecordChoice":
        person = field.queryset.model is get_user_model()
        placeholder = placeholder or (_("Username") if person else _("Code"))
        widget = cls(field.widget.attrs, placeholder=placeholder, model=field.queryset.model, key=key, lookup=lookup)
        widget.choices = field.widget.choices
        return widget

    def render(self, name, value, attrs=None, renderer=None):
        head = list(islice(self.choices, self.MANY + 2))  # the empty choice and MANY, and one more if there are
        if len(head) <= self.MANY + 1:
            self.choices = head
            return super().render(name, value, attrs, renderer)
        box_attrs = _box_attrs(self.attrs, self.placeholder)
        listed = self.LOOKUPS.get(self.model._meta.label_lower) if self.model else None
        if listed is None:
            return forms.TextInput(box_attrs).render(name, value, attrs, renderer)
        url_name, shown = listed
        url = reverse(url_name) + (f"?{urlencode(self.lookup)}" if self.lookup else "")
        options = f"{(attrs or {}).get('id') or self.attrs.get('id') or 'id_' + name}-found"
        box = forms.TextInput(
            {
                **box_attrs,
                "list": options,
                "data-lookup": url,
                "data-lookup-key": self.key,
                "data-lookup-show": shown,
            }
        )
        return box.render(name, value, attrs, renderer) + format_html('<datalist id="{}"></datalist>', options)


def _box_attrs(attrs: dict, placeholder) -> dict:
    """A select's attributes for the text box standing in for it: Bootstrap's input class for its select class, a
    placeholder saying what to type, no size (a multiple select's rows), no browser autofill."""
    css = attrs.get("class", "").replace("form-select", "form-control")
    kept = {key: value for key, value in attrs.items() if key != "size"}
    return {**kept, "class": css, "placeholder": placeholder, "autocomplete": "off"}


class RecordsChoice(forms.SelectMultiple):
    """A choice of several records by code (a promoter's stores, choose_codes): a multiple select while the choices
    fit in one (RecordChoice.MANY), past that a box for their codes, separated by spaces or commas (an
    administrator's store choice was 10,000 options, 518 KB of page). The box keeps what was typed."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return None
        values = [values] if isinstance(values, str) else values
        return [code for value in values for code in re.split(r"[\s,，、]+", value) if code]

    def render(self, name, value, attrs=None, renderer=None):
        head = list(islice(self.choices, RecordChoice.MANY + 1))
        if len(head) <= RecordChoice.MANY:
            self.choices = head
            return super().render(name, value, attrs, renderer)
        box = forms.TextInput(_box_attrs(self.attrs, _("Codes, separated by spaces")))
        return box.render(name, " ".join(str(code) for code in value or ()), attrs, renderer)


def choose_codes(form, *names: str) -> None:
    """A write form's choice of several records among what may be thousands, by their codes (RecordsChoice); a code
    the choices do not hold is refused beside it, naming it. Call once the fields' querysets are set and the form
    styled."""
    for name in names:
        field = form.fields[name]
        field.to_field_name = "code"
        widget = RecordsChoice(field.widget.attrs)
        widget.choices = field.widget.choices
        field.widget = widget
        field.error_messages = {**field.error_messages, "invalid_choice": NO_SUCH_CODES}


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form fields wear Bootstrap's classes, and whose selects read All when nothing is chosen.
    ``not_on_page``: filters a link or the API may set that the page's form leaves out (FilteredListView), e.g. a
    single day beside a From–To that says the same. A From–To (two date filters on one field, on or after and on or
    before) that ends before it starts is refused on its To, on the page and in the API alike (400), rather than
    answering an empty list as if nothing had happened then. A From–To of two method filters (months) says so in
    ``periods``: (from, to) names, refused alike."""

    not_on_page: tuple[str, ...] = ()
    periods: tuple[tuple[str, str], ...] = ()

    # A model's yes/no field filtered by name in Meta.fields reads its value as strictly as yes_no_filter's.
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
        models.NullBooleanField: {"filter_class": YesNoFilter},
    }

    @classmethod
    def unfiltered(cls, queryset):
        """The list when none of the set's filters has a value: all of it. A set whose rows then are fewer says so
        here and ends its own `filter_queryset` in it, so the API answers such a request without building the set
        (ka_portal.api.FilterBackend)."""
        return queryset

    @property
    def qs(self):
        """Unbound (a list opened with no query string, as its menu link opens it), the list as `unfiltered` says, as
        a bound set with every filter empty and the API give it: django-filter would filter nothing at all."""
        if self.is_bound:
            return super().qs
        if not hasattr(self, "_qs"):
            self._qs = self.unfiltered(self.queryset.all())
        return self._qs

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style_filter_form(form)
            _refuse_backward_periods(form, self._periods())
            _name_the_sorts(form)
            form._styled = True
        return form

    def _periods(self) -> list[tuple[str, str]]:
        """(from, to) filter names of each From–To among the filters."""
        bounds: dict[str, dict[str, str]] = {}
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.DateFilter) and filter_.lookup_expr in ("gte", "lte"):
                bounds.setdefault(filter_.field_name, {})[filter_.lookup_expr] = name
        found = [(pair["gte"], pair["lte"]) for pair in bounds.values() if len(pair) == 2]
        return found + [pair for pair in self.periods if pair not in found]


def _name_the_sorts(form) -> None:
    """A sort (`o`) the list does not offer is refused naming those it does, in the words of the API's ?ordering=
    (ka_portal.api.OrderingFilter): the page shows it above its filters, the API answers it as a 400."""
    field = form.fields.get("o")
    if not isinstance(field, forms.ChoiceField):
        return
    keys = [str(value) for value, _label in field.choices if value and not str(value).startswith("-")]
    message = _("“%(value)s” is not a sort of this list: give one of %(keys)s (a leading - sorts the other way).")
    field.error_messages["invalid_choice"] = message % {"value": "%(value)s", "keys": ", ".join(keys)}


def _refuse_backward_periods(form, periods: list[tuple[str, str]]) -> None:
    if not periods:
        return
    clean = form.clean

    def clean_with_periods():
        cleaned = clean()
        for start, end in periods:
            first, last = cleaned.get(start), cleaned.get(end)
            if first and last and last < first:
                form.add_error(end, PERIOD_REVERSED)
        return cleaned

    form.clean = clean_with_periods
