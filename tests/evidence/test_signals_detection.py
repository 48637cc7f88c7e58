"""Each fraud signal, found at the visit's step that shows it (a positive and a negative case each), kept once
per visit however often detection runs, and a reviewed one never reopened."""

from datetime import timedelta

import pytest

from evidence import signals
from evidence.models import FraudSignal, PhotoHash
from tests.evidence.signal_images import cropped, jpeg, png, recompressed, resized, shelf
from tests.evidence.signal_world import add_photo, at, check_in, check_out, media_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages and sentences in English (the site's language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


Kind = FraudSignal.Kind


def kinds(visit) -> set[str]:
    return set(FraudSignal.objects.filter(visit=visit).values_list("kind", flat=True))


# --- at check-in -------------------------------------------------------------------------------------------------


def test_a_check_in_2_km_from_the_store_is_a_signal_with_the_distance(world):
    visit = check_in(world.rep, world.store_a, at(9), position=(31.2484, 121.4737))  # ~2 km north

    signal = FraudSignal.objects.get(visit=visit, kind=Kind.FAR_CHECK_IN)
    assert signal.evidence["limit_m"] == 500
    assert 1900 < signal.evidence["distance_m"] < 2100
    assert signal.rep == world.rep
    assert signals.describe(signal).startswith("Checked in 2.0 km from the store (limit 500 m)")


def test_a_check_in_at_the_store_is_no_signal(world):
    visit = check_in(world.rep, world.store_a, at(9))

    assert kinds(visit) == set()


def test_a_check_in_without_a_position_is_a_signal(world):
    visit = check_in(world.rep, world.store_a, at(9), position=None)

    assert kinds(visit) == {Kind.NO_POSITION}


def test_hangzhou_15_minutes_after_shanghai_is_an_impossible_trip(world):
    first = check_in(world.rep, world.store_a, at(9, 10))
    second = check_in(world.rep, world.store_far, at(9, 25))

    signal = FraudSignal.objects.get(visit=second, kind=Kind.IMPOSSIBLE_TRAVEL)
    assert signal.other_visit == first
    assert signal.evidence["minutes"] == 15
    assert 150 < signal.evidence["km"] < 180
    assert signal.evidence["kmh"] > 600
    text = signals.describe(signal)
    assert "km/h from 人民广场店 09:10 to 杭州西湖店 09:25" in text


def test_the_next_store_across_town_40_minutes_later_is_no_trip_signal(world):
    check_in(world.rep, world.store_a, at(9, 10))
    second = check_in(world.rep, world.store_b, at(9, 50))  # 8 km in 40 min: 12 km/h

    assert Kind.IMPOSSIBLE_TRAVEL not in kinds(second)


def test_a_check_in_more_than_12_hours_later_is_not_compared(world):
    check_in(world.rep, world.store_a, at(8))
    second = check_in(world.rep, world.store_far, at(8) + timedelta(hours=13))

    assert Kind.IMPOSSIBLE_TRAVEL not in kinds(second)


def test_another_reps_check_in_is_not_the_previous_one(world):
    check_in(world.teammate, world.mate_store, at(9, 10))
    visit = check_in(world.rep, world.store_far, at(9, 20))

    assert Kind.IMPOSSIBLE_TRAVEL not in kinds(visit)


# --- at check-out ------------------------------------------------------------------------------------------------


def test_checking_out_after_3_minutes_is_a_short_visit(world):
    visit = check_out(check_in(world.rep, world.store_a, at(9)), at(9, 3))

    signal = FraudSignal.objects.get(visit=visit, kind=Kind.SHORT_VISIT)
    assert signal.evidence == {"minutes": 3, "minimum": 5}
    assert signals.describe(signal) == "Checked out after 3 minutes (minimum 5)."


def test_checking_out_after_20_minutes_is_no_short_visit(world):
    visit = check_out(check_in(world.rep, world.store_a, at(9)), at(9, 20))

    assert kinds(visit) == set()


# --- photos ------------------------------------------------------------------------------------------------------


def test_a_photo_taken_an_hour_before_the_check_in_is_a_signal(world):
    visit = check_in(world.rep, world.store_a, at(10))
    photo = add_photo(visit, jpeg(shelf(1), taken_at=at(9).replace(tzinfo=None)))

    signal = FraudSignal.objects.get(visit=visit, kind=Kind.PHOTO_TIME)
    assert signal.photo == photo
    assert signal.key == str(photo.pk)
    assert signal.evidence["side"] == "before" and signal.evidence["minutes"] == 60
    assert "60 min before the check-in at 10:00" in signals.describe(signal)


def test_a_photo_taken_5_minutes_before_the_check_in_is_within_the_grace(world):
    visit = check_in(world.rep, world.store_a, at(10))
    add_photo(visit, jpeg(shelf(1), taken_at=at(9, 55).replace(tzinfo=None)))
    check_out(visit, at(10, 30))

    assert kinds(visit) == set()


def test_a_camera_time_after_the_check_out_is_found_at_check_out(world):
    visit = check_in(world.rep, world.store_a, at(10))
    add_photo(visit, jpeg(shelf(1), taken_at=at(12).replace(tzinfo=None)))  # the camera's clock says noon
    assert kinds(visit) == set()  # while open, the photo could still be of this visit

    check_out(visit, at(10, 30))

    signal = FraudSignal.objects.get(visit=visit, kind=Kind.PHOTO_TIME)
    assert signal.evidence["side"] == "after" and signal.evidence["minutes"] == 90


def test_a_photo_taken_the_morning_a_forgotten_visit_is_closed_is_outside_it(world):
    """Closed the next morning without the time the rep left: the visit ended by midnight, not at 08:40."""
    visit = check_in(world.rep, world.store_a, at(18))
    next_day = (visit.checked_in_at + timedelta(days=1)).timetuple()[:3]
    add_photo(visit, jpeg(shelf(1), taken_at=at(8, 30, day=next_day).replace(tzinfo=None)))

    visit = check_out(visit, at(8, 40, day=next_day))

    assert visit.not_checked_out
    signal = FraudSignal.objects.get(visit=visit, kind=Kind.PHOTO_TIME)
    assert signal.evidence["side"] == "after"


def test_a_photo_without_a_camera_time_gives_no_signal(world):
    visit = check_in(world.rep, world.store_a, at(10))
    photo = add_photo(visit, png(shelf(1)), name="shelf.png")
    check_out(visit, at(10, 30))

    assert photo.taken_at is None
    assert kinds(visit) == set()


@pytest.mark.parametrize(
    "edit",
    [lambda image: image, resized, recompressed, cropped, lambda image: cropped(resized(image, 0.7), 4)],
    ids=["same", "resized", "re-compressed", "cropped", "resized-and-cropped"],
)
def test_a_photo_of_another_visit_is_found_again_through_small_edits(world, edit):
    first = check_in(world.teammate, world.mate_store, at(9))
    earlier = add_photo(first, jpeg(shelf(1)))
    visit = check_in(world.rep, world.store_a, at(14))

    photo = add_photo(visit, jpeg(edit(shelf(1)), quality=70))

    signal = FraudSignal.objects.get(visit=visit, kind=Kind.PHOTO_REUSED)
    assert (signal.photo, signal.other_photo, signal.other_visit) == (photo, earlier, first)
    assert signal.evidence["distance"] <= 6
    assert signals.describe(signal).startswith("Same photo as visit at 徐家汇店 on 2026-11-20 (distance ")


@pytest.mark.parametrize("seed", [2, 3, 4, 5, 6])
def test_a_different_shelf_is_not_a_reused_photo(world, seed):
    add_photo(check_in(world.teammate, world.mate_store, at(9)), jpeg(shelf(seed)))
    visit = check_in(world.rep, world.store_a, at(14))

    add_photo(visit, jpeg(shelf(1)))

    assert Kind.PHOTO_REUSED not in kinds(visit)


def test_two_photos_of_the_same_shelf_in_one_visit_are_not_reused(world):
    visit = check_in(world.rep, world.store_a, at(14))
    add_photo(visit, jpeg(shelf(1)))
    add_photo(visit, jpeg(resized(shelf(1))))

    assert kinds(visit) == set()


def test_the_hash_is_stored_signed_with_its_eight_bands(world):
    photo = add_photo(check_in(world.rep, world.store_a, at(14)), jpeg(shelf(1)))

    row = PhotoHash.objects.get(photo=photo)
    unsigned = row.value & 0xFFFFFFFFFFFFFFFF
    assert -(1 << 63) <= row.value < (1 << 63)
    assert [getattr(row, f"band{i}") for i in range(8)] == list(unsigned.to_bytes(8, "big"))
    assert row.visit_id == photo.visit_id


def test_near_duplicates_reads_only_rows_sharing_a_band(world):
    """The candidates are the band matches: a hash sharing no band is never read, even at distance 8."""
    photo = add_photo(check_in(world.rep, world.store_a, at(14)), jpeg(shelf(1)))
    value = PhotoHash.objects.get(photo=photo).value
    flipped = value ^ 0x0101010101010101  # one bit in each byte: distance 8, no band shared
    assert signals.band_candidates(flipped).count() == 0
    assert signals.near_duplicates(value=value ^ 0b111, max_distance=6)[0][0] == 3


# --- idempotent, reviewed stays reviewed -------------------------------------------------------------------------


def test_detection_twice_keeps_one_signal_and_a_reviewed_one_stays_reviewed(world):
    visit = check_out(check_in(world.rep, world.store_a, at(9), position=None), at(9, 2))
    assert kinds(visit) == {Kind.NO_POSITION, Kind.SHORT_VISIT}
    signal = FraudSignal.objects.get(visit=visit, kind=Kind.SHORT_VISIT)
    signals.signal_review(signal=signal, status="dismissed", note="", by=world.supervisor)

    signals.detect_visit(visit)
    signals.detect_visit(visit)

    assert FraudSignal.objects.filter(visit=visit).count() == 2
    signal.refresh_from_db()
    assert signal.status == FraudSignal.Status.DISMISSED
