"""Writes of a promoter's day (issue 16): check-in and check-out of their own shift, the day's sell-out report, and
the supervisor's confirmation of the attendance, which closes the day. Pages and the API call these; the rules are
promoters/phone_rules.py and promoters/attendance.py."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ka_portal import bounds
from ka_portal.errors import DomainError
from ka_portal.scope import not_found, shifts_for, user_role
from stores.models import Listing, Product, Store
from visits.routing import distance_m
from visits.rules import phone_time

from . import attendance, phone_rules
from .models import SellOutLine, Shift


def _own_locked(shift: Shift, by) -> Shift:
    """The promoter's own shift, locked for the step (another's is not found, naming nothing)."""
    locked = Shift.objects.select_for_update().select_related("store", "promoter").filter(pk=shift.pk).first()
    if locked is None or locked.promoter.user_id is None or locked.promoter.user_id != by.pk:
        raise not_found("shift")
    return locked


def _phone_time(at: datetime | None, *, now: datetime | None = None) -> datetime:
    """A time the promoter's phone (or app) sent, as kept: within KA.visit_sync_max_hours before the server's clock
    and not ahead of it (visits/rules.phone_time, refused as shift.time_too_old / shift.time_ahead); now when the
    phone sent none."""
    return phone_time(
        at, now=now or timezone.now(), max_hours=settings.KA.visit_sync_max_hours, field="at",
        refusals=phone_rules.SHIFT_TIME,
    )  # fmt: skip


def _distance(store: Store, latitude, longitude) -> int | None:
    if None in (latitude, longitude, store.latitude, store.longitude):
        return None
    return round(distance_m(latitude, longitude, store.latitude, store.longitude))


@transaction.atomic
def shift_check_in(
    *,
    shift: Shift,
    by,
    at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Shift:
    """Check the promoter in at the start of their shift, with the phone's position (kept with its distance from
    the store; further than KA.checkin_max_distance_m, or no position, reads "off site"). Not earlier than
    KA.promoter_check_in_before_minutes before the shift's start.

    The phone's time `at` (given only for a check-in kept offline and sent later: the page's outbox replay, an API
    client's kept check-in; None is now) is held to the visits' window (_phone_time) and kept; the server's clock is
    kept beside it (`check_in_received_at`): lateness is judged on that, which the phone cannot date back, and one
    received more than KA.visit_sync_late_hours after the phone's time reads "sent late" for the supervisor
    (promoters/attendance.py)."""
    shift = _own_locked(shift, by)
    received = timezone.now()
    at = _phone_time(at, now=received)
    starts, _ends = attendance.shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    phone_rules.check_check_in(
        day=shift.day, today=timezone.localdate(at), checked_in_at=shift.checked_in_at, at=at, starts=starts,
        before_minutes=settings.KA.promoter_check_in_before_minutes,
    )  # fmt: skip
    bounds.check_coordinates(latitude, longitude)
    shift.checked_in_at = at
    shift.check_in_received_at = received
    shift.check_in_latitude, shift.check_in_longitude = latitude, longitude
    shift.check_in_distance_m = _distance(shift.store, latitude, longitude)
    shift.save(
        update_fields=[
            "checked_in_at", "check_in_received_at", "check_in_latitude", "check_in_longitude", "check_in_distance_m",
        ]
    )  # fmt: skip
    return shift


@transaction.atomic
def shift_check_out(
    *,
    shift: Shift,
    by,
    at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    leave_early: bool = False,
) -> Shift:
    """Check the promoter out at the end of their shift (once, after the check-in). More than
    KA.promoter_early_before_minutes before the shift's end only with `leave_early` (the promoter confirmed it).
    The phone's time is held to the same window as the check-in's (_phone_time)."""
    shift = _own_locked(shift, by)
    at = _phone_time(at)
    check_out_allowed(shift=shift, at=at, leave_early=leave_early)
    bounds.check_coordinates(latitude, longitude)
    shift.checked_out_at = at
    shift.check_out_latitude, shift.check_out_longitude = latitude, longitude
    shift.check_out_distance_m = _distance(shift.store, latitude, longitude)
    shift.save(update_fields=["checked_out_at", "check_out_latitude", "check_out_longitude", "check_out_distance_m"])
    return shift


CHECK_OUT_EARLY = "shift.check_out_early"  # the refusal a page turns into its question "leaving early?"


def check_out_allowed(*, shift: Shift, at: datetime, leave_early: bool = False) -> None:
    """Whether `shift` may be checked out at `at` (phone_rules.check_check_out with the settings): the service's
    check, and the page's to word its question."""
    _starts, ends = attendance.shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    phone_rules.check_check_out(
        checked_in_at=shift.checked_in_at, checked_out_at=shift.checked_out_at, at=at, ends=ends,
        early_before_minutes=settings.KA.promoter_early_before_minutes, leave_early=leave_early,
    )  # fmt: skip


def shift_for_report(*, by, store: Store, day) -> Shift:
    """The promoter's shift at `store` on `day` that a report belongs to; a day without one is refused."""
    shifts = Shift.objects.filter(promoter__user=by, store=store, day=day).order_by(
        "checked_in_at", "starts_at"
    )  # a checked-in shift first (nulls last on both databases)
    shift = next((s for s in shifts if s.checked_in_at is not None), None) or shifts.first()
    if shift is None:
        raise DomainError(
            "sell_out.no_shift",
            _("You have no shift at this store on %(day)s; sell-out is reported for a day you work there."),
            field="day",
            day=day.isoformat(),
        )
    return shift


class _Omitted:
    """A line's key the client left out (the API's JSON without it): that value of the line reported stays."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = _Omitted()


@dataclass(frozen=True)
class SellOutInput:
    """One product's line as sent: the product, and the values as typed (checked by phone_rules). A value left out
    (OMITTED) keeps the line's reported one; None (an explicit null, a page's blank field) clears shelf stock and
    price seen, and is refused for the packs sold (a line always has them: 0 when none were sold)."""

    product: Product
    units: object = OMITTED
    shelf_stock: object = OMITTED
    price_seen: object = OMITTED
    prefix: str = ""  # the form's field prefix, so a refusal names the field the page shows
    units_field: str = "units"  # the name the packs sold came under (the API's `quantity` is its notation)
    notation: bool = False  # the packs sold came as cases/packs notation (the API's `quantity`: "1" is one case)


@transaction.atomic
def sell_out_report(*, shift: Shift, lines: list[SellOutInput], by, at: datetime | None = None) -> list[SellOutLine]:
    """The day's sell-out of the promoter's own checked-in shift, all or nothing: one line per product, updated when
    reported again (so a repeated report is one report). Products not sent keep their lines, and a line's values not
    sent keep theirs (phone_rules.sell_out_line: a phone adds the shelf stock or the price seen to a line reported
    earlier, and a report sent again without them wipes nothing). The phone's time of the report is held to the
    check-in's window (_phone_time)."""
    shift = _own_locked(shift, by)
    reported_at = _phone_time(at)
    phone_rules.check_report_open(checked_in_at=shift.checked_in_at, closed=shift.is_closed)
    if not lines:
        raise DomainError("sell_out.empty", _("Give the packs sold of at least one product."), field="lines")
    listed = dict(Listing.objects.filter(store=shift.store).values_list("product_id", "shelf_price"))
    reported = {line.product_id: line for line in SellOutLine.objects.filter(shift=shift)}  # the shift is locked
    ka = settings.KA
    values, seen = {}, set()
    problems: list[DomainError] = []  # every bad field of every line, so a page marks them all at once

    def checked(rule, *args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except DomainError as problem:
            problems.append(problem)
            return None

    for line in lines:
        product = line.product
        checked(phone_rules.check_listed, product_code=product.code, listed=product.pk in listed,
                field=f"{line.prefix}product")  # fmt: skip
        if product.pk in seen:
            problems.append(
                DomainError(
                    "sell_out.product_twice",
                    _("%(product)s is reported twice; give one line per product."),
                    field=f"{line.prefix}product",
                    product=product.code,
                )
            )
        seen.add(product.pk)
        per_case = product.packs_per_case
        units_field, stock_field, price_field = (
            f"{line.prefix}{name}" for name in (line.units_field, "shelf_stock", "price_seen")
        )
        sent = {"units": line.units, "shelf_stock": line.shelf_stock, "price_seen": line.price_seen}
        merged = checked(phone_rules.sell_out_line, sent, reported=_line_values(reported.get(product.pk)),
                         omitted=OMITTED, field=units_field)  # fmt: skip
        merged = merged or dict.fromkeys(sent)  # refused for its packs sold: what it sends is judged all the same
        units = merged["units"]
        if line.units is not OMITTED:
            units = checked(phone_rules.sell_out_units, line.units, packs_per_case=per_case, field=units_field,
                            notation=line.notation)  # fmt: skip
        stock, price = merged["shelf_stock"], merged["price_seen"]
        if line.shelf_stock is not OMITTED:
            stock = checked(phone_rules.shelf_stock, line.shelf_stock, packs_per_case=per_case, field=stock_field)
        if line.price_seen is not OMITTED:
            price = checked(phone_rules.price_seen, line.price_seen, field=price_field)
        # what was sent is held to a day's plausible most; a value kept from the line reported was, when it came
        entries = ((units, units_field, _("Packs sold"), line.units),
                   (stock, stock_field, _("Shelf stock at close"), line.shelf_stock))  # fmt: skip
        for packs, field, label, given in entries:
            if given is not OMITTED:
                checked(phone_rules.check_plausible_packs, packs, packs_per_case=per_case,
                        max_cases=ka.promoter_sell_out_max_cases, field=field, label=label)  # fmt: skip
        if line.price_seen is not OMITTED:
            reference = listed.get(product.pk) or product.suggested_retail_price
            checked(phone_rules.check_plausible_price, price, reference=reference,
                    max_ratio=ka.promoter_price_seen_max_ratio, field=price_field)  # fmt: skip
        values[product.pk] = {
            "units": units, "shelf_stock": stock, "price_seen": price,
            "reported_at": reported_at,
        }  # fmt: skip
    if problems:
        # The first answers (its code for the API); all of them ride along for the page to mark each field.
        problems[0].problems = problems
        raise problems[0]
    return [
        SellOutLine.objects.update_or_create(shift=shift, product_id=product_id, defaults=defaults)[0]
        for product_id, defaults in values.items()
    ]


def _line_values(line: SellOutLine | None) -> dict | None:
    if line is None:
        return None
    return {"units": line.units, "shelf_stock": line.shelf_stock, "price_seen": line.price_seen}


def _confirmer(by) -> None:
    """Supervisors (their promoters and stores) and admins confirm attendance; every other role is refused."""
    if user_role(by) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied


@transaction.atomic
def attendance_confirm(*, shift: Shift, by, attendance_value: str = "", reason: str = "") -> Shift:
    """Confirm a shift's attendance (the computed reading when none is given) or correct it (another reading, with a
    reason). Only a shift that has ended; confirming closes the day to sell-out reports."""
    _confirmer(by)
    locked = shifts_for(by).select_for_update().filter(pk=shift.pk).first()
    if locked is None:
        raise not_found("shift")
    now = timezone.now()
    computed = attendance.reading(_unconfirmed(locked), now=now)
    _starts, ends = attendance.shift_bounds(locked.day, locked.starts_at, locked.ends_at)
    chosen = attendance_value or computed.status
    reason = phone_rules.check_confirm(
        ended=now >= ends, attendance_value=chosen, computed=computed.status, reason=reason
    )
    locked.confirmed_attendance = chosen
    locked.correction_reason = reason
    locked.confirmed_by = by
    locked.confirmed_at = now
    locked.save(update_fields=["confirmed_attendance", "correction_reason", "confirmed_by", "confirmed_at"])
    return locked


def _unconfirmed(shift: Shift) -> Shift:
    """The shift as computed, the confirmation left aside (a copy: the record itself is not changed)."""
    copy = Shift(**{f.attname: getattr(shift, f.attname) for f in Shift._meta.concrete_fields})
    copy.confirmed_attendance = ""
    return copy


@transaction.atomic
def attendance_confirm_many(*, shifts: list[Shift], by) -> list[Shift]:
    """Confirm several shifts (a day's) as computed, all or nothing; those already confirmed keep theirs."""
    _confirmer(by)
    return [attendance_confirm(shift=shift, by=by) for shift in shifts if not shift.confirmed_attendance]
