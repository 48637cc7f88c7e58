"""Fraud signals as pure rules: numbers and times in, the evidence of a signal out (a dict kept in
FraudSignal.evidence), or None when there is nothing to look at. No database here (evidence/signals.py reads
and writes); every rule is also how the queue words its evidence (`describe`).
"""

from datetime import datetime, timedelta

from django.utils.timezone import localtime

from visits.routing import distance_m

# A camera's clock drifts and a rep may photograph the shelf while walking in: photos up to this long before the
# check-in (or after the check-out) still count as taken during the visit.
PHOTO_GRACE = timedelta(minutes=10)
# The previous check-in an impossible trip is measured from: the rep's last one within this time.
TRAVEL_LOOKBACK = timedelta(hours=12)
# Two check-ins less than a minute apart are measured over a minute (no division by zero, no absurd speeds from
# a clock's rounding).
MIN_TRAVEL_TIME = timedelta(minutes=1)


def far_check_in(distance: int | None, limit: int) -> dict | None:
    """Checked in further from the store than the limit (metres)."""
    if distance is None or distance <= limit:
        return None
    return {"distance_m": distance, "limit_m": limit}


def no_position(latitude, longitude) -> dict | None:
    """Checked in without a position (the device gave none)."""
    if latitude is not None and longitude is not None:
        return None
    return {}


def late_upload(checked_in_at: datetime, received_at: datetime | None, limit_hours: int) -> dict | None:
    """The check-in reached the server more than `limit_hours` after the time the phone gave it: made offline and
    sent late, or dated back (a missed stop filled in afterwards)."""
    if received_at is None:
        return None
    late = received_at - checked_in_at
    if late <= timedelta(hours=limit_hours):
        return None
    return {
        "received_at": localtime(received_at).isoformat(),
        "hours": round(late.total_seconds() / 3600, 1),
        "limit_hours": limit_hours,
    }


def short_visit(minutes: int | None, minimum: int) -> dict | None:
    """Checked out sooner than the minimum minutes after the check-in."""
    if minutes is None or minutes >= minimum:
        return None
    return {"minutes": minutes, "minimum": minimum}


def long_visit(checked_in_at: datetime, checked_out_at: datetime | None, limit_hours: int) -> dict | None:
    """Checked out more than `limit_hours` after the check-in: a visit left open (checked out the next day), so its
    time in the store, its photos' window and the day it counts for say little."""
    if checked_out_at is None:
        return None
    length = checked_out_at - checked_in_at
    if length <= timedelta(hours=limit_hours):
        return None
    return {
        "checked_out_at": localtime(checked_out_at).isoformat(),
        "hours": round(length.total_seconds() / 3600, 1),
        "limit_hours": limit_hours,
    }


def impossible_travel(
    *,
    previous_at: datetime,
    previous_position: tuple,
    at: datetime,
    position: tuple,
    max_kmh: int,
) -> dict | None:
    """From the previous check-in to this one faster than `max_kmh` (great-circle distance ÷ time between the
    two check-ins). Positions are (latitude, longitude); a missing one (None inside) proves nothing."""
    if None in (*previous_position, *position) or at < previous_at:
        return None
    km = distance_m(*previous_position, *position) / 1000
    elapsed = max(at - previous_at, MIN_TRAVEL_TIME)
    hours = elapsed.total_seconds() / 3600
    kmh = km / hours
    if kmh <= max_kmh:
        return None
    return {
        "km": round(km, 1),
        "minutes": int((at - previous_at).total_seconds() // 60),
        "kmh": round(kmh),
        "limit_kmh": max_kmh,
    }


def photo_time(
    *, taken_at: datetime | None, checked_in_at: datetime, checked_out_at: datetime | None, now: datetime
) -> dict | None:
    """A photo whose camera time lies outside the visit: more than PHOTO_GRACE before the check-in, or after the
    check-out (the upload time while the visit is open: a photo cannot be taken after it was sent) plus the
    grace. A photo without a camera time (no EXIF, or stripped by an app) gives no signal: its time is unknown,
    not wrong."""
    if taken_at is None:
        return None
    end = checked_out_at or now
    if checked_in_at - PHOTO_GRACE <= taken_at <= end + PHOTO_GRACE:
        return None
    before = taken_at < checked_in_at
    gap = (checked_in_at - taken_at) if before else (taken_at - end)
    return {
        "taken_at": localtime(taken_at).isoformat(),
        "side": "before" if before else "after",
        "minutes": int(gap.total_seconds() // 60),
        "grace_minutes": int(PHOTO_GRACE.total_seconds() // 60),
    }


def photo_reused(distance: int, max_distance: int) -> dict | None:
    """The same or nearly the same image as an earlier photo of another visit (Hamming distance of the
    perceptual hashes)."""
    if distance > max_distance:
        return None
    return {"distance": distance, "max_distance": max_distance}
