"""A promoter's day through its services: check-in and out, the sell-out report and the supervisor's confirmation,
with every refusal (nothing half-written)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from ka_portal.errors import DomainError
from promoters import attendance
from promoters.models import SellOutLine, Shift
from promoters.phone_services import (
    SellOutInput,
    attendance_confirm,
    attendance_confirm_many,
    sell_out_report,
    shift_check_in,
    shift_check_out,
    shift_for_report,
)
from stores.models import Listing

from .factories_phone import FAR, NEAR, ShiftFactory, phone_world

pytestmark = pytest.mark.django_db


def at(hh, mm, day=1):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm))


@pytest.fixture
def w(time_machine):
    time_machine.move_to(at(8, 50), tick=False)
    return phone_world()


def refused(code, call):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def checked_in(w, when=None, position=NEAR):
    return shift_check_in(shift=w.shift, by=w.user, at=when, latitude=position[0], longitude=position[1])


# --- check-in and check-out -----------------------------------------------------------------------------------


def test_check_in_keeps_the_position_and_its_distance(w):
    shift = checked_in(w)
    assert shift.checked_in_at == at(8, 50)
    assert shift.check_in_latitude == NEAR[0]
    assert 30 < shift.check_in_distance_m < 60


def test_a_far_check_in_reads_off_site(w, time_machine):
    checked_in(w, position=FAR)
    time_machine.move_to(at(17, 0), tick=False)
    shift_check_out(shift=w.shift, by=w.user)
    assert attendance.reading(Shift.objects.get(pk=w.shift.pk)).status == attendance.OFF_SITE


def test_a_second_check_in_is_refused_with_the_first_time(w):
    checked_in(w)
    error = refused("shift.already_checked_in", lambda: checked_in(w, when=at(8, 55)))
    assert "08:50" in error.detail
    assert Shift.objects.get(pk=w.shift.pk).checked_in_at == at(8, 50)


def test_check_in_only_on_the_shift_day(w, time_machine):
    time_machine.move_to(at(9, 0, day=2), tick=False)
    refused("shift.not_today", lambda: checked_in(w))
    assert Shift.objects.get(pk=w.shift.pk).checked_in_at is None


def test_the_phone_time_is_kept_and_a_clock_a_little_ahead_reads_now(w):
    """A phone minutes ahead (within visits/rules.CLOCK_SKEW) is taken as the server's now; further ahead is refused
    (tests/promoters/test_shift_phone_time.py)."""
    shift = checked_in(w, when=at(8, 45))
    assert shift.checked_in_at == at(8, 45)
    shift_check_out(shift=shift, by=w.user, at=at(8, 53), leave_early=True)
    assert Shift.objects.get(pk=shift.pk).checked_out_at == at(8, 50)


def test_another_promoters_shift_is_not_found(w):
    refused("not_found", lambda: shift_check_in(shift=w.other_shift, by=w.user))
    refused("not_found", lambda: shift_check_in(shift=w.shift, by=w.supervisor))


def test_check_out_needs_a_check_in_and_happens_once(w, time_machine):
    refused("shift.not_checked_in", lambda: shift_check_out(shift=w.shift, by=w.user))
    checked_in(w)
    time_machine.move_to(at(17, 5), tick=False)
    shift_check_out(shift=w.shift, by=w.user, latitude=NEAR[0], longitude=NEAR[1])
    refused("shift.already_checked_out", lambda: shift_check_out(shift=w.shift, by=w.user))
    assert Shift.objects.get(pk=w.shift.pk).check_out_distance_m < 60


def test_check_out_before_check_in_is_refused(w):
    checked_in(w)
    refused("shift.check_out_before_check_in", lambda: shift_check_out(shift=w.shift, by=w.user, at=at(8, 0)))


@pytest.mark.parametrize(("hh", "mm", "allowed"), [(7, 59, False), (8, 0, True)])
def test_check_in_opens_a_set_time_before_the_start(w, time_machine, hh, mm, allowed):
    """Finding: a check-in 12 hours before an 18:00 shift was accepted (default: 60 minutes ahead)."""
    time_machine.move_to(at(hh, mm), tick=False)
    if allowed:
        assert checked_in(w).checked_in_at == at(hh, mm)
        return
    error = refused("shift.check_in_too_early", lambda: checked_in(w))
    # the wait is to when check-in opens (QA: the minutes to the start read as the wait)
    assert "09:00" in error.detail and "08:00" in error.detail and error.params["minutes"] == 1
    assert Shift.objects.get(pk=w.shift.pk).checked_in_at is None


def test_a_check_in_too_early_says_when_check_in_opens_and_how_long_until_then(w, time_machine):
    """QA: at 11:02 for a 14:00 shift (check-in from 13:00) the refusal said "not 178 minutes ahead": the minutes to
    the start, not the wait. It says when check-in opens and how long that is from now, in the phone's minutes."""
    afternoon = ShiftFactory(promoter=w.promoter, store=w.store, day=w.shift.day, starts_at=time(14), ends_at=time(18))
    time_machine.move_to(at(11, 2) + timedelta(seconds=40), tick=False)
    with translation.override("en"):
        error = refused(
            "shift.check_in_too_early",
            lambda: shift_check_in(shift=afternoon, by=w.user, latitude=NEAR[0], longitude=NEAR[1]),
        )
        assert error.detail == "This shift starts at 14:00: check-in opens at 13:00, in 118 minutes."
    assert error.params["minutes"] == 118 and error.params["opens"] == "13:00"


def test_the_check_in_window_is_a_setting(w, time_machine, settings):
    import dataclasses

    settings.KA = dataclasses.replace(settings.KA, promoter_check_in_before_minutes=5)
    refused("shift.check_in_too_early", lambda: checked_in(w))  # 08:50, ten minutes ahead
    time_machine.move_to(at(8, 55), tick=False)
    assert checked_in(w).checked_in_at == at(8, 55)


def test_checking_out_well_before_the_end_needs_the_promoters_confirmation(w, time_machine):
    """Finding: one tap ended a 9–17 shift 11 hours early; now it asks first (the page's second step)."""
    checked_in(w)
    time_machine.move_to(at(16, 49), tick=False)  # 11 minutes before the end: more than the 10 allowed
    error = refused("shift.check_out_early", lambda: shift_check_out(shift=w.shift, by=w.user))
    assert error.field == "leave_early" and error.params["minutes"] == 11 and "17:00" in error.detail
    assert Shift.objects.get(pk=w.shift.pk).checked_out_at is None
    shift = shift_check_out(shift=w.shift, by=w.user, leave_early=True)
    assert shift.checked_out_at == at(16, 49)
    assert attendance.reading(Shift.objects.get(pk=w.shift.pk), now=at(17, 30)).early_minutes == 11


def test_checking_out_within_the_allowed_minutes_needs_no_confirmation(w, time_machine):
    checked_in(w)
    time_machine.move_to(at(16, 50), tick=False)
    assert shift_check_out(shift=w.shift, by=w.user).checked_out_at == at(16, 50)


# --- sell-out -------------------------------------------------------------------------------------------------


def lines(w, beer="3/2", chips=5, **beer_more):
    return [
        SellOutInput(product=w.beer, units=beer, shelf_stock=beer_more.get("shelf_stock", 20),
                     price_seen=beer_more.get("price_seen", "5.50")),
        SellOutInput(product=w.chips, units=chips),
    ]  # fmt: skip


def test_a_report_writes_one_line_per_product(w):
    checked_in(w)
    sell_out_report(shift=w.shift, lines=lines(w), by=w.user)
    rows = {line.product.code: line for line in SellOutLine.objects.filter(shift=w.shift)}
    assert rows["PHB"].units == 38  # 3 cases of 12 and 2 packs
    assert rows["PHB"].shelf_stock == 20
    assert rows["PHB"].price_seen == Decimal("5.50")
    assert rows["PHC"].units == 5 and rows["PHC"].shelf_stock is None


def test_a_repeated_report_is_one_report(w):
    checked_in(w)
    sell_out_report(shift=w.shift, lines=lines(w), by=w.user)
    sell_out_report(shift=w.shift, lines=lines(w), by=w.user)
    sell_out_report(shift=w.shift, lines=lines(w, chips=7), by=w.user)
    assert SellOutLine.objects.filter(shift=w.shift).count() == 2
    assert SellOutLine.objects.get(shift=w.shift, product=w.chips).units == 7


@pytest.mark.parametrize(
    ("beer", "chips", "more", "code", "field"),
    [
        ("-1", 5, {}, "sell_out.negative", "units"),
        (-3, 5, {}, "sell_out.negative", "units"),
        ("-1/2", 5, {}, "sell_out.negative", "units"),
        ("2.5", 5, {}, "sell_out.not_whole", "units"),
        (1.5, 5, {}, "sell_out.not_whole", "units"),
        ("abc", 5, {}, "sell_out.not_whole", "units"),
        ("1/12", 5, {}, "sell_out.quantity", "units"),
        ("", 5, {}, "sell_out.units_missing", "units"),
        (3, 5, {"shelf_stock": "-2"}, "sell_out.negative", "shelf_stock"),
        (3, 5, {"shelf_stock": "2.5"}, "sell_out.not_whole", "shelf_stock"),
        (3, 5, {"price_seen": "-1"}, "sell_out.price_negative", "price_seen"),
        (3, 5, {"price_seen": "1.234"}, "sell_out.price_invalid", "price_seen"),
        (3, 20_000_000, {}, "sell_out.too_many", "units"),
        # a day's plausible most, 500 cases (finding: 99999 cases were stored), for the sold and the shelf stock
        ("500/1", 5, {}, "sell_out.implausible_quantity", "units"),
        ("99999/0", 5, {}, "sell_out.implausible_quantity", "units"),
        (3, 5, {"shelf_stock": 6001}, "sell_out.implausible_quantity", "shelf_stock"),
        # at most 3 × the shelf price (finding: 100000 for a 3.00 beer was stored)
        (3, 5, {"price_seen": "100000"}, "sell_out.price_implausible", "price_seen"),
        # read as the app reads numbers (ka_portal.formatting): "1e5" is no amount, not 100,000.00 (QA)
        (3, 5, {"price_seen": "1e5"}, "sell_out.price_invalid", "price_seen"),
        (3, 5, {"price_seen": "1e1"}, "sell_out.price_invalid", "price_seen"),
        (3, 5, {"price_seen": "4,5"}, "sell_out.price_invalid", "price_seen"),
        ("1e1", 5, {}, "sell_out.not_whole", "units"),
        (3, 5, {"price_seen": "30.01"}, "sell_out.price_implausible", "price_seen"),
    ],
)
def test_a_bad_line_refuses_the_whole_report(w, beer, chips, more, code, field):
    checked_in(w)
    error = refused(code, lambda: sell_out_report(shift=w.shift, lines=lines(w, beer, chips, **more), by=w.user))
    assert error.field == field
    assert not SellOutLine.objects.exists()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("¥4.80", "4.80"), ("2。9", "2.90"), ("４.８", "4.80"), (" 4.8 ", "4.80"), ("¥1,234.50", None)],
)
def test_a_price_seen_is_read_as_every_amount_of_the_app(w, typed, kept):
    """QA: "¥4.80" and "2。9" (a Chinese keyboard's point) were refused as no amount, though the rest of the app
    reads them (ka_portal.formatting.typed_number); ¥1,234.50 is an amount, refused only as implausible for a 5.00
    beer."""
    checked_in(w)
    report = lambda: sell_out_report(shift=w.shift, lines=lines(w, price_seen=typed), by=w.user)  # noqa: E731
    if kept is None:
        assert "1,234.50" in refused("sell_out.price_implausible", report).detail
        return
    report()
    assert SellOutLine.objects.get(shift=w.shift, product=w.beer).price_seen == Decimal(kept)


@pytest.mark.parametrize("typed", ["1e1", "1e5", "1E2", "1_0"])
def test_a_price_not_written_in_digits_is_refused_in_the_apps_words_naming_no_number_nobody_typed(w, typed):
    """QA: "1e1" was saved as 10.00 (the sell-out's value inflated) and "1e5" refused naming 100,000.00."""
    checked_in(w)
    error = refused(
        "sell_out.price_invalid",
        lambda: sell_out_report(shift=w.shift, lines=lines(w, price_seen=typed), by=w.user),
    )
    assert error.detail == "请用数字书写，例如 12000.50。" and error.field == "price_seen"  # the app's own words
    assert not SellOutLine.objects.exists()


def test_the_plausible_bounds_are_the_companys_settings_and_their_edge_is_taken(w, settings):
    import dataclasses

    checked_in(w)
    Listing.objects.filter(product=w.beer).update(shelf_price=Decimal("10.00"))
    sell_out_report(shift=w.shift, lines=lines(w, "500/0", 5, price_seen="30.00", shelf_stock="500/0"), by=w.user)
    settings.KA = dataclasses.replace(
        settings.KA, promoter_sell_out_max_cases=2, promoter_price_seen_max_ratio=Decimal(2)
    )
    error = refused(
        "sell_out.price_implausible",
        lambda: sell_out_report(shift=w.shift, lines=lines(w, 24, 5, price_seen="20.01"), by=w.user),
    )
    assert "10.00" in error.detail and "20.00" in error.detail  # the shelf price and the most it allows
    error = refused("sell_out.implausible_quantity", lambda: sell_out_report(shift=w.shift, lines=lines(w, 25, 5),
                                                                            by=w.user))  # fmt: skip
    assert error.params["max"] == 24 and error.field == "units"
    assert SellOutLine.objects.get(shift=w.shift, product=w.beer).units == 6000  # the first report unchanged


def test_a_product_not_listed_at_the_store_is_refused(w):
    checked_in(w)
    report = [*lines(w), SellOutInput(product=w.unlisted, units=1, prefix="x_")]
    error = refused("sell_out.not_listed", lambda: sell_out_report(shift=w.shift, lines=report, by=w.user))
    assert error.field == "x_product"
    assert not SellOutLine.objects.exists()


def test_a_report_before_check_in_is_refused(w):
    refused("sell_out.before_check_in", lambda: sell_out_report(shift=w.shift, lines=lines(w), by=w.user))


def test_an_empty_report_is_refused(w):
    checked_in(w)
    refused("sell_out.empty", lambda: sell_out_report(shift=w.shift, lines=[], by=w.user))


def test_a_day_without_a_shift_is_refused(w):
    assert shift_for_report(by=w.user, store=w.store, day=date(2026, 6, 1)) == w.shift
    refused("sell_out.no_shift", lambda: shift_for_report(by=w.user, store=w.store, day=date(2026, 6, 2)))
    refused("sell_out.no_shift", lambda: shift_for_report(by=w.user, store=w.other_store, day=date(2026, 6, 1)))


def test_another_promoter_cannot_report_on_the_shift(w):
    checked_in(w)
    refused("not_found", lambda: sell_out_report(shift=w.shift, lines=lines(w), by=w.other_user))


# --- the supervisor's confirmation ------------------------------------------------------------------------------


def test_confirm_closes_the_day_to_reports(w, time_machine):
    checked_in(w)
    sell_out_report(shift=w.shift, lines=lines(w), by=w.user)
    time_machine.move_to(at(17, 30), tick=False)
    shift = attendance_confirm(shift=w.shift, by=w.supervisor)
    assert shift.confirmed_attendance == attendance.OFF_SITE or shift.confirmed_attendance == attendance.ATTENDED
    assert shift.is_closed and shift.confirmed_by == w.supervisor
    refused("sell_out.day_closed", lambda: sell_out_report(shift=w.shift, lines=lines(w, chips=9), by=w.user))
    assert SellOutLine.objects.get(shift=w.shift, product=w.chips).units == 5


def test_only_an_ended_shift_is_confirmed(w, time_machine):
    time_machine.move_to(at(16, 59), tick=False)
    refused("attendance.not_ended", lambda: attendance_confirm(shift=w.shift, by=w.supervisor))
    assert not Shift.objects.get(pk=w.shift.pk).is_closed


def test_a_correction_needs_a_reason(w, time_machine):
    time_machine.move_to(at(18, 0), tick=False)  # never checked in: absent
    error = refused(
        "attendance.reason_needed",
        lambda: attendance_confirm(shift=w.shift, by=w.supervisor, attendance_value=attendance.LEAVE),
    )
    assert error.field == "reason"
    shift = attendance_confirm(shift=w.shift, by=w.supervisor, attendance_value=attendance.LEAVE, reason="病假")
    assert shift.confirmed_attendance == attendance.LEAVE
    assert attendance.reading(shift).corrected
    # confirming the computed reading needs none
    shift = attendance_confirm(shift=w.shift, by=w.supervisor, attendance_value=attendance.ABSENT)
    assert shift.confirmed_attendance == attendance.ABSENT


def test_an_unknown_reading_is_refused(w, time_machine):
    time_machine.move_to(at(18, 0), tick=False)
    refused("attendance.invalid", lambda: attendance_confirm(shift=w.shift, by=w.supervisor, attendance_value="x"))


def test_who_confirms(w, time_machine):
    time_machine.move_to(at(18, 0), tick=False)
    for user in (w.user, w.manager, w.finance, w.rep):
        with pytest.raises(PermissionDenied):
            attendance_confirm(shift=w.shift, by=user)
    from accounts.roles import Role
    from tests.factories import make_user

    stranger = make_user(Role.SUPERVISOR)
    refused("not_found", lambda: attendance_confirm(shift=w.shift, by=stranger))
    assert attendance_confirm(shift=w.shift, by=w.admin).confirmed_by == w.admin


def test_confirm_a_day_confirms_each_as_computed_or_nothing(w, time_machine):
    late = ShiftFactory(promoter=w.promoter, store=w.store, day=w.shift.day, starts_at=at(18, 0).time(),
                        ends_at=at(21, 0).time())  # fmt: skip
    time_machine.move_to(at(18, 0), tick=False)
    with pytest.raises(DomainError):  # the evening shift has not ended: nothing confirmed
        attendance_confirm_many(shifts=[w.shift, w.other_shift, late], by=w.supervisor)
    assert not Shift.objects.filter(confirmed_at__isnull=False).exists()
    time_machine.move_to(at(18, 0) + timedelta(hours=3), tick=False)
    done = attendance_confirm_many(shifts=[w.shift, w.other_shift, late], by=w.supervisor)
    assert {s.confirmed_attendance for s in done} == {attendance.ABSENT}
