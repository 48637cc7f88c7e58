"""imports/texts.py: what a problem keeps so that it reads in any language, and how it reads."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from imports import texts


def test_a_lazy_message_keeps_its_msgid_and_a_lazy_word_inside_it():
    kept = texts.kept(gettext_lazy("Expected %(expected)s, found a date."), {"expected": gettext_lazy("a number")})

    word = {"msgid": "a number", "params": {}}
    assert kept == {"msgid": "Expected %(expected)s, found a date.", "params": {"expected": word}}
    with translation.override("zh-hans"):
        assert texts.render(kept) == "应为数字，却是日期。"
    with translation.override("en"):
        assert texts.render(kept) == "Expected a number, found a date."


def test_other_parameters_are_kept_as_the_sentence_wrote_them():
    kept = texts.kept(gettext_lazy("Must be at least %(min)s."), {"min": Decimal("0.50")})

    assert kept["params"] == {"min": "0.50"}
    with translation.override("en"):
        assert texts.render(kept) == texts.written(gettext_lazy("Must be at least %(min)s."), {"min": Decimal("0.50")})


def test_a_sentence_already_written_is_not_kept():
    assert texts.kept(gettext("A value is required.")) is None
    assert texts.kept("typed by someone") is None


def test_a_message_whose_placeholders_no_longer_fit_reads_without_them():
    assert texts.render({"msgid": "Gone %(what)s", "params": {"other": 1}}) == "Gone %(what)s"
