"""The monthly appraisal page (考核): /promoters/appraisal/?month=YYYY-MM with the supervisor, agency and store
filters and the order of the rows; ?export=xlsx is payroll's sheet (every row the filters select, one per
promoter). Supervisors see their promoters, KA managers those at their chains' stores, finance and admin all; a
promoter is answered 404 and a rep 403 (no view of the roster)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Role
from ka_portal import excel, scope
from ka_portal.formatting import display_name
from ka_portal.permissions import model_permission

from .. import appraisal_rules
from ..appraisal import on_roster_in, promoter_appraisal, sort_rows
from ..appraisal_filters import AppraisalFilter
from ..models import Promoter

ROWS_PER_PAGE = 25


def appraisal_promoters(user):
    """The promoters a user may appraise: those of promoters_for, except that a promoter appraises no one (404)."""
    if scope.user_role(user) == Role.PROMOTER:
        raise Http404
    return scope.promoters_for(user)


def appraisal_report(request, params):
    """(filterset, month, rows) for the request's parameters: the page, its Excel and the API read the same."""
    filterset = AppraisalFilter(params or None, queryset=appraisal_promoters(request.user), request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None, []
    month = filterset.chosen_month
    rows = promoter_appraisal(promoters=on_roster_in(filterset.qs, month).order_by("code"), month=month)
    _hide_stores_out_of_scope(rows, request.user)
    return filterset, month, sort_rows(rows, filterset.chosen_sort)


def _hide_stores_out_of_scope(rows, user) -> None:
    """A promoter's whole month is appraised, but the late and early shifts listed name only the stores the user
    reaches (a KA manager's promoter may also work at another chain's store)."""
    named = {store_id for row in rows for _day, store_id, _code, _label in row.irregular}
    if not named:
        return
    visible = set(scope.stores_for(user).filter(pk__in=named).values_list("pk", flat=True))
    for row in rows:
        row.irregular = [
            (day, store_id, code if store_id in visible else "", label) for day, store_id, code, label in row.irregular
        ]


@model_permission(Promoter)
@require_GET
def appraisal_page(request):
    filterset, month, rows = appraisal_report(request, request.GET)
    exporting = request.GET.get("export") == "xlsx"
    if month and exporting:
        return appraisal_xlsx(rows, month)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "month": month,
        "page_obj": page,
        "rows": page.object_list,
        "weights": {name: value * 100 for name, value in appraisal_rules.weights().items()},
        "can_export": month is not None,
        # a filter refused: never a sheet of nothing (or of everything); the page says nothing was exported, as a
        # list's export does (ka_portal.lists.FilteredListView, includes/filter_form.html)
        "export_refused": month is None and exporting,
        "previous_month": appraisal_rules.add_months(month, -1) if month else None,
        "next_month": appraisal_rules.add_months(month, 1) if month else None,
        "filters_active": any(k not in ("page", "export", "month", "sort") and v for k, v in request.GET.items()),
    }
    return render(request, "promoters/appraisal.html", context, status=200 if month else 400)


def employer_text(promoter) -> str:
    return str(Promoter.Employer(promoter.employer).label)


def appraisal_xlsx(rows, month):
    headers = [
        _("Code"), _("Name"), _("Employed by"), _("Agency"), _("Supervisor"), _("Shifts planned"),
        _("Shifts attended"), _("Days worked"), _("Late"), _("Left early"), _("Absent"), _("Checked in off site"),
        _("On leave"),
        _("Sell-out"), _("Target"), _("Achievement %"), _("Sell-out score"), _("Attendance score"),
        _("Display score"), _("Score"), _("Daily fee"), _("Monthly pay"), _("Pay"),
    ]  # fmt: skip
    lines = [
        [
            row.promoter.code, row.promoter.name, employer_text(row.promoter), row.promoter.agency,
            display_name(row.promoter.supervisor), row.planned, row.attended, row.days_worked, row.late, row.early,
            row.absent,
            row.off_site, row.leave, row.sell_out, row.target, row.achievement, row.sell_out_score,
            row.attendance_score, row.display_score, row.score, row.promoter.daily_fee, row.promoter.monthly_pay,
            row.pay,
        ]
        for row in rows
    ]  # fmt: skip
    formats = {13: excel.MONEY_FORMAT, 14: excel.MONEY_FORMAT, 20: excel.MONEY_FORMAT, 21: excel.MONEY_FORMAT}
    formats |= {22: excel.MONEY_FORMAT} | dict.fromkeys(range(15, 20), "0.0")
    name = f"promoter-appraisal-{month:%Y-%m}.xlsx"
    return excel.xlsx_response(name, f"{_('Promoter appraisal')} {month:%Y-%m}", headers, lines, formats)


urlpatterns = [
    path("appraisal/", appraisal_page, name="appraisal"),
]
