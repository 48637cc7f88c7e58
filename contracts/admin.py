"""Admin for contracts and receivables. Amounts that the services keep in balance (open amounts,
statuses, allocations) are read-only here: change them through the finance pages or the API."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from ka_portal.admin_base import ReadOnlyInline
from ka_portal.downloads import DownloadLinkFileInput

from .models import AgingMove, Allocation, Contract, ContractReminder, Deduction, Invoice, Payment, ReceivablesRun
from .selectors import overdue_q, with_aging
from .templatetags.receivables import bucket_label


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "kind", "valid_from", "valid_to", "total_amount", "status")
    list_filter = ("kind", "status", "valid_to")
    search_fields = ("number", "account__code", "account__name")
    # The "currently" link goes to the scoped download: nothing is served from /media/.
    formfield_overrides = {
        models.FileField: {"widget": DownloadLinkFileInput(url_name="contracts:contract-attachment")},
    }


class RecordedThroughServices:
    """Invoices, payments and deductions are added on the finance pages or the API, which keep the books."""

    def has_add_permission(self, request, obj=None):
        return False


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
class InvoiceAdmin(RecordedThroughServices, admin.ModelAdmin):
    list_display = ("number", "account", "date", "due_on", "amount", "open_amount", "status", "aging_today")
    list_filter = ("status", OverdueTodayFilter, "date")
    search_fields = ("number", "account__code", "account__name")
    date_hierarchy = "date"
    readonly_fields = (
        "amount",
        "open_amount",
        "status",
        "written_off_amount",
        "written_off_on",
        "written_off_by",
        "write_off_reason",
        "last_run_bucket",
    )
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
class PaymentAdmin(RecordedThroughServices, admin.ModelAdmin):
    list_display = ("account", "date", "amount", "allocated_amount", "reference", "reversed_at")
    list_filter = ("date",)
    search_fields = ("reference", "account__code", "account__name")
    readonly_fields = ("amount", "allocated_amount", "reversed_at", "reversed_on", "reversed_by", "reversal_reason")
    inlines = [AllocationInline]


@admin.register(Deduction)
class DeductionAdmin(RecordedThroughServices, admin.ModelAdmin):
    list_display = ("account", "invoice", "date", "kind", "amount", "reason")
    list_filter = ("kind", "date")
    search_fields = ("reason", "account__code", "invoice__number")
    readonly_fields = ("account", "invoice", "amount")


@admin.register(ContractReminder)
class ContractReminderAdmin(admin.ModelAdmin):
    list_display = ("contract", "recipient", "valid_to", "created_on")
    list_filter = ("created_on",)


class AgingMoveInline(ReadOnlyInline):
    model = AgingMove
    fields = ("invoice", "from_bucket", "to_bucket", "open_amount")


@admin.register(ReceivablesRun)
class ReceivablesRunAdmin(admin.ModelAdmin):
    list_display = ("run_on", "overdue_count", "moved_count", "reminder_count", "finished_at")
    inlines = [AgingMoveInline]
