"""Promotions API under /api/v1/: types, plans (with submit/approve/reject steps) and budgets.

The same services, filters and scope as the pages: a refused step answers 400 with the rule's message,
409 when the budget is exhausted, 403 for someone who may not take it, 404 out of scope. By the API
convention key accounts, stores and products are named by code, people by username, plans, types and
budgets by id (ka_portal.api_fields.related); every create takes an Idempotency-Key.
"""

import dataclasses

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.filters import account_search_fields
from accounts.models import KeyAccount
from analytics.promotion_expense import on_ledger_basis
from ka_portal import api_fields, bounds
from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import related
from ka_portal.idempotency import IdempotentCreateMixin, idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import accounts_for, stores_for
from ka_portal.values_pages import ValuesPageMixin, write_children
from stores.models import Product, Store
from tradespend.accruals import ACCRUING_PLAN_STATUSES
from tradespend.promoter_pay import plan_shift_cost

from . import selectors, services
from .filters import BudgetFilter, PlanFilter
from .models import Budget, PromotionEvaluation, PromotionItem, PromotionPlan, PromotionTransition, PromotionType
from .rules import price_cut, store_of_another_account


class PromotionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromotionType
        fields = [
            "id", "code", "kind", "name", "display_name", "typical_price_ratio", "max_days", "periods_allowed",
            "company_share",
        ]  # fmt: skip

    display_name = serializers.CharField(
        source="local_name", read_only=True, help_text="The name in the reader's language (Accept-Language)."
    )


User = get_user_model()


class PromotionItemSerializer(serializers.ModelSerializer):
    product = related(Product, scope=None, read_only=True, help_text="The product, by code.")
    product_name = serializers.CharField(source="product.name", read_only=True)
    # Read only and unbounded: a promotion price far above the normal price gives a large negative cut.
    cut = api_fields.DecimalField(max_digits=None, decimal_places=4, read_only=True, allow_null=True)

    # A plan page's items through ka_portal/values_pages.py (write_children): the cut from its two prices.
    values_derived = {
        "cut": (
            ("promotion_price", "normal_price"),
            lambda row, field=cut: _written(field, price_cut(row["promotion_price"], row["normal_price"])),
        )
    }

    class Meta:
        model = PromotionItem
        fields = [
            "product",
            "product_name",
            "normal_price",
            "promotion_price",
            "forecast_volume",
            "cut",
            "normal_supply_price",
            "promo_supply_price",
        ]
        read_only_fields = ["normal_price", "normal_supply_price"]


class TransitionSerializer(serializers.ModelSerializer):
    # None for the steps the nightly job takes.
    by = serializers.CharField(source="by.username", default=None, read_only=True, allow_null=True)
    note = serializers.CharField(
        source="text",
        read_only=True,
        help_text="What a person typed, then the system's message, in the reader's language (Accept-Language).",
    )
    message = serializers.CharField(
        read_only=True, help_text="The code of the system's message (empty when a person wrote the note alone)."
    )
    params = serializers.DictField(read_only=True, help_text="The system message's parameters.")
    step = serializers.CharField(
        read_only=True,
        help_text="What happened, in the reader's language: the two states of a move, or the step that kept the "
        "state (a first approval, a reopening).",
    )

    class Meta:
        model = PromotionTransition
        fields = ["from_status", "to_status", "step", "by", "at", "note", "message", "params"]


class ViolationSerializer(serializers.Serializer):
    rule = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    blocking = serializers.BooleanField()


def _written(field, value):
    """The value as DRF writes it through the field: null stays null."""
    return None if value is None else field.to_representation(value)


def plan_items():
    """A plan's products with theirs, in the order they were added (the prefetch had no order)."""
    return PromotionItem.objects.select_related("product").order_by("pk")


def plan_store_codes(plans) -> dict[int, list[str]]:
    """Plan id → the codes of its chosen stores in the stores' order (code), read for a page in one query."""
    codes: dict[int, list[str]] = {pk: [] for pk in plans}
    if codes:
        chosen = PromotionPlan.stores.through.objects.filter(promotionplan_id__in=list(codes))
        for plan, code in chosen.order_by("store__code").values_list("promotionplan_id", "store__code"):
            codes[plan].append(code)
    return codes


PLAN_FIELDS = [
    "id", "title", "account", "type", "all_stores", "stores", "start_on", "end_on", "mechanics",
    "dm_slot", "end_cap", "floor_stack", "dm_fee", "tg_fee", "promoter_fee", "gift_cost", "company_share",
    "price_floor_override_reason",
]  # fmt: skip


class PromotionPlanSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=None, read_only=True, help_text="The key account, by code.")
    stores = related(Store, scope=None, read_only=True, many=True, help_text="The chosen stores, by code.")
    items = PromotionItemSerializer(many=True, read_only=True)
    owner = related(User, scope=None, read_only=True, help_text="The owner, by username.")
    first_approved_by = related(User, scope=None, read_only=True, allow_null=True, help_text="By username.")
    price_floor_override_by = related(User, scope=None, read_only=True, allow_null=True, help_text="By username.")

    # A page through ka_portal/values_pages.py: the plans as values() rows, their items and chosen stores read for
    # the whole page in one query each, the items written by PromotionItemSerializer's own fields.
    values_derived = {
        "stores": ((), lambda row: row["_stores"]),
        "items": ((), lambda row: row["_items"]),
    }

    def values_page_rows(self, rows: list[dict]) -> None:
        plans = [row["pk"] for row in rows]
        items = write_children(PromotionItemSerializer, plan_items(), "plan", plans)
        stores = plan_store_codes(plans)
        for row in rows:
            row["_items"], row["_stores"] = items[row["pk"]], stores[row["pk"]]

    class Meta:
        model = PromotionPlan
        fields = [
            *PLAN_FIELDS, "items", "price_support", "supply_funding", "total_cost", "owner", "status",
            "rejection_reason", "first_approved_by", "price_floor_override_by", "budget", "reopened_from",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "total_cost": {
                "help_text": "The planned total cost (fees, price support and supply funding on the forecast "
                "volumes), which approval draws on the budget; the actual one is the evaluation's total_cost"
            }
        }


class EarlierTransitionSerializer(TransitionSerializer):
    class Meta(TransitionSerializer.Meta):
        fields = ["plan", *TransitionSerializer.Meta.fields]


MONEY_OUT = {"max_digits": None, "decimal_places": 2}
RATIO_OUT = {"max_digits": None, "decimal_places": 4, "allow_null": True}


class SellOutEvaluationSerializer(serializers.Serializer):
    """promotions.evaluation.SellOutEvaluation: compared per store-day reported, on the stores that reported both
    during the plan and in its baseline."""

    reported = serializers.BooleanField(help_text="Any sell-out reported at the plan's stores during it")
    units = serializers.IntegerField(help_text="Packs sold to shoppers during the plan, as promoters reported")
    amount = api_fields.DecimalField(**MONEY_OUT, help_text="Their value: packs × price seen, else shelf price")
    store_days = serializers.IntegerField(help_text="Store-days with a report during the plan")
    compared_units = serializers.IntegerField(help_text="Packs of the stores reporting both during and before")
    compared_days = serializers.IntegerField(help_text="Their store-days reported during the plan")
    baseline_units = serializers.IntegerField(help_text="Their packs in the same number of days before the start")
    baseline_days = serializers.IntegerField(help_text="Their store-days reported in the baseline")
    daily_units = api_fields.DecimalField(**MONEY_OUT, allow_null=True, help_text="compared_units ÷ compared_days")
    baseline_daily_units = api_fields.DecimalField(
        **MONEY_OUT, allow_null=True, help_text="baseline_units ÷ baseline_days"
    )
    uplift = api_fields.DecimalField(**RATIO_OUT, help_text="daily_units ÷ baseline_daily_units − 1")
    incremental_units = serializers.IntegerField(
        allow_null=True, help_text="compared_units − baseline daily rate × compared_days"
    )
    cost_per_incremental_unit = api_fields.DecimalField(
        **MONEY_OUT, allow_null=True, help_text="total cost ÷ incremental_units; null when no extra pack was sold"
    )


class EvaluationSerializer(serializers.Serializer):
    """The plan's evaluation: sell-in (deliveries) during and before it, and sell-out beside it."""

    evaluated = serializers.BooleanField(help_text="Kept by the evaluation; false: preliminary, as of now")
    through = serializers.DateField(
        allow_null=True,
        help_text="A running plan's figures so far (preliminary): the last day counted, today or its end; the figures "
        "are of the days from its start through then (days) against as many days before. Null: the whole period",
    )
    days = serializers.IntegerField(help_text="The days counted: the plan's, or those so far while it runs")
    sales_units = serializers.IntegerField(help_text="Packs sold in (delivered) during the plan")
    sales_amount = api_fields.DecimalField(**MONEY_OUT)
    baseline_units = serializers.IntegerField(help_text="Packs sold in the same number of days before")
    baseline_amount = api_fields.DecimalField(**MONEY_OUT)
    uplift = api_fields.DecimalField(**RATIO_OUT)
    total_cost = api_fields.DecimalField(
        **MONEY_OUT,
        help_text="With through: the cost spent to date (the plan's costs × days ÷ the plan's days, as they are not "
        "dated, plus the supply funding on the packs sold in so far and the shifts' pay so far), which "
        "expense_ratio and cost_per_incremental_unit weigh; else the whole plan's",
    )
    supply_funding = api_fields.DecimalField(**MONEY_OUT)
    cost_per_incremental_unit = api_fields.DecimalField(**MONEY_OUT, allow_null=True)
    expense_ratio = api_fields.DecimalField(**RATIO_OUT)
    on_shifts_pay = serializers.BooleanField(
        help_text="true: total_cost and the figures of it count the promoters' shift pay instead of the planned "
        "promoter fee, as the trade-spend ledger books a plan with shifts"
    )
    sell_out = SellOutEvaluationSerializer()


class PromoterCostSerializer(serializers.Serializer):
    """The plan's promoter cost as the trade-spend ledger books it (tradespend.promoter_pay.plan_shift_cost)."""

    planned_fee = api_fields.DecimalField(**MONEY_OUT, help_text="The plan's planned promoter fee")
    actual = api_fields.DecimalField(
        **MONEY_OUT,
        allow_null=True,
        help_text="Its promoters' pay for the shifts assigned to it, as of today, which the ledger books instead of "
        "the planned fee; null while it has no shift (the planned fee counts; on an ended plan, no shift was "
        "worked and the planned fee is what the ledger books and the evaluation's total_cost includes)",
    )
    planned_total_cost = api_fields.DecimalField(**MONEY_OUT, help_text="The plan's planned total cost (total_cost)")
    actual_total_cost = api_fields.DecimalField(
        **MONEY_OUT,
        allow_null=True,
        help_text="The plan's total cost as the ledger books it: the planned costs with the shifts' pay (actual) "
        "instead of the planned promoter fee; null while it has no shift (total_cost counts)",
    )
    shifts = serializers.IntegerField(help_text="Shifts assigned to the plan")
    shifts_ended = serializers.IntegerField(help_text="Of those, ended as of now (counted for pay)")
    shifts_attended = serializers.IntegerField(help_text="Of those, attended (a daily fee is paid for these)")


@extend_schema_field(OpenApiTypes.BOOL)
class MayField(serializers.Field):
    """Whether the requesting user may take a step on the plan now: `check(user, plan)`, one of the service's checks
    the plan page offers its buttons by (promotions.services.can_submit, …)."""

    def __init__(self, check, **kwargs):
        self.check = check
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, plan) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and self.check(user, plan))


class PromotionPlanDetailSerializer(PromotionPlanSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    evaluation = serializers.SerializerMethodField(
        help_text="Sell-in and sell-out figures once the plan ended (preliminary until evaluated); while it runs, "
        "preliminary ones over its days so far (through); null before it starts."
    )
    violations = serializers.SerializerMethodField()
    reopened_as = serializers.SerializerMethodField(help_text="The draft this rejected plan was reopened as.")
    earlier_transitions = serializers.SerializerMethodField(
        help_text="The logs of the plans this one was reopened from, the nearest first."
    )
    promoter_cost = serializers.SerializerMethodField(
        help_text="Planned promoter fee and the shifts' pay so far, once the plan is approved; null before."
    )
    # The steps this user may take on the plan now, by the checks the plan page offers its buttons by
    # (promotions.services); the step's endpoint asks the same again.
    can_edit = MayField(services.can_edit, help_text="Whether the user may change this draft now (PUT).")
    can_submit = MayField(
        services.can_submit,
        help_text="Whether the user may submit this draft now (submit/): who may edit it, a sales rep excepted "
        "(promotion.rep_cannot_submit). The rules of the plan are asked by the submission itself (violations).",
    )
    can_withdraw = MayField(
        services.can_withdraw,
        help_text="Whether the user may take this submitted plan back to draft now (withdraw/): the owner's "
        "supervisor, the account's KA manager, an admin, the owner unless a sales rep (promotion.rep_cannot_withdraw).",
    )
    can_approve = MayField(
        services.can_approve,
        help_text="Whether approving this submitted plan is the user's step now (approve/): the account's KA manager "
        "or an admin; above the second-approval threshold, after a first approval, an admin other than its giver.",
    )
    can_reject = MayField(
        services.can_reject,
        help_text="Whether the user may reject this submitted plan now (reject/): the account's KA manager, an admin.",
    )
    can_reopen = MayField(
        services.can_reopen,
        help_text="Whether the user may reopen this rejected plan as a new draft (reopen/): its owner, once.",
    )

    class Meta(PromotionPlanSerializer.Meta):
        fields = [
            *PromotionPlanSerializer.Meta.fields,
            "reopened_as",
            "transitions",
            "earlier_transitions",
            "violations",
            "evaluation",
            "promoter_cost",
            "can_edit",
            "can_submit",
            "can_withdraw",
            "can_approve",
            "can_reject",
            "can_reopen",
        ]
        read_only_fields = fields

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, plan) -> dict | None:
        if plan.status == PromotionPlan.Status.RUNNING:
            kept, figures = None, services.evaluation_so_far(plan)  # its days so far, as the plan page shows them
            if figures is None:
                return None
        elif plan.status in (PromotionPlan.Status.ENDED, PromotionPlan.Status.EVALUATED):
            kept = PromotionEvaluation.objects.filter(plan=plan).first()
            figures = kept or services.evaluation_figures(plan)
        else:
            return None
        pay = self._shift_cost(plan).pay if plan.status in ACCRUING_PLAN_STATUSES else None
        if pay is not None:  # as the plan page and the expense report show it
            figures = on_ledger_basis(plan, figures, pay)
        sell_out = figures.sell_out
        own = ("evaluated", "through", "sell_out", "on_shifts_pay")  # not read from the figures
        names = [name for name in EvaluationSerializer().fields if name not in own]
        body = {name: getattr(figures, name) for name in names}
        body["through"] = getattr(figures, "through", None)  # a kept evaluation is of the whole period
        body["sell_out"] = {name: getattr(sell_out, name) for name in SellOutEvaluationSerializer().fields}
        return EvaluationSerializer({**body, "evaluated": kept is not None, "on_shifts_pay": pay is not None}).data

    def _shift_cost(self, plan):
        """plan_shift_cost of the plan as of today, read once for the evaluation and the promoter cost."""
        costs = self.__dict__.setdefault("_shift_costs", {})
        if plan.pk not in costs:
            costs[plan.pk] = plan_shift_cost(as_of=timezone.localdate(), plan=plan)
        return costs[plan.pk]

    @extend_schema_field(PromoterCostSerializer(allow_null=True))
    def get_promoter_cost(self, plan) -> dict | None:
        if plan.status not in ACCRUING_PLAN_STATUSES:
            return None
        cost = self._shift_cost(plan)
        return PromoterCostSerializer(
            {
                "planned_fee": plan.promoter_fee,
                "actual": cost.pay,
                "planned_total_cost": plan.total_cost,
                "actual_total_cost": cost.total,
                "shifts": cost.shifts,
                "shifts_ended": cost.ended,
                "shifts_attended": cost.attended,
            }
        ).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reopened_as(self, plan) -> int | None:
        draft = selectors.reopened_as(plan) if plan.status == PromotionPlan.Status.REJECTED else None
        return draft.pk if draft else None

    @extend_schema_field(EarlierTransitionSerializer(many=True))
    def get_earlier_transitions(self, plan) -> list[dict]:
        earlier = selectors.earlier_plans(plan)
        if not earlier:
            return []
        log = PromotionTransition.objects.filter(plan__in=earlier).select_related("by")
        order = {p.pk: n for n, p in enumerate(earlier)}
        return EarlierTransitionSerializer(sorted(log, key=lambda t: (order[t.plan_id], t.at, t.pk)), many=True).data

    @extend_schema_field(ViolationSerializer(many=True))
    def get_violations(self, plan) -> list[dict]:
        if plan.status not in (PromotionPlan.Status.DRAFT, PromotionPlan.Status.SUBMITTED):
            return []
        return [
            {"rule": v.rule, "code": v.code, "detail": v.detail, "blocking": v.blocking}
            for v in selectors.plan_violations(plan)
        ]


class ItemInputSerializer(serializers.Serializer):
    product = related(Product, scope=selectors.products_for_drafting, help_text="An active product, by code.")
    promotion_price = api_fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    forecast_volume = serializers.IntegerField(min_value=0, max_value=bounds.PACKS_MAX, default=0)
    promo_supply_price = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The maker's promotional supply price, below the normal purchase price (promotion.supply_price).",
    )


class PlanInputSerializer(serializers.ModelSerializer):
    """A draft as sent: parsed here, every rule is the service's (promotions.services.promotion_save_draft)."""

    account = related(KeyAccount, scope=accounts_for, help_text="The key account, by code.")
    type = related(PromotionType, scope=selectors.promotion_types_for, help_text="The promotion type, by id.")
    stores = related(
        Store,
        scope=stores_for,
        many=True,
        required=False,
        help_text="The chosen stores, by code (all_stores false), of the plan's account: a store of another chain is "
        "refused naming its chain, one you do not reach is not found, as a code that does not exist.",
    )
    items = ItemInputSerializer(many=True, help_text="The products, at most 4 (promotion.too_many_products).")

    class Meta:
        model = PromotionPlan
        fields = [*PLAN_FIELDS, "items"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "tg_fee": {
                "help_text": "The fee for all the plan's end caps together (one amount in the total cost; each chosen "
                "store's end-cap display agreement carries an equal share)."
            }
        }

    def validate(self, attrs):
        # A store of another chain is refused as the other references are, in `errors.stores` (a code not found
        # answers there too), with the service's own words for it (promotions.rules.store_of_another_account).
        account = attrs.get("account") or (self.instance.account if self.partial and self.instance else None)
        for store in attrs.get("stores") or () if account else ():
            other = store_of_another_account(store, account)
            if other:
                raise serializers.ValidationError({"stores": [other.detail]}, code=other.code)
        if self.partial and "items" in attrs:
            # Items sent in a PATCH are the plan's whole list, each item whole: read as a create reads them (a partial
            # read skips an item's missing price instead of asking for it, and its defaults).
            items = ItemInputSerializer(data=self.initial_data.get("items"), many=True, context=self.context)
            if not items.is_valid():
                raise serializers.ValidationError({"items": items.errors})
            attrs["items"] = items.validated_data
        return attrs

    def to_input(self) -> services.PlanInput:
        """The draft as the service takes it. A PATCH (partial) keeps what it does not send as the plan has it: its
        fields, its stores, and its items (products, promotion prices, volumes and supply prices)."""
        data = dict(self.validated_data)
        if self.partial and self.instance is not None:
            data = {**self._as_stored(self.instance), **data}
        items = [services.ItemInput(**item) for item in data.pop("items")]
        data.setdefault("stores", [])
        return services.PlanInput(items=items, **data)

    @staticmethod
    def _as_stored(plan) -> dict:
        names = [f.name for f in dataclasses.fields(services.PlanInput) if f.name not in ("items", "stores")]
        stored = {name: getattr(plan, name) for name in names}
        stored["stores"] = list(plan.stores.all())
        stored["items"] = [
            {
                "product": item.product,
                "promotion_price": item.promotion_price,
                "forecast_volume": item.forecast_volume,
                "promo_supply_price": item.promo_supply_price,
            }
            for item in plan.items.select_related("product").order_by("pk")
        ]
        return stored


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


STEP_RESPONSES = {
    200: PromotionPlanDetailSerializer,
    400: OpenApiResponse(description="A rule refuses the step: {code, detail, params}"),
    403: OpenApiResponse(description="This user may not take this step"),
    404: OpenApiResponse(description="Not in the user's scope"),
}


class PromotionTypeViewSet(RecordETagMixin, CachedListMixin, IdempotentCreateMixin, viewsets.ModelViewSet):
    """The types and their norms (editable data; admins change them, through the service)."""

    queryset = PromotionType.objects.all()
    serializer_class = PromotionTypeSerializer
    permission_classes = [RoleModelPermissions]
    pagination_class = None

    def perform_create(self, serializer):
        serializer.instance = services.promotion_type_save(user=self.request.user, values=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.promotion_type_save(
            user=self.request.user, values=serializer.validated_data, promotion_type=serializer.instance
        )

    def perform_destroy(self, instance):
        services.promotion_type_delete(user=self.request.user, promotion_type=instance)


@extend_schema_view(
    create=extend_schema(request=PlanInputSerializer, responses={201: PromotionPlanDetailSerializer}),
    update=extend_schema(request=PlanInputSerializer, responses={200: PromotionPlanDetailSerializer}),
    partial_update=extend_schema(
        request=PlanInputSerializer,
        responses={200: PromotionPlanDetailSerializer},
        description="Change some of a draft's fields: what is not sent stays as the plan has it — its stores and its "
        "items too (items, when sent, are the plan's whole list of products, each with its promotion price). The "
        "same rules as PUT.",
    ),
)
class PromotionPlanViewSet(
    RecordETagMixin,
    CachedListMixin,
    ValuesPageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Promotion plans in the user's scope; drafts are written here, steps are their own endpoints."""

    permission_classes = [RoleModelPermissions]
    filterset_class = PlanFilter
    search_fields = ["title", *account_search_fields("account")]
    ordering_fields = ["start_on", "total_cost"]

    def get_queryset(self):
        return selectors.plan_list_for(self.request.user).prefetch_related(
            Prefetch("items", queryset=plan_items()), "stores"
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return PlanInputSerializer
        return PromotionPlanDetailSerializer if self.action != "list" else PromotionPlanSerializer

    def _detail(self, plan, status=200):
        plan = self.get_queryset().prefetch_related("transitions__by").get(pk=plan.pk)
        return Response(PromotionPlanDetailSerializer(plan, context=self.get_serializer_context()).data, status=status)

    @idempotent()
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.promotion_save_draft(user=request.user, data=serializer.to_input())
        return self._detail(plan, status=201)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        plan = services.promotion_save_draft(user=request.user, data=serializer.to_input(), plan=plan)
        return self._detail(plan)

    @idempotent()  # a step sent twice (its answer lost) is answered as the first time, as the pages' forms are
    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.promotion_submit(plan=self.get_object(), by=request.user))

    @idempotent()
    @extend_schema(
        request=ApproveSerializer,
        responses={**STEP_RESPONSES, 409: OpenApiResponse(description="The account's budget is exhausted")},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()  # out of scope is 404 before the body is looked at
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.promotion_approve(plan=plan, by=request.user, note=serializer.data["note"])
        return self._detail(plan)

    @idempotent()
    @extend_schema(request=RejectSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        plan = self.get_object()  # out of scope is 404 before the body is looked at
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.promotion_reject(plan=plan, by=request.user, reason=serializer.data["reason"])
        return self._detail(plan)

    @idempotent()
    @extend_schema(request=WithdrawSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Who submits a plan takes it back to draft before the decision (the budget is untouched): the owner's
        supervisor, the account's KA manager, an admin, or the owner. Refused with promotion.withdraw_status unless the
        plan is submitted, and with promotion.rep_cannot_withdraw for a sales rep (naming who withdraws it); 403 for
        anyone else who reaches the plan."""
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.promotion_withdraw(plan=self.get_object(), by=request.user, reason=serializer.data["reason"])
        return self._detail(plan)

    @idempotent()
    @extend_schema(
        request=None,
        responses={
            **{code: answer for code, answer in STEP_RESPONSES.items() if code != 200},
            201: PromotionPlanDetailSerializer,
            409: OpenApiResponse(description="Already reopened (promotion.already_reopened)"),
        },
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The owner reopens a rejected plan as a new draft linked to it (reopened_from); answers the new
        draft, 201. Refused with promotion.reopen_status unless the plan is rejected; 403 for anyone but the owner."""
        draft = services.promotion_reopen(plan=self.get_object(), by=request.user)
        return self._detail(draft, status=201)


class BudgetSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=accounts_for, help_text="The key account, by code.")
    remaining = api_fields.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Budget
        fields = ["id", "account", "period_start", "period_end", "amount", "consumed", "remaining"]
        read_only_fields = ["consumed"]
        validators = []  # overlaps and uniqueness are the service's to say, with the numbers


class BudgetViewSet(
    RecordETagMixin,
    CachedListMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Budgets per key account per period; managers set their accounts', finance reads."""

    serializer_class = BudgetSerializer
    permission_classes = [RoleModelPermissions]
    filterset_class = BudgetFilter
    ordering_fields = ["period_start"]

    def get_queryset(self):
        return selectors.budgets_for(self.request.user).order_by("account__code", "period_start")

    def perform_create(self, serializer):
        serializer.instance = services.budget_save(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = {
            "account": serializer.instance.account,
            "period_start": serializer.instance.period_start,
            "period_end": serializer.instance.period_end,
            "amount": serializer.instance.amount,
            **serializer.validated_data,
        }
        serializer.instance = services.budget_save(user=self.request.user, budget=serializer.instance, **data)
