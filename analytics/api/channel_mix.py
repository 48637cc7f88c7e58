"""``GET /api/v1/reports/channel-mix/?from=YYYY-MM&to=YYYY-MM&by=tier|format``: the channel mix page's figures.

Shares are fractions to 4 places as strings that add up to exactly "1.0000"; money as Decimal strings. Finance and
admins see every chain, KA managers their own (the shares are of their chains); reps and supervisors 404.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api import AccountRefSerializer, FinancePermission
from contracts.selectors import finance_accounts
from ka_portal import api_fields
from tradespend.models import ClosedMonth

from ..channel_mix import BY, channel_mix
from .periods import ERRORS, PERIOD_PARAMETERS, PeriodQuerySerializer

MONEY = {"max_digits": None, "decimal_places": 2}
SHARE = {"max_digits": None, "decimal_places": 4, "allow_null": True}


class ChannelMixQuerySerializer(PeriodQuerySerializer):
    by = serializers.ChoiceField(choices=list(BY), required=False, default="tier")

    def to_internal_value(self, data):
        # The period's parsing reads from= and to= only; by= is checked here against its choices.
        values = super().to_internal_value(data)
        try:
            values["by"] = self.fields["by"].run_validation(data.get("by") or "tier")
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"by": error.detail}) from error
        return values


class ChannelSerializer(serializers.Serializer):
    channel = serializers.CharField(source="key", help_text="A tier (GKA, NKA, LKA), a format, or `other`")
    label = serializers.CharField(help_text="The channel's name in the caller's language")
    accounts = AccountRefSerializer(many=True, help_text="The chains in the channel")
    sales = api_fields.DecimalField(**MONEY, help_text="Invoiced sell-in net of credit notes")
    sales_share = api_fields.DecimalField(**SHARE, help_text="Share of sales, a fraction; null without sales")
    spend = api_fields.DecimalField(**MONEY, help_text="Trade spend: rebates + fixed fees + promotion + unsupported")
    spend_share = api_fields.DecimalField(**SHARE, help_text="Share of trade spend, a fraction; null without spend")
    gap = api_fields.DecimalField(**SHARE, help_text="spend_share − sales_share")
    flagged = serializers.BooleanField(help_text="|gap| above KA_CHANNEL_MIX_GAP_ALERT")
    ratio = api_fields.DecimalField(**SHARE, help_text="Trade-spend ratio: spend ÷ sales; null without sales")


class ChannelMixSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(BY))
    month_from = serializers.CharField(help_text="YYYY-MM")
    month_to = serializers.CharField(help_text="YYYY-MM")
    closed_months = serializers.ListField(child=serializers.CharField(), help_text="The period's closed months")
    gap_alert = api_fields.DecimalField(**SHARE, help_text="The threshold a gap is flagged above")
    channels = ChannelSerializer(many=True)
    sales = api_fields.DecimalField(**MONEY)
    spend = api_fields.DecimalField(**MONEY)
    ratio = api_fields.DecimalField(**SHARE)


class ChannelMixView(APIView):
    permission_classes = [FinancePermission]
    queryset = ClosedMonth.objects.none()  # whoever may read the trade-spend reports

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=list(BY), description="Channels by tier (default) or by format."
            ),
        ],
        responses={200: ChannelMixSerializer, **ERRORS},
    )
    def get(self, request):
        """Share of sales against share of trade spend per channel (tier or format), the gap between them flagged
        above the setting, and each channel's trade-spend ratio, for the chains the caller sees."""
        query = ChannelMixQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        mix = channel_mix(
            accounts=finance_accounts(request.user),
            month_from=data["month_from"],
            month_to=data["month_to"],
            by=data["by"],
        )
        body = {
            "by": mix.by,
            "month_from": f"{mix.month_from:%Y-%m}",
            "month_to": f"{mix.month_to:%Y-%m}",
            "closed_months": [f"{month:%Y-%m}" for month in mix.closed_months],
            "gap_alert": mix.threshold,
            "channels": mix.channels,
            "sales": mix.sales,
            "spend": mix.spend,
            "ratio": mix.ratio,
        }
        return Response(ChannelMixSerializer(body).data)


routes = []
urlpatterns = [path("reports/channel-mix/", ChannelMixView.as_view(), name="report-channel-mix")]
