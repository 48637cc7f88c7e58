"""Forms for the finance desk: they collect input; the rules live in contracts/services.py."""

import uuid
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imports.kinds import without_percent_sign
from ka_portal.days import IsoDayField
from ka_portal.downloads import DownloadLinkFileInput
from ka_portal.errors import DomainError
from ka_portal.lists import PERIOD_REVERSED, choose_by_code, style_form_fields
from ka_portal.pages import mark_problems, show_refusal

from .models import Contract, ContractTerm, Deduction, Invoice
from .rules import BOOKS_START, REBATE_KINDS, check_report_date
from .services import CONTRACT_FIELDS, contract_problems

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})


class PercentField(forms.DecimalField):
    """A percentage as typed: 2.5, or 2.5% as the import takes it (imports.kinds.without_percent_sign). A text box,
    since a number box drops "2.5%" before it is sent."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        return super().to_python(without_percent_sign(value) if isinstance(value, str) else value)


def _money(label, required=True) -> forms.DecimalField:
    """An amount as typed: whether it will do (above zero, within what is open) is the service's to say."""
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, required=required, widget=MONEY_INPUT)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)


def offer_book_dates(form: forms.Form, name: str = "date") -> None:
    """The date picker offers the days the books take; the services refuse any other (books.date_before_start,
    books.date_too_far_ahead: contracts.rules.check_book_date), and their message shows next to the field."""
    latest = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
    form.fields[name].widget.attrs.update({"min": BOOKS_START.isoformat(), "max": latest.isoformat()})


class PaymentForm(StyledForm):
    """A payment and how to allocate it: oldest first, or by hand with an amount per open invoice."""

    OLDEST_FIRST = "oldest_first"
    BY_HAND = "by_hand"

    date = IsoDayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    amount = _money(_("Amount"))
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    mode = forms.ChoiceField(
        label=_("Allocation"),
        choices=[(OLDEST_FIRST, _("Oldest invoice first")), (BY_HAND, _("By hand"))],
        initial=OLDEST_FIRST,
        widget=forms.RadioSelect,
    )
    request_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, open_invoices=(), others=None, **kwargs):
        """`open_invoices`: those offered an amount each (the account screen's shown ones); `others`: the account's
        other open invoices, of which one named by an amount posted is taken too (the screen's oldest changed since
        it was read: an invoice reopened by a reversal came before them)."""
        super().__init__(*args, **kwargs)
        offer_book_dates(self)
        self.open_invoices = list(open_invoices)
        if self.is_bound and others is not None:
            shown = {invoice.pk for invoice in self.open_invoices}
            named = {
                int(pk)
                for key, value in self.data.items()
                if (pk := key.removeprefix(self.add_prefix("allocate_"))) != key and pk.isdigit() and value.strip()
            }
            self.open_invoices += list(others.filter(pk__in=named - shown))
        for invoice in self.open_invoices:
            self.fields[f"allocate_{invoice.pk}"] = _money(invoice.number, required=False)
            self.fields[f"allocate_{invoice.pk}"].widget.attrs.update(
                {"class": "form-control form-control-sm", "max": str(invoice.open_amount)}
            )

    def allocation_fields(self):
        return [(invoice, self[f"allocate_{invoice.pk}"]) for invoice in self.open_invoices]

    def allocations(self):
        """(invoice, amount) pairs when allocating by hand; None for oldest first."""
        if self.cleaned_data["mode"] != self.BY_HAND:
            return None
        return [
            (invoice, self.cleaned_data[f"allocate_{invoice.pk}"])
            for invoice in self.open_invoices
            if self.cleaned_data.get(f"allocate_{invoice.pk}")
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.BY_HAND and not any(cleaned.get(f"allocate_{i.pk}") for i in self.open_invoices):
            self.add_error("mode", _("Enter an amount for at least one invoice, or allocate oldest first."))
        return cleaned


class InvoiceForm(StyledForm):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    date = IsoDayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    amount = _money(_("Amount"))
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)
    due_on = IsoDayField(
        label=_("Due date"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Leave empty: the date plus the contract's payment terms."),
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_book_dates(self)
        if account is not None:
            self.fields["contract"].queryset = account.contracts.order_by("-valid_from")


# An invoice typed by its number that is not open at the account (or nowhere): said beside the box.
NOT_AN_OPEN_INVOICE = _("No open invoice of this account has this number.")


class DeductionForm(StyledForm):
    invoice = forms.ModelChoiceField(
        label=_("Invoice"), queryset=Invoice.objects.none(), error_messages={"invalid_choice": NOT_AN_OPEN_INVOICE}
    )
    date = IsoDayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=Deduction.Kind.choices)
    amount = _money(_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Chain reference"), max_length=60, required=False)
    period_start = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=MONTH_INPUT,
        input_formats=MONTH_FORMATS,
        help_text=_("The months the chain says it is for; empty: the month of its date."),
    )
    period_end = forms.DateField(label=_("Period to"), required=False, widget=MONTH_INPUT, input_formats=MONTH_FORMATS)

    def __init__(self, *args, open_invoices=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_book_dates(self)
        choose_open_invoice(self, open_invoices, account)


def choose_open_invoice(form, open_invoices, account) -> None:
    """A deduction's or credit note's invoice: one of the account's open invoices, by its number. A chain invoiced
    store by store has thousands open: past RecordChoice.MANY a box for the number, offering the account's open
    invoices the typed words find (the API's invoice list, ?account=…&open=true)."""
    if open_invoices is not None:
        form.fields["invoice"].queryset = open_invoices
    lookup = {"account": account.code, "open": "true"} if account is not None else None
    choose_by_code(form, "invoice", key="number", placeholder=_("Invoice number"), lookup=lookup)


class ReasonForm(StyledForm):
    """The reason for a write-off or a reversal."""

    reason = forms.CharField(label=_("Reason"), max_length=200)


def parsed_contract(form: forms.ModelForm) -> dict:
    """A valid contract form's fields as the model holds them (a cleared attachment is empty, not False):
    what the page and the admin hand to contracts.services."""
    return {name: getattr(form.instance, name) for name in CONTRACT_FIELDS if name in form.fields}


class CheckedContractForm(forms.ModelForm):
    """A contract form that parses, then asks contracts.services.contract_problems (the rules the create and
    update services apply) instead of the model's own validation, so the page and the admin show every field's
    problem at once, in the service's words, before anything is saved through the service. The model's bounds
    (not negative, at most 100 %, at most the longest payment terms) are checked as each field is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            bounds = [
                validator
                for validator in self._meta.model._meta.get_field(name).validators
                if isinstance(validator, (MinValueValidator, MaxValueValidator)) and validator not in field.validators
            ]
            field.validators = [*field.validators, *bounds]

    def _post_clean(self):
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        mark_problems(self, contract_problems(self.instance, unread=set(self.errors)))


class ContractForm(CheckedContractForm):
    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        # a day refused in the lists' words (ka_portal.days), not "Enter a valid date."
        field_classes = {
            "rebate_percent": PercentField,
            **dict.fromkeys(("signed_on", "valid_from", "valid_to", "terminated_on"), IsoDayField),
        }
        widgets = {
            "signed_on": DATE_INPUT,
            "valid_from": DATE_INPUT,
            "valid_to": DATE_INPUT,
            "terminated_on": DATE_INPUT,
            "execution_notes": forms.Textarea(attrs={"rows": 4}),
            "attachment": DownloadLinkFileInput(
                url_name="contracts:contract-attachment", attrs={"accept": ".pdf,image/jpeg,image/png,image/webp"}
            ),
        }

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts
        # Said before it is tried: a contract with invoices stays with their key account (contract.has_invoices).
        if self.instance.pk and self.instance.invoices.exists():
            self.fields["account"].help_text = _("This contract has invoices: it stays with its key account.")
        # A figure its term lines make is theirs (contracts.services.contract_terms_summarize); one typed here accrues
        # nothing in the trade-spend ledger, which reads only the lines: the field says so.
        kinds = set(self.instance.terms.values_list("kind", flat=True)) if self.instance.pk else set()
        for name, made_by in (("rebate_percent", REBATE_KINDS), ("listing_fee", (ContractTerm.Kind.LISTING,))):
            if kinds & set(made_by):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Summed from the contract's trade terms.")
            else:
                self.fields[name].help_text = _(
                    "For reference only: nothing accrues from it until the contract has a trade-term line of this kind."
                )
        style_form_fields(self)


class PeriodForm(StyledForm):
    """Account and period for a statement; an as-of date for aging."""

    account = forms.ModelChoiceField(label=_("Key account"), queryset=None, to_field_name="code")
    date_from = IsoDayField(label=_("From"), widget=DATE_INPUT)  # a day refused in the lists' words (ka_portal.days)
    date_to = IsoDayField(label=_("To"), widget=DATE_INPUT)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts

    def clean(self):
        cleaned = super().clean()
        report_dates(self, "date_from")
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", PERIOD_REVERSED)
        return cleaned


def report_dates(form: forms.Form, *names: str) -> None:
    """A report's date before the books start is refused next to its field (contracts.rules.check_report_date, as
    the API's reports refuse it), never read as a report of nothing."""
    for name in names:
        day = form.cleaned_data.get(name)
        if day is not None:
            try:
                check_report_date(day, field=name, label=form.fields[name].label)
            except DomainError as refusal:
                show_refusal(form, refusal)


class AsOfForm(StyledForm):
    """Aging's as-of day: today when not given. A day that is not a date, or before the books start, is refused
    next to the field and no report is read (the page answers 400), never today's shown as if it had been asked for."""

    as_of = forms.DateField(
        label=_("As of"),
        widget=DATE_INPUT,
        required=False,
        # said by name: the aging drill-down has no box to show it under
        error_messages={"invalid": _("As of: enter a date as YYYY-MM-DD.")},
    )

    def clean(self):
        cleaned = super().clean()
        report_dates(self, "as_of")
        return cleaned

    def as_of_date(self) -> date | None:
        """The day asked for, today when none; None when what was asked for is refused (the form says why)."""
        if not self.is_bound:
            return timezone.localdate()
        if not self.is_valid():
            return None
        return self.cleaned_data["as_of"] or timezone.localdate()


# --- credit notes (issue 12) --------------------------------------------------------------------------------


class CreditNoteForm(StyledForm):
    """A credit note to the account; naming one of its open invoices lowers that invoice's open amount."""

    number = forms.CharField(label=_("Credit note number"), max_length=40)
    invoice = forms.ModelChoiceField(
        label=_("Invoice corrected"),
        queryset=Invoice.objects.none(),
        required=False,
        help_text=_("Optional."),
        error_messages={"invalid_choice": NOT_AN_OPEN_INVOICE},
    )
    date = IsoDayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    amount = _money(_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, open_invoices=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_book_dates(self)
        choose_open_invoice(self, open_invoices, account)


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


class ContractTermForm(StyledForm):
    """A term line as typed: the rules (contracts.rules.check_term) are the service's to apply, and a refusal is
    shown next to its field with everything typed kept (ka_portal.pages.show_refusal)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ContractTerm.Kind.choices)
    basis = forms.ChoiceField(label=_("Basis"), choices=ContractTerm.Basis.choices)
    period = forms.ChoiceField(label=_("Period"), choices=ContractTerm.Period.choices)
    rate = PercentField(
        label=_("Rate %"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_(
            "For a percentage of sell-in; for a conditional rebate, the rate accrued until the year's achievement "
            "is known."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("For a fixed or per-store-per-SKU fee."),
    )
    tiers = forms.CharField(
        label=_("Tiers"),
        required=False,
        max_length=200,
        help_text=_("Conditional rebates only: achievement %:rate %, e.g. 90:1.5;100:2.5"),
    )
    valid_from = IsoDayField(
        label=_("Valid from"), widget=DATE_INPUT, required=False, help_text=_("Empty: the contract's.")
    )
    valid_to = IsoDayField(
        label=_("Valid to"), widget=DATE_INPUT, required=False, help_text=_("Empty: the contract's.")
    )
    settlement = forms.ChoiceField(label=_("Settlement"), choices=ContractTerm.Settlement.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    @classmethod
    def for_term(cls, term: ContractTerm | None, data=None):
        if term is None:
            return cls(data)
        from .rules import tiers_text

        initial = {name: getattr(term, name) for name in ("kind", "basis", "period", "rate", "amount", "settlement")}
        initial |= {"valid_from": term.valid_from, "valid_to": term.valid_to, "note": term.note}
        return cls(data, initial={**initial, "tiers": tiers_text(term.tiers)})

    def term_fields(self) -> dict:
        """What the services take (tiers as typed: the service reads them, refusing what it cannot)."""
        return dict(self.cleaned_data)
