"""GET /api/v1/reports/store-pnl/?account=<code>&from=&to=: the store P&L of one chain (analytics/store_pnl.py),
for finance, admin and a KA manager's own chains; anyone else, and another chain, is answered 404."""

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import finance_accounts
from ka_portal import api_fields

from ..forms import StorePnlForm
from ..store_pnl import StorePnl, store_pnl

_MONEY = {"max_digits": None, "decimal_places": 2}
_FIGURES = {
    "sell_in": api_fields.DecimalField(**_MONEY),
    "listing_fees": api_fields.DecimalField(**_MONEY),
    "display_fees": api_fields.DecimalField(**_MONEY),
    "promoter_fees": api_fields.DecimalField(
        **_MONEY, help_text="What the trade-spend ledger books: promoter_fees_actual + promoter_fees_planned."
    ),
    "promoter_fees_actual": api_fields.DecimalField(
        **_MONEY, help_text="Promoters' pay for their shifts at the store (months beginning in the period)."
    ),
    "promoter_fees_planned": api_fields.DecimalField(
        **_MONEY, help_text="Planned promoter fees of plans starting in the period without promoter shifts."
    ),
    "promotion_costs": api_fields.DecimalField(**_MONEY),
    "fees": api_fields.DecimalField(**_MONEY),
    "contribution": api_fields.DecimalField(**_MONEY),
    "fee_ratio": api_fields.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Fees ÷ sell-in (0.25 is 25 %); null without.",
    ),
    "visits": serializers.IntegerField(help_text="Visits done (checked out) in the period."),
    "promotion_checks": serializers.IntegerField(),
    "execution": api_fields.DecimalField(
        max_digits=None, decimal_places=4, allow_null=True, help_text="Promotion checks found executed ÷ checked."
    ),
}
_ROW = {
    "rank": serializers.IntegerField(),
    "store": serializers.CharField(help_text="The store, by its code."),
    "store_name": serializers.CharField(),
    **_FIGURES,
    "ratings": serializers.DictField(child=serializers.IntegerField(), help_text="red, yellow, green → visits"),
    "flagged": serializers.BooleanField(help_text="Renegotiate or exit: fees above the threshold's share of sell-in."),
}


def _money(value) -> str:
    return f"{value:.2f}"


def _ratio(value) -> str | None:
    return None if value is None else f"{value:.4f}"


def _figures(line: StorePnl) -> dict:
    return {
        "sell_in": _money(line.sell_in), "listing_fees": _money(line.listing_fees),
        "display_fees": _money(line.display_fees), "promoter_fees": _money(line.promoter_fees),
        "promoter_fees_actual": _money(line.promoter_pay), "promoter_fees_planned": _money(line.promoter_planned),
        "promotion_costs": _money(line.promotion_costs), "fees": _money(line.fees),
        "contribution": _money(line.contribution), "fee_ratio": _ratio(line.fee_ratio), "visits": line.visits,
        "promotion_checks": line.checks, "execution": _ratio(line.execution),
    }  # fmt: skip


class StorePnlView(APIView):
    """Per store of one chain over a period: sell-in (deliveries), attributable fees (listing, display, promoter,
    promotion costs), contribution = sell-in − fees (no cost of goods: not a gross margin), fees as a share of
    sell-in, visits and execution; ranked by contribution. `flagged`: fees above `threshold` of sell-in."""

    @extend_schema(
        parameters=[
            OpenApiParameter("account", OpenApiTypes.STR, description="The key account, by its code", required=True),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: January 1st of this year)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
        ],
        responses={
            200: inline_serializer(
                "StorePnl",
                {
                    "account": serializers.CharField(),
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                    "threshold": api_fields.DecimalField(max_digits=None, decimal_places=4),
                    "results": inline_serializer("StorePnlRow", _ROW, many=True),
                    "total": inline_serializer("StorePnlTotal", _FIGURES),
                },
            ),
            400: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        accounts = finance_accounts(request.user)  # 404 for reps and supervisors
        code = request.query_params.get("account")
        if code and not accounts.filter(code=code).exists():
            raise Http404
        form = StorePnlForm(request.query_params, accounts=accounts)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        data = form.cleaned_data
        report = store_pnl(account=data["account"], start=data["start"], end=data["end"])
        rows = [
            {"rank": rank, "store": line.store.code, "store_name": line.store.name, **_figures(line),
             "ratings": line.ratings or {"red": 0, "yellow": 0, "green": 0}, "flagged": line.flagged}
            for rank, line in enumerate(report.rows, start=1)
        ]  # fmt: skip
        return Response(
            {
                "account": report.account.code,
                "from": report.start.isoformat(),
                "to": report.end.isoformat(),
                "threshold": _ratio(report.threshold),
                "results": rows,
                "total": _figures(report.total),
            }
        )


routes = ()
urlpatterns = [
    path("reports/store-pnl/", StorePnlView.as_view(), name="api-store-pnl"),
]
