"""Admin for promotions: norms and budgets are edited here, through the services; plans move only through
the services (the same rules as pages and API), so the admin shows plans read-only and offers the workflow
steps as actions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.filters import account_search_fields
from ka_portal.admin_base import ReadOnlyInline
from ka_portal.errors import DomainError

from . import services
from .forms import add_budget_problems
from .models import Budget, PromotionEvaluation, PromotionItem, PromotionPlan, PromotionTransition, PromotionType


@admin.register(PromotionType)
class PromotionTypeAdmin(admin.ModelAdmin):
    fields = services.TYPE_FIELDS
    list_display = ("code", "name", "kind", "typical_price_ratio", "max_days", "periods_allowed", "company_share")
    list_filter = ("kind",)
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        saved = services.promotion_type_save(
            user=request.user, values=form.cleaned_data, promotion_type=obj if change else None
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.promotion_type_delete(user=request.user, promotion_type=obj)

    def delete_queryset(self, request, queryset):
        for promotion_type in queryset:
            services.promotion_type_delete(user=request.user, promotion_type=promotion_type)


class PromotionItemInline(ReadOnlyInline):
    model = PromotionItem
    fields = (
        "product",
        "normal_price",
        "promotion_price",
        "forecast_volume",
        "normal_supply_price",
        "promo_supply_price",
    )


class TransitionInline(ReadOnlyInline):
    model = PromotionTransition
    fields = ("step_text", "from_status", "to_status", "by", "at", "note_text")
    readonly_fields = ("step_text", "at", "note_text")

    @admin.display(description=_("step"))
    def step_text(self, transition) -> str:
        return transition.step

    @admin.display(description=_("note"))
    def note_text(self, transition) -> str:
        return transition.text


def _run_step(modeladmin, request, queryset, step, done):
    for plan in queryset:
        try:
            step(plan=plan, by=request.user)
            modeladmin.message_user(request, f"{plan}: {done}", messages.SUCCESS)
        except (DomainError, PermissionDenied) as refusal:
            detail = getattr(refusal, "detail", None) or _("not allowed")
            modeladmin.message_user(request, f"{plan}: {detail}", messages.ERROR)


@admin.action(description=_("Submit selected plans"))
def submit_plans(modeladmin, request, queryset):
    _run_step(modeladmin, request, queryset, services.promotion_submit, _("submitted"))


@admin.action(description=_("Approve selected plans"))
def approve_plans(modeladmin, request, queryset):
    _run_step(modeladmin, request, queryset, services.promotion_approve, _("approved"))


@admin.register(PromotionPlan)
class PromotionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "type", "start_on", "end_on", "supply_funding", "total_cost", "status", "owner")
    list_filter = ("status", "type", "account__tier")
    search_fields = ("title", *account_search_fields("account"), "mechanics")
    date_hierarchy = "start_on"
    inlines = [PromotionItemInline, TransitionInline]
    actions = [submit_plans, approve_plans]

    def has_add_permission(self, request):
        return False  # drafts are written on the plan form or the API, where the rules are shown

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # the transition log is the record: nothing disappears


class BudgetAdminForm(forms.ModelForm):
    """Asks the service's own question in clean, so a refusal shows on the form before save_model runs."""

    class Meta:
        model = Budget
        fields = ["account", "period_start", "period_end", "amount"]

    def clean(self):
        data = super().clean()
        add_budget_problems(self, data, self.instance if self.instance.pk else None)  # every bad field at once
        return data


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    form = BudgetAdminForm
    list_display = ("account", "period_start", "period_end", "amount", "consumed")
    list_filter = ("period_start",)
    search_fields = account_search_fields("account")
    readonly_fields = ("consumed",)

    def save_model(self, request, obj, form, change):
        saved = services.budget_save(user=request.user, budget=obj if change else None, **form.cleaned_data)
        obj.pk = saved.pk


@admin.register(PromotionEvaluation)
class PromotionEvaluationAdmin(admin.ModelAdmin):
    list_display = (
        "plan",
        "sales_amount",
        "uplift",
        "sell_out_uplift",
        "supply_funding",
        "total_cost",
        "expense_ratio",
        "evaluated_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the figures as evaluated stay; promotion_evaluate recomputes them
