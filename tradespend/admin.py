"""Trade spend in the admin: what each part's services wrote, to read; each part appends its own section."""

from django.contrib import admin

from contracts.admin import WrittenThroughServices

from .models import Remittance, RemittanceInvoice

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
    search_fields = ("reference", "account__code", "account__name")
    readonly_fields = ("payment", "deductions")
    inlines = [RemittanceInvoiceInline]
