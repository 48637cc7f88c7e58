"""Display agreements pages under /evidence/agreements/ (issue 13 item 2): the list (filters, totals, Excel), an
agreement with its evidence per store, and the KA manager's form, delete and evaluate buttons.

KA managers manage their chains' agreements; finance and managers see fees; reps and supervisors may look at
the agreements of their stores (and their chains' chain-wide ones) without fees. Scope: display_agreements_for."""

from django import forms
from django.contrib import messages
from django.db.models import Case, F, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from contracts.forms import DATE_INPUT, StyledForm
from contracts.selectors import deductions_for
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name
from ka_portal.lists import Column, FilteredListView, RecordChoice, choose_by_code
from ka_portal.money import ZERO, money_sum
from ka_portal.pages import mark_problems, run_step, show_refusal
from ka_portal.permissions import can, model_permission
from ka_portal.scope import accounts_for, display_agreements_for, stores_for
from stores.models import Store
from tradespend.settlement import fee_lines, with_settlement
from visits.models import Visit

from .. import agreement_rules as rules
from .. import agreements as services
from ..agreement_filters import DisplayAgreementFilter, sees_fees
from ..agreement_rules import AGREEMENT_KINDS
from ..models import DisplayAgreement, FraudSignal

Status = DisplayAgreement.Status
# each status's total named as a phrase ("Fees awaiting evidence"), not "Fees" glued to the status's badge label
TOTAL_CAPTIONS = {
    Status.OPEN: _("Fees awaiting evidence"),
    Status.PAYABLE: _("Fees payable"),
    Status.NOT_EVIDENCED: _("Fees not evidenced"),
}


def _where(agreement) -> str:
    return agreement.store.name if agreement.store_id else gettext("Every store of the chain")


# --- list -------------------------------------------------------------------------------------------------------


class AgreementListView(FilteredListView):
    """With a month chosen, the list holds the agreements whose period touches it (what to check in the stores
    that month) and its totals and Excel count each fee in the month it is payable in, the month its period starts
    (agreement_rules.payable_month, as the trade-spend ledger accrues it): an agreement over three months is in
    the three lists, its fee in one month's totals."""

    template_name = "evidence/agreements/list.html"
    filterset_class = DisplayAgreementFilter
    export_name = _("display agreements")

    def chosen_month(self):
        """The month the filter asks for (its first day), or None."""
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound or not filterset.is_valid():
            return None
        period = filterset.form.cleaned_data.get("period")
        return rules.month_of(period) if period else None

    def get_base_queryset(self):
        agreements = (
            display_agreements_for(self.request.user)
            .select_related("account", "store")
            .order_by("-start_on", "account__code", "pk")
        )
        # what the chain's deductions cover of each fee (tradespend/settlement.py): for those who see fees
        return with_settlement(agreements) if sees_fees(self.request.user) else agreements

    @property
    def export_columns(self):
        columns = [
            Column(_("Chain"), lambda a: account_name(a.account)),
            Column(_("Store"), _where),
            Column(_("Display"), lambda a: a.get_kind_display()),
            Column(_("Facings"), lambda a: a.facings or ""),
            Column(_("Start"), lambda a: a.start_on),
            Column(_("End"), lambda a: a.end_on),
            Column(_("Visits with a photo required"), lambda a: a.evidence_visits),
            Column(_("Visits with evidence"), lambda a: a.evidenced_visits),
            Column(_("Status"), lambda a: a.get_status_display()),
            Column(_("Source"), lambda a: a.get_source_display()),
        ]
        if sees_fees(self.request.user):
            month = self.chosen_month()
            fees = [
                Column(_("Fee"), lambda a: a.fee, "#,##0.00"),
                Column(_("Payable in"), lambda a: f"{rules.payable_month(a.start_on):%Y-%m}"),
                Column(_("Deducted"), lambda a: a.deducted, "#,##0.00"),
                Column(_("Deducted in full"), lambda a: gettext("yes") if a.settled else ""),
            ]
            if month is not None:
                fees.append(
                    Column(
                        _("Fee payable in %(month)s") % {"month": f"{month:%Y-%m}"},
                        lambda a: a.fee if rules.payable_month(a.start_on) == month else ZERO,
                        "#,##0.00",
                    )
                )
            columns[6:6] = fees
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["sees_fees"] = sees_fees(user)
        month = self.chosen_month()
        context["month"] = month
        if context["sees_fees"]:
            counted = self.object_list
            if month is not None:  # each fee once, in the month it is payable in
                counted = counted.filter(start_on__gte=month, start_on__lt=rules._add_months(month, 1))
            sums = dict(counted.order_by().values_list("status").annotate(total=money_sum("fee")))
            context["totals"] = [(status, TOTAL_CAPTIONS[status], sums.get(status.value) or ZERO) for status in Status]
            # of the payable fees, those the chain's deductions do not cover yet: what is still to settle
            left = Case(When(deducted__gte=F("fee"), then=Value(ZERO)), default=F("fee") - F("deducted"))
            context["to_settle"] = counted.filter(status=Status.PAYABLE, settled=False).aggregate(
                total=money_sum(left, default=ZERO)
            )["total"]
        context["can_add"] = can(user, DisplayAgreement, "add")
        return context


# --- detail -----------------------------------------------------------------------------------------------------


def _agreement(request, pk) -> DisplayAgreement:
    return get_object_or_404(
        display_agreements_for(request.user).select_related("account", "store__account", "term__contract", "plan"),
        pk=pk,
    )


@model_permission(DisplayAgreement)
def agreement_detail(request, pk):
    agreement = _agreement(request, pk)
    user = request.user
    manages = user.is_superuser or agreement.account.owner_id == user.pk
    evidence = services.agreement_evidence(agreement, user)  # the figure and the store cards, from the same rows
    lines = _fee_lines(agreement, user)
    claiming = _claiming(agreement, user, lines)
    return render(
        request,
        "evidence/agreements/detail.html",
        {
            "agreement": agreement,
            "evidenced": evidence.evidenced,
            "stores": evidence.stores,
            "withdrawn": evidence.withdrawn,
            "payable_month": rules.payable_month(agreement.start_on),
            "sees_fees": sees_fees(user),
            "fee_lines": lines,
            # the list's and the API's rule (tradespend.settlement.with_settlement): a fee the ledger holds, covered
            "fee_settled": bool(lines) and _settled(agreement),
            "claiming": claiming,
            "sees_photos": can(user, Visit),  # finance reads agreements, not visits: no photo links for them
            "sees_signals": can(user, FraudSignal),
            "can_change": can(user, DisplayAgreement, "change") and manages,
            "can_delete": can(user, DisplayAgreement, "delete")
            and manages
            and agreement.source == DisplayAgreement.Source.MANUAL,
        },
    )


def _fee_lines(agreement, user) -> list:
    """The ledger's lines holding the fee, each with the deductions matched to it (those the user may open), for
    those who see fees."""
    if not sees_fees(user):
        return []
    return list(fee_lines(agreement).select_related("term__contract", "plan").prefetch_related("matches__deduction"))


def _settled(agreement) -> bool:
    return with_settlement(DisplayAgreement.objects.filter(pk=agreement.pk)).values_list("settled", flat=True).get()


def _claiming(agreement, user, lines) -> list:
    """The chain's deductions that claim this display (its kind, the month its fee is payable in:
    services.deductions_claiming, claimed_by's rule) and are matched to none of its fee's lines: one left unsupported
    because the display was not evidenced, above all. Those matched to its lines, automatically or by finance's hand,
    whatever its status, are listed under the lines."""
    if not sees_fees(user):
        return []
    matched = {match.deduction_id for line in lines for match in line.matches.all()}
    deductions = deductions_for(user).filter(services.deductions_claiming(agreement)).exclude(pk__in=matched)
    return list(deductions.order_by("date", "pk"))


@model_permission(DisplayAgreement, get=None, post="view")  # working out the status again changes nothing typed
def agreement_evaluate(request, pk):
    agreement = _agreement(request, pk)
    if request.method != "POST":
        raise Http404

    def done(result):
        text = ngettext(
            "Evaluated: %(seen)s of %(required)s visit with a photo. Status: %(status)s.",
            "Evaluated: %(seen)s of %(required)s visits with a photo. Status: %(status)s.",
            result.evidence_visits,
        )
        return text % {
            "status": result.get_status_display(),
            "seen": result.evidenced_visits,
            "required": result.evidence_visits,
        }

    return run_step(request, lambda: services.agreement_evaluate(agreement), success=done, then=_detail_url(agreement))


@model_permission(DisplayAgreement, get=None, post="delete")
def agreement_delete(request, pk):
    agreement = _agreement(request, pk)
    if request.method != "POST":
        raise Http404
    try:
        services.agreement_delete(agreement=agreement, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.detail)
        return redirect(_detail_url(agreement))
    messages.success(request, gettext("The display agreement was deleted."))
    return redirect("evidence:agreement-list")


def _detail_url(agreement) -> str:
    return reverse("evidence:agreement-detail", args=[agreement.pk])


# --- form -------------------------------------------------------------------------------------------------------


class _OptionData:
    """A select whose options each carry one attribute of their record (`data_attr`, read by `data_of`), for
    evidence/agreement-form.js."""

    data_attr = ""

    @staticmethod
    def data_of(record):
        raise NotImplementedError

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        record = getattr(value, "instance", None)
        if record is not None:
            option["attrs"][self.data_attr] = self.data_of(record)
        return option


class ChainSelect(_OptionData, forms.Select):
    """The form's chain: each option carries the chain's code (data-code), by which agreement-form.js narrows the
    store box's lookup (past RecordChoice.MANY stores) to the chain chosen."""

    data_attr = "data-code"

    @staticmethod
    def data_of(chain):
        return chain.code


class StoreOfChain(_OptionData, RecordChoice):
    """The form's store: each option says its chain (data-account, the chain's value in the chain select), so
    evidence/agreement-form.js offers only the stores of the chain chosen. Without the script every store stays
    offered and a store of another chain is refused beside the store, with the form's other errors
    (services.store_problems)."""

    data_attr = "data-account"

    @staticmethod
    def data_of(store):
        return store.account_id


class AgreementForm(StyledForm):
    account = forms.ModelChoiceField(label=_("Chain"), queryset=KeyAccount.objects.none(), widget=ChainSelect)
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.objects.none(),
        required=False,
        empty_label=_("Every store of the chain"),
        help_text=_("Empty: every store of the chain (each store must meet the quota)."),
    )
    kind = forms.ChoiceField(label=_("Display"), choices=AGREEMENT_KINDS)
    facings = forms.IntegerField(
        label=_("Facings"), required=False, min_value=1, max_value=500, help_text=_("Shelf facings only.")
    )
    start_on = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    end_on = forms.DateField(label=_("End"), widget=DATE_INPUT)
    fee = forms.DecimalField(
        label=_("Fee"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    evidence_visits = forms.IntegerField(
        label=_("Visits with a photo required"),
        initial=1,
        max_value=100,
        help_text=_("Seen with a photo, on site, at least this many times in the period."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_for(user).order_by("code")
        stores = stores_for(user)
        if agreement is not None and agreement.store_id is not None:
            # its store stays a choice once it moved to a chain out of the manager's reach: its note and end stay
            # editable (the service refuses choosing it again only for another agreement or chain)
            stores = Store.objects.filter(Q(pk__in=stores.values("pk")) | Q(pk=agreement.store_id))
        self.fields["store"].queryset = stores.select_related("account").order_by("account__code", "code")
        choose_by_code(self, "store")  # a KA manager's stores: a few thousand
        self.fields["store"].widget = StoreOfChain.of(self.fields["store"])
        self.fields["store"].widget.attrs.update(
            {
                "data-follows": self.add_prefix("account"),  # agreement-form.js: the chain's stores only
                "data-let-go": _(
                    "The store chosen is not one of this chain's: choose one of its stores, or none for every store "
                    "of the chain."
                ),
            }
        )
        self.agreement = agreement
        if agreement is not None and agreement.source != DisplayAgreement.Source.MANUAL:
            for name in services.SOURCE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("From its source: change it there.")

    def clean(self):
        """The rule's reasons for the values that were read (agreement_rules.agreement_problems, as the service asks
        them), so every bad field is marked at once, each once: a field whose value could not be read keeps that."""
        data = super().clean()
        problems = rules.agreement_problems(
            kind=data.get("kind"),
            facings=data.get("facings"),
            start_on=data.get("start_on"),
            end_on=data.get("end_on"),
            fee=data.get("fee"),
            evidence_visits=data.get("evidence_visits"),
        )
        # a store of another chain, said now with the rest rather than once they are put right
        problems += services.store_problems(store=data.get("store"), account=data.get("account"), saved=self.agreement)
        mark_problems(self, problems)
        return data


def show_refusals(form, refusal: DomainError) -> None:
    """A service's refusal on the form: every problem it carries, each by its field; an overlap with an existing
    agreement with a link to that one (the page, the admin)."""
    if refusal.code == "agreement.overlap":
        number = refusal.params["agreement"]
        link = format_html(
            '{} <a href="{}" data-testid="overlapping-agreement">{}</a>',
            refusal.detail,
            reverse("evidence:agreement-detail", args=[number]),
            gettext("Open display agreement #%(agreement)s") % {"agreement": number},
        )
        form.add_error(None, link)
        return
    problems = getattr(refusal, "problems", None)
    if problems:
        mark_problems(form, problems)
    else:
        show_refusal(form, refusal)


def _initial(agreement) -> dict:
    return {name: getattr(agreement, name) for name in services.EDITABLE_FIELDS}


@model_permission(DisplayAgreement, post="add", get="add")
def agreement_new(request):
    form = AgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusals(form, refusal)
        else:
            messages.success(request, gettext("Display agreement saved."))
            return redirect(_detail_url(agreement))
    return render(request, "evidence/agreements/form.html", {"form": form, "agreement": None})


@model_permission(DisplayAgreement, post="change", get="change")
def agreement_edit(request, pk):
    agreement = _agreement(request, pk)
    form = AgreementForm(request.POST or None, user=request.user, agreement=agreement, initial=_initial(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusals(form, refusal)
        else:
            messages.success(request, gettext("Display agreement saved."))
            return redirect(_detail_url(agreement))
    return render(request, "evidence/agreements/form.html", {"form": form, "agreement": agreement})


urlpatterns = [
    path("agreements/", AgreementListView.as_view(), name="agreement-list"),
    path("agreements/new/", agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/delete/", agreement_delete, name="agreement-delete"),
    path("agreements/<int:pk>/evaluate/", agreement_evaluate, name="agreement-evaluate"),
]
