"""The promoters API: appraisal. GET /api/v1/reports/promoter-appraisal/?month=YYYY-MM (and supervisor, agency,
store, sort, page): the rows of the appraisal page (promoters/appraisal.py), paginated. Same scope as the page:
supervisors their promoters, KA managers those at their chains' stores, finance and admin all; a promoter is
answered 404, a role without the roster's view permission 403."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import api_fields
from ka_portal.api import PageNumberPagination
from ka_portal.formatting import display_name
from ka_portal.months import month_parameter
from ka_portal.permissions import can

from ..appraisal import AppraisalRow
from ..appraisal_filters import SORT_CHOICES
from ..models import Promoter
from ..views.appraisal import appraisal_report

_MONEY = {"max_digits": None, "decimal_places": 2}
_POINTS = {"max_digits": None, "decimal_places": 1, "allow_null": True}
_ROW = {
    "promoter": serializers.CharField(help_text="The promoter, by code."),
    "name": serializers.CharField(),
    "employer": serializers.ChoiceField(choices=Promoter.Employer.choices),
    "agency": serializers.CharField(),
    "supervisor": serializers.CharField(help_text="The supervisor, by username."),
    "supervisor_name": serializers.CharField(),
    "paid_by": serializers.ChoiceField(choices=[("day", "day"), ("month", "month")]),
    "daily_fee": api_fields.DecimalField(**_MONEY, allow_null=True),
    "monthly_pay": api_fields.DecimalField(**_MONEY, allow_null=True),
    "shifts_scheduled": serializers.IntegerField(help_text="Every shift of the month, ended or not."),
    "shifts_planned": serializers.IntegerField(help_text="Shifts that have ended, approved leave left out."),
    "shifts_attended": serializers.IntegerField(help_text="Attended, late and left early included."),
    "late": serializers.IntegerField(),
    "left_early": serializers.IntegerField(),
    "days_worked": serializers.IntegerField(help_text="Days with a shift attended: what a daily fee pays."),
    "absent": serializers.IntegerField(),
    "off_site": serializers.IntegerField(),
    "leave": serializers.IntegerField(),
    "irregular": serializers.ListField(
        child=serializers.DictField(),
        help_text="The late and early shifts: day, store (code; null outside your stores), reading.",
    ),
    "sell_out": api_fields.DecimalField(**_MONEY, help_text="Packs sold × price seen (else the shelf price)."),
    "target": api_fields.DecimalField(**_MONEY, allow_null=True),
    "achievement": api_fields.DecimalField(**_POINTS, help_text="Sell-out as % of target, not capped."),
    "sell_out_score": api_fields.DecimalField(**_POINTS),
    "attendance_score": api_fields.DecimalField(**_POINTS),
    "display_score": api_fields.DecimalField(**_POINTS),
    "score": api_fields.DecimalField(**_POINTS, help_text="The weighted score, 0–100; null without any part."),
    "pay": api_fields.DecimalField(**_MONEY),
}


def _text(value) -> str | None:
    return None if value is None else str(value)


def row_json(row: AppraisalRow) -> dict:
    p = row.promoter
    return {
        "promoter": p.code, "name": p.name, "employer": p.employer, "agency": p.agency,
        "supervisor": p.supervisor.username, "supervisor_name": display_name(p.supervisor),
        "paid_by": "day" if row.paid_by_day else "month",
        "daily_fee": _text(p.daily_fee), "monthly_pay": _text(p.monthly_pay),
        "shifts_scheduled": row.scheduled, "shifts_planned": row.planned, "shifts_attended": row.attended,
        "days_worked": row.days_worked,
        "late": row.late, "left_early": row.early, "absent": row.absent, "off_site": row.off_site,
        "leave": row.leave,
        "irregular": [{"day": day.isoformat(), "store": code or None, "reading": str(label)}
                      for day, _store_id, code, label in row.irregular],
        "sell_out": _text(row.sell_out), "target": _text(row.target), "achievement": _text(row.achievement),
        "sell_out_score": _text(row.sell_out_score), "attendance_score": _text(row.attendance_score),
        "display_score": _text(row.display_score), "score": _text(row.score), "pay": _text(row.pay),
    }  # fmt: skip


class PromoterAppraisalView(APIView):
    """The monthly appraisal (考核) per promoter: attendance, sell-out against target, the display score of the
    month's visits at their stores, the weighted score (weights: settings KA_PROMOTER_WEIGHT_*) and the month's
    pay. Sorted by `sort` (default the best score first)."""

    @extend_schema(
        parameters=[
            month_parameter("month", description="YYYY-MM (default: this month)"),
            OpenApiParameter("supervisor", OpenApiTypes.STR, description="The promoters' supervisor, by username"),
            OpenApiParameter("agency", OpenApiTypes.STR, description="The agency employing them"),
            OpenApiParameter("store", OpenApiTypes.STR, description="A store, by code"),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=[value for value, _label in SORT_CHOICES]),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: inline_serializer(
                "PromoterAppraisal",
                {
                    "month": serializers.CharField(help_text="YYYY-MM"),
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": inline_serializer("PromoterAppraisalRow", _ROW, many=True),
                },
            ),
            400: OpenApiTypes.OBJECT,
            403: OpenApiResponse(description="Your role does not read the promoters' roster."),
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        if not can(request.user, Promoter):
            raise PermissionDenied
        filterset, month, rows = appraisal_report(request, request.query_params)
        if month is None:
            errors = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
            detail = next(iter(errors.values()))[0]
            return Response({"code": "invalid", "detail": detail, "errors": errors}, status=400)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response([row_json(row) for row in page])
        response.data = {"month": f"{month:%Y-%m}", **response.data}
        return response


routes: list = []  # (prefix, viewset, basename) registered on the app's router
urlpatterns = [
    path("reports/promoter-appraisal/", PromoterAppraisalView.as_view(), name="report-promoter-appraisal"),
]
