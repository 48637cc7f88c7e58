"""The chain page (客户经营全景, issue 15 item 1): one key account over a period of whole months, every figure
linking to the list behind it, with its Excel (?export=xlsx). Finance and admins reach every chain, a KA manager
their own; reps and supervisors are answered 404 (contracts.views.finance_page)."""

from datetime import date
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contracts.receivables import Bucket
from contracts.selectors import finance_accounts
from contracts.views import finance_page
from ka_portal.charts import Chart, Series
from tradespend import reports
from tradespend.views.gross_to_net import _ledger_url, _period_query, _presets, show_period, waterfall_chart
from visits.models import SuggestedOrder

from ..chain import PROMOTION_LINES, chain_overview
from ..chain_excel import chain_workbook
from .periods import AnalysisPeriodForm


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def month_label(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def charts(overview) -> dict[str, Chart]:
    """The page's three drawings; each carries its figures as a table (includes/chart.html)."""
    trend = overview.trend
    labels = [month_label(date.fromisoformat(month.label)) for month in trend]
    figures = overview.figures
    return {
        "trend": Chart(
            name="trend",
            title=_("Sell-in month by month"),
            labels=labels,
            axis_label=_("Month"),
            series=[
                Series(_("Actual"), [None if m.future else m.actual for m in trend]),
                # a month left blank has no target: no point, "—" in the table, never a target of 0
                Series(_("Target"), [m.target if m.targeted else None for m in trend], line=True),
                Series(_("Last year"), [m.last_year for m in trend], line=True, dashed=True),
            ],
        ),
        "waterfall": waterfall_chart(figures),
        "aging": Chart(
            name="aging",
            title=_("Receivables by days past due"),
            labels=[str(label) for label in Bucket.labels],
            axis_label=_("Days past due"),
            series=[Series(_("Open"), [overview.aging.buckets[bucket] for bucket in Bucket.values])],
            links=[
                _url(
                    "contracts:aging-invoices",
                    account=overview.account.code,
                    bucket=bucket,
                    as_of=overview.as_of.isoformat(),
                )
                for bucket in Bucket.values
            ],
        ),
    }


def links(overview) -> dict[str, str]:
    """Where each figure comes from: the list behind it, filtered to this chain (and period where the list has one)."""
    account, code = overview.account, overview.account.code
    month_from, month_to = overview.month_from, overview.month_to
    return {
        "performance": _url("accounts:account-detail", account.pk, year=month_to.year),
        "gross_to_net": _url(
            "tradespend:gross-to-net-account", code, month_from=f"{month_from:%Y-%m}", month_to=f"{month_to:%Y-%m}"
        ),
        "ledger": _ledger_url(account, month_from, month_to),
        "plans": _url("promotions:plan-list", account=code),
        "receivables": _url("contracts:receivables-account", account.pk),
        "aging": _url("contracts:aging-invoices", account=code, as_of=overview.as_of.isoformat()),
        "stores": _url("stores:store-list", account=code, active="true"),
        # the week the period's figures are read up to, at this chain's stores only
        "compliance": _url("visits:compliance", account=code, week=overview.as_of.isoformat()),
        "flags": _url(
            "visits:suggested-order-list",
            account=code,
            date=overview.flags_date.isoformat() if overview.flags_date else None,
            flagged="yes",
        ),
        "contracts": _url("contracts:contract-list", account=code, expiring="true"),
        "disputes": _url("tradespend:disputes", account=code),
    }


@finance_page
def chain(request, code):
    account = get_object_or_404(finance_accounts(request.user), code__iexact=code)
    form = AnalysisPeriodForm(request.GET or None)
    today = timezone.localdate()
    if form.is_bound and not form.is_valid():
        # a period refused (a month not YYYY-MM, a To before its From, too long): its message beside the field, and
        # no figures of another period (the default one's would read as the asked ones); an export asked with it
        # answers this page
        context = {"form": form, "account": account, "refused": True, "presets": _presets(today)}
        return render(request, "analytics/chain.html", context, status=400)
    month_from, month_to = form.period(today)
    show_period(form, month_from, month_to)  # a preset, or none asked (the year so far): the fields show its months
    export = request.GET.get("export") == "xlsx"
    overview = chain_overview(
        user=request.user,
        account=account,
        month_from=month_from,
        month_to=month_to,
        today=today,
        # the workbook lists every plan, so its promotions' totals row adds up the rows above it
        promotion_lines=None if export else PROMOTION_LINES,
    )
    if export:
        return chain_workbook(overview)
    flag_labels = dict(SuggestedOrder.Flag.choices)
    context = {
        "form": form,
        "account": account,
        "o": overview,
        "charts": charts(overview),
        "links": links(overview),
        "flags": [
            (
                flag,
                flag_labels[flag],
                count,
                _url(
                    "visits:suggested-order-list",
                    account=code,
                    date=overview.flags_date.isoformat() if overview.flags_date else None,
                    flag=flag,
                ),
            )
            for flag, count in overview.flags.items()
        ],
        "steps": [
            {
                "name": step,
                "label": label,
                "amount": amount,
                "share": reports.ratio(amount, overview.figures.gross),
                "sign": {"gross": "", "net": "="}.get(step, "−"),
            }
            for step, label, amount in overview.figures.steps()
        ],
        "export_query": _period_query(month_from, month_to),
        "presets": _presets(today),
    }
    return render(request, "analytics/chain.html", context)


urlpatterns = [path("chains/<str:code>/", chain, name="chain")]
