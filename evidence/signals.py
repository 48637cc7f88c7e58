"""Fraud signals (issue 13 part 4): detection at a visit's steps, the photo hashes that find a reused photo,
the supervisor's review, and the reads the queue and the compliance page make.

Detection is called by evidence/hooks.py from the visit's services, inside their transactions:
- at check-in: far from the store, no position, an impossible trip from the rep's previous check-in, a check-in
  received long after the time the phone gave it (sent late, or dated back);
- when a photo is added: a reused photo (its hash near an earlier photo's of another visit), a camera time
  before the check-in (or after the upload);
- at check-out: a short visit, one checked out long after its check-in (left open overnight), and every photo of
  the visit against the whole visit (check-in to check-out).
Each signal is kept once per (kind, visit, key) — the key is the photo's id for photo signals, "" otherwise — so
running detection again updates an open signal's evidence and never reopens a reviewed one.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError
from ka_portal.formatting import format_distance
from ka_portal.inserts import insert_unless_taken, not_inserted
from ka_portal.scope import fraud_signals_for, not_found, reviews_fraud_signals, visits_for
from visits import photos
from visits.models import Visit, VisitPhoto

from . import signal_rules as rules
from .models import FraudSignal, PhotoHash

log = logging.getLogger(__name__)
Kind = FraudSignal.Kind
REVIEW_STATUSES = (FraudSignal.Status.CONFIRMED, FraudSignal.Status.DISMISSED)
NOTE_MAX = 2000


# --- photo hashes and near duplicates ----------------------------------------------------------------------------


def photo_hash_store(*, photo: VisitPhoto, value: int | None = None) -> PhotoHash:
    """Keep the photo's perceptual hash (computed from the file when not given) with its eight bands."""
    if value is None:
        with photo.image.open("rb") as file:
            value = photos.inspect_photo(file.read()).phash
    band = photos.bands(value)
    row, _created = PhotoHash.objects.update_or_create(
        photo=photo,
        defaults={"visit_id": photo.visit_id, "value": value, **{f"band{i}": band[i] for i in range(8)}},
    )
    return row


class HammingDistance(Func):
    """bit_count of the XOR of two bigint hashes (PostgreSQL ≥ 14: `#` is XOR, bit(64) the bits to count)."""

    template = "bit_count((%(expressions)s)::bit(64))"
    output_field = IntegerField()


def band_candidates(value: int) -> QuerySet:
    """Stored hashes sharing at least one band with `value`: eight indexed equality lookups OR-ed (PostgreSQL
    answers with a BitmapOr of the band indexes); every hash within Hamming distance 7 is among them."""
    band = photos.bands(value)
    match = Q()
    for i in range(8):
        match |= Q(**{f"band{i}": band[i]})
    return PhotoHash.objects.filter(match)


def near_duplicates(*, value: int, max_distance: int, exclude_visit_id: int | None = None, limit: int = 5) -> list:
    """The stored hashes within `max_distance` (Hamming, at most 7) of `value`, nearest first, as
    (distance, photo_id, visit_id). Never reads every row: the candidates come from the band indexes; PostgreSQL
    computes the distance in SQL, another database in Python over the candidates only."""
    candidates = band_candidates(value)
    if exclude_visit_id is not None:
        candidates = candidates.exclude(visit_id=exclude_visit_id)
    if connection.vendor == "postgresql":
        rows = (
            candidates.annotate(distance=HammingDistance(F("value").bitxor(Value(value, BigIntegerField()))))
            .filter(distance__lte=max_distance)
            .order_by("distance", "photo_id")
            .values_list("distance", "photo_id", "visit_id")[:limit]
        )
        return list(rows)
    found = [
        (photos.hamming(value, stored), photo_id, visit_id)
        for stored, photo_id, visit_id in candidates.values_list("value", "photo_id", "visit_id").iterator()
    ]
    return sorted(row for row in found if row[0] <= max_distance)[:limit]


# --- detection ---------------------------------------------------------------------------------------------------


def _values(visit: Visit, evidence: dict, *, photo=None, other_visit=None, other_photo=None) -> dict:
    return {
        "rep_id": visit.rep_id,
        "evidence": evidence,
        "photo": photo,
        "other_visit": other_visit,
        "other_photo": other_photo,
    }


def _raise_signal(kind: str, visit: Visit, evidence: dict, *, key: str = "", **others) -> FraudSignal:
    """Keep a signal once per (kind, visit, key): an open one takes the new evidence, a reviewed one stays as
    the supervisor left it. `others`: the photo, other visit and other photo it names."""
    values = _values(visit, evidence, **others)
    # Most signals are new: one insert that passes over a taken key (no look first, no savepoints); only a
    # signal kept before is read, locked, and updated while open.
    new_signal = FraudSignal(kind=kind, visit=visit, key=key, **values)
    if insert_unless_taken(new_signal):
        return new_signal
    signal = FraudSignal.objects.select_for_update().filter(kind=kind, visit=visit, key=key).first()
    if signal is None:
        raise not_inserted(new_signal)
    if signal.status == FraudSignal.Status.OPEN:
        for name, new in values.items():
            setattr(signal, name, new)
        signal.save(update_fields=["rep", "evidence", "photo", "other_visit", "other_photo"])
    return signal


def _drop_open(kind: str, visit: Visit, key: str = "") -> None:
    """What a rerun no longer finds goes from the queue, unless a supervisor already reviewed it."""
    FraudSignal.objects.filter(kind=kind, visit=visit, key=key, status=FraudSignal.Status.OPEN).delete()


def _detect(kind: str, visit: Visit, evidence: dict | None, *, new: bool = False, **extra) -> FraudSignal | None:
    """`new`: the visit was made in this transaction, so it has no signal yet: none to drop, none to update."""
    if evidence is None:
        if not new:
            _drop_open(kind, visit, extra.get("key", ""))
        return None
    if new:
        key = extra.pop("key", "")
        return FraudSignal.objects.create(kind=kind, visit=visit, key=key, **_values(visit, evidence, **extra))
    return _raise_signal(kind, visit, evidence, **extra)


def detect_check_in(visit: Visit, *, new: bool = False) -> list[FraudSignal]:
    """At check-in: far from the store, without a position, too fast from the rep's previous check-in. `new`:
    the visit was just made in this transaction (the check-in's own call), so it has no signals yet; only then is
    a check-in sent late looked for: it is how the check-in arrived, judged once, when it arrives (a rerun, or a
    visit written otherwise, such as the demo's, has no arrival to judge)."""
    found = [
        detect_late_upload(visit, new=True) if new else None,
        _detect(
            Kind.FAR_CHECK_IN,
            visit,
            rules.far_check_in(visit.distance_m, settings.KA.checkin_max_distance_m) if visit.far_from_store else None,
            new=new,
        ),
        _detect(Kind.NO_POSITION, visit, rules.no_position(visit.latitude, visit.longitude), new=new),
        detect_travel(visit, new=new),
    ]
    return [signal for signal in found if signal]


def detect_late_upload(visit: Visit, *, new: bool = False) -> FraudSignal | None:
    """The check-in received (the visit's `created_at`) more than KA_VISIT_SYNC_LATE_HOURS after the time the
    phone gave it."""
    evidence = rules.late_upload(visit.checked_in_at, visit.created_at, settings.KA.visit_sync_late_hours)
    return _detect(Kind.LATE_UPLOAD, visit, evidence, new=new)


def previous_check_in(visit: Visit) -> Visit | None:
    """The rep's check-in before this one, within TRAVEL_LOOKBACK, with a position (one without proves
    nothing). A visit synced late with an earlier time is measured against what came before it."""
    return (
        Visit.objects.filter(
            rep_id=visit.rep_id,
            checked_in_at__lte=visit.checked_in_at,
            checked_in_at__gte=visit.checked_in_at - rules.TRAVEL_LOOKBACK,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .exclude(pk=visit.pk)
        .only("pk", "checked_in_at", "latitude", "longitude")  # what the trip is measured from
        .order_by("-checked_in_at", "-pk")
        .first()
    )


def detect_travel(visit: Visit, *, new: bool = False) -> FraudSignal | None:
    previous = previous_check_in(visit) if not visit.no_position else None
    evidence = None
    if previous is not None:
        evidence = rules.impossible_travel(
            previous_at=previous.checked_in_at,
            previous_position=(previous.latitude, previous.longitude),
            at=visit.checked_in_at,
            position=(visit.latitude, visit.longitude),
            max_kmh=settings.KA.travel_max_kmh,
        )
    return _detect(Kind.IMPOSSIBLE_TRAVEL, visit, evidence, new=new, other_visit=previous)


def detect_photo(photo: VisitPhoto, *, value: int | None = None) -> list[FraudSignal]:
    """When a photo is added: store its hash, then a reused photo and a camera time outside the visit so far."""
    stored = photo_hash_store(photo=photo, value=value)
    visit = photo.visit
    found = [detect_reuse(photo, stored.value), detect_photo_time(photo, visit)]
    return [signal for signal in found if signal]


def detect_reuse(photo: VisitPhoto, value: int) -> FraudSignal | None:
    limit = settings.KA.photo_reuse_max_distance
    matches = near_duplicates(value=value, max_distance=limit, exclude_visit_id=photo.visit_id, limit=1)
    if not matches:
        return _detect(Kind.PHOTO_REUSED, photo.visit, None, key=str(photo.pk))
    distance, other_photo_id, other_visit_id = matches[0]
    return _raise_signal(
        Kind.PHOTO_REUSED,
        photo.visit,
        rules.photo_reused(distance, limit),
        key=str(photo.pk),
        photo=photo,
        other_photo=VisitPhoto.objects.get(pk=other_photo_id),
        other_visit=Visit.objects.get(pk=other_visit_id),
    )


def detect_photo_time(photo: VisitPhoto, visit: Visit) -> FraudSignal | None:
    """Against the visit's check-in, and its check-out once there is one (before it, the photo's upload time; for a
    visit closed on a later day without the time the rep left, the end of its day: Visit.ended_by)."""
    evidence = rules.photo_time(
        taken_at=photo.taken_at,
        checked_in_at=visit.checked_in_at,
        checked_out_at=visit.ended_by,
        now=photo.uploaded_at or timezone.now(),
    )
    return _detect(Kind.PHOTO_TIME, visit, evidence, key=str(photo.pk), photo=photo)


def detect_check_out(visit: Visit) -> list[FraudSignal]:
    """At check-out: a short visit, one checked out more than KA_VISIT_LONG_HOURS after its check-in, and each
    photo's camera time against the whole visit."""
    minutes = visit.minutes_in_store if visit.short_visit else None
    found = [
        _detect(Kind.SHORT_VISIT, visit, rules.short_visit(minutes, settings.KA.visit_min_minutes)),
        _detect(
            Kind.LONG_VISIT,
            visit,
            rules.long_visit(visit.checked_in_at, visit.checked_out_at, settings.KA.visit_long_hours),
        ),
    ]
    for photo in visit.photos.filter(taken_at__isnull=False):
        found.append(detect_photo_time(photo, visit))
    return [signal for signal in found if signal]


def detect_visit(visit: Visit) -> list[FraudSignal]:
    """Every rule on a visit again (the demo, a repair): idempotent, reviewed signals untouched."""
    found = detect_check_in(visit)
    for photo in visit.photos.all():
        found += detect_photo(photo)
    if visit.checked_out_at is not None:
        found += detect_check_out(visit)
    return found


# --- review ------------------------------------------------------------------------------------------------------


@transaction.atomic
def signal_review(*, signal: FraudSignal, status: str, note: str = "", by) -> FraudSignal:
    """A supervisor (of the rep's team) or an administrator confirms or dismisses a signal. Confirming needs a
    note (what was found: it goes on the rep's record); dismissing takes one optionally. Reviewing again
    changes the answer: the reviewer, the time and the note are the latest, and each review is logged. A confirmed
    signal withdraws its visit from the display agreements' evidence: those the visit checked are re-evaluated."""
    if not fraud_signals_for(by).filter(pk=signal.pk).exists():
        raise not_found()
    if not reviews_fraud_signals(by):
        raise PermissionDenied
    signal = FraudSignal.objects.select_for_update().get(pk=signal.pk)
    if status not in REVIEW_STATUSES:
        raise DomainError(
            "signal.status",
            _("Choose confirmed or dismissed."),
            field="status",
        )
    note = (note or "").strip()
    if status == FraudSignal.Status.CONFIRMED and not note:
        raise DomainError(
            "signal.note_required", _("Say what you found: a confirmed signal needs a note."), field="note"
        )
    if len(note) > NOTE_MAX:
        raise DomainError(
            "signal.note_too_long", _("The note is too long: at most %(max)s characters."), field="note", max=NOTE_MAX
        )
    previous = (signal.status, signal.reviewed_by_id)
    signal.status = status
    signal.review_note = note
    signal.reviewed_by = by
    signal.reviewed_at = timezone.now()
    signal.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    log.info(
        "fraud signal %s reviewed: %s by user %s (was %s by %s)", signal.pk, status, by.pk, previous[0], previous[1]
    )
    # A confirmed signal withdraws its visit from every display agreement's evidence (dismissed again: back in), so
    # the agreements that visit checked are re-evaluated in this transaction, whichever door reviewed it.
    from .agreements import agreements_checked_by, agreements_evaluate

    checked = agreements_checked_by([signal.visit_id])
    if checked:
        agreements_evaluate(ids=checked)
    return signal


# --- reads -------------------------------------------------------------------------------------------------------


def signal_list_for(user) -> QuerySet:
    """The signals a user may see, with what the queue shows of them, newest visit first."""
    return (
        fraud_signals_for(user)
        .select_related("visit__store", "rep", "photo", "other_photo", "other_visit__store", "reviewed_by")
        # The other side of a pair (an earlier trip's start, the visit a reused photo comes from) may be a visit
        # the user does not reach: its store is then not named (describe), only the evidence's numbers and photo.
        .annotate(other_visit_in_scope=Exists(visits_for(user).filter(pk=OuterRef("other_visit_id"))))
        .order_by("-visit__checked_in_at", "-pk")
    )


@dataclass(frozen=True)
class RepSignals:
    """A rep's signals over a period: open, confirmed, and confirmed ÷ visits checked in (None without visits)."""

    visits: int
    open: int
    confirmed: int

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.confirmed) / self.visits if self.visits else None


def rep_signals(user, start: datetime, end: datetime, *, account=None) -> dict[int, RepSignals]:
    """Per rep the user reaches: the signals of visits checked in in [start, end), in the user's signal scope,
    and those visits (in the user's visit scope); with `account`, only visits at that chain's stores. Two grouped
    queries."""
    at = {} if account is None else {"store__account": account}
    counts = {
        row["rep_id"]: row
        for row in fraud_signals_for(user)
        .filter(visit__checked_in_at__gte=start, visit__checked_in_at__lt=end)
        .filter(**{f"visit__{lookup}": value for lookup, value in at.items()})
        .order_by()
        .values("rep_id")
        .annotate(
            open=Count("pk", filter=Q(status=FraudSignal.Status.OPEN)),
            confirmed=Count("pk", filter=Q(status=FraudSignal.Status.CONFIRMED)),
        )
    }
    visits = dict(
        visits_for(user)
        .filter(checked_in_at__gte=start, checked_in_at__lt=end, **at)
        .order_by()
        .values("rep_id")
        .annotate(n=Count("pk"))
        .values_list("rep_id", "n")
    )
    return {
        rep_id: RepSignals(
            visits=visits.get(rep_id, 0),
            open=counts.get(rep_id, {}).get("open", 0),
            confirmed=counts.get(rep_id, {}).get("confirmed", 0),
        )
        for rep_id in {*counts, *visits}
    }


# --- in words ----------------------------------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "H:i") if moment else "?"


def _day(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT") if moment else "?"


def _other_store(signal: FraudSignal) -> str:
    other = signal.other_visit
    if other is None:
        return "?"
    if not getattr(signal, "other_visit_in_scope", True):
        return gettext("another store")
    return other.store.name


def describe(signal: FraudSignal) -> str:
    """The signal's evidence as a sentence in the active language. The other visit's store is named only when
    the signal comes from signal_list_for with that visit in the user's scope (else "another store")."""
    data = signal.evidence or {}
    kind = signal.kind
    if kind == Kind.FAR_CHECK_IN:
        return gettext("Checked in %(distance)s from the store (limit %(limit)s).") % {
            "distance": format_distance(data.get("distance_m", 0)),
            "limit": format_distance(data.get("limit_m", 0)),
        }
    if kind == Kind.NO_POSITION:
        return gettext("Checked in without a position: the phone sent none.")
    if kind == Kind.SHORT_VISIT:
        return gettext("Checked out after %(minutes)s minutes (minimum %(minimum)s).") % {
            "minutes": data.get("minutes"),
            "minimum": data.get("minimum"),
        }
    if kind == Kind.IMPOSSIBLE_TRAVEL:
        other = signal.other_visit
        return gettext(
            "%(kmh)s km/h from %(from_store)s %(from_time)s to %(to_store)s %(to_time)s "
            "(%(km)s km in %(minutes)s min; limit %(limit)s km/h)."
        ) % {
            "kmh": data.get("kmh"),
            "from_store": _other_store(signal),
            "from_time": _when(other.checked_in_at) if other else "?",
            "to_store": signal.visit.store.name,
            "to_time": _when(signal.visit.checked_in_at),
            "km": data.get("km"),
            "minutes": data.get("minutes"),
            "limit": data.get("limit_kmh"),
        }
    if kind == Kind.LATE_UPLOAD:
        received = datetime.fromisoformat(data["received_at"]) if data.get("received_at") else None
        return gettext(
            "Checked in at %(check_in)s by the phone's time; the server received it %(received)s, %(hours)s hours "
            "later (limit %(limit)s h)."
        ) % {
            "check_in": f"{_day(signal.visit.checked_in_at)} {_when(signal.visit.checked_in_at)}",
            "received": f"{_day(received)} {_when(received)}",
            "hours": data.get("hours"),
            "limit": data.get("limit_hours"),
        }
    if kind == Kind.LONG_VISIT:
        out = datetime.fromisoformat(data["checked_out_at"]) if data.get("checked_out_at") else None
        return gettext(
            "Checked in at %(check_in)s and checked out %(check_out)s, %(hours)s hours later (limit %(limit)s h)."
        ) % {
            "check_in": f"{_day(signal.visit.checked_in_at)} {_when(signal.visit.checked_in_at)}",
            "check_out": f"{_day(out)} {_when(out)}",
            "hours": data.get("hours"),
            "limit": data.get("limit_hours"),
        }
    if kind == Kind.PHOTO_REUSED:
        other = signal.other_visit
        return gettext("Same photo as visit at %(store)s on %(date)s (distance %(distance)s).") % {
            "store": _other_store(signal),
            "date": _day(other.checked_in_at) if other else "?",
            "distance": data.get("distance"),
        }
    if kind == Kind.PHOTO_TIME:
        taken = datetime.fromisoformat(data["taken_at"]) if data.get("taken_at") else None
        values = {
            "taken": f"{_day(taken)} {_when(taken)}",
            "minutes": data.get("minutes"),
            "check_in": _when(signal.visit.checked_in_at),
            "grace": data.get("grace_minutes"),
        }
        if data.get("side") == "before":
            return (
                gettext(
                    "Photo taken %(taken)s, %(minutes)s min before the check-in at %(check_in)s (grace %(grace)s min)."
                )
                % values
            )
        return gettext("Photo taken %(taken)s, %(minutes)s min after the visit ended (grace %(grace)s min).") % values
    return ""
