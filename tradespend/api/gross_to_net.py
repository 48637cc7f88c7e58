"""Trade-spend API: gross to net per chain and closed months (issue 12 items 7 and 4).

- ``GET /api/v1/reports/gross-to-net/?from=YYYY-MM&to=YYYY-MM&account=<code>`` (or ``month_from``/``month_to``, the
  pages' names): the figures of the pages;
  money as Decimal strings, ratios as fractions (0.1234 = 12.34 %), null when there is no gross.
- ``GET/POST /api/v1/closed-months/``: the closed months, paged as every list; finance closes one with
  ``{"month": "YYYY-MM"}`` (Idempotency-Key accepted).

Finance and admins see every chain, KA managers their own; reps and supervisors are answered 404.
"""

from django.db.models import F, Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api import ACCOUNT_HELP, CONFLICT, AccountRefSerializer, FinancePermission, account_field
from contracts.selectors import finance_accounts
from ka_portal import api_fields
from ka_portal.api_cache import CachedListMixin
from ka_portal.errors import DomainError
from ka_portal.idempotency import idempotent
from ka_portal.money import CENT, Money, money_sum
from ka_portal.months import month_parameter

from .. import closing, reports
from ..models import ClosedMonth, SpendKind

MONEY = {"max_digits": None, "decimal_places": 2}
SPEND_STEPS = F("figures__rebates") + F("figures__fixed_fees") + F("figures__promotion") + F("figures__unsupported")
RATIO = {"max_digits": None, "decimal_places": 4, "allow_null": True}
MONTH_HELP = "A month as YYYY-MM (e.g. 2026-05)."
EMPTY_HELP = "Sent empty, it is refused."
RANGE_HELP = (
    f"Not before `from`, at most {reports.PERIOD_MAX_MONTHS} months from it (a 400 names the parameter, in the "
    "caller's language)."
)
PERIOD_ERRORS = (
    "A month not given as YYYY-MM or sent empty, or a period that ends before it starts or is longer than "
    f"{reports.PERIOD_MAX_MONTHS} months: `errors` has the message under the parameter's name"
)


class FiguresSerializer(serializers.Serializer):
    gross = api_fields.DecimalField(**MONEY, help_text="Invoiced sell-in net of credit notes")
    rebates = api_fields.DecimalField(**MONEY)
    fixed_fees = api_fields.DecimalField(**MONEY)
    promotion = api_fields.DecimalField(**MONEY, help_text="Promotion spend")
    unsupported = api_fields.DecimalField(**MONEY, help_text="Σ (amount − matched − recovered) of deductions")
    spend = api_fields.DecimalField(**MONEY, help_text="rebates + fixed fees + promotion + unsupported")
    net = api_fields.DecimalField(**MONEY, help_text="gross − spend")
    ratio = api_fields.DecimalField(**RATIO, help_text="Trade-spend ratio: spend ÷ gross, a fraction")
    by_kind = serializers.SerializerMethodField(help_text="Spend per kind: {kind: {amount, ratio}}")

    def get_by_kind(self, figures) -> dict:
        return {
            kind: {"amount": str(amount.quantize(CENT)), "ratio": None if share is None else str(share)}
            for kind, _label, amount, share in figures.kinds()
        }


class MonthFiguresSerializer(FiguresSerializer):
    month = serializers.CharField(help_text="YYYY-MM")
    closed = serializers.BooleanField(help_text="Frozen figures of a closed month")


class ReportRowSerializer(serializers.Serializer):
    account = AccountRefSerializer()
    figures = FiguresSerializer()
    months = MonthFiguresSerializer(many=True)


class GrossToNetSerializer(serializers.Serializer):
    month_from = serializers.CharField(help_text="YYYY-MM")
    month_to = serializers.CharField(help_text="YYYY-MM")
    closed_months = serializers.ListField(child=serializers.CharField(), help_text="The period's closed months")
    kinds = serializers.ListField(child=serializers.CharField(), help_text="Spend kinds, in order")
    rows = ReportRowSerializer(many=True)
    total = FiguresSerializer()


class GrossToNetQuerySerializer(serializers.Serializer):
    month_from = serializers.CharField(required=False, allow_blank=True)
    month_to = serializers.CharField(required=False, allow_blank=True)
    account = account_field(required=False)
    default_period = "this_month"  # the preset read when neither month is given

    def to_internal_value(self, data):
        # The query string says from= and to= (reserved words in Python), or month_from= and month_to= as the pages
        # and the answer say: both names are read, and two different months for one end are refused, never one of
        # them silently taken. A refusal of a month is said under the name it was given by.
        values, self.asked_as, self.given = {}, [], []
        for name, short in (("month_from", "from"), ("month_to", "to")):
            given = {data.get(short), data.get(name)} - {None, ""}
            if len(given) > 1:
                text = _("%(short)s and %(name)s name different months: give the month once.")
                raise serializers.ValidationError({short: [text % {"short": short, "name": name}]})
            values[name] = given.pop() if given else data.get(short, data.get(name))
            self.asked_as.append(short if short in data or name not in data else name)
            self.given.append(short in data or name in data)
        if data.get("account"):
            values["account"] = data.get("account")
        return super().to_internal_value({k: v for k, v in values.items() if v is not None})

    def validate(self, attrs):
        # The months as the pages read their boxes (tradespend.reports.report_period: YYYY-MM, in order, at most
        # PERIOD_MAX_MONTHS); a parameter left out is the other month, or the default period, but one sent empty
        # (?from=) asks for a month it does not give. Each refusal under its parameter, in the reader's language.
        names = tuple(self.asked_as)
        try:
            attrs["month_from"], attrs["month_to"] = reports.report_period(
                attrs.get("month_from"),
                attrs.get("month_to"),
                today=timezone.localdate(),
                default=self.default_period,
                fields=names,
                labels=names,
                required=tuple(self.given),
            )
        except DomainError as refusal:
            problems = getattr(refusal, "problems", [refusal])
            raise serializers.ValidationError(
                {problem.field: [ErrorDetail(problem.detail, code=problem.code)] for problem in problems}
            ) from None
        return attrs


def _month_rows(report, row):
    empty = reports.Figures()
    return [
        {"month": f"{month:%Y-%m}", "closed": month in report.closed, "figures": row.by_month.get(month, empty)}
        for month in report.months
    ]


def _figures(figures) -> dict:
    return FiguresSerializer(figures).data


class GrossToNetView(APIView):
    permission_classes = [FinancePermission]
    # Whoever may read closed months (finance, admins, KA managers) may read the report.
    queryset = ClosedMonth.objects.none()

    @extend_schema(
        parameters=[
            month_parameter("from", description=f"First month of the period. {MONTH_HELP} "
                            f"{EMPTY_HELP} Default: `to`, else this month."),
            month_parameter("to", description=f"Last month of the period. {MONTH_HELP} "
                            f"{EMPTY_HELP} {RANGE_HELP} Default: `from`, else this month."),
            month_parameter("month_from", description="The same as `from` (the name the pages "
                            "and the answer use); refused when both are given and differ."),
            month_parameter("month_to", description="The same as `to`; refused when both are "
                            "given and differ."),
            OpenApiParameter("account", OpenApiTypes.STR, description=f"Only this account. {ACCOUNT_HELP}"),
        ],
        responses={200: GrossToNetSerializer, 400: OpenApiResponse(description=PERIOD_ERRORS),
                   404: OpenApiResponse(description="Not found or outside the caller's scope")},
    )  # fmt: skip
    def get(self, request):
        """Gross to net per chain for a period: gross → rebates → fixed fees → promotion → unsupported deductions
        → net, the trade-spend ratio in total and per kind, and every month (closed months frozen)."""
        query = GrossToNetQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        accounts = finance_accounts(request.user)
        if data.get("account"):
            accounts = accounts.filter(pk=data["account"].pk)
        report = reports.gross_to_net(accounts=accounts, month_from=data["month_from"], month_to=data["month_to"])
        body = {
            "month_from": f"{report.month_from:%Y-%m}",
            "month_to": f"{report.month_to:%Y-%m}",
            "closed_months": [f"{month:%Y-%m}" for month in sorted(report.closed)],
            "kinds": list(SpendKind.values),
            "rows": [
                {
                    "account": AccountRefSerializer(row.account).data,
                    "figures": _figures(row.figures),
                    "months": [
                        {**_figures(item["figures"]), "month": item["month"], "closed": item["closed"]}
                        for item in _month_rows(report, row)
                    ],
                }
                for row in report.rows
            ],
            "total": _figures(report.total),
        }
        return Response(body)


class ClosedMonthSerializer(serializers.ModelSerializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text=f"The month closed. {MONTH_HELP}")
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, help_text="Who closed it")
    gross = api_fields.DecimalField(**MONEY, read_only=True, help_text="Frozen gross of the chains you see")
    net = api_fields.DecimalField(**MONEY, read_only=True, help_text="Frozen net of the chains you see")

    class Meta:
        model = ClosedMonth
        fields = ["id", "month", "closed_by", "closed_at", "gross", "net"]
        read_only_fields = ["id", "closed_by", "closed_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["month"] = f"{instance.month:%Y-%m}"
        return data

    def validate_month(self, value):
        month = reports.parse_month(value)
        if month is None:
            raise serializers.ValidationError(MONTH_HELP)
        return month


@extend_schema_view(
    list=extend_schema(
        description="Closed months, newest first, with the frozen figures of the chains you see; paged as every "
        "list ({count, next, previous, results}; ?page=, ?page_size=, or ?cursor=)."
    ),
    create=extend_schema(
        description="Close a month (finance): its figures are frozen and nothing dated in it can be recorded. "
        "Months close in order, one after the other from the first month with a record: refused while the month "
        "is not over (month.not_over), when it is closed already (month.already_closed), for a month before the "
        "first with a record (month.before_first_record, before or after the first close), before the first closed "
        "month otherwise (month.before_first_open), with nothing recorded at all (month.nothing_recorded), while an "
        "earlier month waits to close (month.earlier_open) or when it would leave an open month between closed ones "
        "(month.leaves_gap). Each refusal names the month and why. Accepts an Idempotency-Key.",
        responses={201: ClosedMonthSerializer, **CONFLICT},
    ),
)
class ClosedMonthViewSet(CachedListMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [FinancePermission]
    queryset = ClosedMonth.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = ClosedMonthSerializer

    def get_queryset(self):
        # The frozen gross and net of the chains the user sees, summed in the months' own query (grouped by month):
        # a page of months is one query whatever its size, as every list.
        seen = Q(figures__account__in=finance_accounts(self.request.user))
        gross = money_sum("figures__gross", filter=seen, default=reports.ZERO)
        spend = money_sum(SPEND_STEPS, filter=seen, default=reports.ZERO)
        return (
            ClosedMonth.objects.select_related("closed_by")
            .annotate(gross=gross, net=Money(gross - spend))
            .order_by("-month")
        )

    @idempotent()
    def create(self, request, *args, **kwargs):
        data = ClosedMonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closed = closing.month_close(month=data.validated_data["month"], by=request.user)
        return Response(
            ClosedMonthSerializer(self.get_queryset().get(pk=closed.pk)).data, status=status.HTTP_201_CREATED
        )


routes = [("closed-months", ClosedMonthViewSet, "closed-month")]
urlpatterns = [path("reports/gross-to-net/", GrossToNetView.as_view(), name="report-gross-to-net")]
