"""Django's form messages that its own Chinese words poorly read as the rest of the portal in Chinese
(ka_portal/django_messages.py): full-width brackets and stops, no "variable"; English stays Django's."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation

from contracts.forms import ContractForm


def _refusal(field: forms.Field, value, language: str) -> str:
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            field.clean(value)
        return " ".join(refused.value.messages)  # the messages are lazy: read in the language


@pytest.mark.parametrize(
    ("field", "value", "chinese", "english"),
    [
        (
            forms.CharField(max_length=3),
            "abcd",
            "最多 3 个字符（现有 4 个）。",
            "Ensure this value has at most 3 characters (it has 4).",
        ),
        (
            forms.CharField(min_length=2),
            "a",
            "至少 2 个字符（现有 1 个）。",
            "Ensure this value has at least 2 characters (it has 1).",
        ),
        (
            forms.DecimalField(max_digits=14, decimal_places=2),
            "12.345",
            "最多 2 位小数。",
            "Ensure that there are no more than 2 decimal places.",
        ),
        (
            forms.DecimalField(max_digits=4, decimal_places=2),
            "123.4",
            "整数部分最多 2 位。",
            "Ensure that there are no more than 2 digits before the decimal point.",
        ),
        (
            forms.DecimalField(max_digits=3),
            "1234",
            "最多共 3 位数字。",
            "Ensure that there are no more than 3 digits in total.",
        ),
        (
            forms.ChoiceField(choices=[("a", "A")]),
            "b",
            "请选择有效的选项：b 不在可选范围内。",
            "Select a valid choice. b is not one of the available choices.",
        ),
    ],
)
def test_a_refused_value_reads_in_the_portals_chinese_and_djangos_english(field, value, chinese, english):
    assert _refusal(field, value, "zh-hans") == chinese
    assert _refusal(field, value, "en") == english


@pytest.mark.django_db
def test_a_record_outside_the_choices_reads_in_the_portals_chinese():
    field = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    assert _refusal(field, "1", "zh-hans") == "请选择有效的选项：所选项不在可选范围内。"


@pytest.mark.django_db
def test_a_form_of_the_portal_says_it_so_too():
    # given the contract form with a contract number longer than its column
    form = ContractForm(data={"number": "C" * 300})
    # when it is checked in Chinese
    with translation.override("zh-hans"):
        errors = form.errors["number"]
    # then the message names the limit and the length with full-width brackets
    assert errors == ["最多 40 个字符（现有 300 个）。"]
