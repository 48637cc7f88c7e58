"""Trade-spend pages: gross to net per chain and the month close (issue 12 items 7 and 4).

Finance and admins see every chain, KA managers their own; reps and supervisors are answered 404
(contracts.selectors.finance_accounts). Only finance and admins close months.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from contracts.selectors import finance_accounts
from contracts.views import finance_page
from ka_portal.charts import Chart, Series
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from ka_portal.lists import style_filter_form
from ka_portal.months import MonthInput
from ka_portal.once import new_key, once
from ka_portal.pages import mark_problems
from ka_portal.permissions import can

from .. import closing, exports, reports
from ..models import ClosedMonth, SpendCategory
from ..rules import add_months, month_start, months_between


class PeriodForm(forms.Form):
    """The period (month from–to, or a preset) and the filters of the gross-to-net page."""

    default_period = "this_month"  # the preset read when no period is asked

    preset = forms.ChoiceField(label=_("Period"), required=False, choices=[("", "—"), *reports.PRESETS.items()])
    # Read whole by the reports' own rule (tradespend.reports.report_period), as the API reads ?from=&to=: a month it
    # cannot read or a period it does not take is refused next to its box, kept as typed (months.MonthInput).
    month_from = forms.CharField(label=_("From month"), required=False, widget=MonthInput())
    month_to = forms.CharField(label=_("To month"), required=False, widget=MonthInput())
    account = forms.ModelChoiceField(
        label=_("Key account"), queryset=KeyAccount.objects.none(), to_field_name="code", required=False
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All")), *KeyAccount.Tier.choices])

    def __init__(self, *args, accounts=None, with_filters: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_filters:
            self.fields["account"].queryset = accounts.order_by("code")  # as it reads: "WMT 沃尔玛"
        else:
            del self.fields["account"], self.fields["tier"]
        style_filter_form(self)

    def clean(self):
        data = super().clean()
        names = ("month_from", "month_to")
        try:
            data["months"] = reports.report_period(
                data.get("month_from"),
                data.get("month_to"),
                today=timezone.localdate(),
                default=self.default_period,
                fields=names,
                labels=tuple(self.fields[name].label for name in names),
            )
        except DomainError as refusal:
            mark_problems(self, getattr(refusal, "problems", [refusal]))
        return data

    def period(self, today: date) -> tuple[date, date]:
        """The months asked for: a preset wins, then from/to (either alone: that one month), else the form's
        default period (this month)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("preset"):
            return reports.preset_period(data["preset"], today)
        return data.get("months") or reports.preset_period(self.default_period, today)


def show_period(form: PeriodForm, month_from: date, month_to: date) -> PeriodForm:
    """The form as the page shows it: its month fields hold the period the figures are for (a preset's months, or
    this month when none was asked), so the clerk sees it and edits it from there. A form with an error keeps what
    was typed beside its message."""
    shown = {"month_from": f"{month_from:%Y-%m}", "month_to": f"{month_to:%Y-%m}"}
    if not form.is_bound:
        form.initial.update(shown)
    elif form.is_valid():
        # Only what the fields show changes (the cleaned data stays); the preset goes, or it would win over the
        # months the clerk edits next.
        data = form.data.copy()
        data.pop("preset", None)
        for name, value in shown.items():
            data[name] = value
        form.data = data
    return form


def _period_query(month_from: date, month_to: date, **extra) -> str:
    return urlencode({"month_from": f"{month_from:%Y-%m}", "month_to": f"{month_to:%Y-%m}", **extra})


def _presets(today: date) -> list[tuple[str, str, str]]:
    """(name, label, query) of each preset period, for its button."""
    presets = reports.PRESETS.items()
    return [(name, label, _period_query(*reports.preset_period(name, today))) for name, label in presets]


def _refused(request, template: str, form: PeriodForm, today: date, **context):
    """A period or filter refused (a month not YYYY-MM, a To before the From, more than
    reports.PERIOD_MAX_MONTHS months): the form with its message beside
    the field and what was typed, and no figures, not even the default period's (they would read as the asked
    ones); an export asked with it answers the same page rather than a workbook of another period."""
    context = {**context, "form": form, "refused": True, "presets": _presets(today)}
    return render(request, template, context, status=400)


@finance_page
def gross_to_net(request):
    """One row per chain: gross → rebates → fixed fees → promotion → unsupported deductions → net, with the
    trade-spend ratio; totals; period presets, account and tier filters; ?export=xlsx."""
    accounts = finance_accounts(request.user)
    form = PeriodForm(request.GET or None, accounts=accounts)
    today = timezone.localdate()
    if form.is_bound and not form.is_valid():
        return _refused(request, "tradespend/gross_to_net.html", form, today)
    month_from, month_to = form.period(today)
    show_period(form, month_from, month_to)
    shown = accounts
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("account"):
            shown = shown.filter(pk=form.cleaned_data["account"].pk)
        if form.cleaned_data.get("tier"):
            shown = shown.filter(tier=form.cleaned_data["tier"])
    report = reports.gross_to_net(accounts=shown, month_from=month_from, month_to=month_to)
    if request.GET.get("export") == "xlsx":
        return exports.gross_to_net_workbook(report)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("preset", None)
    query["month_from"], query["month_to"] = f"{month_from:%Y-%m}", f"{month_to:%Y-%m}"
    context = {
        "form": form,
        "report": report,
        "period": _period_query(month_from, month_to),
        "export_query": query.urlencode(),
        "presets": _presets(today),
        # early in a month nothing is invoiced yet and every chain reads a negative net: say so, with the way to
        # the months that have figures (QA: a manager opening the page on the 6th saw only zeros and minus signs)
        "month_begun": month_from == month_to == month_start(today) and not report.total.gross,
    }
    return render(request, "tradespend/gross_to_net.html", context)


def waterfall_chart(figures: reports.Figures) -> Chart:
    """A chain's way from gross invoiced to net, drawn as a waterfall (includes/chart.html): its page and the chain
    page's."""
    steps = figures.steps()
    return Chart(
        name="waterfall",
        title=_("From gross to net"),
        kind="waterfall",
        labels=[str(label) for _step, label, _amount in steps],
        axis_label=_("Step"),
        series=[
            Series(
                _("Amount"),
                [amount for _step, _label, amount in steps],
                # unsupported deductions in red, as in the table beside and the chain's "What needs attention"
                alarming=tuple(
                    index for index, (step, _label, amount) in enumerate(steps) if step == "unsupported" and amount
                ),
            )
        ],
    )


def _ledger_url(account: KeyAccount, month_from: date, month_to: date, category: str = "") -> str:
    """The ledger page (tradespend/views/accruals.py) filtered to this chain and period (and category)."""
    extra = {"category": category} if category else {}
    return "/trade-spend/ledger/?" + urlencode(
        {"account": account.code, "month_from": f"{month_from:%Y-%m}", "month_to": f"{month_to:%Y-%m}", **extra}
    )


def _deductions_url(account: KeyAccount, month_from: date, month_to: date) -> str:
    """The deductions page (tradespend/views/matching.py) with the deductions behind the unsupported figure: this
    chain's dated in the period, whatever their state, since a partly matched one's remainder counts too."""
    last_day = add_months(month_to, 1) - timedelta(days=1)
    return "/trade-spend/deductions/?" + urlencode(
        {"account": account.code, "date_from": month_from.isoformat(), "date_to": last_day.isoformat()}
    )


@finance_page
def gross_to_net_account(request, code):
    """One chain: the waterfall (chart and table), spend by kind with ratios, contract execution, month by
    month with closed months marked, and links to the ledger and to its unsupported deductions; ?export=xlsx: those
    tables with the page's figures, a sheet each."""
    accounts = finance_accounts(request.user)
    account = get_object_or_404(accounts, code__iexact=code)
    form = PeriodForm(request.GET or None, with_filters=False)
    today = timezone.localdate()
    if form.is_bound and not form.is_valid():
        return _refused(request, "tradespend/gross_to_net_account.html", form, today, account=account)
    month_from, month_to = form.period(today)
    show_period(form, month_from, month_to)
    one = accounts.filter(pk=account.pk)
    report = reports.gross_to_net(accounts=one, month_from=month_from, month_to=month_to)
    row = report.rows[0]
    figures = row.figures
    empty = reports.Figures()
    months = [(month, row.by_month.get(month) or empty, report.closed.get(month)) for month in report.months]
    categories = {
        "rebates": SpendCategory.REBATE,
        "fixed_fees": SpendCategory.FIXED_FEE,
        "promotion": SpendCategory.PROMOTION,
    }
    links = {name: _ledger_url(account, month_from, month_to, category) for name, category in categories.items()}
    deductions_url = _deductions_url(account, month_from, month_to)
    links["unsupported"] = deductions_url
    waterfall = [
        {
            "name": step,
            "label": label,
            "amount": amount,
            "share": reports.ratio(amount, figures.gross),
            "sign": {"gross": "", "net": "="}.get(step, "−"),
            "link": links.get(step, ""),
        }
        for step, label, amount in figures.steps()
    ]
    tables = {  # what the page's tables show, and its Excel (a sheet per table)
        "account": account,
        "report": report,
        "figures": figures,
        "months": months,
        "waterfall": waterfall,
        "unsupported_ratio": reports.ratio(figures.unsupported, figures.gross),
        "execution": reports.contract_execution(accounts=one, month_from=month_from, month_to=month_to),
    }
    if request.GET.get("export") == "xlsx":
        return exports.gross_to_net_account_workbook(**tables)
    context = {
        **tables,
        "form": form,
        "chart": waterfall_chart(figures),
        "ledger_url": _ledger_url(account, month_from, month_to),
        "category_links": links,
        "deductions_url": deductions_url,
        # why the unsupported figure and the deductions it links to may not add up alike: recoveries across the period
        "recoveries_across": reports.recoveries_across([account.pk], month_from, month_to),
        "period": _period_query(month_from, month_to),
        "export_query": _period_query(month_from, month_to),
        "presets": _presets(today),
    }
    return render(request, "tradespend/gross_to_net_account.html", context)


# --- month close -----------------------------------------------------------------------------------------------

MONTHS_SHOWN = 36  # months per page of the months page, newest first


@finance_page
def months(request):
    """Every month from the first with a record to this one, newest first, MONTHS_SHOWN a page (?page=): closed (by
    whom, when) or open, the figures of the chains the user sees, and for finance a "Close" button on the month that
    may close now (the next one: closing.next_month_to_close, when it is over). However far back that month lies (a
    catch-up of records dated before the first closed month: closing.catch_up_month), the list reaches it, and a page
    that does not hold it names it above the list with its button and a link to its page.
    ?waiting=true: only the months waiting to close (closing.months_waiting: from the next one through the last with a
    record before this one)."""
    accounts = finance_accounts(request.user)
    today = timezone.localdate()
    this = month_start(today)
    active = closing.months_with_activity()
    closed = {c.month: c for c in ClosedMonth.objects.select_related("closed_by")}
    # the one month a close may take (months close in order, none skipped; before any close, the books' first)
    next_to_close = closing.next_month_to_close()
    first = min([*active, *closed, add_months(this, -11), *([next_to_close] if next_to_close else [])])
    waiting = set(closing.months_waiting(this))
    only_waiting = request.GET.get("waiting") == "true"  # the home page's "months to close": those rows alone
    may_close = can(request.user, ClosedMonth, "add")
    every = list(reversed(months_between(first, this)))
    listed = [month for month in every if month in waiting] if only_waiting else every
    paginator = Paginator(listed, MONTHS_SHOWN)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    report = reports.gross_to_net(accounts=accounts, month_from=min(shown), month_to=max(shown)) if shown else None
    open_months = [month for month in shown if month not in closed]
    true_ups = closing.true_ups_by_month(accounts=accounts, months=open_months)
    rows = []
    for month in shown:
        total = reports.Figures()
        for row in report.rows:
            if month in row.by_month:
                total.add(row.by_month[month])
        closable = may_close and month < this and month == next_to_close
        rows.append(
            {
                "month": month,
                "closed": closed.get(month),
                "closed_text": _closed_text(closed.get(month)),
                "figures": total,
                "closable": closable,
                "true_ups": true_ups.get(month),
                "true_ups_months": _months_html(true_ups[month]) if month in true_ups else "",
                "true_ups_url": _true_ups_url(month) if month in true_ups else "",
            }
        )
    # the month to close next, when it may close now and this page does not hold it: named above the list
    close_next = None
    if may_close and next_to_close is not None and next_to_close < this and next_to_close not in shown:
        within = listed if next_to_close in listed else every  # the waiting months' page, else every month's
        query = {"waiting": "true"} if within is listed and only_waiting else {}
        query["page"] = within.index(next_to_close) // MONTHS_SHOWN + 1
        close_next = {"month": next_to_close, "page_url": f"{reverse('tradespend:months')}?{urlencode(query)}"}
    context = {
        "rows": rows,
        "this_month": this,
        "may_close": may_close,
        "only_waiting": only_waiting,
        "page_obj": page,
        "close_next": close_next,
    }
    return render(request, "tradespend/months.html", context)


def _months_html(true_ups: closing.TrueUps) -> str:
    """The closed months a true-up corrects, each month on one line (a phone may break a span after its dash, never
    inside 2026-11)."""
    month = '<span class="text-nowrap">{}</span>'
    spans = (format_html_join("–", month, ((one,) for one in span.split("–"))) for span in true_ups.month_spans())
    return mark_safe(", ".join(spans))  # noqa: S308 — each part escaped by format_html_join


def _true_ups_url(month: date) -> str:
    """The ledger's true-up lines landed in ``month``, each with the closed months and the source it corrects."""
    query = urlencode({"stage": "true_up", "month_from": f"{month:%Y-%m}", "month_to": f"{month:%Y-%m}"})
    return f"{reverse('tradespend:ledger')}?{query}"


def _closed_text(closed: ClosedMonth | None) -> str:
    """Who closed a month and when, one sentence ("刘洋 于 2026-12-03 04:47 结账")."""
    if closed is None:
        return ""
    who = display_name(closed.closed_by) if closed.closed_by else "—"
    at = timezone.localtime(closed.closed_at)
    # The date and the time each on one line: the sentence wraps between words, never inside 2026-12-03.
    when = format_html(
        '<span class="text-nowrap">{}</span> <span class="text-nowrap">{}</span>',
        date_format(at, "SHORT_DATE_FORMAT"),
        date_format(at, "TIME_FORMAT"),
    )
    # The sentence is the catalogue's; the name is escaped, the time is our own markup.
    return mark_safe(  # noqa: S308
        gettext("Closed by %(who)s on %(when)s") % {"who": conditional_escape(who), "when": when}
    )


@finance_page
def month_close(request):
    """GET: what closing the month will freeze (each chain's figures) and whether it may close; POST: close it."""
    if not can(request.user, ClosedMonth, "add"):
        raise PermissionDenied
    asked = request.POST.get("month") or request.GET.get("month")
    if not asked and request.method == "GET":
        return _month_to_close(request)
    month = reports.parse_month(asked)
    if month is None:
        raise Http404
    if request.method == "POST":

        def close():
            closing.month_close(month=month, by=request.user)
            return gettext("%(month)s is closed: its figures are frozen.") % {"month": f"{month:%Y-%m}"}

        try:  # a close posted again is answered as the first, not with "already closed"
            messages.success(request, once(request, f"tradespend.month_close:month={month:%Y-%m}", close))
        except DomainError as refusal:
            messages.error(request, refusal.detail)
        return redirect("tradespend:months")
    preview = closing.month_close_preview(month=month, by=request.user)
    context = {
        "preview": preview,
        "month": month,
        "closed_text": _closed_text(preview.closed),
        "request_key": new_key,
    }
    return render(request, "tradespend/month_close.html", context)


def _month_to_close(request):
    """The close page asked for no month (a bookmark of it): the earliest month waiting to close, the one a close
    may take now (months close in order); with none waiting, the months page, saying so."""
    this = month_start(timezone.localdate())
    waiting = closing.earliest_open_month(this)
    if waiting is None:
        messages.info(
            request, gettext("No month is waiting to close: every month before this one with a record is closed.")
        )
        return redirect("tradespend:months")
    return redirect(f"{reverse('tradespend:month-close')}?{urlencode({'month': f'{waiting:%Y-%m}'})}")


urlpatterns = [
    path("gross-to-net/", gross_to_net, name="gross-to-net"),
    path("gross-to-net/<str:code>/", gross_to_net_account, name="gross-to-net-account"),
    path("months/", months, name="months"),
    path("months/close/", month_close, name="month-close"),
]
