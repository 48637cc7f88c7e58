"""The rules of a promoter's day (pure: values in, a DomainError out): when a shift may be checked in and out,
what a sell-out line may hold, and when the supervisor may confirm the attendance."""

import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ka_portal.bounds import MONEY_MAX, PACKS_MAX
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import (
    NOT_IN_DIGITS,
    PacksNotationError,
    hours_and_minutes,
    loose_packs_refusal,
    number_not_in_digits,
    parse_packs,
    too_many,
)
from visits.rules import PhoneTimeRefusals

from . import attendance
from .amounts import NotAnAmount, typed_amount

REASON_MAX_LENGTH = 500

# A promoter's phone times (check-in, check-out, the sell-out report) are held to the visits' window
# (visits/rules.phone_time, KA.visit_sync_max_hours), refused in a shift's words.
SHIFT_TIME = PhoneTimeRefusals(
    "shift.time_ahead",
    _("The time %(time)s is ahead of the server's clock (%(now)s): check the phone's date and time."),
    "shift.time_too_old",
    _(
        "The time %(time)s is more than %(hours)s hours before it reached the server (%(now)s): a shift's "
        "check-in, check-out and sell-out are sent within %(hours)s hours of when they happened."
    ),
)


def _time(value: datetime) -> str:
    from django.utils import timezone

    return formats.time_format(timezone.localtime(value), "H:i")


def check_check_in(
    *,
    day: date,
    today: date,
    checked_in_at: datetime | None,
    at: datetime | None = None,
    starts: datetime | None = None,
    before_minutes: int | None = None,
) -> None:
    """A shift is checked in once, on its own day, and not more than `before_minutes` before its start (`at` the
    check-in's time, `starts` the shift's start)."""
    if checked_in_at is not None:
        raise DomainConflict(
            "shift.already_checked_in",
            _("This shift was checked in at %(time)s already; a shift is checked in once."),
            time=_time(checked_in_at),
        )
    if day != today:
        raise DomainError(
            "shift.not_today",
            _("A shift is checked in on its own day (%(day)s), not on %(today)s."),
            day=day.isoformat(),
            today=today.isoformat(),
        )
    opens = None if None in (starts, before_minutes) else starts - timedelta(minutes=before_minutes)
    if at is not None and opens is not None and at < opens:
        # the wait is to when check-in opens, not to the start (QA: "not 178 minutes ahead" at 11:02 for 14:00)
        wait = max(minutes_between(at, opens), 1)
        raise DomainError(
            "shift.check_in_too_early",
            _("This shift starts at %(start)s: check-in opens at %(opens)s, in %(time)s."),
            start=_time(starts),
            opens=_time(opens),
            time=hours_and_minutes(wait),
            minutes=wait,
        )


def minutes_between(earlier: datetime, later: datetime) -> int:
    """Whole minutes from `earlier` to `later` as the times are shown, each to its minute (as the attendance counts
    them: attendance.whole_minutes)."""
    return attendance.whole_minutes(earlier, later)


# The question an early check-out asks (the refusal's words): the page asks it after the first tap, and the phone asks
# it itself before sending (promoters/views/phone.py _early_check: a check-out kept offline carries the answer).
CHECK_OUT_EARLY_QUESTION = _(
    "The shift ends at %(end)s: checking out at %(at)s is %(time)s early. Confirm that you are leaving early."
)


def check_check_out(
    *,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    at: datetime,
    ends: datetime | None = None,
    early_before_minutes: int | None = None,
    leave_early: bool = True,
) -> None:
    """A shift is checked out once, after its check-in; more than `early_before_minutes` before its end (`ends`)
    only when the promoter confirms leaving early (`leave_early`): one tap by mistake does not end a shift."""
    if checked_in_at is None:
        raise DomainError("shift.not_checked_in", _("Check in first: this shift has no check-in yet."))
    if checked_out_at is not None:
        raise DomainConflict(
            "shift.already_checked_out",
            _("This shift was checked out at %(time)s already."),
            time=_time(checked_out_at),
        )
    if at < checked_in_at:
        raise DomainError(
            "shift.check_out_before_check_in",
            _("A check-out (%(at)s) cannot come before the check-in (%(time)s)."),
            at=_time(at),
            time=_time(checked_in_at),
        )
    early = None if None in (ends, early_before_minutes) else minutes_between(at, ends)
    if early is not None and early > early_before_minutes and not leave_early:
        raise DomainError(
            "shift.check_out_early",
            CHECK_OUT_EARLY_QUESTION,
            field="leave_early",
            end=_time(ends),
            at=_time(at),
            time=hours_and_minutes(early),
            minutes=early,
        )


def check_report_open(*, checked_in_at: datetime | None, closed: bool) -> None:
    """A sell-out report needs a check-in, and a day the supervisor has not closed."""
    if closed:
        raise DomainConflict(
            "sell_out.day_closed",
            _("The supervisor has confirmed this day's attendance; its sell-out can no longer be changed."),
        )
    if checked_in_at is None:
        raise DomainError("sell_out.before_check_in", _("Check in at the store before reporting the day's sell-out."))


def _not_whole(field: str, label) -> DomainError:
    return DomainError("sell_out.not_whole", _("%(label)s: write a whole number of packs."), field=field, label=label)


def _whole(value, *, field: str, label, negative_code: str, stock_count: bool = False) -> int | None:
    """A count of packs: a whole number from 0 to PACKS_MAX (an int, or text with a whole number); blank → None.
    More than that is refused as a stock count's limit for a `stock_count` (the shelf stock at close)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _not_whole(field, label)
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if number_not_in_digits(value):  # "1e1" is not ten packs (ka_portal.formatting)
            raise _not_whole(field, label)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise _not_whole(field, label)
    if number < 0:
        raise DomainError(negative_code, _("%(label)s cannot be negative."), field=field, label=label)
    if number > PACKS_MAX:
        raise DomainError(
            "sell_out.too_many",
            _("%(label)s: %(value)s packs is over the limit of one stock count: %(max)s packs.")
            if stock_count
            else _("%(label)s: %(value)s packs is more than a count may hold (%(max)s packs)."),
            field=field,
            label=label,
            value=int(number),
            max=PACKS_MAX,
        )
    return int(number)


def _pair(
    value, *, packs_per_case: int, field: str, label, negative_code: str, stock_count: bool = False
) -> int | None:
    """Two fields, cases and packs (the page's number pads): each a whole number ≥ 0 (one blank is 0, both blank is
    None); loose packs of a case or more are refused, as on the visit page (SPEC §4: an input error; a "3" typed
    "30" would pass unseen), saying what to write (`ka_portal.formatting.loose_packs_refusal`). A refusal names the
    part (`part`)."""
    cases, packs = (list(value) + ["", ""])[:2]
    parts, numbers = {}, {}
    for part, text in (("cases", cases), ("packs", packs)):
        try:
            parts[part] = _whole(text, field=field, label=label, negative_code=negative_code, stock_count=stock_count)
        except DomainError as error:
            if error.code != "sell_out.too_many":
                error.params["part"] = part
                raise
            parts[part] = None
            numbers[part] = error.params["value"]
    if parts["cases"] is None and parts["packs"] is None and not numbers:
        return None
    loose = None if numbers else loose_packs_refusal(parts["cases"] or 0, parts["packs"] or 0, packs_per_case)
    if loose is not None:
        raise DomainError(
            "sell_out.loose_packs", _("%(label)s: %(detail)s"), field=field, label=label, detail=loose.message,
            part="packs",
        )  # fmt: skip
    total = (parts["cases"] or 0) * max(int(packs_per_case), 1) + (parts["packs"] or 0)
    if numbers or total > PACKS_MAX:
        # said in what was typed (cases, packs), not as a total of packs nobody typed
        typed = {part: str(numbers.get(part, parts[part] if parts[part] is not None else "")) for part in parts}
        refusal = too_many(typed["cases"], typed["packs"], packs_per_case, stock_count=stock_count)
        raise DomainError(
            "sell_out.too_many", _("%(label)s: %(detail)s"), field=field, label=label, detail=refusal.message,
            part=refusal.part,
        )  # fmt: skip
    return total


def _packs(
    value, *, packs_per_case: int, field: str, label, notation: bool = False, stock_count: bool = False
) -> int | None:
    """A quantity in packs as sent: a number (5, "5"), cases/packs notation ("1/2") or a (cases, packs) pair. With
    `notation` (the API's `quantity`), text is always cases/packs notation, as everywhere else: "1" is one case."""
    if isinstance(value, tuple | list):
        return _pair(
            value,
            packs_per_case=packs_per_case,
            field=field,
            label=label,
            negative_code="sell_out.negative",
            stock_count=stock_count,
        )
    if notation and isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str) and ("/" in value or notation):
        stripped = unicodedata.normalize("NFKC", value).strip()
        if stripped.startswith("-"):
            raise DomainError("sell_out.negative", _("%(label)s cannot be negative."), field=field, label=label)
        try:
            return parse_packs(stripped, packs_per_case, stock_count=stock_count)
        except PacksNotationError as error:
            raise DomainError("sell_out.quantity", "%(detail)s", field=field, detail=str(error.message)) from error
    return _whole(value, field=field, label=label, negative_code="sell_out.negative", stock_count=stock_count)


def sell_out_units(value, *, packs_per_case: int, field: str = "units", notation: bool = False) -> int:
    """Packs sold (required): a whole number of packs, cases/packs notation or the page's two fields; with
    `notation`, text in cases/packs notation only ("5" is five cases)."""
    units = _packs(value, packs_per_case=packs_per_case, field=field, label=_("Packs sold"), notation=notation)
    if units is None:
        raise DomainError("sell_out.units_missing", _("Give the packs sold (0 when none were sold)."), field=field)
    return units


def sell_out_line(sent: dict, *, reported: dict | None, omitted, field: str = "units") -> dict:
    """A product's line as it will read after a report: each value sent, and for each one left out (`omitted`, the
    API's JSON without the key) the line's `reported` one, so a report sent again without the shelf stock wipes
    nothing and a phone adds the shelf stock or the price seen to a line reported earlier. An explicit null (a
    page's blank field) is sent: it clears shelf stock and price seen (and is refused for the packs sold). A
    product not reported yet needs its packs sold (`sell_out.units_missing`)."""
    if reported is None and sent.get("units", omitted) is omitted:
        raise DomainError("sell_out.units_missing", _("Give the packs sold (0 when none were sold)."), field=field)
    before = reported or {}
    return {name: before.get(name) if value is omitted else value for name, value in sent.items()}


def shelf_stock(value, *, packs_per_case: int = 1, field: str = "shelf_stock") -> int | None:
    """Shelf stock at close, packs (optional), written like the packs sold."""
    return _packs(value, packs_per_case=packs_per_case, field=field, label=_("Shelf stock at close"), stock_count=True)


def price_seen(value, *, field: str = "price_seen") -> Decimal | None:
    """The shelf price seen (optional): money, not negative, read as every amount of the app is read
    (promoters/amounts.py: ¥4.80 and 2。9 are amounts, "1e1" is not ten)."""
    try:
        price = typed_amount(value)
    except NotAnAmount as error:
        message = _("Write the price seen as an amount, e.g. 12.90.") if error.in_digits else NOT_IN_DIGITS
        raise DomainError("sell_out.price_invalid", message, field=field) from None
    if price is None:
        return None
    if abs(price) > MONEY_MAX or price != price.quantize(Decimal("0.01")):
        raise DomainError("sell_out.price_invalid", _("Write the price seen as an amount, e.g. 12.90."), field=field)
    if price < 0:
        raise DomainError("sell_out.price_negative", _("The price seen cannot be negative."), field=field)
    return price.quantize(Decimal("0.01"))


def check_plausible_packs(packs: int | None, *, packs_per_case: int, max_cases: int, field: str, label) -> None:
    """A day's line holds at most `max_cases` cases of the product (KA.promoter_sell_out_max_cases): more is a typo
    (99999 cases), refused naming the field rather than inflating the sell-out."""
    most = max_cases * max(int(packs_per_case), 1)
    if packs is not None and packs > most:
        raise DomainError(
            "sell_out.implausible_quantity",
            _("%(label)s: %(value)s packs is more than %(cases)s cases (%(max)s packs), the most one day's report "
              "takes; check the number."),
            field=field,
            label=label,
            value=packs,
            cases=max_cases,
            max=most,
        )  # fmt: skip


def check_plausible_price(price: Decimal | None, *, reference: Decimal | None, max_ratio: Decimal, field: str) -> None:
    """A price seen is at most `max_ratio` × the product's shelf price at the store (else its suggested retail
    price; KA.promoter_price_seen_max_ratio): 100000 for a 3.00 beer is a typo, refused naming the field."""
    if price is None or not reference or reference <= 0:
        return
    most = (Decimal(reference) * Decimal(max_ratio)).quantize(Decimal("0.01"))
    if price > most:
        raise DomainError(
            "sell_out.price_implausible",
            _("The price seen %(price)s is more than %(ratio)s× the shelf price %(reference)s (at most %(max)s); "
              "check the amount."),
            field=field,
            price=price,
            ratio=f"{Decimal(max_ratio).normalize():f}",
            reference=Decimal(reference).quantize(Decimal("0.01")),
            max=most,
        )  # fmt: skip


def check_listed(*, product_code: str, listed: bool, field: str = "product") -> None:
    if not listed:
        raise DomainError(
            "sell_out.not_listed",
            _("%(product)s is not listed at this store; report only products the store lists."),
            field=field,
            product=product_code,
        )


def check_confirm(*, ended: bool, attendance_value: str, computed: str, reason: str) -> str:
    """A supervisor confirms a shift that has ended: its computed reading as it is, or a correction (another
    reading) with a reason. Returns the reason, trimmed."""
    if not ended:
        raise DomainError(
            "attendance.not_ended", _("A shift's attendance is confirmed once the shift has ended."), field="attendance"
        )
    if attendance_value not in attendance.FINAL:
        raise DomainError("attendance.invalid", _("Choose one of the attendance readings."), field="attendance")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            "attendance.reason_too_long", _("Keep the reason to %(limit)s characters."), field="reason",
            limit=REASON_MAX_LENGTH,
        )  # fmt: skip
    if attendance_value != computed and not reason:
        raise DomainError(
            "attendance.reason_needed",
            _("The computed reading is “%(computed)s”; give a reason for correcting it to “%(chosen)s”."),
            field="reason",
            computed=str(attendance.LABELS[computed]),
            chosen=str(attendance.LABELS[attendance_value]),
        )
    return reason
