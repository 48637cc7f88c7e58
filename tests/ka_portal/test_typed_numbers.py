"""A number typed on a Chinese keyboard is read as meant, or refused as typed: never silently another number."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from ka_portal.formatting import typed_number
from ka_portal.lists import TypedNumberInput, style_form_fields


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12000。5", "12000.5"),  # the "." key in Chinese mode
        ("１２０００．５０", "12000.50"),  # full-width digits and point
        ("¥1,234.50", "1234.50"),
        ("￥ 3.5 ", "3.5"),
        ("-1,000", "-1000"),
        ("4,5", "4,5"),  # not a thousands group: left for the field to refuse, not read as 45
        ("1,2345", "1,2345"),
        ("16万", "16万"),
    ],
)
def test_typed_number(typed, read):
    assert typed_number(typed) == read


class _Budget(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    volume = forms.IntegerField(min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)


def test_a_styled_form_reads_the_text_typed_and_refuses_what_is_no_number_keeping_it():
    form = _Budget({"amount": "12000。5", "volume": "１２"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": Decimal("12000.50"), "volume": 12}
    html = str(form["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "step=" not in html
    # the browser may keep what was typed when the user comes Back to the form (tests/e2e/test_typed_numbers.py)
    assert "autocomplete" not in html
    assert 'inputmode="numeric"' in str(form["volume"])
    assert isinstance(form.fields["amount"].widget, TypedNumberInput)

    refused = _Budget({"amount": "4,5"})
    assert not refused.is_valid() and "amount" in refused.errors
    assert 'value="4,5"' in str(refused["amount"])


@pytest.mark.parametrize("typed", ["1e5", "5E3", "1e+2"])
def test_an_amount_in_scientific_notation_is_refused_not_read_as_thousands(typed):
    with translation.override("en"):
        refused = _Budget({"amount": typed})
        assert not refused.is_valid()
        assert refused.errors["amount"] == ["Write the number in digits, e.g. 12000.50."]
    assert f'value="{typed}"' in str(refused["amount"])  # kept as typed
    assert _Budget({"amount": "100000"}).is_valid() and _Budget({"amount": "0.50"}).is_valid()


def test_labels_read_in_sentence_case():
    class _Plan(forms.Form):
        account = forms.CharField(label="key account")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            style_form_fields(self)

    assert _Plan().fields["account"].label == "Key account"
