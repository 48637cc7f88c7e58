"""Trade-spend pages: the accrual ledger (issue 12 item 4). Finance reads and writes (adjustments, recompute one
account); KA managers read their own accounts' lines; reps and supervisors are answered 404.
Routes are this module's `urlpatterns`, included by tradespend/urls.py."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contracts import selectors as contract_selectors
from contracts.views import FinanceMixin, finance_page
from ka_portal import scope
from ka_portal.errors import DomainError
from ka_portal.formatting import format_money
from ka_portal.lists import Column, FilteredListView, style_form_fields
from ka_portal.money import money_sum
from ka_portal.once import Invalid, new_key, once
from ka_portal.pages import show_refusal
from ka_portal.permissions import require

from ..accruals import accrual_adjust, accruals_compute, adjustment_term
from ..filters import AccrualLineFilter
from ..models import AccrualLine, SpendCategory, SpendKind
from ..reports import CATEGORY_FIELD, STEP_LABELS


class LedgerView(FinanceMixin, FilteredListView):
    """The ledger's lines the user may read, filtered; totals of the filtered lines by category above the table;
    ?export=xlsx gives every filtered line."""

    template_name = "tradespend/accrual_ledger.html"
    filterset_class = AccrualLineFilter
    export_name = _("accrual-ledger")
    export_columns = [
        Column(_("Key account"), lambda x: x.account.code),
        Column(_("Month"), lambda x: f"{x.month:%Y-%m}"),
        Column(_("Kind"), lambda x: x.get_kind_display()),
        Column(_("Category"), lambda x: x.get_category_display()),
        Column(_("Source"), lambda x: x.get_source_display()),
        Column(_("Stage"), lambda x: x.get_stage_display()),
        Column(_("Contract"), lambda x: x.term.contract.number if x.term_id else ""),
        Column(_("Plan"), lambda x: x.plan.title if x.plan_id else ""),
        Column(_("Display agreement"), lambda x: x.agreement_id or ""),
        # what the rate or the units multiply (the ledger's "How": 3 % × 14,000.00), not a term's billing method
        # ("Basis", 计费方式), which a column of amounts under that header read as
        Column(_("Base amount"), lambda x: x.basis_amount, "#,##0.00"),
        Column(_("Rate %"), lambda x: x.rate, "0.00"),
        Column(_("Units"), lambda x: x.units, "0"),
        Column(_("Amount"), lambda x: x.amount, "#,##0.00"),
        Column(_("Reason"), lambda x: x.reason_text),
    ]

    def get_base_queryset(self):
        return (
            scope.accrual_lines_for(self.request.user)
            .select_related("account", "term__contract", "plan")
            .order_by("-month", "account__code", "kind", "stage", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sums = dict(
            self.object_list.order_by()
            .values_list("category")
            .annotate(total=money_sum("amount"))
            .values_list("category", "total")
        )
        # each card is a step's total, named as gross to net names it (返利合计, not the kind 返利 of the lines)
        context["totals"] = [
            (STEP_LABELS[CATEGORY_FIELD[value]], sums.get(value) or 0) for value in SpendCategory.values
        ]
        context["grand_total"] = sum(sums.values()) if sums else 0
        can_write = self.request.user.has_perm("tradespend.add_accrualline")
        context["can_write"] = can_write
        if can_write:
            context["recompute_accounts"] = contract_selectors.finance_accounts(self.request.user).order_by("code")
            context["selected_account"] = self.request.GET.get("account", "")
        return context


@finance_page
@require_POST
def ledger_recompute(request):
    """Recompute one account's ledger now (finance): what the nightly job does, for that account."""
    require(request.user, AccrualLine, "add")
    code = (request.POST.get("account") or "").strip()
    if not code:
        raise Http404
    account = get_object_or_404(contract_selectors.finance_accounts(request.user), code__iexact=code)
    run = accruals_compute(as_of=timezone.localdate(), account=account, by=request.user)
    messages.success(
        request,
        gettext("%(account)s recomputed as of %(as_of)s: %(written)s lines written, %(deleted)s removed.")
        % {"account": account.code, "as_of": run.run_on, "written": run.lines_written, "deleted": run.lines_deleted},
    )
    return redirect(f"{reverse('tradespend:ledger')}?account={account.code}")


class AdjustmentForm(forms.Form):
    """An adjustment as typed: its rules (open month, reason, non-zero) are the service's to apply, and a refusal
    is shown next to its field with everything typed kept."""

    account = forms.ModelChoiceField(label=_("Key account"), queryset=None, to_field_name="code")
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("An open month; a closed month never changes."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SpendKind.choices)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Negative takes spend back."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # the contract as the clerk sees it (HT-DEMO-2026-WMT), not a database id: its term of the kind is corrected
    contract = forms.CharField(
        label=_("Contract number"),
        required=False,
        max_length=40,
        help_text=_("Optional: the contract the adjustment corrects; its term of this kind is linked."),
    )
    plan = forms.IntegerField(label=_("Promotion plan (id)"), required=False, min_value=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["account"].queryset = contract_selectors.finance_accounts(user).order_by("code")
        # the month box offers the months the books take (accruals.check_adjustment_month refuses the others)
        latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
        self.fields["month"].widget.attrs["max"] = f"{latest:%Y-%m}"
        style_form_fields(self)

    def clean(self):
        """The contract number typed, read as the service reads it (accruals.adjustment_term): the chain's
        contract of that number and its term of the kind, as ``term``; a refusal shows next to the box."""
        cleaned = super().clean()
        number = (cleaned.get("contract") or "").strip()
        cleaned["term"] = None
        account, kind = cleaned.get("account"), cleaned.get("kind")
        if number and account is not None and kind:
            try:
                cleaned["term"] = adjustment_term(account=account, number=number, kind=kind, month=cleaned.get("month"))
            except DomainError as refusal:
                self.add_error("contract", refusal.detail)
        cleaned.pop("contract", None)
        return cleaned

    def clean_plan(self):
        pk = self.cleaned_data.get("plan")
        if pk is None:
            return None
        found = scope.promotion_plans_for(self.user).filter(pk=pk).first()
        if found is None:
            raise forms.ValidationError(scope.NOT_FOUND_TEXT)
        return found


@finance_page
def ledger_adjust(request):
    """Add an adjustment line (finance): an open month, an amount other than 0, and the reason."""
    require(request.user, AccrualLine, "add")
    initial = {"account": request.GET.get("account") or None}
    form = AdjustmentForm(request.POST or None, user=request.user, initial=initial)

    def adjust():
        if not form.is_valid():
            raise Invalid
        line = accrual_adjust(by=request.user, **form.cleaned_data)
        text = gettext("Adjustment of %(amount)s recorded for %(account)s in %(month)s.") % {
            "amount": format_money(line.amount),
            "account": line.account.code,
            "month": f"{line.month:%Y-%m}",
        }
        return {"text": text, "account": line.account.code}

    if request.method == "POST":
        try:
            done = once(request, "tradespend.accrual_adjust", adjust)  # a form posted again adds one line
        except Invalid:
            pass
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, done["text"])
            return redirect(f"{reverse('tradespend:ledger')}?{urlencode({'account': done['account']})}")
    return render(request, "tradespend/accrual_adjust.html", {"form": form, "request_key": new_key})


urlpatterns = [
    path("ledger/", LedgerView.as_view(), name="ledger"),
    path("ledger/recompute/", ledger_recompute, name="ledger-recompute"),
    path("ledger/adjust/", ledger_adjust, name="ledger-adjust"),
]
