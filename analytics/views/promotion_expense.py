"""The promotion expense page (促销费用率, SPEC §7): cost, sell-in, expense ratio, incremental packs and payback of the
promotion plans by type and by account.

Finance and admins see every chain, KA managers their own; reps and supervisors are answered 404.
"""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from contracts.selectors import finance_accounts
from contracts.views import finance_page
from ka_portal.charts import Chart, Series

from .. import exports
from ..promotion_expense import promotion_expense
from .periods import AnalysisPeriodForm, period_context, refused_context


def expense_chart(report) -> Chart:
    """Bars: each promotion type's expense ratio, with its payback beside it."""
    groups = report.by_type
    return Chart(
        name="promotion-expense",
        title=_("Expense ratio and payback by promotion type"),
        labels=[group.label for group in groups],
        series=[
            Series(_("Expense ratio"), [group.figures.expense_ratio for group in groups]),
            Series(_("Payback"), [group.figures.payback for group in groups]),
        ],
        unit="percent",
        axis_label=_("Promotion type"),
        links=[group.link or None for group in groups],
    )


@finance_page
def promotion_expense_page(request):
    """Tables by promotion type and by account (plans, cost, sell-in, expense ratio, incremental packs, cost per
    incremental pack, payback), totals, a chart of the types, period presets; ?export=xlsx."""
    accounts = finance_accounts(request.user)
    form = AnalysisPeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/promotion_expense.html", refused_context(form), status=400)
    month_from, month_to, context = period_context(form)
    report = promotion_expense(accounts=accounts, month_from=month_from, month_to=month_to)
    if request.GET.get("export") == "xlsx":
        return exports.promotion_expense_workbook(report)
    context.update({"report": report, "chart": expense_chart(report)})
    return render(request, "analytics/promotion_expense.html", context)


urlpatterns = [path("promotion-expense/", promotion_expense_page, name="promotion-expense")]
