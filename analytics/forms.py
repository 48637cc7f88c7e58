"""Forms of the analysis pages: only parse the query string; every figure comes from a selector."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.days import IsoDayField
from ka_portal.formatting import account_name
from ka_portal.lists import style_form_fields
from ka_portal.months import MonthField
from tradespend import reports

# The analysis pages, their Excel and their API read the year so far unless a period is asked: this month alone is
# empty early in a month, and a trend of it one point. (The targets pages are of one month: this month.)
DEFAULT_PERIOD = "year_to_date"

# The longest period one store P&L covers: three years of days.
STORE_PNL_MAX_DAYS = 3 * 366


class TargetMonthForm(forms.Form):
    """The targets page's month (YYYY-MM); this month when not given."""

    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)

    def clean_month(self) -> date:
        today = timezone.localdate()
        return self.cleaned_data.get("month") or date(today.year, today.month, 1)


class StorePnlForm(forms.Form):
    """A chain (?account=<code>, among the user's) and a period of days (?from=&to=); the year so far by default.
    cleaned_data holds `account`, `start` and `end`."""

    account = forms.ModelChoiceField(label=_("Key account"), queryset=None, to_field_name="code")

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("from", _("From")), ("to", _("To"))):  # query names, not Python identifiers
            self.fields[name] = IsoDayField(  # refused in the lists' words (ka_portal.days), not "Enter a valid date."
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )
        self.fields["account"].queryset = accounts.order_by("code")
        self.fields["account"].label_from_instance = lambda account: f"{account.code} {account_name(account)}"
        style_form_fields(self)

    @staticmethod
    def default_days(today: date) -> dict[str, date]:
        """The days read when none are asked: the year so far."""
        return {"from": reports.preset_period(DEFAULT_PERIOD, today)[0], "to": today}

    def clean(self):
        data = super().clean()
        if "from" in self.errors or "to" in self.errors:
            return data
        default = self.default_days(timezone.localdate())
        start, end = data.get("from") or default["from"], data.get("to") or default["to"]
        if start > end:
            self.add_error("to", _("The last day must not be before the first day."))
        elif (end - start).days >= STORE_PNL_MAX_DAYS:
            self.add_error("to", _("Choose at most %(days)s days.") % {"days": STORE_PNL_MAX_DAYS})
        data["start"], data["end"] = start, end
        return data
