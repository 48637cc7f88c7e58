"""Forms for promotion pages: the plan with its products, the rejection reason, a budget.

They parse what was typed; every rule (dates, the number of products, the override) is the service's, shown next
to its field by ka_portal.pages.show_refusal (on the plan form, in the rules panel's slot beside it where the panel
says it: promotions.views._rules_panel). The plan form also asks the rule of reversed dates itself, so that a
save shows it together with the fields' and the products' errors, not one round after them."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.formatting import account_name
from ka_portal.lists import style_form_fields
from ka_portal.scope import accounts_for, user_role
from stores.models import Product

from . import selectors
from .models import PromotionType
from .rules import MAX_PRODUCTS, reversed_dates, store_of_another_account, tg_fee_without_end_cap
from .services import ItemInput, PlanInput, budget_problems

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanStoresField(forms.ModelMultipleChoiceField):
    """The plan's stores, offered from the chosen account's. A store the user reaches at another chain is refused
    saying whose it is, in the service's words (rules.store_of_another_account); one they do not reach stays
    Django's "not one of the available choices", as a code that does not exist."""

    account = None  # the form's account, once known
    reach = None  # the user's stores at any account (selectors.scoped_stores_for_drafting)

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice" or self.account is None or self.reach is None:
                raise
            codes = {str(code) for code in value}
            for store in self.reach.filter(code__in=codes).exclude(account=self.account).order_by("code")[:1]:
                other = store_of_another_account(store, self.account)
                raise forms.ValidationError(other.detail, code=other.code) from error
            raise


class PlanForm(forms.Form):
    title = forms.CharField(label=_("plan name"), max_length=120)
    # Master data by code in what the page sends too, as in the API (the option values are codes).
    account = forms.ModelChoiceField(label=_("key account"), queryset=None, to_field_name="code")
    type = forms.ModelChoiceField(label=_("type"), queryset=PromotionType.objects.all())
    start_on = forms.DateField(label=_("start"), widget=DATE)
    end_on = forms.DateField(label=_("end"), widget=DATE)
    all_stores = forms.BooleanField(label=_("all the account's stores"), required=False)
    stores = PlanStoresField(
        label=_("stores"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple, to_field_name="code"
    )
    mechanics = forms.CharField(label=_("mechanics"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    dm_slot = forms.BooleanField(label=_("DM slot"), required=False)
    end_cap = forms.BooleanField(label=_("TG / end cap"), required=False)
    floor_stack = forms.BooleanField(label=_("floor stack"), required=False)
    dm_fee = forms.DecimalField(label=_("DM fee"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    # The plan's one fee for its end caps (it enters the total once, and the budget); each chosen store's end-cap
    # agreement carries an equal share of it (evidence.agreements), so it is never typed per store.
    tg_fee = forms.DecimalField(
        label=_("TG fee"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text=_("For all the plan's end caps together."),
    )
    promoter_fee = forms.DecimalField(label=_("promoter fee"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    gift_cost = forms.DecimalField(label=_("gifts"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    company_share = forms.DecimalField(
        label=_("agreed company share (%)"),
        required=False,
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: the type's standard share."),
    )
    price_floor_override_reason = forms.CharField(
        label=_("price floor override reason (manager)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Delisting clearance only: lets the price go below the floor, recorded in your name."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["account"].queryset = accounts_for(user).active()
        self.fields["type"].queryset = selectors.promotion_types_for(user)  # in SPEC §5's order
        # Once the account is known (sent, or the draft's), only its stores are offered and accepted; none before
        # (a KA manager's accounts have thousands: the page's check lists them once one is chosen).
        self.account = chosen_account(user, self.data if self.is_bound else None, self.initial)
        stores = selectors.scoped_stores_for_drafting(user, self.account)
        self.fields["stores"].queryset = stores if self.account is not None else stores.none()
        self.fields["stores"].account = self.account
        self.fields["stores"].reach = selectors.scoped_stores_for_drafting(user)
        self.fields["stores"].label_from_instance = lambda store: f"{store.name} ({account_name(store.account)})"
        if user_role(user) not in ("manager", "admin"):
            del self.fields["price_floor_override_reason"]
        style_form_fields(self)

    def clean(self):
        cleaned = super().clean()
        start_on, end_on = cleaned.get("start_on"), cleaned.get("end_on")
        if start_on and end_on:
            reversed_ = reversed_dates(start_on, end_on)
            if reversed_ is not None:
                self.add_error("end_on", reversed_.detail)
        if cleaned.get("tg_fee") is not None:
            unbought = tg_fee_without_end_cap(cleaned.get("end_cap"), cleaned["tg_fee"])
            if unbought is not None:
                self.add_error("tg_fee", unbought.detail)
        return cleaned


def chosen_account(user, data=None, initial=None):
    """The key account the plan form names (by code when sent, else the draft's), within the user's reach; or None."""
    if data is not None:
        code = data.get("account") or ""
    else:
        account = (initial or {}).get("account")
        code = getattr(account, "code", account) or ""
    if not code:
        return None
    return accounts_for(user).active().filter(code=code).first()


class ListedSelect(forms.Select):
    """A product picker whose options say which accounts list each product (data-accounts), so the page can narrow
    the list in the browser when the account changes; the server narrows it anyway once the account is sent."""

    def __init__(self, *args, listed_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed_at = listed_at or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-accounts"] = self.listed_at.get(instance.pk, "")
        return option


class ItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.active(), to_field_name="code")
    promotion_price = forms.DecimalField(
        label=_("promotion price"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    forecast_volume = forms.IntegerField(
        label=_("forecast volume (packs)"), min_value=0, max_value=bounds.PACKS_MAX, required=False
    )
    promo_supply_price = forms.DecimalField(
        label=_("promotional supply price"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no special price from the maker."),
    )

    def __init__(self, *args, products=None, listed_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["product"].widget = ListedSelect(listed_at=listed_at)
        self.fields["product"].widget.choices = self.fields["product"].choices
        style_form_fields(self)


# The page offers MAX_PRODUCTS rows; more sent are parsed too, and the service refuses them with its rule.
class _ItemRows(forms.BaseFormSet):
    # Django's "Please submit at least 1 form." means nothing to a manager: the rows are the plan's products.
    default_error_messages = {"too_few_forms": _("Add at least one product with its promotion price.")}


ItemFormSet = forms.formset_factory(
    ItemForm, _ItemRows, extra=0, min_num=1, max_num=MAX_PRODUCTS, validate_min=True, validate_max=False,
    can_delete=True,
)  # fmt: skip


def item_formset(data=None, *, initial=None, prefix="items", user=None, account=None, plan=None):
    """The plan's product rows; with `user`, their pickers offer the products listed at `account` (all while it is
    not chosen), each option naming the accounts that list it; a saved `plan`'s own products stay choosable."""
    kwargs = {}
    if user is not None:
        keep = list(plan.items.values_list("product_id", flat=True)) if plan is not None else []
        kwargs = {
            "products": selectors.products_for_drafting_at(user, account, keep),
            "listed_at": selectors.listing_accounts(user),
        }
    formset = ItemFormSet(data, initial=initial, prefix=prefix, form_kwargs=kwargs)
    # Always offer MAX_PRODUCTS rows: a blank extra row is simply ignored.
    formset.extra = MAX_PRODUCTS - max(len(initial or []), 1)
    return formset


def plan_input(form: PlanForm, formset) -> PlanInput:
    data = form.cleaned_data
    share = data.get("company_share")
    items = [
        ItemInput(
            row["product"], row["promotion_price"], row.get("forecast_volume") or 0, row.get("promo_supply_price")
        )
        for row in formset.cleaned_data
        if row and not row.get("DELETE")
    ]
    return PlanInput(
        account=data["account"],
        type=data["type"],
        title=data["title"],
        start_on=data["start_on"],
        end_on=data["end_on"],
        items=items,
        all_stores=data["all_stores"],
        stores=list(data["stores"]),
        mechanics=data["mechanics"],
        dm_slot=data["dm_slot"],
        end_cap=data["end_cap"],
        floor_stack=data["floor_stack"],
        dm_fee=data["dm_fee"],
        tg_fee=data["tg_fee"],
        promoter_fee=data["promoter_fee"],
        gift_cost=data["gift_cost"],
        company_share=None if share is None else (share / 100).quantize(Decimal("0.0001")),
        price_floor_override_reason=data.get("price_floor_override_reason") or "",
    )


def plan_initial(plan) -> tuple[dict, list[dict]]:
    fields = {
        name: getattr(plan, name)
        for name in (
            "title",
            "account",
            "type",
            "start_on",
            "end_on",
            "all_stores",
            "mechanics",
            "dm_slot",
            "end_cap",
            "floor_stack",
            "dm_fee",
            "tg_fee",
            "promoter_fee",
            "gift_cost",
            "price_floor_override_reason",
        )
    }
    fields["stores"] = list(plan.stores.all())
    fields["company_share"] = None if plan.company_share is None else plan.company_share * 100
    items = [
        {
            "product": i.product,
            "promotion_price": i.promotion_price,
            "forecast_volume": i.forecast_volume,
            "promo_supply_price": i.promo_supply_price,
        }
        for i in plan.items.all()
    ]
    return fields, items


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)


class BudgetForm(forms.Form):
    account = forms.ModelChoiceField(label=_("key account"), queryset=None, to_field_name="code")
    period_start = forms.DateField(label=_("period start"), widget=DATE)
    period_end = forms.DateField(label=_("period end"), widget=DATE)
    amount = forms.DecimalField(label=_("budget"), min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, accounts, budget=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget  # the budget being changed, or None for a new one
        self.fields["account"].queryset = accounts
        style_form_fields(self)

    def clean(self):
        # The service's own questions on what parsed, so that every bad field is named in one go (a negative amount
        # and a reversed period together), not one round after another; the service asks them again on saving.
        cleaned = super().clean()
        add_budget_problems(self, cleaned, self.budget)
        return cleaned


def add_budget_problems(form, cleaned: dict, budget) -> None:
    """services.budget_problems on a budget form's parsed values, each next to its field (the page's form and the
    admin's): a field that did not parse is left to its own error."""
    problems = budget_problems(
        account=cleaned.get("account"),
        period_start=cleaned.get("period_start"),
        period_end=cleaned.get("period_end"),
        amount=cleaned.get("amount"),
        budget=budget,
    )
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        if field is None or field not in form.errors:
            form.add_error(field, problem.detail)
