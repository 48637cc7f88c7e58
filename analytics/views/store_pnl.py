"""The store P&L page (单店经营分析): /analysis/store-pnl/?account=<code>&from=&to= — finance and admin for every
chain, a KA manager for their own; anyone else, and another manager's chain, is answered 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.selectors import finance_accounts
from ka_portal import excel
from ka_portal.charts import Chart, Series
from ka_portal.formatting import account_name

from ..forms import StorePnlForm
from ..store_pnl import StorePnlReport, store_pnl

# How many stores the chart draws (the worst fee ratios); the table below ranks them all, a page at a time.
CHART_STORES = 20


STORES_PER_PAGE = 50


def scoped_accounts(request):
    """The chains whose store P&L the user may read (404 for reps and supervisors); a chain named in ?account=
    outside them is not found either, as if it did not exist."""
    accounts = finance_accounts(request.user)
    code = request.GET.get("account")
    if code and not accounts.filter(code__iexact=code).exists():
        raise Http404
    return accounts


@login_required
def store_pnl_page(request):
    accounts = scoped_accounts(request)
    form = StorePnlForm(request.GET if "account" in request.GET else None, accounts=accounts)
    report = None
    today = timezone.localdate()
    shown = StorePnlForm.default_days(today)  # when no days are asked
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = store_pnl(account=data["account"], start=data["start"], end=data["end"])
        shown = {"from": data["start"], "to": data["end"]}
        if request.GET.get("export") == "xlsx":
            return store_pnl_xlsx(report)
    if not form.errors:  # the date fields show the days the figures are for (or will be, once a chain is chosen)
        if form.is_bound:
            form.data = form.data.copy()
            for name, day in shown.items():
                form.data[name] = f"{day:%Y-%m-%d}"
        else:
            form.initial.update(shown)
    # a chain's stores are hundreds: ranked all together, shown a page at a time (the Excel holds them all)
    page = Paginator(report.rows, STORES_PER_PAGE).get_page(request.GET.get("page")) if report else None
    context = {"form": form, "report": report, "page_obj": page, "chart": fee_ratio_chart(report) if report else None}
    return render(request, "analytics/store_pnl.html", context, status=400 if form.is_bound and form.errors else 200)


def fee_ratio_chart(report: StorePnlReport) -> Chart:
    """Fees as % of sell-in by store, the highest first, at most CHART_STORES stores with sell-in."""
    worst = sorted((row for row in report.rows if row.fee_ratio is not None), key=lambda row: -row.fee_ratio)
    worst = worst[:CHART_STORES]
    return Chart(
        name="store-fee-ratio",
        title=_("Fees as %% of sell-in, by store (top %(count)s)") % {"count": CHART_STORES},
        labels=[f"{row.store.code} {row.store.name}" for row in worst],
        series=[
            Series(_("Fees as a share of sell-in"), [row.fee_ratio for row in worst]),
            Series(_("Alert threshold"), [report.threshold for _row in worst], line=True, dashed=True),
        ],
        kind="horizontal",
        unit="percent",
        axis_label=_("Store"),
    )


def store_pnl_xlsx(report: StorePnlReport):
    headers = [
        _("Rank"), _("Store code"), _("Store"), _("Sell-in (deliveries)"), _("Listing fees"), _("Display fees"),
        _("Promoter fees"), _("Promotion costs"), _("Fees"), _("Contribution"), _("Fees as a share of sell-in"),
        _("Visits done"), _("Red"), _("Yellow"), _("Green"), _("Promotion checks"), _("Execution"),
        _("Renegotiate or exit"), _("Promoter fees: actual (shifts)"), _("Promoter fees: planned"),
    ]  # fmt: skip
    rows = [
        [
            rank, row.store.code, row.store.name, row.sell_in, row.listing_fees, row.display_fees, row.promoter_fees,
            row.promotion_costs, row.fees, row.contribution, row.fee_ratio, row.visits, row.ratings.get("red", 0),
            row.ratings.get("yellow", 0), row.ratings.get("green", 0), row.checks, row.execution,
            _("Yes") if row.flagged else "", row.promoter_pay, row.promoter_planned,
        ]
        for rank, row in enumerate(report.rows, start=1)
    ]  # fmt: skip
    total = report.total
    rows.append(
        ["", "", _("Total"), total.sell_in, total.listing_fees, total.display_fees, total.promoter_fees,
         total.promotion_costs, total.fees, total.contribution, total.fee_ratio, total.visits, "", "", "",
         total.checks, total.execution, "", total.promoter_pay, total.promoter_planned]
    )  # fmt: skip
    formats = dict.fromkeys((*range(3, 10), 18, 19), excel.MONEY_FORMAT)
    formats |= {10: excel.PERCENT_FORMAT, 16: excel.PERCENT_FORMAT}
    name = f"store-pnl-{report.account.code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
    title = f"{_('Store P&L')} {account_name(report.account)}"
    return excel.xlsx_response(name, title, headers, rows, formats)


urlpatterns = [
    path("store-pnl/", store_pnl_page, name="store-pnl"),
]
