"""The roster's pure rules on worked examples (promoters/roster_rules.py)."""

from datetime import date, time
from decimal import Decimal

import pytest

from ka_portal.errors import DomainError
from promoters import roster_rules as rules


def t(text: str) -> time:
    return time.fromisoformat(text)


@pytest.mark.parametrize(
    ("mine", "other", "overlap"),
    [
        (("09:00", "13:00"), ("13:00", "18:00"), False),  # touching: one ends as the other starts
        (("13:00", "18:00"), ("09:00", "13:00"), False),
        (("09:00", "13:00"), ("12:59", "18:00"), True),
        (("10:00", "11:00"), ("09:00", "18:00"), True),  # inside another
        (("09:00", "18:00"), ("09:00", "18:00"), True),  # the same hours
        (("07:00", "08:00"), ("09:00", "18:00"), False),
    ],
)
def test_two_spans_overlap_when_each_starts_before_the_other_ends(mine, other, overlap):
    assert rules.overlaps(t(mine[0]), t(mine[1]), t(other[0]), t(other[1])) is overlap


def test_an_overlap_at_another_store_is_refused_naming_that_shift():
    booked = [rules.Booked(t("14:00"), t("20:00"), "沃尔玛五角场店 (WMT-001)")]
    with pytest.raises(DomainError) as refused:
        rules.check_no_overlap(t("09:00"), t("15:00"), booked)
    assert refused.value.code == "shift.overlap"
    assert refused.value.field == "starts_at"
    assert "沃尔玛五角场店 (WMT-001)" in refused.value.detail
    assert "14:00" in refused.value.detail and "20:00" in refused.value.detail


def test_touching_shifts_are_allowed():
    rules.check_no_overlap(t("13:00"), t("18:00"), [rules.Booked(t("09:00"), t("13:00"), "A")])


@pytest.mark.parametrize(
    ("day", "on"),
    [
        (date(2026, 3, 1), True),  # the first day
        (date(2026, 2, 28), False),
        (date(2026, 6, 30), True),  # the last day
        (date(2026, 7, 1), False),
    ],
)
def test_on_the_roster_from_the_start_to_the_end_both_included(day, on):
    assert rules.on_roster(date(2026, 3, 1), date(2026, 6, 30), day) is on


def test_a_day_off_the_roster_is_refused():
    with pytest.raises(DomainError) as refused:
        rules.check_on_roster(date(2026, 3, 1), date(2026, 6, 30), date(2026, 7, 1))
    assert (refused.value.code, refused.value.field) == ("shift.off_roster", "day")


def test_no_end_is_open():
    assert rules.on_roster(date(2026, 3, 1), None, date(2030, 1, 1))


@pytest.mark.parametrize(
    ("daily", "monthly", "code"),
    [
        (None, None, "promoter.pay_one"),
        (Decimal("180"), Decimal("4000"), "promoter.pay_one"),
        (Decimal("-1"), None, "promoter.pay_out_of_range"),
        (None, Decimal("-0.01"), "promoter.pay_out_of_range"),
    ],
)
def test_paid_by_the_day_or_the_month_exactly_one(daily, monthly, code):
    with pytest.raises(DomainError) as refused:
        rules.check_pay(daily, monthly)
    assert refused.value.code == code


def test_an_agency_is_named_when_one_employs_the_promoter():
    with pytest.raises(DomainError) as refused:
        rules.check_employer("agency", "  ")
    assert (refused.value.code, refused.value.field) == ("promoter.agency_missing", "agency")
    rules.check_employer("agency", "上海某某劳务")
    rules.check_employer("maker", "")


def test_the_end_is_not_before_the_start():
    with pytest.raises(DomainError) as refused:
        rules.check_period(date(2026, 3, 2), date(2026, 3, 1))
    assert (refused.value.code, refused.value.field) == ("promoter.ends_before_start", "ended_on")
    rules.check_period(date(2026, 3, 1), date(2026, 3, 1))


def test_a_shift_ends_after_it_starts():
    with pytest.raises(DomainError) as refused:
        rules.check_times(t("18:00"), t("09:00"))
    assert (refused.value.code, refused.value.field) == ("shift.ends_before_start", "ends_at")
    with pytest.raises(DomainError):
        rules.check_times(t("09:00"), t("09:00"))


@pytest.mark.parametrize(("checked_in", "confirmed"), [(True, False), (False, True), (True, True)])
def test_a_shift_checked_in_or_confirmed_is_locked(checked_in, confirmed):
    with pytest.raises(DomainError) as refused:
        rules.check_unlocked(checked_in=checked_in, confirmed=confirmed)
    assert refused.value.code == "shift.locked"


def test_a_target_month_is_its_first_day_and_not_negative():
    with pytest.raises(DomainError) as refused:
        rules.check_promoter_target({"month": date(2026, 3, 2), "amount": Decimal(1)})
    assert refused.value.code == "target.month_day"
    with pytest.raises(DomainError) as refused:
        rules.check_promoter_target({"month": date(2026, 3, 1), "amount": Decimal("-1")})
    assert refused.value.code == "target.negative"
