"""Store and collection targets (issue 15): /analysis/targets/?month=YYYY-MM per account — its own target beside its
stores' roll-up and the difference, the stores' achievement, the collection target against payments received —
and /analysis/targets/<code>/ for one account's stores. Finance and admin see every chain, a KA manager their own;
reps and supervisors are answered 404 (collections are receivables, which they do not see: SPEC §1; their own
stores' targets are on the API, /api/v1/store-targets/)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.models import CollectionTarget, StoreTarget
from contracts.selectors import finance_accounts
from ka_portal import excel
from ka_portal.formatting import account_name
from ka_portal.permissions import can
from ka_portal.scope import stores_for

from ..forms import TargetMonthForm
from ..targets import targets_by_account, targets_by_store


def _month(request):
    form = TargetMonthForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else None
    if month and not form.data.get("month"):  # no month asked (this month): the field shows the one the page is for
        form.data = form.data.copy()
        form.data["month"] = f"{month:%Y-%m}"
    return form, month


@login_required
def targets_page(request):
    accounts = finance_accounts(request.user)
    form, month = _month(request)
    rows, total = targets_by_account(accounts=accounts, month=month) if month else ([], None)
    if month and request.GET.get("export") == "xlsx":
        return _accounts_xlsx(rows, total, month)
    context = {
        "form": form,
        "month": month,
        "rows": rows,
        "total": total,
        "can_import": can(request.user, StoreTarget, "add") or can(request.user, CollectionTarget, "add"),
    }
    return render(request, "analytics/targets.html", context, status=200 if month else 400)


@login_required
def targets_account_page(request, code: str):
    account = get_object_or_404(finance_accounts(request.user), code__iexact=code)
    form, month = _month(request)
    lines, summary = [], [None]
    if month:
        lines = targets_by_store(stores=stores_for(request.user).filter(account=account), month=month)
        summary = targets_by_account(accounts=finance_accounts(request.user).filter(pk=account.pk), month=month)[0]
    if month and request.GET.get("export") == "xlsx":
        return _stores_xlsx(account, lines, month)
    context = {
        "form": form,
        "month": month,
        "account": account,
        "lines": lines,
        "summary": summary[0],
        "can_edit": can(request.user, StoreTarget, "change"),
    }
    return render(request, "analytics/targets_account.html", context, status=200 if month else 400)


def _accounts_xlsx(rows, total, month):
    headers = [
        _("Code"), _("Key account"), _("Account target"), _("Store targets (sum)"), _("Difference"),
        _("Stores with a target"), _("Sell-in (deliveries)"), _("Achievement"), _("Collection target"),
        _("Payments received"), _("Collection achievement"),
    ]  # fmt: skip

    def line(code, name, row):
        return [
            code, name, row.sales_target, row.store_targets, row.roll_up_difference, row.stores_with_target,
            row.sell_in, row.achievement, row.collection_target, row.received, row.collection_achievement,
        ]  # fmt: skip

    lines = [line(row.account.code, account_name(row.account), row) for row in rows]
    lines.append(line("", _("Total"), total))
    formats = dict.fromkeys((2, 3, 4, 6, 8, 9), excel.MONEY_FORMAT) | {
        7: excel.PERCENT_FORMAT,
        10: excel.PERCENT_FORMAT,
    }
    return excel.xlsx_response(f"targets-{month:%Y-%m}.xlsx", _("Targets"), headers, lines, formats)


def _stores_xlsx(account, lines, month):
    headers = [_("Store code"), _("Store"), _("Target"), _("Sell-in (deliveries)"), _("Difference"), _("Achievement")]
    rows = [[x.store.code, x.store.name, x.target, x.sell_in, x.difference, x.achievement] for x in lines]
    formats = {2: excel.MONEY_FORMAT, 3: excel.MONEY_FORMAT, 4: excel.MONEY_FORMAT, 5: excel.PERCENT_FORMAT}
    name = f"store-targets-{account.code}-{month:%Y-%m}.xlsx"
    return excel.xlsx_response(name, _("Store targets"), headers, rows, formats)


urlpatterns = [
    path("targets/", targets_page, name="targets"),
    path("targets/<str:code>/", targets_account_page, name="targets-account"),
]
