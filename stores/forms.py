"""Store forms: a supervisor or manager keeps the store sheet right (grade, frequency, rep, coordinates).

The forms only parse; what a value may be is stores/rules.py's, checked in `clean` on the record as it
will be saved (so the page and the admin refuse with the rule's message before the service does too).
"""

from django import forms

from accounts.roles import Role
from ka_portal import bounds
from ka_portal.lists import style_form_fields
from ka_portal.scope import accounts_for, team_for

from . import rules
from .models import Product, Store
from .services import code_taken, record_values

CODED = (Store, Product)  # records named by a code that is unique whatever its case (stores/services.py)


class RuleCheckedForm(forms.ModelForm):
    """A ModelForm whose `clean` shows every refusal of its record's rule (`rule`, of stores/rules.py)."""

    rule: tuple[rules.Check, ...] = ()

    def clean(self):
        data = super().clean()
        if not self.errors:  # a value that did not parse is reported once, as such
            refusals = rules.refusals(self.rule, {**record_values(self.instance), **data})
            model = self._meta.model
            if model in CODED and "code" in data:  # a store's or product's code, compared without case
                refusals.append(code_taken(model, data["code"], pk=self.instance.pk))
            for refusal in filter(None, refusals):
                field = refusal.field if refusal.field in self.fields else None
                self.add_error(field, forms.ValidationError(refusal.detail, code=refusal.code))
        return data


class StoreForm(RuleCheckedForm):
    rule = rules.STORE

    class Meta:
        model = Store
        fields = ["account", "code", "name", "grade", "visits_per_week_override", "rep", "city", "region", "address",
                  "latitude", "longitude", "opened_on", "active"]  # fmt: skip
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_for(user).order_by("code")
        self.fields["rep"].queryset = team_for(user).filter(profile__role=Role.REP).order_by("username")
        self.fields["rep"].label_from_instance = _rep_label
        self.fields["visits_per_week_override"].widget.attrs.update(
            {"min": rules.VISITS_PER_WEEK_MIN, "max": bounds.VISITS_PER_WEEK_MAX}
        )
        style_form_fields(self)


def _rep_label(user) -> str:
    from ka_portal.formatting import display_name

    return f"{display_name(user)} ({user.username})"


# The admin's forms: its ModelAdmin builds the fields from the model (modelform_factory); these add the rule.
class StoreAdminForm(RuleCheckedForm):
    rule = rules.STORE


class ProductAdminForm(RuleCheckedForm):
    rule = rules.PRODUCT


class ListingAdminForm(RuleCheckedForm):
    rule = rules.LISTING


class DeliveryAdminForm(RuleCheckedForm):
    rule = rules.DELIVERY
