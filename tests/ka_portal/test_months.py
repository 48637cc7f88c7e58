"""One reading of a typed month for every door (ka_portal.months): the pages' forms, the API's serializers, the
reports' parameters and the promoters' attendance read "2026-05" alike and refuse the same typos."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from ka_portal.months import MonthField, parse_month


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("2026-05", date(2026, 5, 1)),
        (" 2026-5 ", date(2026, 5, 1)),  # a month box without a picker, typed by hand
        ("2026-05-17", date(2026, 5, 1)),  # a link or a client that sends a day means its month
        ("2100-12", date(2100, 12, 1)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_month_as_people_type_it(typed, month):
    assert parse_month(typed) == month


@pytest.mark.parametrize("typed", ["2026-13", "2026-00", "0226-05", "20266-05", "2026/05", "May 2026", "2026-05-32"])
def test_a_typo_is_no_month(typed):
    with pytest.raises(ValueError, match="not a month"):
        parse_month(typed)


def test_the_form_field_names_the_format_and_keeps_blank_empty():
    class Period(forms.Form):
        month = MonthField(required=False)

    bad = Period({"month": "2026-13"})
    with translation.override("en"):
        said = "“2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."
        assert not bad.is_valid() and bad.errors["month"] == [said]  # what was typed is named: it is YYYY-MM
    with translation.override("zh-hans"):
        assert "“2026-13”" in Period({"month": "2026-13"}).errors["month"][0]
    # what was typed stays, in a text box: a month box would show 2026-13 empty
    assert 'type="text"' in str(bad["month"]) and 'value="2026-13"' in str(bad["month"])
    assert 'type="month"' in str(Period({"month": "2026-05"})["month"])
    assert 'type="month"' in str(Period(initial={"month": date(2026, 5, 1)})["month"])
    assert 'value="2026-05"' in str(Period(initial={"month": date(2026, 5, 1)})["month"])
    blank = Period({"month": ""})
    assert blank.is_valid() and blank.cleaned_data["month"] is None
