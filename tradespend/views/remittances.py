"""Trade-spend pages: remittances (总部回款, issue 12 item 6). Routes are this module's `urlpatterns`, included by
tradespend/urls.py.

Finance records a head office's remittance (an uploaded Excel advice, or lines keyed in) and reads its screen;
KA managers read their own chains'; reps and supervisors are answered 404 everywhere."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.views import FinanceMixin, finance_page
from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name, format_money
from ka_portal.lists import Column, FilteredListView
from ka_portal.once import Invalid, new_key, once
from ka_portal.pages import show_refusal
from ka_portal.permissions import require
from ka_portal.scope import finance_accounts_for, remittances_for

from .. import rules
from ..filters import RemittanceFilter
from ..forms import DeductionLineFormSet, InvoiceLineFormSet, RemittanceForm
from ..models import Remittance
from ..remittances import (
    DeductionLine,
    InvoiceLine,
    Problem,
    RemittanceRefused,
    advice_template,
    remittance_import,
    remittance_record,
    remittance_summary,
)


class RemittanceListView(FinanceMixin, FilteredListView):
    """Every remittance the user may read: by account, date range, reference (or an invoice it names); .xlsx."""

    model = Remittance
    template_name = "tradespend/remittance_list.html"
    filterset_class = RemittanceFilter
    export_name = _("remittances")
    export_columns = [
        Column(_("Date"), lambda r: r.date),
        Column(_("Key account"), lambda r: r.account.code),
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Cash received"), lambda r: r.cash, "#,##0.00"),
        Column(_("Invoices settled"), lambda r: r.settled, "#,##0.00"),
        Column(_("Deducted"), lambda r: r.deducted, "#,##0.00"),
        Column(_("Unallocated"), lambda r: r.payment.amount - r.payment.allocated_amount, "#,##0.00"),
        Column(_("Recorded by"), lambda r: display_name(r.recorded_by) if r.recorded_by else ""),
    ]

    def get_base_queryset(self):
        return (
            remittances_for(self.request.user)
            .select_related("account", "payment", "recorded_by")
            .order_by("-date", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("tradespend.add_remittance")
        return context


def _grow(data, prefix: str):
    """The POSTed data with one more (empty) line in the formset ``prefix``: the "add a line" button."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return data


def _blank(cleaned: dict) -> bool:
    return not any(value not in (None, "") for value in cleaned.values())


def _keyed_lines(invoice_formset, deduction_formset, problems: list[Problem]):
    """The lines as keyed in (blank lines skipped), numbered as on the page; periods that cannot be read are
    problems of their line."""
    invoices, deductions = [], []
    for number, form in enumerate(invoice_formset.forms, start=1):
        data = form.cleaned_data
        if not _blank(data):
            invoices.append(InvoiceLine(data.get("invoice") or "", data.get("amount"), number))
    for number, form in enumerate(deduction_formset.forms, start=1):
        data = form.cleaned_data
        if _blank(data):
            continue
        start = end = None
        if data.get("period"):
            try:
                start, end = rules.parse_period(data["period"])
            except DomainError as error:
                problems.append(Problem("deductions", number, "period", error.detail, error.code))
                continue
        deductions.append(
            DeductionLine(
                kind=data.get("kind") or "",
                amount=data.get("amount"),
                period_start=start,
                period_end=end,
                reference=data.get("reference") or "",
                reason=data.get("reason") or "",
                invoice=data.get("invoice") or "",
                row=number,
            )
        )
    return invoices, deductions


_LABELS = {
    ("invoices", "invoice"): _("Invoice number"),
    ("invoices", "amount"): _("Amount settled"),
    ("deductions", "kind"): _("Kind"),
    ("deductions", "period"): _("Period"),
    ("deductions", "amount"): _("Amount"),
    ("deductions", "reference"): _("Chain reference"),
    ("deductions", "reason"): _("Reason"),
    ("deductions", "invoice"): _("Invoice"),
    ("", "cash"): _("Cash received"),
    ("", "date"): _("Date received"),
    ("", "reference"): _("Payment reference"),
}
_SECTIONS = {"invoices": _("Invoice lines"), "deductions": _("Deductions"), "": ""}


def _shown(problems) -> list[dict]:
    return [
        {
            "section": _SECTIONS.get(p.section, p.section),
            "row": p.row,
            "column": str(_LABELS.get((p.section, p.column), p.column)),
            "message": p.message,
        }
        for p in problems
    ]


@finance_page
def remittance_new(request):
    """Record a remittance: the header typed, the lines from the uploaded advice or keyed in."""
    require(request.user, Remittance, "add")
    accounts = finance_accounts_for(request.user)
    data = request.POST if request.method == "POST" else None
    grow = request.POST.get("add") if data is not None else None
    if grow in ("invoices", "deductions"):
        data = _grow(data, grow)
    form = RemittanceForm(
        data, request.FILES or None, accounts=accounts, initial={"account": request.GET.get("account")}
    )
    invoice_formset = InvoiceLineFormSet(data, prefix="invoices")
    deduction_formset = DeductionLineFormSet(data, prefix="deductions")
    problems: list[dict] = []
    if data is not None and not grow:

        def record():
            if not form.is_valid():
                raise Invalid
            header = form.cleaned_data
            fields = {
                "account": header["account"],
                "date": header["date"],
                "reference": header["reference"],
                "cash": header["cash"],
                "by": request.user,
            }
            if header["mode"] == RemittanceForm.UPLOAD:
                outcome = remittance_import(file=header["file"], **fields)
            else:
                if not (invoice_formset.is_valid() and deduction_formset.is_valid()):
                    raise Invalid  # the formsets show their own errors
                found: list[Problem] = []
                invoices, deductions = _keyed_lines(invoice_formset, deduction_formset, found)
                if found:
                    raise RemittanceRefused(found)
                outcome = remittance_record(invoices=invoices, deductions=deductions, **fields)
            remittance = outcome.remittance
            if outcome.created:
                text = gettext("Remittance %(reference)s recorded: %(cash)s received, %(deducted)s deducted.") % {
                    "reference": remittance.reference,
                    "cash": format_money(remittance.cash),
                    "deducted": format_money(remittance.deducted),
                }
                return {"pk": remittance.pk, "level": messages.SUCCESS, "text": text}
            text = gettext("Remittance %(reference)s was already imported on %(date)s: nothing changed.") % {
                "reference": remittance.reference,
                "date": f"{timezone.localtime(remittance.created_at):%Y-%m-%d}",
            }
            return {"pk": remittance.pk, "level": messages.INFO, "text": text}

        try:  # the form posted again (a retry, the browser's resend) is answered as the first
            done = once(request, "tradespend.remittance_new", record)
        except Invalid:
            pass
        except RemittanceRefused as refusal:
            problems = _shown(refusal.problems)
            if len(refusal.problems) == 1 and refusal.problems[0].row is None:
                show_refusal(form, refusal)
                problems = []
            else:
                form.add_error(None, refusal.detail)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.add_message(request, done["level"], done["text"])
            return redirect("tradespend:remittance-detail", pk=done["pk"])
    context = {
        "form": form,
        "invoice_formset": invoice_formset,
        "deduction_formset": deduction_formset,
        "problems": problems,
        "keyed": (data or {}).get("mode") == RemittanceForm.KEY_IN,
        "request_key": new_key,
    }
    return render(request, "tradespend/remittance_form.html", context)


@finance_page
def remittance_template(request):
    """The advice to fill in (.xlsx): Chinese and English headers, example rows, what each column takes."""
    require(request.user, Remittance, "view")
    return excel.workbook_response(advice_template(), gettext("remittance-advice") + ".xlsx")


@finance_page
def remittance_detail(request, pk):
    """The remittance's screen: paid, deducted and why, what each invoice got, short and over."""
    require(request.user, Remittance, "view")
    remittance = get_object_or_404(
        remittances_for(request.user).select_related("account", "payment", "recorded_by"), pk=pk
    )
    return render(request, "tradespend/remittance_detail.html", {"summary": remittance_summary(remittance)})


urlpatterns = [
    path("remittances/", RemittanceListView.as_view(), name="remittances"),
    path("remittances/new/", remittance_new, name="remittance-new"),
    path("remittances/template.xlsx", remittance_template, name="remittance-template"),
    path("remittances/<int:pk>/", remittance_detail, name="remittance-detail"),
]
