"""The pure rule: a plan is executed when every price is within the tolerance and every display is in place with
a photo (evidence/execution.py)."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from evidence.execution import DisplaySeen, PriceSeen, plan_execution, reason_text

TOL = D("0.02")


def _run(seen, *, present=True, photo=True, checked=True):
    return plan_execution(
        prices=[PriceSeen("纯生啤酒", D("10.00"), seen, checked=checked)],
        displays=[DisplaySeen("end_cap", present, photo)],
        tolerance=TOL,
    )


@pytest.mark.parametrize(
    ("seen", "executed"),
    [("10.00", True), ("10.20", True), ("9.80", True), ("10.21", False), ("9.79", False), ("12.00", False)],
)
def test_price_within_the_tolerance_either_way_counts_as_the_plans(seen, executed):
    assert _run(D(seen)).executed is executed


def test_a_price_off_says_which_product_what_was_seen_and_the_plans_price():
    result = _run(D("11.50"))
    assert result.reasons == [
        {"code": "price_off", "params": {"product": "纯生啤酒", "seen": "11.50", "plan": "10.00"}}
    ]
    with translation.override("en"):
        assert reason_text(result.reasons[0]) == "纯生啤酒 at 11.50 on the shelf, plan 10.00"
    with translation.override("zh-hans"):
        assert reason_text(result.reasons[0]) == "纯生啤酒货架价11.50，方案价10.00"
    assert result.failed and result.checked


def test_a_display_missing_or_without_photo_is_not_executed():
    missing = _run(D("10.00"), present=False)
    no_photo = _run(D("10.00"), photo=False)
    assert [r["code"] for r in missing.reasons] == ["display_missing"]
    assert [r["code"] for r in no_photo.reasons] == ["display_no_photo"]
    assert not missing.executed and not no_photo.executed


def test_product_not_on_the_shelf_and_parts_not_checked():
    assert [r["code"] for r in _run(None).reasons] == ["product_not_found"]
    unchecked = _run(None, checked=False, present=None)
    assert [r["code"] for r in unchecked.reasons] == ["not_checked", "not_checked"]
    assert not unchecked.executed and not unchecked.checked and not unchecked.failed
