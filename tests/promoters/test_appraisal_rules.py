"""The appraisal's pure rules: a shift's reading at its boundaries, the days on the roster, the pro-rated monthly
pay, the split of a pay in cents that always add up, and the weighted score."""

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promoters import appraisal_rules as rules
from promoters.models import Shift

from .factories_appraisal import at

A = Shift.Attendance
DAY = date(2026, 9, 1)
AFTER = at(date(2026, 9, 2), "00:00")


class _Shift:
    def __init__(self, *, check_in=None, check_out=None, distance=20, confirmed=""):
        self.day, self.starts_at, self.ends_at = DAY, time(9, 0), time(17, 0)
        self.checked_in_at = at(DAY, check_in) if check_in else None
        self.checked_out_at = at(DAY, check_out) if check_out else None
        self.check_in_distance_m = distance if check_in else None
        self.check_in_received_at = None  # judged on the phone's time (checked in before the server kept its own)
        self.confirmed_attendance = confirmed


@pytest.mark.parametrize(
    ("check_in", "check_out", "distance", "reading"),
    [
        ("09:10", "17:00", 20, A.ATTENDED),  # 10 minutes late is still on time (late after 10)
        ("09:11", "17:00", 20, A.LATE),
        ("09:00", "16:50", 20, A.ATTENDED),  # 10 minutes early is still a whole shift
        ("09:00", "16:49", 20, A.LEFT_EARLY),
        ("09:30", "16:00", 20, A.LATE_AND_EARLY),
        ("09:00", None, 20, A.ATTENDED),  # no check-out: not early (the supervisor corrects)
        ("09:00", "17:00", 500, A.ATTENDED),  # at the distance allowed
        ("09:00", "17:00", 501, A.OFF_SITE),
        (None, None, None, A.ABSENT),
    ],
)
def test_a_shifts_reading(check_in, check_out, distance, reading):
    assert rules.shift_reading(_Shift(check_in=check_in, check_out=check_out, distance=distance), now=AFTER) == reading


def test_the_confirmed_reading_wins_and_an_unended_shift_is_not_read_yet():
    assert rules.shift_reading(_Shift(confirmed=A.LEAVE), now=AFTER) == A.LEAVE
    assert rules.shift_reading(_Shift(), now=at(DAY, "16:59")) is None
    assert rules.shift_reading(_Shift(), now=at(DAY, "17:00")) == A.ABSENT


@pytest.mark.parametrize(
    ("started_on", "ended_on", "days", "pay"),
    [
        (date(2026, 1, 1), None, 30, "3000.00"),
        (date(2026, 9, 11), None, 20, "2000.00"),
        (date(2026, 9, 30), None, 1, "100.00"),
        (date(2026, 1, 1), date(2026, 9, 10), 10, "1000.00"),
        (date(2026, 9, 11), date(2026, 9, 11), 1, "100.00"),
        (date(2026, 1, 1), date(2026, 8, 31), 0, "0.00"),
        (date(2026, 10, 1), None, 0, "0.00"),
    ],
)
def test_the_monthly_pay_for_the_days_on_the_roster(started_on, ended_on, days, pay):
    assert rules.roster_days(started_on=started_on, ended_on=ended_on, month=date(2026, 9, 1)) == days
    assert rules.monthly_pay_for(
        monthly_pay=Decimal("3000.00"), started_on=started_on, ended_on=ended_on, month=date(2026, 9, 1)
    ) == Decimal(pay)


def test_a_split_in_cents_gives_the_odd_cent_to_the_largest_remainder():
    assert rules.split_amount(Decimal("100.00"), {"a": 1, "b": 1, "c": 1}) == {
        "a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")
    }  # fmt: skip
    assert rules.split_amount(Decimal("10.00"), {"a": 2, "b": 1}) == {"a": Decimal("6.67"), "b": Decimal("3.33")}
    assert rules.split_amount(Decimal("10.00"), {}) == {}


@given(
    amount=st.decimals(min_value=0, max_value=1_000_000, places=2),
    shares=st.dictionaries(st.integers(0, 20), st.integers(1, 40), min_size=1, max_size=8),
)
def test_a_split_always_adds_up_to_the_amount(amount, shares):
    parts = rules.split_amount(amount, shares)

    assert sum(parts.values()) == amount
    assert all(part >= 0 for part in parts.values())


@pytest.mark.parametrize(
    ("parts", "score"),
    [
        ({"sell_out": Decimal("72.5"), "attendance": Decimal("71.4"), "display": Decimal("77.8")}, Decimal("73.2")),
        ({"sell_out": None, "attendance": Decimal("100"), "display": None}, Decimal("100.0")),
        ({"sell_out": Decimal("0"), "attendance": Decimal("100"), "display": None}, Decimal("37.5")),
        ({"sell_out": None, "attendance": None, "display": None}, None),
    ],
)
def test_the_weighted_score(parts, score):
    weights = {"sell_out": Decimal("0.5"), "attendance": Decimal("0.3"), "display": Decimal("0.2")}

    assert rules.weighted_score(parts, weights) == score


def test_parts_are_capped_at_100_and_none_without_data():
    assert rules.sell_out_part(Decimal("300"), Decimal("100")) == Decimal("100.0")
    assert rules.sell_out_part(Decimal("300"), Decimal("0")) is None
    assert rules.attendance_part(attended=2, planned=3) == Decimal("66.7")
    assert rules.attendance_part(attended=0, planned=0) is None
    assert rules.display_part(passed=0, failed=0) is None
