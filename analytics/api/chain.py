"""The chain page's figures by API (issue 15 item 1).

``GET /api/v1/accounts/<code>/overview/?from=YYYY-MM&to=YYYY-MM`` (neither: the year so far): what the chain page
shows for the same period (analytics.chain): money as Decimal strings, ratios as fractions (0.1234 = 12.34 %),
null where there is nothing to divide by. Finance and admins reach every chain, a KA manager their own; anyone else
is answered 404.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api import AccountRefSerializer, FinancePermission
from contracts.receivables import Bucket
from contracts.selectors import finance_accounts
from ka_portal import api_fields
from tradespend.api.gross_to_net import MONEY, RATIO, FiguresSerializer
from tradespend.models import ClosedMonth

from ..chain import chain_overview
from .periods import ERRORS, PERIOD_PARAMETERS, PeriodQuerySerializer


class PerformanceSerializer(serializers.Serializer):
    """Target, difference and achievement over the months with a target (accounts.selectors.Performance.compared): a
    month left blank has none, so they are null for it, and of a period only some of whose months have one they are
    those months' (``target_months``, ``actual_with_target``)."""

    target = api_fields.DecimalField(
        **MONEY, source="compared.target", allow_null=True, help_text="Null where no month has a target"
    )
    actual = api_fields.DecimalField(**MONEY, help_text="Invoiced sell-in net of credit notes")
    last_year = api_fields.DecimalField(
        **MONEY,
        help_text=(
            "Sell-in of the same days a year before as the actual covers: a month in progress, its days so far; "
            "a month to come, the whole month (a reference, not compared)"
        ),
    )
    difference = api_fields.DecimalField(
        **MONEY,
        source="compared.difference",
        allow_null=True,
        help_text="actual − target, over the months with a target; null without one or before the start",
    )
    achievement = api_fields.DecimalField(
        **RATIO, source="compared.achievement", help_text="actual ÷ target, over the months with a target"
    )
    growth = api_fields.DecimalField(**RATIO, help_text="actual ÷ last year − 1")


class PeriodPerformanceSerializer(PerformanceSerializer):
    actual_with_target = api_fields.DecimalField(
        **MONEY,
        source="compared.actual",
        allow_null=True,
        help_text="Sell-in of the months with a target, what the target is compared with (the actual where every "
        "month has one); null where none has",
    )
    target_months = serializers.SerializerMethodField(help_text="The months of the period with a target (YYYY-MM)")

    def get_target_months(self, performance) -> list[str]:
        return [f"{month:%Y-%m}" for month in performance.target_months]


class MonthSerializer(PerformanceSerializer):
    month = serializers.SerializerMethodField(help_text="YYYY-MM")
    future = serializers.BooleanField(help_text="Not begun yet: no actual to compare")

    def get_month(self, row) -> str:
        return row.label[:7]


class SpendSerializer(FiguresSerializer):
    source = serializers.CharField(help_text="ledger: the trade-spend ledger; estimate: plan costs and deductions")
    norm = api_fields.DecimalField(**RATIO, help_text="The company's norm for the ratio (KA_TRADE_SPEND_RATIO_NORM)")
    gap = api_fields.DecimalField(**RATIO, help_text="ratio − norm: above 0 the chain costs more than the norm")


class PromotionLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="plan.pk")
    title = serializers.CharField(source="plan.title")
    type = serializers.CharField(source="plan.type")
    status = serializers.CharField(source="plan.status")
    start_on = serializers.DateField(source="plan.start_on")
    end_on = serializers.DateField(source="plan.end_on")
    cost = api_fields.DecimalField(**MONEY, help_text="Evaluated cost, else the plan's total cost")
    planned_cost = api_fields.DecimalField(**MONEY, help_text="The plan's planned total cost (total_cost)")
    actual_cost = api_fields.DecimalField(
        **MONEY, allow_null=True, help_text="The evaluation's actual total cost; null until the plan is evaluated"
    )
    evaluated = serializers.BooleanField()
    uplift = api_fields.DecimalField(**RATIO, help_text="Extra packs over the baseline ÷ the baseline")
    incremental_units = serializers.IntegerField(allow_null=True, help_text="Extra packs over the baseline")
    cost_per_incremental_unit = api_fields.DecimalField(**MONEY, allow_null=True)


class PromotionsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Plans approved or later that ran in the period")
    cost = api_fields.DecimalField(**MONEY, help_text="Of all of them: evaluated cost, else the plan's total cost")
    planned_cost = api_fields.DecimalField(**MONEY, help_text="Of all of them: the planned total cost")
    evaluated_count = serializers.IntegerField()
    evaluated_cost = api_fields.DecimalField(**MONEY, help_text="Of the evaluated plans: the actual total cost")
    incremental_units = serializers.IntegerField(help_text="Of the evaluated plans")
    cost_per_incremental_unit = api_fields.DecimalField(**MONEY, allow_null=True, help_text="Of the evaluated plans")
    plans = PromotionLineSerializer(many=True, source="lines", help_text="The costliest ten")


class ReceivablesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    total = api_fields.DecimalField(**MONEY, help_text="Open on as_of")
    past_due = api_fields.DecimalField(**MONEY)
    buckets = serializers.DictField(child=api_fields.DecimalField(**MONEY), help_text=f"{', '.join(Bucket.values)}")
    dso = api_fields.DecimalField(max_digits=None, decimal_places=1, allow_null=True, help_text="Days")
    dso_days = serializers.IntegerField(help_text="The window DSO is measured over (KA_DSO_DAYS)")


class CoverageSerializer(serializers.Serializer):
    stores = serializers.IntegerField(help_text="Active stores")
    visited = serializers.IntegerField(help_text="Of them, visited (checked out) in the period")
    coverage = api_fields.DecimalField(**RATIO)
    planned = serializers.IntegerField(help_text="Published route stops due in the period")
    done = serializers.IntegerField(help_text="Of them, visited on their day")
    compliance = api_fields.DecimalField(**RATIO)


class ContractRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    valid_to = serializers.DateField()


class SellOutSerializer(serializers.Serializer):
    units = serializers.IntegerField(help_text="Packs sold to shoppers in the period, as promoters reported")
    value = api_fields.DecimalField(**MONEY, help_text="Their value: packs × price seen, else the shelf price")
    stores = serializers.IntegerField(help_text="Stores with a report in the period")
    last_day = serializers.DateField(allow_null=True, help_text="The last day reported")
    sell_in_units = serializers.IntegerField(
        help_text="Packs delivered in the period to the stores reporting, of the products they reported"
    )
    sell_through = api_fields.DecimalField(**RATIO, help_text="units ÷ sell_in_units; null without deliveries")


class OverviewSerializer(serializers.Serializer):
    account = AccountRefSerializer()
    month_from = serializers.CharField(help_text="YYYY-MM")
    month_to = serializers.CharField(help_text="YYYY-MM")
    performance = PeriodPerformanceSerializer()
    months = MonthSerializer(many=True)
    spend = SpendSerializer()
    promotions = PromotionsSerializer()
    receivables = ReceivablesSerializer()
    coverage = CoverageSerializer()
    suggested_order_flags = serializers.DictField(child=serializers.IntegerField(), help_text="Flag → pairs")
    suggested_order_date = serializers.DateField(allow_null=True, help_text="The suggestion day the flags are of")
    contracts_expiring = ContractRefSerializer(many=True)
    disputes_open = serializers.IntegerField()
    disputes_amount = api_fields.DecimalField(**MONEY, help_text="Still disputed: deductions less matched, recovered")
    sell_out = SellOutSerializer(
        allow_null=True, help_text="Sell-out where promoters report at the chain's stores; null when none reported"
    )


class _Spend:
    """The period's gross-to-net figures with where they come from and the norm they are held against."""

    def __init__(self, o):
        self.figures, self.source, self.norm, self.gap = o.figures, o.spend_source, o.norm, o.ratio_gap

    def __getattr__(self, name):
        return getattr(self.figures, name)


def overview_body(o) -> dict:
    spend = _Spend(o)
    return OverviewSerializer(
        {
            "account": o.account,
            "month_from": f"{o.month_from:%Y-%m}",
            "month_to": f"{o.month_to:%Y-%m}",
            "performance": o.performance,
            "months": o.trend,
            "spend": spend,
            "promotions": o.promotions,
            "receivables": {
                "as_of": o.as_of,
                "total": o.aging.total,
                "past_due": o.aging.past_due,
                "buckets": o.aging.buckets,
                "dso": o.aging.dso,
                "dso_days": o.dso_days,
            },
            "coverage": o.coverage,
            "suggested_order_flags": o.flags,
            "suggested_order_date": o.flags_date,
            "contracts_expiring": o.contracts_expiring,
            "disputes_open": o.disputes_open,
            "disputes_amount": o.disputes_amount,
            "sell_out": o.sell_out if o.sell_out.reported else None,
        }
    ).data


class ChainOverviewView(APIView):
    permission_classes = [FinancePermission]
    queryset = ClosedMonth.objects.none()  # who may read the money loop's reports may read this

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: OverviewSerializer, 400: ERRORS[400],
                   404: OpenApiResponse(description="Not found or outside the caller's scope")},
    )  # fmt: skip
    def get(self, request, code):
        """One chain over a period: target, actual, achievement and growth with every month; gross to net with the
        trade-spend ratio against the norm; promotions run with uplift and cost per extra pack; receivables by
        days past due and DSO; store coverage and visit compliance; suggested-order flags; contracts expiring;
        open disputes; sell-out where promoters report (null when none) — the chain page's figures."""
        account = get_object_or_404(finance_accounts(request.user), code__iexact=code)
        query = PeriodQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        overview = chain_overview(
            user=request.user,
            account=account,
            month_from=data["month_from"],
            month_to=data["month_to"],
            today=timezone.localdate(),
        )
        return Response(overview_body(overview))


routes = ()
urlpatterns = [path("accounts/<str:code>/overview/", ChainOverviewView.as_view(), name="account-overview")]
