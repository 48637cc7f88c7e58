"""The `cases/packs` stock notation: good inputs become packs, bad ones are refused with a reason."""

import pytest
from django.utils import translation

from ka_portal.formatting import PacksNotationError, format_packs, parse_packs


@pytest.mark.parametrize(
    "text, per_case, packs",
    [
        ("1", 12, 12),
        ("0/10", 12, 10),
        ("1/1", 12, 13),
        ("0", 12, 0),
        ("0/0", 12, 0),
        ("0/11", 12, 11),
        (" 2 / 3 ", 24, 51),
        ("１／５", 12, 17),  # full-width, as a Chinese keyboard types it
        ("", 12, None),
        ("  ", 12, None),
        ("7", 1, 7),
    ],
)
def test_good_notation_becomes_packs(text, per_case, packs):
    assert parse_packs(text, per_case) == packs


@pytest.mark.parametrize(
    "text, per_case, reason",
    [
        ("0/12", 12, "12 packs is a case or more: a case holds 12 packs, so write 1."),
        ("1/13", 12, "so write 2/1"),
        ("0/1", 1, "a case holds 1 packs"),
        ("-1", 12, "cannot be negative"),
        ("1/-1", 12, "cannot be negative"),
        ("\u22123", 12, "cannot be negative"),  # the minus sign a phone's symbol pad offers
        ("－3", 12, "cannot be negative"),  # full-width, from a Chinese keyboard
        ("abc", 12, "cases/packs"),
        ("1.5", 12, "cases/packs"),
        ("1/2/3", 12, "cases/packs"),
        ("/5", 12, "cases/packs"),
        ("1/", 12, "cases/packs"),
    ],
)
def test_bad_notation_is_refused_with_the_reason(text, per_case, reason):
    with translation.override("en"), pytest.raises(PacksNotationError) as refused:
        parse_packs(text, per_case)
    assert reason in refused.value.message


@pytest.mark.parametrize(
    ("packs", "per_case", "zh", "en"),
    [
        (-22, 24, "-22 包", "-22 packs"),
        (-26, 24, "-26 包", "-26 packs"),
        (-48, 24, "-48 包", "-48 packs"),
        (-1, 1, "-1 包", "-1 pack"),
        (22, 24, "0/22", "0/22"),
    ],
)
def test_a_negative_quantity_is_written_in_packs_with_its_unit(packs, per_case, zh, en):
    # negative actual sales (a flagged pair): "-0/22" read as zero, "-1/2" as one case less and two packs more,
    # and "-(0/22)" as neither (rep finding 7); the packs are also what the export and the API give
    with translation.override("zh-hans"):
        assert format_packs(packs, per_case) == zh
    with translation.override("en"):
        assert format_packs(packs, per_case) == en


@pytest.mark.parametrize("packs", [0, 1, 11, 12, 13, 240, 251])
def test_parse_reads_back_what_format_writes(packs):
    assert parse_packs(format_packs(packs, 12), 12) == packs
