"""A shift sheet imported again, or corrected (QA: every row of a second import was refused as overlapping itself).
A row is its promoter's stored shift that day by the same start (the natural key), or, moved, the one shift at the
row's store whose hours it overlaps: an identical row changes nothing, a changed row changes that shift, a new day is
a new shift; only an overlap with ANOTHER shift is refused, through roster_services.shift_save as at every door.
Also: times typed with full-width digits (１０：００), and the template's format hints for day, from and to."""

from datetime import date, time

import pytest
from django.utils import translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from promoters.models import Shift
from promoters.roster_imports import a_time
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["promoter code", "store code", "day", "from", "to"]
WEEK = [
    ["PA1", "S-A1", "2026-11-23", "09:00", "18:00"],
    ["PA1", "S-A2", "2026-11-24", "09:00", "13:00"],
    ["PA1", "S-A1", "2026-11-24", "14:00", "18:00"],
]


@pytest.fixture(autouse=True)
def _before_the_week(time_machine):
    """The Friday before the week the sheet plans: every shift still movable."""
    time_machine.move_to("2026-11-20 10:00 +0800", tick=False)
    with translation.override("en"):
        yield


def _import(scene, rows, headers=HEADERS):
    return run_import(kind=KINDS["promoter-shifts"], source=xlsx_upload(headers, rows), user=scene.supervisor)


def _shifts():
    return sorted(Shift.objects.values_list("pk", "store__code", "day", "starts_at", "ends_at"))


def test_the_same_sheet_again_changes_nothing(scene):
    first = _import(scene, WEEK)
    assert first.created == 3
    before = _shifts()
    again = _import(scene, WEEK)
    assert (again.created, again.updated) == (0, 0)
    assert _shifts() == before


def test_a_corrected_sheet_moves_its_shifts_and_adds_the_new_day(scene):
    _import(scene, WEEK)
    before = {(day, start): pk for pk, _store, day, start, _end in _shifts()}
    corrected = [
        ["PA1", "S-A1", "2026-11-23", "10:00", "19:00"],  # moved an hour: the shift at S-A1 that day
        ["PA1", "S-A2", "2026-11-24", "09:00", "12:00"],  # the same start: ends earlier
        ["PA1", "S-A1", "2026-11-24", "12:30", "18:00"],  # starts earlier, into the hours the row above freed
        ["PA1", "S-A1", "2026-11-25", "09:00", "18:00"],  # a new day
    ]
    result = _import(scene, corrected)
    assert (result.created, result.updated) == (1, 3)
    shifts = _shifts()
    assert [(store, day, start, end) for _pk, store, day, start, end in shifts] == [
        ("S-A1", date(2026, 11, 23), time(10), time(19)),
        ("S-A2", date(2026, 11, 24), time(9), time(12)),
        ("S-A1", date(2026, 11, 24), time(12, 30), time(18)),
        ("S-A1", date(2026, 11, 25), time(9), time(18)),
    ]
    # the same records, moved: not new ones beside the old
    assert shifts[0][0] == before[date(2026, 11, 23), time(9)]
    assert shifts[2][0] == before[date(2026, 11, 24), time(14)]


def test_shifts_moved_past_each_other_are_saved_whatever_the_rows_order(scene):
    _import(scene, [["PA1", "S-A1", "2026-11-23", "09:00", "12:00"], ["PA1", "S-A2", "2026-11-23", "13:00", "17:00"]])
    later = [["PA1", "S-A1", "2026-11-23", "11:00", "14:00"], ["PA1", "S-A2", "2026-11-23", "15:00", "19:00"]]
    result = _import(scene, later)  # the first row overlaps the second's old hours until that one has moved
    assert (result.created, result.updated) == (0, 2)
    assert [(start, end) for *_x, start, end in _shifts()] == [(time(11), time(14)), (time(15), time(19))]


def test_only_an_overlap_with_another_shift_is_refused(scene):
    _import(scene, WEEK)
    before = _shifts()
    rows = [["PA1", "S-A2", "2026-11-23", "12:00", "20:00"]]  # another store, in the hours of the S-A1 shift
    with pytest.raises(ImportRejected) as rejected:
        _import(scene, rows)
    [(row, column, message)] = errors_of(rejected)
    assert (row, column) == (2, "from")
    assert "overlaps the promoter's shift at 甲店 (S-A1) from 09:00 to 18:00" in message
    assert _shifts() == before


def test_a_past_shift_imported_unchanged_is_left_alone_and_a_change_to_it_refused(scene, time_machine):
    _import(scene, WEEK)
    time_machine.move_to("2026-11-24 12:00 +0800", tick=False)  # the 23rd is over, the 24th under way
    assert _import(scene, WEEK).updated == 0
    with pytest.raises(ImportRejected) as rejected:
        _import(scene, [["PA1", "S-A1", "2026-11-23", "09:00", "17:00"]])
    assert "ended" in errors_of(rejected)[0][2]


def test_times_with_full_width_digits_are_read():
    assert a_time("１０：００") == time(10)
    assert a_time("９:３０") == time(9, 30)


def test_the_templates_instructions_give_the_formats_of_day_and_times():
    """What the template's 填写说明 sheet and the import page list per column (imports.runner.template_workbook)."""
    formats = {column["header"]: str(column["hint"]) for column in KINDS["promoter-shifts"].describe("en")}
    assert formats["Day"] == "YYYY-MM-DD"
    assert "HH:MM" in formats["From"] and "HH:MM" in formats["To"]
