"""Trade spend in the admin: read-only views for support; every change goes through the services (one section per
part of issue 12)."""

from django.contrib import admin

from accounts.filters import account_search_fields
from contracts.admin import WrittenThroughServices
from ka_portal.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AccrualLine,
    AccrualRun,
    DeductionMatch,
    DeductionRecovery,
    Dispute,
    DisputeStep,
    DuplicateClearance,
    MatchedByHand,
    MatchRelease,
    Remittance,
    RemittanceInvoice,
)


@admin.register(DeductionMatch)
class DeductionMatchAdmin(ReadOnlyAdmin):
    list_display = ("deduction", "line", "amount", "automatic", "created_by", "created_at")
    list_filter = ("automatic",)
    list_select_related = ("deduction__invoice", "line", "created_by")


class DisputeStepInline(ReadOnlyInline):
    """Every step of the dispute, newest first, as the deduction's page shows them (written by tradespend.disputes)."""

    model = DisputeStep
    fields = ("at", "action", "from_status", "to_status", "by", "amount", "on", "note")
    readonly_fields = fields
    ordering = ("-at", "-pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("deduction", "status", "owner", "due_on", "recovered_amount", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("deduction__invoice", "owner")
    inlines = [DisputeStepInline]


@admin.register(DeductionRecovery)
class DeductionRecoveryAdmin(ReadOnlyAdmin):
    list_display = ("deduction", "dispute", "amount", "on", "created_by")
    list_select_related = ("deduction__invoice", "dispute", "created_by")


@admin.register(DuplicateClearance)
class DuplicateClearanceAdmin(ReadOnlyAdmin):
    list_display = ("deduction", "was_duplicate_of", "cleared_by", "cleared_at")


@admin.register(MatchedByHand)
class MatchedByHandAdmin(ReadOnlyAdmin):
    list_display = ("deduction", "changed_by", "changed_at")


@admin.register(MatchRelease)
class MatchReleaseAdmin(ReadOnlyAdmin):
    """What the ledger released of a deduction's automatic matches and where it was matched again (releases.py)."""

    list_display = ("deduction", "released_at", "moved")
    list_filter = ("moved",)
    list_select_related = ("deduction__invoice",)


# --- accruals (issue 12 item 4) ---


@admin.register(AccrualLine)
class AccrualLineAdmin(ReadOnlyAdmin):
    list_display = ("account", "month", "kind", "stage", "source_key", "amount", "updated_at")
    list_filter = ("stage", "source", "kind", "category")
    search_fields = ("account__code", "source_key", "reason")
    date_hierarchy = "month"
    list_select_related = ("account",)


@admin.register(AccrualRun)
class AccrualRunAdmin(ReadOnlyAdmin):
    list_display = ("run_on", "account", "lines_written", "started_at", "finished_at", "requested_by")
    list_select_related = ("account", "requested_by")


# --- remittances (item 6): written only by tradespend.remittances.remittance_record -------------------------------


class RemittanceInvoiceInline(WrittenThroughServices, admin.TabularInline):
    model = RemittanceInvoice
    fields = ("row", "invoice", "open_before", "amount")
    readonly_fields = fields
    extra = 0


@admin.register(Remittance)
class RemittanceAdmin(WrittenThroughServices, admin.ModelAdmin):
    list_display = ("account", "date", "reference", "cash", "settled", "deducted", "recorded_by")
    list_filter = ("date",)
    search_fields = ("reference", *account_search_fields("account"))
    readonly_fields = ("payment", "deductions")
    inlines = [RemittanceInvoiceInline]
