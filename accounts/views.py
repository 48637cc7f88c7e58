"""Key-account pages: the list, an account's page (contacts, contact log, targets vs actual, stores), the
performance table, and contacts. Every queryset starts from ka_portal/scope.py: out of scope is 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name, display_name
from ka_portal.lists import Column, FilteredListView
from ka_portal.pages import run_step, show_refusal
from ka_portal.permissions import can, model_permission, require
from ka_portal.scope import accounts_for, contact_logs_for, contacts_for, finance_accounts_for, sees_finance, stores_for

from . import selectors, services
from .filters import KeyAccountFilter
from .forms import ContactForm, ContactLogForm, KeyAccountForm, MonthTargetsForm, PeriodForm, TargetsForm, parse_month
from .models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget


class AccountListView(FilteredListView):
    template_name = "accounts/account_list.html"
    filterset_class = KeyAccountFilter
    export_name = gettext_lazy("key accounts")
    export_columns = [
        Column(gettext_lazy("Code"), lambda a: a.code),
        Column(gettext_lazy("Name"), lambda a: a.name),
        Column(gettext_lazy("English name"), lambda a: a.name_en),
        Column(gettext_lazy("Tier"), lambda a: a.tier),
        Column(gettext_lazy("Format"), lambda a: a.get_format_display()),
        Column(gettext_lazy("Purchasing mode"), lambda a: a.get_purchasing_mode_display()),
        Column(gettext_lazy("Margin model"), lambda a: a.get_margin_model_display()),
        Column(gettext_lazy("KA manager"), lambda a: display_name(a.owner) if a.owner else ""),
        Column(gettext_lazy("Region"), lambda a: a.region),
        Column(gettext_lazy("Stores"), lambda a: a.store_total),
        Column(gettext_lazy("Active"), lambda a: a.active),
    ]

    def get_base_queryset(self):
        return (
            accounts_for(self.request.user)
            .select_related("owner")
            .annotate(store_total=Count("stores", filter=Q(stores__active=True)))
            .order_by("code")
        )


def _account(request, pk: int) -> KeyAccount:
    return get_object_or_404(accounts_for(request.user).select_related("owner"), pk=pk)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@model_permission(KeyAccount, get="view", post="view")  # then add or change, below
def account_edit(request, pk: int | None = None):
    """A new key account (an administrator: the role that may add one) or an account's master data (its KA manager
    or an administrator), saved through the service the API and the admin save through: the code's rules and who
    may name the account's KA manager (accounts.services.account_save)."""
    account = _account(request, pk) if pk else None
    require(request.user, KeyAccount, "change" if account else "add")
    form = KeyAccountForm(request.POST or None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if not form.fields[name].disabled}
        try:
            saved = services.account_save(account=account, by=request.user, **fields)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Key account %(code)s saved.") % {"code": saved.code})
            return redirect("accounts:account-detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_form.html", {"form": form, "account": account}, status=status)


@model_permission(KeyAccount)
def account_detail(request, pk: int):
    account = _account(request, pk)
    return render(request, "accounts/account_detail.html", _detail_context(request, account))


def _detail_context(request, account, log_form=None):
    """The account page; each section only for a role that may view what it shows (the API's permissions)."""
    user = request.user
    year = _year(request)
    context = {
        "account": account,
        "year": year,
        "years": _years(),
        "show_targets": can(user, SalesTarget),
        "show_contacts": can(user, Contact),
        "show_log": can(user, ContactLog),
        "can_log": can(user, ContactLog, "add"),
        "can_edit_contacts": can(user, Contact, "add"),
        "can_edit_targets": can(user, SalesTarget, "change"),
        "today": timezone.localdate(),
        "show_overview": sees_finance(user),  # the chain page (analytics:chain) reads the chain's money too
    }
    if context["show_targets"]:
        figures = selectors.account_year_by_month(account=account, year=year, today=context["today"])
        context.update(year_figures=figures, months=figures.months, total=figures.total)
    if context["show_contacts"]:
        context["contacts"] = account.contacts.all()
    if context["show_log"]:
        context["log_entries"] = account.contact_logs.select_related("contact", "author")[:30]
        context["log_form"] = log_form or (ContactLogForm(account=account) if context["can_log"] else None)
    # The chain's stores trading today, as the accounts list counts them (a closed store is in the store list's
    # "Inactive only"): the link opens the same stores.
    trading = stores_for(user).filter(account=account, active=True)
    context["stores"] = trading.select_related("rep").order_by("grade", "code")[:50]
    context["store_total"] = trading.count()
    return context


@model_permission(ContactLog, get=None, post="add")
@require_POST
def contact_log_add(request, pk: int):
    """Add a contact-log entry in place: htmx swaps the log section; without JavaScript the page reloads."""
    account = _account(request, pk)
    form = ContactLogForm(request.POST, account=account)
    if form.is_valid():
        try:
            services.contact_log_add(account=account, author=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
    if form.is_valid():  # show_refusal above made it invalid if the service refused
        if not request.htmx:
            messages.success(request, _("Contact log entry added."))
            return redirect("accounts:account-detail", pk=account.pk)
        form = None  # a fresh, empty form under the updated log
    context = _detail_context(request, account, log_form=form)
    if request.htmx:
        return render(request, "accounts/_contact_log.html", context)
    return render(request, "accounts/account_detail.html", context, status=400)


@model_permission(ContactLog, get=None, post="change")
@require_POST
def follow_up_done(request, pk: int, entry_pk: int):
    account = _account(request, pk)
    entry = get_object_or_404(contact_logs_for(request.user), pk=entry_pk, account=account)
    return run_step(
        request,
        lambda: services.contact_log_follow_up_done(entry=entry, done=request.POST.get("done", "1") == "1"),
        success=_("Follow-up marked as done."),
        then=reverse("accounts:account-detail", args=[account.pk]),
        follow_next=True,
    )


@model_permission(Contact, get="view", post="view")  # then add or change, below
def contact_edit(request, pk: int, contact_pk: int | None = None):
    account = _account(request, pk)
    contact = get_object_or_404(contacts_for(request.user), pk=contact_pk, account=account) if contact_pk else None
    require(request.user, Contact, "change" if contact else "add")
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.contact_save(contact=contact, account=account, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": saved.name})
            return redirect("accounts:account-detail", pk=account.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/contact_form.html", {"account": account, "form": form, "contact": contact}, status=status
    )


@model_permission(SalesTarget, get="change", post="change")
def targets_edit(request, pk: int):
    """A manager sets an account's twelve monthly targets for a year."""
    account = _account(request, pk)
    year = _year(request)
    current = dict(account.targets.filter(year=year).values_list("month", "amount"))
    form = TargetsForm(request.POST or None, initial={f"m{m}": a for m, a in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_set(account=account, year=year, amounts=form.amounts())
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Targets for %(year)s saved.") % {"year": year})
            return redirect(f"{reverse('accounts:account-detail', args=[account.pk])}?year={year}")
    context = {"account": account, "form": form, "year": year, "years": _years()}
    return render(request, "accounts/targets_form.html", context, status=400 if form.errors else 200)


@model_permission(StoreTarget, get="change", post="change")
def month_targets_edit(request, pk: int):
    """A KA manager (or an admin) sets one month's targets of an account's stores, and its collection target."""
    account = _account(request, pk)
    try:
        month = parse_month(request.GET.get("month"))
    except ValidationError:
        month = None
    today = timezone.localdate()
    month = month or today.replace(day=1)
    stores = list(stores_for(request.user).filter(account=account).active().order_by("code"))
    with_collection = can(request.user, CollectionTarget, "change") and account.pk in set(
        finance_accounts_for(request.user).values_list("pk", flat=True)
    )
    current = dict(StoreTarget.objects.filter(store__in=stores, month=month).values_list("store_id", "amount"))
    initial = {f"amount_{store_id}": amount for store_id, amount in current.items()}
    if with_collection:
        initial["collection"] = (
            CollectionTarget.objects.filter(account=account, month=month).values_list("amount", flat=True).first()
        )
    form = MonthTargetsForm(request.POST or None, initial=initial, stores=stores, with_collection=with_collection)
    if request.method == "POST" and form.is_valid():
        fields = {"collection": form.cleaned_data.get("collection")} if with_collection else {}
        try:
            services.month_targets_set(account=account, month=month, store_amounts=form.store_amounts(), **fields)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Targets for %(month)s saved.") % {"month": f"{month:%Y-%m}"})
            return redirect(f"{reverse('analytics:targets-account', args=[account.code])}?month={month:%Y-%m}")
    context = {"account": account, "form": form, "month": month}
    return render(request, "accounts/month_targets_form.html", context, status=400 if form.errors else 200)


def _years():
    this_year = timezone.localdate().year
    return range(this_year - 3, this_year + 2)


PERFORMANCE_COLUMNS = [
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Key account")),
    ("tier", gettext_lazy("Tier")),
    ("target", gettext_lazy("Target")),
    ("actual", gettext_lazy("Actual")),
    ("difference", gettext_lazy("Difference")),
    ("achievement", gettext_lazy("Achievement")),
    ("growth", gettext_lazy("Growth")),
]


@model_permission(SalesTarget)
def performance(request):
    """SPEC §7's key-account table: target, actual, difference, achievement and growth per account, with totals."""
    form = PeriodForm(request.GET)  # no parameters is valid too: January to this month, every tier
    rows, total, period, today = [], None, None, timezone.localdate()
    # A sort the report does not take (an old link, a hand-typed address) is dropped and said so above the table,
    # which shows (and exports) in its own order, as a list's page does (FilteredListView.sort_refused).
    sort, sort_refused = request.GET.get("sort") or selectors.PERFORMANCE_SORT, None
    try:
        selectors.check_performance_sort(sort)
    except DomainError:
        sort, sort_refused = selectors.PERFORMANCE_SORT, sort
    if form.is_valid():
        period = form.cleaned_data["period"]
        # January to this month when not asked: the month fields show it, as the sentence under them does
        form.data = form.data.copy()
        form.data["month_from"], form.data["month_to"] = f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"
        rows, total = selectors.account_performance(
            user=request.user,
            period=period,
            sort=sort,
            accounts=accounts_for(request.user),
            tier=form.cleaned_data["tier"],
            today=today,
        )
        if request.GET.get("export") == "xlsx":
            return _performance_xlsx(rows, total, period, _so_far(period, today))
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "period": period,
        "so_far": _so_far(period, today) if period else None,
        "columns": PERFORMANCE_COLUMNS,
        # only some months of the period have a target (at an account, or some accounts none): said under the period
        "part_note": PERFORMANCE_PART_NOTE if total is not None and total.with_target else None,
        "sort": sort,
        "sort_refused": sort_refused,
    }
    return render(request, "accounts/performance.html", context, status=200 if form.is_valid() else 400)


# Said under the period (page) and above the table (Excel) when only some months of the period have a target.
PERFORMANCE_PART_NOTE = gettext_lazy(
    "Not every month of this period has a target (a month left blank has none): difference and achievement compare "
    "only the months with a target, their actual against their target."
)


def _compared_cells(row):
    """Target, actual, difference and achievement of a row: the target compared over its months with a target."""
    compared = row.compared
    if compared is None:
        return [None, row.actual, None, None]
    return [compared.target, row.actual, compared.difference, compared.achievement]


def _so_far(period, today):
    """A period still running reads "so far" (its actual to today, last year's same days): the day it runs to, else
    None. The page's sentence and the Excel's say the same."""
    return period.actual_to(today) if period.first <= today < period.end else None


def _performance_xlsx(rows, total, period, so_far):
    # the target, difference and achievement are those over the months with a target (Performance.compared):
    # blank where an account has none; the months and their actual in the last two columns, as the page says
    headers = [label for _key, label in PERFORMANCE_COLUMNS] + [
        _("Same period last year"), _("Months with a target"), _("Actual in months with a target")
    ]  # fmt: skip
    lines = [
        [r.account.code, account_name(r.account), r.account.tier, *_compared_cells(r), r.growth, r.last_year,
         r.target_month_runs or None, r.compared.actual if r.compared else None]
        for r in rows
    ]  # fmt: skip
    lines.append(
        ["", _("Total"), "", *_compared_cells(total), total.growth, total.last_year, None,
         total.compared.actual if total.compared else None]
    )  # fmt: skip
    # above the table, what it covers, as the page says it: the months, and "so far" while the period runs
    intro = [
        _("%(first)s to %(last)s, in CNY. Achievement = actual ÷ target; growth = actual ÷ same period last year − 1.")
        % {"first": f"{period.first:%Y-%m}", "last": f"{period.last:%Y-%m}"}
    ]
    if so_far:
        intro.append(
            _(
                "So far, to %(day)s: achievement is the actual so far against the whole period's target; growth "
                "compares the same days a year before."
            )
            % {"day": date_format(so_far, "SHORT_DATE_FORMAT")}
        )
    if total.with_target:
        intro.append(str(PERFORMANCE_PART_NOTE))
    name = f"account-performance-{period.first:%Y-%m}-{period.last:%Y-%m}.xlsx"
    formats = {6: excel.PERCENT_FORMAT, 7: excel.PERCENT_FORMAT}
    return excel.xlsx_response(name, _("Account performance"), headers, lines, formats, intro)
