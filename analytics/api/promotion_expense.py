"""``GET /api/v1/reports/promotion-expense-ratio/?from=YYYY-MM&to=YYYY-MM``: the promotion expense page's figures.

By promotion type and by account: plans, cost, sell-in during the plans, expense ratio, packs against the baseline,
incremental packs, cost per incremental pack, incremental sell-in and payback; ratios as fractions (strings),
money as Decimal strings. Finance and admins see every chain, KA managers their own; reps and supervisors 404.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api import FinancePermission
from contracts.selectors import finance_accounts
from ka_portal import api_fields
from tradespend.models import ClosedMonth

from ..promotion_expense import promotion_expense
from .periods import ERRORS, PERIOD_PARAMETERS, PeriodQuerySerializer

MONEY = {"max_digits": None, "decimal_places": 2}
RATIO = {"max_digits": None, "decimal_places": 4, "allow_null": True}


class ExpenseFiguresSerializer(serializers.Serializer):
    plans = serializers.IntegerField(help_text="Plans approved or beyond that start in the period")
    evaluated = serializers.IntegerField(
        help_text=(
            "Of them, evaluated; the others' figures are as their evaluation would read them now: a plan running or "
            "ended, its days so far against as many days before it; a plan yet to start, none"
        ),
    )
    cost = api_fields.DecimalField(**MONEY, help_text="Promotion cost as the trade-spend ledger books it")
    sell_in = api_fields.DecimalField(**MONEY, help_text="Sell-in of the plans' products to their stores during them")
    expense_ratio = api_fields.DecimalField(**RATIO, help_text="cost ÷ sell_in; null without sell-in")
    sales_units = serializers.IntegerField(help_text="Packs sold in during the plans")
    baseline_units = serializers.IntegerField(help_text="Packs in the same number of days before each plan")
    incremental_units = serializers.IntegerField(help_text="sales_units − baseline_units")
    uplift = api_fields.DecimalField(**RATIO, help_text="incremental_units ÷ baseline_units; null without a baseline")
    cost_per_incremental_unit = api_fields.DecimalField(
        **MONEY, allow_null=True, help_text="cost ÷ incremental_units; null when no extra pack was sold"
    )
    incremental_sell_in = api_fields.DecimalField(**MONEY, help_text="sell_in − baseline sell-in")
    payback = api_fields.DecimalField(
        **RATIO,
        help_text=(
            "incremental_sell_in ÷ the cost of the plans begun; null when that is nothing (a plan yet to start)"
        ),
    )
    sell_out_units = serializers.IntegerField(help_text="Packs sold to shoppers during the plans, where reported")
    sell_out_uplift = api_fields.DecimalField(
        **RATIO, help_text="Daily sell-out per reported store-day during ÷ before − 1; null with nothing to compare"
    )
    sell_out_incremental_units = serializers.IntegerField(
        allow_null=True, help_text="Extra packs sold to shoppers over the baseline's daily rate"
    )
    sell_out_cost_per_incremental_unit = api_fields.DecimalField(
        **MONEY, allow_null=True, help_text="cost ÷ sell_out_incremental_units; null when no extra pack was sold"
    )


class ExpenseGroupSerializer(ExpenseFiguresSerializer):
    key = serializers.CharField(help_text="The promotion type's code, or the key account's code")
    label = serializers.CharField(help_text="The type's kind or the chain's name, in the caller's language")


class PromotionExpenseSerializer(serializers.Serializer):
    month_from = serializers.CharField(help_text="YYYY-MM")
    month_to = serializers.CharField(help_text="YYYY-MM")
    by_type = ExpenseGroupSerializer(many=True)
    by_account = ExpenseGroupSerializer(many=True)
    total = ExpenseFiguresSerializer()


def _figures(plans: int, evaluated: int, figures) -> dict:
    return {
        "plans": plans,
        "evaluated": evaluated,
        "cost": figures.total_cost,
        "sell_in": figures.sales_amount,
        "expense_ratio": figures.expense_ratio,
        "sales_units": figures.sales_units,
        "baseline_units": figures.baseline_units,
        "incremental_units": figures.incremental_units,
        "uplift": figures.uplift,
        "cost_per_incremental_unit": figures.cost_per_incremental_unit,
        "incremental_sell_in": figures.incremental_amount,
        "payback": figures.payback,
        "sell_out_units": figures.sell_out.units,
        "sell_out_uplift": figures.sell_out.uplift,
        "sell_out_incremental_units": figures.sell_out.incremental_units,
        "sell_out_cost_per_incremental_unit": figures.sell_out.cost_per_incremental_unit,
    }


def _group(group) -> dict:
    return {"key": group.key, "label": group.label, **_figures(len(group.plans), group.evaluated, group.figures)}


class PromotionExpenseView(APIView):
    permission_classes = [FinancePermission]
    queryset = ClosedMonth.objects.none()  # whoever may read the trade-spend reports

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: PromotionExpenseSerializer, **ERRORS})
    def get(self, request):
        """Promotion expense ratio by promotion type and by account for the plans starting in the period: which
        type pays back."""
        query = PeriodQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = promotion_expense(
            accounts=finance_accounts(request.user), month_from=data["month_from"], month_to=data["month_to"]
        )
        body = {
            "month_from": f"{report.month_from:%Y-%m}",
            "month_to": f"{report.month_to:%Y-%m}",
            "by_type": [_group(group) for group in report.by_type],
            "by_account": [_group(group) for group in report.by_account],
            "total": _figures(report.plans, report.evaluated, report.total),
        }
        return Response(PromotionExpenseSerializer(body).data)


routes = []
urlpatterns = [
    path("reports/promotion-expense-ratio/", PromotionExpenseView.as_view(), name="report-promotion-expense-ratio")
]
