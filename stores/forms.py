"""Store forms: a supervisor or manager keeps the store sheet right (grade, frequency, rep, coordinates)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ka_portal.lists import style_form_fields
from ka_portal.scope import accounts_for, team_for

from .models import Store


class StoreForm(forms.ModelForm):
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
        self.fields["visits_per_week_override"].widget.attrs.update({"min": 1, "max": 7})
        style_form_fields(self)

    def clean_visits_per_week_override(self):
        value = self.cleaned_data.get("visits_per_week_override")
        if value is not None and not 1 <= value <= 7:
            raise forms.ValidationError(_("Visits per week must be between 1 and 7, or empty to follow the grade."))
        return value

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        if data.get("latitude") is not None and not -90 <= data["latitude"] <= 90:
            self.add_error("latitude", _("Latitude must be between -90 and 90."))
        if data.get("longitude") is not None and not -180 <= data["longitude"] <= 180:
            self.add_error("longitude", _("Longitude must be between -180 and 180."))
        return data


def _rep_label(user) -> str:
    from ka_portal.formatting import display_name

    return f"{display_name(user)} ({user.username})"
