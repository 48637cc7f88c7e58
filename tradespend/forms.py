"""Forms of the trade-spend pages: they collect input; the rules live in the services (tradespend/remittances.py,
accruals, matching). Each part appends its own forms."""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Deduction
from ka_portal.days import IsoDayField
from ka_portal.formatting import account_name
from ka_portal.lists import style_form_fields

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label, required=True) -> forms.DecimalField:
    """An amount as typed (any sign): whether it will do is the service's to say, with the row named."""
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        required=required,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class _Styled(forms.Form):
    # Selects a line may leave empty (a blank line is skipped) but the service wants in a line that is used: they
    # prompt for a choice rather than offer "None".
    prompt_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self, prompt=self.prompt_fields)


# --- remittances (item 6) ----------------------------------------------------------------------------------------


class RemittanceForm(_Styled):
    """A remittance's header; its lines come from an uploaded advice or the line formsets below."""

    UPLOAD = "upload"
    KEY_IN = "key"

    account = forms.ModelChoiceField(label=_("Key account"), queryset=None, to_field_name="code")
    date = IsoDayField(label=_("Date received"), widget=DATE_INPUT, initial=timezone.localdate)
    reference = forms.CharField(label=_("Payment reference"), max_length=60)
    cash = _money(_("Cash received"))
    mode = forms.ChoiceField(
        label=_("Lines"),
        choices=[(UPLOAD, _("Upload the advice (Excel)")), (KEY_IN, _("Key them in"))],
        initial=UPLOAD,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=_("Remittance advice (.xlsx)"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts.order_by("code")
        self.fields["account"].label_from_instance = lambda account: f"{account.code} {account_name(account)}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.UPLOAD and not cleaned.get("file"):
            self.add_error("file", _("Choose the advice's Excel file, or key the lines in."))
        return cleaned


class InvoiceLineForm(_Styled):
    invoice = forms.CharField(label=_("Invoice number"), max_length=40, required=False)
    amount = _money(_("Amount settled"), required=False)


class DeductionLineForm(_Styled):
    prompt_fields = ("kind",)

    kind = forms.ChoiceField(label=_("Kind"), choices=[*BLANK_CHOICE_DASH, *Deduction.Kind.choices], required=False)
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2026-09 / 2026-07~2026-09"}),
    )
    amount = _money(_("Amount"), required=False)
    reference = forms.CharField(label=_("Chain reference"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    invoice = forms.CharField(label=_("Invoice (optional)"), max_length=40, required=False)


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=0, min_num=1, max_num=2000, absolute_max=2000)
DeductionLineFormSet = forms.formset_factory(DeductionLineForm, extra=0, min_num=1, max_num=1000, absolute_max=1000)
