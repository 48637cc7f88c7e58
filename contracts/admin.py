"""Admin for contracts and receivables: every write goes through contracts/services.py, as on the pages
and the API. A contract is saved by contract_create / contract_update after the form has shown what
contract_check refuses; invoices, payments, deductions and what the nightly run writes are read-only here
(their amounts are kept in balance by the services), with the services' business steps as actions."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.filters import account_search_fields
from ka_portal.admin_base import ReadOnlyInline
from ka_portal.downloads import DownloadLinkFileInput
from ka_portal.errors import DomainError
from ka_portal.lists import search_words
from ka_portal.pages import show_refusal

from . import services
from .forms import CheckedContractForm, PercentField, parsed_contract
from .models import (
    AgingMove,
    Allocation,
    Contract,
    ContractReminder,
    ContractTerm,
    CreditNote,
    Deduction,
    Invoice,
    Payment,
    ReceivablesRun,
)
from .rules import parse_tiers, tiers_text
from .selectors import deduction_search_q, overdue_q, with_aging
from .templatetags.receivables import bucket_label


class WrittenThroughServices:
    """Nothing is added, changed or deleted by hand: the services (pages, API, nightly run) write these rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContractAdminForm(CheckedContractForm):
    class Meta:
        model = Contract
        fields = list(services.CONTRACT_FIELDS)
        field_classes = {"rebate_percent": PercentField}


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = ("number", "account", "kind", "valid_from", "valid_to", "total_amount", "status", "terminated_on")
    list_filter = ("kind", "status", "valid_to")
    search_fields = ("number", *account_search_fields("account"))
    # The "currently" link goes to the scoped download: nothing is served from /media/.
    formfield_overrides = {
        models.FileField: {"widget": DownloadLinkFileInput(url_name="contracts:contract-attachment")},
    }

    def save_model(self, request, obj, form, change):
        """Through the service, like the page and the API (the form has already shown its refusals)."""
        fields = parsed_contract(form)
        saved = services.contract_update(contract=obj, **fields) if change else services.contract_create(**fields)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # a contract leaves the ledger by its status (terminated, expired), not by deletion


class InvoiceAllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ("payment", "amount")


class OverdueTodayFilter(admin.SimpleListFilter):
    """Overdue as of today (never the nightly run's copy)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("number", "account", "date", "due_on", "amount", "open_amount", "status", "aging_today")
    list_filter = ("status", OverdueTodayFilter, "date")
    search_fields = ("number", *account_search_fields("account"))
    date_hierarchy = "date"
    inlines = [InvoiceAllocationInline]

    def get_queryset(self, request):
        return with_aging(super().get_queryset(request))

    @admin.display(description=_("aging bucket"))
    def aging_today(self, invoice):
        return bucket_label(invoice.aging_bucket) or "—"


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ("invoice", "amount")


@admin.register(Payment)
class PaymentAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("account", "date", "amount", "allocated_amount", "reference", "reversed_at")
    list_filter = ("date",)
    search_fields = ("reference", *account_search_fields("account"))
    inlines = [AllocationInline]
    actions = ["allocate_oldest_first"]

    def has_allocate_permission(self, request):
        return request.user.has_perm("contracts.change_payment")

    @admin.action(description=_("Allocate what is left, oldest invoice first"), permissions=["allocate"])
    def allocate_oldest_first(self, request, queryset):
        """contracts.services.payment_allocate for each payment; a refusal is shown with the service's message."""
        allocated = 0
        for payment in queryset.order_by("pk"):
            try:
                services.payment_allocate(payment=payment)
            except DomainError as refusal:
                self.message_user(request, f"{payment}: {refusal.detail}", messages.ERROR)
            else:
                allocated += 1
        if allocated:
            text = ngettext("%(count)s payment allocated.", "%(count)s payments allocated.", allocated)
            self.message_user(request, text % {"count": allocated}, messages.SUCCESS)


@admin.register(Deduction)
class DeductionAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("account", "invoice", "date", "kind", "amount", "reason_shown")
    list_filter = ("kind", "date")
    search_fields = ("reason", "reference", "account__code", "invoice__number")  # the box; get_search_results finds

    @admin.display(description=_("reason"))
    def reason_shown(self, deduction):
        return deduction.reason_text

    def get_search_results(self, request, queryset, search_term):
        """What the deductions page and the API find (a reason the books wrote, as read in either language), or the
        account's code."""

        def term_q(term):
            return deduction_search_q(term) | models.Q(account__code__icontains=term)

        return queryset.filter(search_words(search_term, term_q)), False


@admin.register(ContractReminder)
class ContractReminderAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("contract", "recipient", "valid_to", "created_on")
    list_filter = ("created_on",)


class AgingMoveInline(ReadOnlyInline):
    model = AgingMove
    fields = ("invoice", "from_bucket", "to_bucket", "open_amount")


@admin.register(ReceivablesRun)
class ReceivablesRunAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("run_on", "overdue_count", "moved_count", "reminder_count", "finished_at")
    inlines = [AgingMoveInline]


# --- credit notes (issue 12) --------------------------------------------------------------------------------


@admin.register(CreditNote)
class CreditNoteAdmin(WrittenThroughServices, admin.ModelAdmin):
    """Read only: a credit note is issued through contracts.services.credit_note_record (the receivables page,
    the API), which keeps the invoice's open amount and the account's sell-in in step."""

    list_display = ("number", "account", "invoice", "date", "amount", "reason")
    list_filter = ("date",)
    search_fields = ("number", "reason", "account__code", "invoice__number")
    date_hierarchy = "date"


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


class ContractTermAdminForm(forms.ModelForm):
    """A term line in the admin: tiers typed as on the page (90:1.5;100:2.5); before saving, the form shows what
    contracts.services.contract_term_check refuses, and the line is saved through the services."""

    tiers = forms.CharField(label=_("Tiers"), required=False, max_length=200)

    class Meta:
        model = ContractTerm
        fields = ["contract", *services.TERM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tiers"] = tiers_text(self.instance.tiers)
        for name in ("valid_from", "valid_to"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Empty: the contract's.")

    def _post_clean(self):
        opts = self._meta
        tiers = self.cleaned_data.pop("tiers", "") if hasattr(self, "cleaned_data") else ""
        self.instance = construct_instance(self, self.instance, opts.fields, ["tiers"])
        if self.errors:
            return
        for name in ("valid_from", "valid_to"):  # empty: the contract's, as on the page and in the API
            if getattr(self.instance, name) is None:
                setattr(self.instance, name, getattr(self.instance.contract, name))
        try:
            self.instance.tiers = parse_tiers(tiers)
            self.cleaned_data["tiers"] = self.instance.tiers
            services.contract_term_check(self.instance)
            # A line whose months are all closed is not added, changed or moved there (term.months_closed).
            saved = ContractTerm.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
            services.check_term_months_open(
                before=services.term_figures(saved) if saved is not None else None,
                after=services.term_figures(self.instance),
                contract_number=self.instance.contract.number,
            )
        except DomainError as refusal:
            show_refusal(self, refusal)


@admin.register(ContractTerm)
class ContractTermAdmin(admin.ModelAdmin):
    form = ContractTermAdminForm
    list_display = ("contract", "kind", "basis", "period", "rate", "amount", "valid_from", "valid_to", "settlement")
    list_filter = ("kind", "basis", "settlement")
    search_fields = ("contract__number", "contract__account__code", "note")

    def save_model(self, request, obj, form, change):
        """Through the service, like the page, the API and the import."""
        fields = {name: getattr(obj, name) for name in services.TERM_FIELDS}
        if change:
            saved = services.contract_term_update(term=obj, **fields)
        else:
            saved = services.contract_term_create(contract=obj.contract, **fields)
        obj.pk = saved.pk

    def delete_view(self, request, object_id, extra_context=None):
        """Removed through the service; a refusal (term.months_closed, term.has_accruals) is shown on the line's
        page, which stays."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refusal:
            self.message_user(request, refusal.detail, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:contracts_contractterm_change", args=[object_id]))

    def delete_model(self, request, obj):
        services.contract_term_delete(term=obj)

    def has_delete_permission(self, request, obj=None):
        # One at a time, on the line's page, where a refusal can be shown: a bulk delete would stop half way.
        return obj is not None and super().has_delete_permission(request, obj)
