"""Trade-spend admin: each part appends its own section."""

from django.contrib import admin

from .models import AccrualLine, AccrualRun

# --- accruals (issue 12 item 4): read only; lines are the ledger job's, adjustments the ledger page's ----------


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccrualLine)
class AccrualLineAdmin(_ReadOnly):
    list_display = ("account", "month", "kind", "stage", "source_key", "amount", "updated_at")
    list_filter = ("stage", "source", "kind", "category")
    search_fields = ("account__code", "source_key", "reason")
    date_hierarchy = "month"
    list_select_related = ("account",)


@admin.register(AccrualRun)
class AccrualRunAdmin(_ReadOnly):
    list_display = ("run_on", "account", "lines_written", "started_at", "finished_at", "requested_by")
    list_select_related = ("account", "requested_by")
