"""Finance pages: contract ledger, receivables by account, aging and statements.

Every page starts from contracts/selectors.py (scoped by ka_portal/scope.py): reps and supervisors
get 404 everywhere here; KA managers read their own accounts; finance and admins may change things.
"""

from datetime import date, timedelta
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from ka_portal import downloads
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name, format_money
from ka_portal.lists import Column, FilteredListView
from ka_portal.money import money_sum
from ka_portal.pages import run_step, show_refusal
from ka_portal.permissions import ModelPermissionMixin, require
from ka_portal.scope import sees_finance

from . import exports, rules, selectors, services
from .filters import ContractFilter, ContractTermFilter, expiring_soon
from .forms import (
    AsOfForm,
    ContractForm,
    ContractTermForm,
    CreditNoteForm,
    DeductionForm,
    InvoiceForm,
    PaymentForm,
    PeriodForm,
    ReasonForm,
    parsed_contract,
)
from .models import Contract, open_q
from .receivables import Bucket


def finance_page(view):
    """Logged in, and a finance role (finance, admin, KA manager): anyone else is answered 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not sees_finance(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class FinanceMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not sees_finance(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _require(user, permission: str) -> None:
    """`add_payment` → the role's permission on that contracts model, checked by ka_portal/permissions.py."""
    action, model_name = permission.split("_", 1)
    require(user, apps.get_model("contracts", model_name), action)


# --- contract ledger ---------------------------------------------------------------------------


class ContractListView(FinanceMixin, FilteredListView):
    template_name = "contracts/contract_list.html"
    filterset_class = ContractFilter
    export_name = _("contracts")
    export_columns = [
        Column(_("Number"), lambda c: c.number),
        Column(_("Key account"), lambda c: account_name(c.account)),
        Column(_("Kind"), lambda c: c.get_kind_display()),
        Column(_("Status"), lambda c: Contract.Status(c.status_today).label),
        Column(_("Terminated on"), lambda c: c.terminated_on),
        Column(_("Signed on"), lambda c: c.signed_on),
        Column(_("Valid from"), lambda c: c.valid_from),
        Column(_("Valid to"), lambda c: c.valid_to),
        Column(_("Total amount"), lambda c: c.total_amount),
        Column(_("Rebate %"), lambda c: c.rebate_percent, "0.00"),
        Column(_("Listing fee"), lambda c: c.listing_fee),
        Column(_("Payment terms (days)"), lambda c: c.payment_terms_days, "0"),
    ]

    def get_base_queryset(self):
        contracts = selectors.contracts_for(self.request.user).annotate(invoice_count=Count("invoices"))
        return selectors.with_figure_sources(contracts).order_by("-valid_from", "number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["today"] = today
        context["warning_days"] = settings.KA.contract_expiry_warning_days
        context["soon"] = today + timedelta(days=context["warning_days"])
        # The alert says how many end soon and links to them (the ledger filtered); who was reminded folds under it.
        context["expiring_count"] = selectors.contracts_for(self.request.user).filter(expiring_soon()).count()
        context["reminders"] = selectors.reminders_for(self.request.user).filter(valid_to__gte=today)[:10]
        context["can_edit"] = self.request.user.has_perm("contracts.change_contract")
        return context


class ContractDetailView(FinanceMixin, ModelPermissionMixin, DetailView):
    model = Contract  # its view permission; the rows come from get_queryset's scope
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":  # the contract's term lines, as the import reads them
            contract = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            return exports.terms_workbook(contract.terms.select_related("contract"), name=contract.number)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.with_figure_sources(selectors.contracts_for(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoices = selectors.with_aging(self.object.invoices.all()).order_by("-date", "-number")
        context["invoices"] = invoices
        context["invoice_totals"] = invoices.aggregate(amount=money_sum("amount"), open=money_sum("open_amount"))
        context["reminders"] = self.object.reminders.select_related("recipient")
        context["can_edit"] = self.request.user.has_perm("contracts.change_contract")
        context["terms"] = self.object.terms.order_by("kind", "valid_from", "pk")
        context["can_edit_terms"] = self.request.user.has_perm("contracts.change_contractterm")
        if self.object.attachment:
            context["attachment_name"] = downloads.stored_filename(self.object.attachment)
        return context


@finance_page
def contract_attachment(request, pk):
    """The contract's attachment, for whoever may read the contract: found through the user's finance
    scope (else 404), never from a public /media/ URL."""
    _require(request.user, "view_contract")
    contract = get_object_or_404(selectors.contracts_for(request.user), pk=pk)
    return downloads.file_response(contract.attachment)


@finance_page
def contract_edit(request, pk=None):
    """Add a contract to the ledger or change one (finance)."""
    _require(request.user, "change_contract" if pk else "add_contract")
    contract = get_object_or_404(selectors.contracts_for(request.user), pk=pk) if pk else None
    accounts = selectors.finance_accounts(request.user)
    form = ContractForm(request.POST or None, request.FILES or None, instance=contract, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                contract = services.contract_create(**parsed_contract(form))
            else:
                contract = services.contract_update(contract=contract, **parsed_contract(form))
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, gettext("Contract %(number)s saved.") % {"number": contract.number})
            return redirect("contracts:contract-detail", pk=contract.pk)
    # Refused (a field the form cannot read, or a rule of the service): 400, the form drawn again as typed with each
    # problem next to its field, as the project's other forms answer.
    status = 400 if form.errors else 200
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract}, status=status)


# --- receivables -------------------------------------------------------------------------------


@finance_page
def receivables(request):
    """Every account's receivables at a glance: open, overdue, unallocated cash; a link to its screen."""
    today = timezone.localdate()
    rows, totals = selectors.receivables_overview(request.user, as_of=today)
    return render(request, "contracts/receivables.html", {"rows": rows, "totals": totals, "today": today})


_ACTIONS = {
    # action: (permission, form key)
    "payment": ("add_payment", "payment_form"),
    "invoice": ("add_invoice", "invoice_form"),
    "deduction": ("add_deduction", "deduction_form"),
    "credit_note": ("add_creditnote", "credit_note_form"),
}


@finance_page
def receivables_account(request, pk):
    """One account's receivables on one screen: open invoices, payments with their allocations,
    deductions; finance records a payment (or invoice, deduction) here and sees it allocated."""
    account = get_object_or_404(selectors.finance_accounts(request.user), pk=pk)
    # the open invoices shown (the oldest, or a page of all) are those a payment is allocated to by hand; the
    # deduction's and the credit note's invoice is any open one, by its number past RecordChoice.MANY
    open_invoices = selectors.account_open_invoices(account, **_shown(request, "open", OPEN_ROWS))
    every_open = account.invoices.filter(open_q()).order_by("date", "number")
    action = request.POST.get("action") if request.method == "POST" else None
    data = {name: (request.POST if action == name else None) for name in _ACTIONS}
    forms = {
        "payment_form": PaymentForm(
            data["payment"], open_invoices=open_invoices.rows, others=every_open, prefix="payment"
        ),
        "invoice_form": InvoiceForm(data["invoice"], account=account, prefix="invoice"),
        "deduction_form": DeductionForm(
            data["deduction"], open_invoices=every_open, account=account, prefix="deduction"
        ),
        "credit_note_form": CreditNoteForm(
            data["credit_note"], open_invoices=every_open, account=account, prefix="credit_note"
        ),
    }
    if action is not None:
        if action not in _ACTIONS:
            raise Http404
        permission, key = _ACTIONS[action]
        _require(request.user, permission)
        form = forms[key]
        if form.is_valid():
            try:
                message = _record(action, form, account, request.user)
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, message)
                return redirect("contracts:receivables-account", pk=account.pk)
    today = timezone.localdate()
    for invoice in open_invoices.rows:
        invoice.days_past_due = selectors.invoice_days_past_due(invoice)
    context = {
        "account": account,
        "today": today,
        "open_invoices": open_invoices,
        **{name: rows(account, **_shown(request, param)) for name, (param, rows) in _SECTIONS.items()},
        "can_credit": request.user.has_perm("contracts.add_creditnote"),
        "reconciliation": selectors.account_reconciliation(account),
        "overdue_total": selectors.account_overdue(account, as_of=today),
        "can_edit": request.user.has_perm("contracts.add_payment"),
        "reason_form": ReasonForm(),
        "open_action": action,
        **forms,
    }
    return render(request, "contracts/receivables_account.html", context)


# How many rows each section of an account's screen shows before "Show all" (what still needs finance's action is
# shown besides, however old): a year of a chain's payments made the phone page 8,600 px long.
RECENT_ROWS = 10
# The open invoices shown before "Show all", the oldest first: a chain invoiced store by store has thousands open at
# once (9,466 for the biggest of the issue-15 bench: 8 MB of page, 2.8 s), each with its amount to allocate by hand.
OPEN_ROWS = 50

# The sections showing their recent rows: context name → (the query parameter that shows all of them, the selector).
# One section is shown in full at a time (its "Show all" link closes another's), so ?page= is always its page.
_SECTIONS = {
    "payments": ("payments", selectors.account_payments),
    "settled_invoices": ("settled", selectors.account_settled_invoices),
    "deductions": ("deductions", selectors.account_deductions),
    "credit_notes": ("credit_notes", selectors.account_credit_notes),
}


def _shown(request, param: str, recent: int = RECENT_ROWS) -> dict:
    """What a section shows: with ``?<param>=all`` every row, a page at a time (``?page=``), else the `recent` first."""
    if request.GET.get(param) == "all":
        return {"recent": None, "page": request.GET.get("page")}
    return {"recent": recent}


def _record(action: str, form, account, user) -> str:
    data = form.cleaned_data
    if action == "payment":
        payment = services.payment_record(
            account=account,
            date=data["date"],
            amount=data["amount"],
            reference=data["reference"],
            allocations=form.allocations(),
            by=user,
            request_key=data["request_key"],
        )
        numbers = ", ".join(a.invoice.number for a in payment.allocations.select_related("invoice"))
        return gettext("Payment of %(amount)s recorded; allocated %(allocated)s to %(numbers)s.") % {
            "amount": format_money(payment.amount),
            "allocated": format_money(payment.allocated_amount),
            "numbers": numbers or "—",
        }
    if action == "invoice":
        invoice = services.invoice_create(account=account, **data, by=user)
        return gettext("Invoice %(number)s raised, due on %(due_on)s.") % {
            "number": invoice.number,
            "due_on": invoice.due_on,
        }
    if action == "credit_note":
        credit_note = services.credit_note_record(account=account, by=user, **data)
        return gettext("Credit note %(number)s of %(amount)s issued.") % {
            "number": credit_note.number,
            "amount": format_money(credit_note.amount),
        }
    deduction = services.deduction_record(by=user, **data)
    return gettext("Deduction of %(amount)s recorded against %(number)s.") % {
        "amount": format_money(deduction.amount),
        "number": deduction.invoice.number,
    }


def _post_on_record(request, queryset, pk, permission):
    if request.method != "POST":
        raise Http404
    record = get_object_or_404(queryset, pk=pk)
    _require(request.user, permission)
    return record


def _reason(request) -> str:
    """The reason as typed; the service says whether it will do (contracts.rules)."""
    return request.POST.get("reason", "")


@finance_page
def payment_reverse(request, pk):
    payment = _post_on_record(request, selectors.payments_for(request.user), pk, "change_payment")
    return run_step(
        request,
        lambda: services.payment_reverse(payment=payment, by=request.user, reason=_reason(request)),
        success=gettext("Payment of %(amount)s reversed; its invoices are open again.")
        % {"amount": format_money(payment.amount)},
        then=reverse("contracts:receivables-account", args=[payment.account_id]),
    )


@finance_page
def payment_allocate(request, pk):
    payment = _post_on_record(request, selectors.payments_for(request.user), pk, "change_payment")
    return run_step(
        request,
        lambda: services.payment_allocate(payment=payment),
        success=lambda made: (
            gettext("%(amount)s allocated, oldest invoice first.")
            % {"amount": format_money(sum((a.amount for a in made), 0))}
        ),
        then=reverse("contracts:receivables-account", args=[payment.account_id]),
    )


@finance_page
def invoice_write_off(request, pk):
    invoice = _post_on_record(request, selectors.invoices_for(request.user), pk, "change_invoice")
    return run_step(
        request,
        lambda: services.invoice_write_off(invoice=invoice, reason=_reason(request), by=request.user),
        success=lambda done: (
            gettext("%(amount)s of invoice %(number)s written off.")
            % {"amount": format_money(done.written_off_amount), "number": done.number}
        ),
        then=reverse("contracts:receivables-account", args=[invoice.account_id]),
    )


# --- aging -------------------------------------------------------------------------------------


@finance_page
def aging(request):
    """Open amounts by days past due as of any date, by account and in total, with DSO; Excel export."""
    form = AsOfForm(request.GET or None, initial={"as_of": timezone.localdate()})
    as_of = form.as_of_date()  # None: the day asked for is refused, next to the field, and no report is read
    report = selectors.aging_report(request.user, as_of=as_of) if as_of else None
    if report is not None and request.GET.get("export") == "xlsx":
        return exports.aging_workbook(report)
    run = selectors.latest_run()
    context = {
        "form": form,
        "report": report,
        "as_of": as_of,
        "run": run,
        "moves": selectors.run_moves(request.user, run)[:50],
    }
    return render(request, "contracts/aging.html", context, status=200 if report is not None else 400)


@finance_page
def aging_invoices(request):
    """The invoices behind one aging cell: a bucket (or all), an account (or all), as of a date."""
    form = AsOfForm(request.GET or None)
    as_of = form.as_of_date()
    account = None
    if request.GET.get("account"):  # by code, as everywhere: one outside the user's accounts is not found
        account = get_object_or_404(selectors.finance_accounts(request.user), code=request.GET["account"])
    # What the link asks for and this page does not take (a day that is no date or before the books, a bucket it
    # does not know) is said above and no invoices are listed: never today's, or every bucket's, as if asked for.
    refused = [str(error) for errors in form.errors.values() for error in errors]
    bucket = None
    try:
        bucket = rules.check_bucket(request.GET.get("bucket"))
    except DomainError as refusal:
        refused.append(refusal.detail)
    if refused:
        context = {"as_of": as_of, "account": account, "refused": refused, "invoices": [], "total": 0}
        return render(request, "contracts/aging_invoices.html", context, status=400)
    invoices = selectors.aging_invoices(request.user, as_of=as_of, bucket=bucket, account=account)
    if request.GET.get("export") == "xlsx":
        return exports.aging_invoices_workbook(invoices, as_of=as_of)
    context = {
        "as_of": as_of,
        "bucket": Bucket(bucket) if bucket else None,
        "account": account,
        "invoices": invoices,
        "total": sum((i.open_as_of for i in invoices), 0),
    }
    return render(request, "contracts/aging_invoices.html", context)


# --- statement ---------------------------------------------------------------------------------


STATEMENT_PAGE_SIZE = 500


def _default_period(today: date) -> tuple[date, date]:
    """The last full month: what a statement is usually sent for."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@finance_page
def statement(request):
    """The statement (对账单) for one account and period; Excel laid out to send to the chain."""
    accounts = selectors.finance_accounts(request.user)
    date_from, date_to = _default_period(timezone.localdate())
    data = None
    if request.GET:
        # A link with just ?account= (from the receivables screen) shows the last full month.
        data = request.GET.copy()
        data.setdefault("date_from", date_from.isoformat())
        data.setdefault("date_to", date_to.isoformat())
    form = PeriodForm(data, accounts=accounts, initial={"date_from": date_from, "date_to": date_to})
    result = page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = selectors.statement_summary(data["account"], date_from=data["date_from"], date_to=data["date_to"])
        if request.GET.get("export") == "xlsx":
            return exports.statement_workbook(result)  # every line, streamed into the file
        # A page of lines at a time (a year of a big chain is tens of thousands); the totals and balances cover the
        # whole period, and each page carries the balance brought forward from the one before.
        page = Paginator(result.lines, STATEMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "statement": result, "page_obj": page}
    if page is not None and page.object_list:
        first = page.object_list[0]
        context["brought_forward"] = first.balance - first.debit + first.credit
    return render(request, "contracts/statement.html", context, status=400 if form.errors else 200)


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


class ContractTermListView(FinanceMixin, FilteredListView):
    """Every term line the user may read, by contract, account and kind; ?export=xlsx gives them in the columns
    the "contract-terms" import reads, so a sheet exported, changed and imported again updates the same lines."""

    template_name = "contracts/term_list.html"
    filterset_class = ContractTermFilter

    def get_base_queryset(self):
        return selectors.contract_terms_for(self.request.user).order_by("contract__number", "kind", "valid_from")

    def exportable(self) -> bool:
        return True

    def export(self, queryset):  # served by FilteredListView.get: a filter refused answers the page, not a sheet
        return exports.terms_workbook(queryset)


@finance_page
def term_edit(request, contract_pk=None, pk=None):
    """Add a term line to a contract, or change one (finance)."""
    _require(request.user, "change_contractterm" if pk else "add_contractterm")
    term = get_object_or_404(selectors.contract_terms_for(request.user), pk=pk) if pk else None
    contract = term.contract if term else get_object_or_404(selectors.contracts_for(request.user), pk=contract_pk)
    form = ContractTermForm.for_term(term, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if term is None:
                term = services.contract_term_create(contract=contract, **form.term_fields())
            else:
                term = services.contract_term_update(term=term, **form.term_fields())
        except DomainError as error:
            show_refusal(form, error)
        else:
            saved = gettext("Term saved: %(kind)s.") % {"kind": term.get_kind_display()}
            if pk is None:  # a change is in the trade-spend ledger at once; a new line joins it tonight (services)
                saved = f"{saved} {gettext('Its spend enters the trade-spend ledger with the nightly run.')}"
            messages.success(request, saved)
            return redirect("contracts:contract-detail", pk=contract.pk)
    return render(request, "contracts/term_form.html", {"form": form, "term": term, "contract": contract})


@finance_page
def term_delete(request, pk):
    term = _post_on_record(request, selectors.contract_terms_for(request.user), pk, "delete_contractterm")
    return run_step(
        request,
        lambda: services.contract_term_delete(term=term),
        success=gettext("Term removed: %(kind)s.") % {"kind": term.get_kind_display()},
        then=reverse("contracts:contract-detail", args=[term.contract_id]),
    )
