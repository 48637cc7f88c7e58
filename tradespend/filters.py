"""Filters for the trade-spend pages and API (the same class serves both), one section per part of issue 12."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from contracts import selectors as contract_selectors
from contracts.filters import DeductionFilter
from ka_portal import system_texts
from ka_portal.api_fields import record_filter
from ka_portal.days import NOT_A_DAY, IsoDayField
from ka_portal.lists import StyledFilterSet, WordsFilter, search_words, yes_no_filter
from ka_portal.months import MonthFilter

from . import notes
from .models import AccrualLine, Dispute, Remittance, SpendCategory, SpendKind

# --- matching: deductions and disputes ----------------------------------------------------------------------------


class DayField(IsoDayField):
    """A day as the browser's date picker sends it (YYYY-MM-DD, ka_portal.days.IsoDayField); a bad one (typed into the
    address, or by a browser without a picker) is refused naming what was typed, in the lists' words
    (ka_portal.days.NOT_A_DAY), since a date input cannot show a value that is not a date."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(NOT_A_DAY, code="invalid", params={"value": str(value).strip()[:40]}) from None


class DayFilter(django_filters.DateFilter):
    field_class = DayField


class DeductionMarksFilter(DeductionFilter):
    """The deductions API's filters (GET /api/v1/deductions/): contracts' (account, dates, kind, state) and what
    matching knows of a deduction — matched by hand, over-deducted, moved to another line by a release. The page's
    FilterSet extends it, so the page, its Excel and the API filter them alike."""

    by_hand = yes_no_filter(
        _("Matched by hand"),
        field_name="matched_by_hand",
        lookup_expr="isnull",
        exclude=True,
        help_text="Whether finance changed its matches by hand (automatic matching leaves it alone).",
    )
    over_deducted = yes_no_filter(
        _("Over-deducted"),
        method="filter_over_deducted",
        help_text="Whether it is matched to a ledger line whose matches now exceed it (the line lowered after the "
        "match, e.g. a display fee not evidenced): gross to net counts the excess as unsupported.",
    )

    moved = yes_no_filter(
        _("Moved to another line"),
        method="filter_moved",
        help_text="Whether the ledger released its match (a display-fee line lowered under it) and automatic matching "
        "matched it again to another line of the chain, kind and month (possibly another agreement's).",
    )

    def filter_moved(self, queryset, name, value):
        from .releases import moved_q

        if value is None:
            return queryset
        return queryset.filter(moved_q()) if value else queryset.exclude(moved_q())

    def filter_over_deducted(self, queryset, name, value):
        from .matching import over_deducted_q

        if value is None:
            return queryset
        return queryset.filter(over_deducted_q()) if value else queryset.exclude(over_deducted_q())


class DeductionMatchingFilter(DeductionMarksFilter):
    """The deductions page: account, dates (the browser's date pickers), kind, state, a month the deduction claims,
    whether it is disputed and how the dispute stands, matched by hand, over-deducted or moved to another line, and a
    search that finds what the API's ?search= finds."""

    date_from = DayFilter(label=_("From"), field_name="date", lookup_expr="gte", help_text="YYYY-MM-DD")
    date_to = DayFilter(label=_("To"), field_name="date", lookup_expr="lte", help_text="YYYY-MM-DD")
    period = MonthFilter(label=_("Month claimed"), method="filter_period", help_text="YYYY-MM")
    has_dispute = yes_no_filter(_("Disputed"), method="filter_has_dispute")
    dispute_status = django_filters.ChoiceFilter(
        label=_("Dispute status"), choices=Dispute.Status.choices, field_name="dispute__status"
    )
    written_off = yes_no_filter(
        _("Write-off accepted"),
        method="filter_written_off",
        help_text="Whether its unsupported part was accepted and written off (its dispute's outcome).",
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text="Every word in the reason as read, the chain's reference or the invoice's number.",
    )

    def filter_text(self, queryset, name, value):
        return queryset.filter(search_words(value, contract_selectors.deduction_search_q))

    def filter_written_off(self, queryset, name, value):
        if value is None:
            return queryset
        written_off = Q(dispute__status=Dispute.Status.WRITTEN_OFF)
        return queryset.filter(written_off) if value else queryset.exclude(written_off)

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        month = value.replace(day=1)
        return queryset.filter(period_start__lte=month, period_end__gte=month)

    def filter_has_dispute(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(dispute__isnull=not value)


def _overdue_q() -> Q:
    return Q(status__in=Dispute.UNRESOLVED, due_on__lt=timezone.localdate())


class DisputeFilter(StyledFilterSet):
    """Disputes by account (code), status, overdue (still unresolved after the due date)."""

    account = record_filter(
        KeyAccount,
        scope=contract_selectors.finance_accounts,
        label=_("Key account"),
        field_name="deduction__account",
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Dispute.Status.choices)
    overdue = yes_no_filter(_("Overdue"), method="filter_overdue")

    class Meta:
        model = Dispute
        fields = ["account", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(_overdue_q()) if value else queryset.exclude(_overdue_q())


# --- accruals (issue 12 item 4) --------------------------------------------------------------------------------


class AccrualLineFilter(StyledFilterSet):
    """Ledger lines by key account (code), months, kind, category, source, stage and a text search."""

    account = record_filter(
        KeyAccount,
        scope=contract_selectors.finance_accounts,
        label=_("Key account"),
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    month_from = MonthFilter(
        label=_("From month"), method="filter_month_from", help_text="YYYY-MM: lines of this month and later."
    )
    month_to = MonthFilter(
        label=_("To month"), method="filter_month_to", help_text="YYYY-MM: lines of this month and earlier."
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SpendKind.choices, help_text="What the spend pays for.")
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=SpendCategory.choices, help_text="The gross-to-net step."
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"),
        choices=AccrualLine.Source.choices,
        help_text="Contract term, promotion plan, promoter pay or adjustment.",
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=AccrualLine.Stage.choices, help_text="Accrued, forecast, actual, true-up, adjustment."
    )
    q = WordsFilter(
        label=_("Search"),
        method="filter_text",
        help_text="Text in the reason as read (the ledger's own in either language), the plan's name or the contract's "
        "number.",
    )
    o = django_filters.OrderingFilter(fields=("month", "amount", "kind"))
    periods = (("month_from", "month_to"),)  # a To month before the From month is refused, not an empty ledger

    class Meta:
        model = AccrualLine
        fields = ["account", "month_from", "month_to", "kind", "category", "source", "stage", "q"]

    def filter_month_from(self, queryset, name, value):
        return queryset.filter(month__gte=value.replace(day=1)) if value else queryset

    def filter_month_to(self, queryset, name, value):
        return queryset.filter(month__lte=value.replace(day=1)) if value else queryset

    def filter_text(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        ledgers = system_texts.search_q(  # the ledger's own reason, as read in either language
            value, code_field="reason_code", params_field="reason_params", codes=notes.TEMPLATES
        )
        return queryset.filter(
            Q(reason__icontains=value)
            | ledgers
            | Q(plan__title__icontains=value)
            | Q(term__contract__number__icontains=value)
        )


# --- remittances (item 6) ----------------------------------------------------------------------------------------


class RemittanceFilter(StyledFilterSet):
    """Remittances by key account (code), date range and reference (or an invoice number it names)."""

    account = record_filter(
        KeyAccount,
        scope=contract_selectors.finance_accounts,
        label=_("Key account"),
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", help_text="Remittances dated on or after (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", help_text="Remittances dated on or before (YYYY-MM-DD)."
    )
    q = django_filters.CharFilter(
        label=_("Reference or invoice"),
        method="filter_q",
        help_text="Part of the chain's payment reference, or an invoice number the remittance settles.",
    )
    to_reconcile = yes_no_filter(
        _("To reconcile"),
        method="filter_to_reconcile",
        help_text="Cash still unallocated, or a deduction taken that is not fully matched to spend lines.",
    )
    o = django_filters.OrderingFilter(fields=("date", "cash", "reference"))

    class Meta:
        model = Remittance
        fields = ["account"]

    def filter_to_reconcile(self, queryset, name, value):
        from .remittances import to_reconcile_q

        if value is None:
            return queryset
        return queryset.filter(to_reconcile_q()) if value else queryset.exclude(to_reconcile_q())

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        named = Q(invoice_lines__invoice__number=value)
        return queryset.filter(Q(reference__icontains=value) | named).distinct()
