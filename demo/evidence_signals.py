"""Demo fraud signals (issue 13 part 4), seeded by demo/evidence.py's seed_signals: see its docstring."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from demo.photos import shelf_jpeg
from evidence import signals
from evidence.models import FraudSignal
from visits import services
from visits.models import Visit
from visits.routing import distance_m

User = get_user_model()
WINDOW_DAYS = 14
NOTES_CONFIRMED = ["电话核实：当天未到店，已约谈", "照片与上周相同，已提醒", "定位与门店不符，店长确认未见到人"]
NOTES_DISMISSED = ["手机定位漂移，店长确认到店", "商场地下一层无信号", ""]


def _photo(visit: Visit, data: bytes, caption: str):
    return services.visit_photo_add(visit=visit, image=SimpleUploadedFile("demo.jpg", data), caption=caption)


@transaction.atomic
def seed_signals(*, today: date) -> int:
    # Done once: the run ends with each supervisor's reviews (signals the other parts' demo photos raise on the
    # way are no sign this part ran).
    if FraudSignal.objects.exclude(status=FraudSignal.Status.OPEN).exists():
        return 0
    since = timezone.make_aware(datetime.combine(today - timedelta(days=WINDOW_DAYS), datetime.min.time()))
    reps = User.objects.filter(profile__role=Role.REP).order_by("username")
    photos = 0
    for number, rep in enumerate(reps):
        visits = list(
            Visit.objects.filter(rep=rep, checked_in_at__gte=since, checked_out_at__isnull=False)
            .exclude(store__latitude__isnull=True)
            .select_related("store")
            .order_by("checked_in_at")
        )
        if len(visits) < 8:
            continue
        _far(visits[0])
        _no_position(visits[1])
        _impossible_trip(visits[2:])
        _sent_late(visits[-6])
        _left_open(visits[2])
        photos += _photos(visits[-5:], seed=100 * (number + 1))
    for visit in Visit.objects.filter(checked_in_at__gte=since, short_visit=True):
        signals.detect_check_out(visit)
    _review()
    return FraudSignal.objects.count() + photos


def _far(visit: Visit) -> None:
    """The phone put the rep 2 km north of the store."""
    latitude = visit.store.latitude + Decimal("0.018")
    distance = round(distance_m(latitude, visit.longitude, visit.store.latitude, visit.store.longitude))
    Visit.objects.filter(pk=visit.pk).update(latitude=latitude, distance_m=distance, far_from_store=True)
    visit.refresh_from_db()
    signals.detect_check_in(visit)


def _no_position(visit: Visit) -> None:
    """The phone gave no position: the rep checked out with a reason, as the check-out rule asks (the rating
    follows)."""
    Visit.objects.filter(pk=visit.pk).update(latitude=None, longitude=None, distance_m=None)
    visit.refresh_from_db()
    missing = services.visit_missing(visit)
    Visit.objects.filter(pk=visit.pk).update(
        checkout_reason=visit.checkout_reason or "手机定位失败，商场内无信号", checkout_missing=missing.as_json()
    )
    services.visit_rerate(visit=visit)
    visit.refresh_from_db()
    signals.detect_check_in(visit)


def _sent_late(visit: Visit) -> None:
    """The phone was offline all afternoon: the check-in reached the server nine hours after it was made."""
    visit.refresh_from_db()  # (the trip may have moved it)
    Visit.objects.filter(pk=visit.pk).update(created_at=visit.checked_in_at + timedelta(hours=9))
    visit.refresh_from_db()
    signals.detect_late_upload(visit)


def _left_open(visit: Visit) -> None:
    """The rep forgot to check out and did it from home the next morning at 08:40."""
    visit.refresh_from_db()  # (the trip may have moved it)
    next_morning = timezone.localtime(visit.checked_in_at).replace(hour=8, minute=40) + timedelta(days=1)
    Visit.objects.filter(pk=visit.pk).update(checked_out_at=next_morning)
    visit.refresh_from_db()
    signals.detect_check_out(visit)


def _impossible_trip(visits: list[Visit]) -> None:
    """Two same-day check-ins at stores at least 2 km apart, the second moved to a few minutes after the first."""
    for first, second in zip(visits, visits[1:], strict=False):
        if timezone.localdate(first.checked_in_at) != timezone.localdate(second.checked_in_at):
            continue
        km = distance_m(first.latitude, first.longitude, second.latitude, second.longitude) / 1000
        if km < 2:
            continue
        gap = timedelta(minutes=max(1, int(km / 200 * 60)))  # about 200 km/h
        length = second.checked_out_at - second.checked_in_at
        moved = first.checked_in_at + gap
        Visit.objects.filter(pk=second.pk).update(checked_in_at=moved, checked_out_at=moved + length)
        second.refresh_from_db()
        signals.detect_check_in(second)
        return


def _photos(visits: list[Visit], *, seed: int) -> int:
    """Shelf photos on the rep's last visits: the fourth re-sends the first's photo slightly edited, the last was
    taken two hours before its check-in."""
    first, second, third, fourth, last = visits
    _photo(first, shelf_jpeg(seed, taken_at=first.checked_in_at + timedelta(minutes=5)), "端架陈列")
    _photo(second, shelf_jpeg(seed + 1, taken_at=second.checked_in_at + timedelta(minutes=8)), "货架排面")
    _photo(third, shelf_jpeg(seed + 2), "地堆")
    _photo(fourth, shelf_jpeg(seed, edit=True, taken_at=fourth.checked_in_at + timedelta(minutes=4)), "端架陈列")
    photo = _photo(last, shelf_jpeg(seed + 3, taken_at=last.checked_in_at - timedelta(hours=2)), "冰柜")
    signals.detect_photo_time(photo, last)  # the visit is checked out already: against the whole visit
    return 5


def _review() -> None:
    """Each supervisor confirms one of their team's signals and dismisses another; the rest wait in the queue."""
    for supervisor in User.objects.filter(profile__role=Role.SUPERVISOR).order_by("username"):
        team = signals.signal_list_for(supervisor).order_by("visit__checked_in_at", "pk")
        confirm = team.filter(kind__in=[FraudSignal.Kind.PHOTO_REUSED, FraudSignal.Kind.FAR_CHECK_IN]).first()
        if confirm is not None:
            signals.signal_review(signal=confirm, status="confirmed", note=NOTES_CONFIRMED[0], by=supervisor)
        dismiss = team.filter(kind=FraudSignal.Kind.NO_POSITION, status=FraudSignal.Status.OPEN).first()
        if dismiss is not None:
            signals.signal_review(signal=dismiss, status="dismissed", note=NOTES_DISMISSED[1], by=supervisor)
