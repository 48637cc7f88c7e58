from django.contrib import admin

from .models import Budget, PromotionItem, PromotionPlan, PromotionTransition, PromotionType


@admin.register(PromotionType)
class PromotionTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "typical_price_ratio", "max_days", "periods_allowed", "company_share")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class PromotionItemInline(admin.TabularInline):
    model = PromotionItem
    extra = 0
    raw_id_fields = ("product",)


class TransitionInline(admin.TabularInline):
    model = PromotionTransition
    extra = 0
    readonly_fields = ("from_status", "to_status", "by", "at", "note")
    can_delete = False


@admin.register(PromotionPlan)
class PromotionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "type", "start_on", "end_on", "status", "owner")
    list_filter = ("status", "type", "account__tier")
    search_fields = ("title", "account__code", "account__name", "mechanics")
    date_hierarchy = "start_on"
    inlines = [PromotionItemInline, TransitionInline]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("account", "period_start", "period_end", "amount", "consumed")
    list_filter = ("period_start",)
    search_fields = ("account__code", "account__name")
