"""The visit rating of SPEC §4: red for a major problem, yellow for room to improve, green otherwise."""

import pytest

from visits.rating import GREEN, RED, YELLOW, rate_visit, reason_text, visit_rating


@pytest.mark.parametrize(
    "checklist, price_ok, promotion, out_of_stock, expected",
    [
        (["pass"] * 5, True, True, 0, GREEN),
        (["pass", "na", "na", "pass", "pass"], None, None, 0, GREEN),
        (["pass", "fail", "pass", "pass", "pass"], True, True, 0, YELLOW),
        (["pass"] * 5, False, True, 0, YELLOW),
        (["pass"] * 5, True, True, 1, RED),
        (["pass"] * 5, True, False, 0, RED),
        (["fail"] * 5, False, None, 0, YELLOW),
        (["fail"] * 5, False, False, 3, RED),
    ],
)
def test_rating_rule(checklist, price_ok, promotion, out_of_stock, expected):
    rating = visit_rating(
        checklist=checklist, price_check_ok=price_ok, promotion_executed=promotion, out_of_stock_products=out_of_stock
    )
    assert rating == expected


# --- the reasons (issue 11): worked examples -------------------------------------------------------

BEER = {"product": "海川纯生啤酒 500ml", "product_code": "P001"}


def _rate(**overrides):
    findings = {
        "checklist": dict.fromkeys(["together", "tidy", "price_tag", "promotion_display", "stock_level"], "pass"),
        "price_check_ok": True,
        "promotion_executed": True,
    }
    return rate_visit(**(findings | overrides))


def test_a_complete_good_visit_is_green_with_no_reasons():
    rated = _rate()
    assert (rated.rating, rated.reasons) == (GREEN, [])


def test_out_of_stock_and_promotion_are_red_and_say_so_before_the_yellow_reasons():
    rated = _rate(
        checklist={"together": "pass", "tidy": "fail"},
        promotion_executed=False,
        out_of_stock=[BEER],
        short_minutes=3,
    )
    assert rated.rating == RED
    assert rated.reasons_json() == [
        {"code": "out_of_stock", "params": BEER},
        {"code": "promotion_not_executed", "params": {}},
        {"code": "checklist_failed", "params": {"item": "tidy"}},
        {"code": "short_visit", "params": {"minutes": 3}},
    ]


@pytest.mark.parametrize(
    "overrides, code, params",
    [
        ({"checklist": {"tidy": "fail", "together": "pass"}}, "checklist_failed", {"item": "tidy"}),
        ({"price_check_ok": False}, "price_check_failed", {}),
        ({"checkout_reason": "仓库锁门"}, "checked_out_incomplete", {"reason": "仓库锁门"}),
        ({"short_minutes": 4}, "short_visit", {"minutes": 4}),
        ({"has_position": False}, "no_position", {}),
    ],
)
def test_each_yellow_reason_alone_makes_a_good_visit_yellow(overrides, code, params):
    rated = _rate(**overrides)
    assert rated.rating == YELLOW
    assert rated.reasons_json() == [{"code": code, "params": params}]


def test_a_visit_checked_out_under_a_reason_is_never_green_but_can_be_red():
    assert _rate(checkout_reason="停电").rating == YELLOW
    assert _rate(checkout_reason="停电", out_of_stock=[BEER]).rating == RED


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", ["Out of stock: 海川纯生啤酒 500ml", "Checklist item failed: Tidy", "Short visit: 3 min"]),
        ("zh-hans", ["缺货：海川纯生啤酒 500ml", "陈列检查不合格：Tidy", "拜访过短：3分钟"]),
    ],
)
def test_reasons_read_as_sentences_in_both_languages(language, expected):
    from django.utils import translation

    rated = _rate(checklist={"tidy": "fail"}, out_of_stock=[BEER], short_minutes=3)
    with translation.override(language):
        texts = [reason_text(reason, item_label=lambda item: item.title()) for reason in rated.reasons_json()]
    assert texts == expected
