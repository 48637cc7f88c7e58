from django.contrib import admin

from .models import Allocation, Contract, Deduction, Invoice, Payment


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "kind", "valid_from", "valid_to", "total_amount", "status")
    list_filter = ("kind", "status", "valid_to")
    search_fields = ("number", "account__code", "account__name")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "date", "due_on", "amount", "open_amount", "status")
    list_filter = ("status", "date")
    search_fields = ("number", "account__code", "account__name")
    date_hierarchy = "date"


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    raw_id_fields = ("invoice",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("account", "date", "amount", "reference", "reversed_at")
    list_filter = ("date",)
    search_fields = ("reference", "account__code", "account__name")
    inlines = [AllocationInline]


@admin.register(Deduction)
class DeductionAdmin(admin.ModelAdmin):
    list_display = ("account", "invoice", "date", "kind", "amount", "reason")
    list_filter = ("kind", "date")
    search_fields = ("reason", "account__code", "invoice__number")
