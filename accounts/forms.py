"""Forms for key accounts: the account's own master data, contacts, the contact log, and the performance report's
period."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from ka_portal.lists import style_form_fields
from ka_portal.months import MonthField, MonthInput
from ka_portal.pages import mark_problems
from ka_portal.scope import account_owners_for

from . import rules
from .models import Contact, ContactLog, KeyAccount
from .selectors import PAGE_PERIOD_NAMES, check_performance_tier, month_asked, performance_period
from .services import account_code_refusals, account_owner_check, may_change_owner


def parse_month(value: str | None) -> date | None:
    """`YYYY-MM` → the first of that month; raises ValidationError on anything else."""
    return MonthField(required=False).clean(value or "")


class PeriodForm(forms.Form):
    """The performance report's period: from and to months (?month_from=&month_to=, as the other analyses; an older
    link's ?start=&end= too); defaults to January → this month."""

    # Read whole by the report's own rule (accounts.selectors.performance_period), as the API reads ?from=&to=: a
    # month it cannot read or a period it does not take is refused next to its box, kept as typed.
    month_from = forms.CharField(label=_("From month"), required=False, widget=MonthInput())
    month_to = forms.CharField(label=_("To month"), required=False, widget=MonthInput())
    # Read by the report's own rule (accounts.selectors.check_performance_tier), as the API reads ?tier=: a tier it
    # does not know is refused next to the field naming those it takes.
    tier = forms.CharField(label=_("Tier"), required=False, widget=forms.Select)

    def __init__(self, data=None, *args, **kwargs):
        # Each box reads its month under any of its names (selectors.PAGE_PERIOD_NAMES: an older link's start and
        # end); one given twice, differently, is refused beside its box.
        self.asked_twice = []
        if data is not None:
            data = data.copy()
            for names in PAGE_PERIOD_NAMES:
                try:
                    text, _name = month_asked(data, names)
                except DomainError as refusal:
                    self.asked_twice.append(refusal)
                    continue
                if text is not None:
                    data[names[0]] = text
        super().__init__(data, *args, **kwargs)
        from .models import KeyAccount

        self.fields["tier"].widget.choices = [("", _("All tiers")), *KeyAccount.Tier.choices]
        style_form_fields(self)

    def clean_tier(self):
        try:
            return check_performance_tier(self.cleaned_data["tier"])
        except DomainError as refusal:
            raise forms.ValidationError(refusal.detail, code=refusal.code) from None

    def clean(self):
        data = super().clean()
        if self.asked_twice:
            mark_problems(self, self.asked_twice)
            return data
        names = ("month_from", "month_to")
        try:
            data["period"] = performance_period(
                data.get("month_from"),
                data.get("month_to"),
                today=timezone.localdate(),
                fields=names,
                labels=tuple(self.fields[name].label for name in names),
            )
        except DomainError as refusal:
            mark_problems(self, getattr(refusal, "problems", [refusal]))
        return data


class ContactLogForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["date", "contact", "channel", "summary", "next_step", "follow_up_on"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = account.contacts.all()
        self.fields["contact"].required = False
        self.today = timezone.localdate()
        if not self.is_bound and not self.initial.get("date"):
            self.initial["date"] = self.today
        self.fields["date"].widget.attrs["max"] = self.today.isoformat()  # the picker offers no day to come
        style_form_fields(self)

    def clean(self):
        data = super().clean()
        problems = []
        for check in (
            lambda: rules.check_contact_date(data.get("date"), today=self.today),
            lambda: rules.check_follow_up(data.get("date"), data.get("follow_up_on")),
        ):
            try:
                check()
            except DomainError as refusal:
                problems.append(refusal)
        mark_problems(self, problems)
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "part", "relationship_level", "phone", "email", "birthday", "interests", "notes"]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship_level"].widget = forms.Select(
            choices=[(1, _("1 — strongest")), (2, _("2 — good")), (3, _("3 — weakest"))]
        )
        style_form_fields(self)


class TargetsForm(forms.Form):
    """Twelve monthly targets of one account and year, in CNY; a month left empty has no target."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.DecimalField(
                label=_("Month %(month)s") % {"month": month},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        style_form_fields(self)

    def amounts(self) -> dict:
        return {month: self.cleaned_data.get(f"m{month}") for month in range(1, 13)}


class MonthTargetsForm(forms.Form):
    """One month's targets of an account's stores (amount_<store id>), and its collection target when the user
    may set it; an empty amount means no target. The amounts' rules are the service's (accounts/rules.py)."""

    def __init__(self, *args, stores, with_collection: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = list(stores)
        for store in self.stores:
            self.fields[f"amount_{store.pk}"] = _amount_field(f"{store.code} {store.name}")
        if with_collection:
            self.fields["collection"] = _amount_field(_("Collection target (回款指标)"))
        style_form_fields(self)

    def store_amounts(self) -> dict:
        return {store: self.cleaned_data.get(f"amount_{store.pk}") for store in self.stores}


def _amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class KeyAccountForm(forms.ModelForm):
    """A key account's master data (SPEC §2) on its own page: an administrator creates one and names its KA manager;
    the account's KA manager changes its other fields and sees, not changes, who owns it. The code's and the owner's
    rules are the service's (accounts.services.account_save), said beside their fields before it runs."""

    class Meta:
        model = KeyAccount
        fields = ["code", "name", "name_en", "tier", "format", "purchasing_mode", "margin_model", "owner", "region",
                  "active"]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        owner = self.fields["owner"]
        managers = account_owners_for(user)
        if self.instance.owner_id:  # the account's manager as stored stays shown, whoever may be chosen now
            managers = get_user_model().objects.filter(Q(pk__in=managers.values("pk")) | Q(pk=self.instance.owner_id))
        owner.queryset = managers.order_by("username")
        owner.label_from_instance = lambda person: f"{display_name(person)} ({person.username})"
        if not may_change_owner(user):
            owner.disabled = True
            owner.help_text = _("Only an administrator changes an account's KA manager.")
        if self.instance.pk is None:  # a new chain's format and terms are chosen, not left at the model's default
            for name in ("format", "purchasing_mode", "margin_model"):
                field = self.fields[name]
                field.choices = [("", "---------"), *[c for c in field.choices if c[0] != ""]]
                self.initial[name] = field.initial = None
        style_form_fields(self)

    def clean(self):
        data = super().clean()
        refusals = []
        if "code" in data:
            refusals += account_code_refusals(data["code"], pk=self.instance.pk, by=self.user)
        if "owner" in data:
            try:
                account_owner_check(
                    account=self.instance if self.instance.pk else None, owner=data["owner"], by=self.user
                )
            except DomainError as refusal:
                refusals.append(refusal)
        for refusal in refusals:
            if refusal.field not in self.errors:
                self.add_error(refusal.field, forms.ValidationError(refusal.detail, code=refusal.code))
        return data
