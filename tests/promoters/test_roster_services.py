"""The roster's services: promoter_save, promoter_target_save, shift_save / shift_delete / shifts_plan_week and
copying a week — each refusal coded, each batch all or nothing."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from accounts.roles import Role
from ka_portal.errors import DomainError
from promoters import roster_services as services
from promoters.models import Promoter, PromoterTarget, Shift
from promotions.models import PromotionPlan
from tests.factories import make_user
from tests.promotions.factories import PromotionPlanFactory

from .factories import ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_week")]

MONDAY = date(2026, 11, 23)


def t(text: str) -> time:
    return time.fromisoformat(text)


def _schedule(scene, day=MONDAY, start="09:00", end="13:00", store=None, promoter=None, by=None, plan=None):
    return services.shift_save(
        by=by or scene.supervisor,
        promoter=promoter or scene.promoter,
        store=store or scene.store,
        day=day,
        starts_at=t(start),
        ends_at=t(end),
        plan=plan,
    )


# --- shifts -----------------------------------------------------------------------------------------------------


def test_an_overlap_at_another_store_is_refused(scene):
    _schedule(scene, start="09:00", end="13:00", store=scene.store)
    with pytest.raises(DomainError) as refused:
        _schedule(scene, start="12:00", end="18:00", store=scene.second_store)
    assert refused.value.code == "shift.overlap"
    assert "甲店" in refused.value.detail and "09:00" in refused.value.detail and "13:00" in refused.value.detail
    assert Shift.objects.count() == 1


def test_touching_shifts_09_13_and_13_18_are_allowed(scene):
    _schedule(scene, start="09:00", end="13:00", store=scene.store)
    _schedule(scene, start="13:00", end="18:00", store=scene.second_store)
    assert Shift.objects.filter(promoter=scene.promoter, day=MONDAY).count() == 2


def test_a_promoter_off_the_roster_that_day_is_refused(scene):
    Promoter.objects.filter(pk=scene.promoter.pk).update(ended_on=date(2026, 11, 22))
    scene.promoter.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        _schedule(scene)
    assert (refused.value.code, refused.value.field) == ("shift.off_roster", "day")


def test_a_store_not_the_promoters_is_refused(scene):
    scene.promoter.stores.remove(scene.second_store)
    with pytest.raises(DomainError) as refused:
        _schedule(scene, store=scene.second_store)
    assert (refused.value.code, refused.value.field) == ("shift.store_not_rostered", "store")


def test_a_shift_ending_before_it_starts_is_refused(scene):
    with pytest.raises(DomainError) as refused:
        _schedule(scene, start="18:00", end="09:00")
    assert refused.value.code == "shift.ends_before_start"


def test_another_supervisors_promoter_is_not_found(scene):
    with pytest.raises(DomainError) as refused:
        _schedule(scene, promoter=scene.foreign_promoter, store=scene.foreign_store)
    assert refused.value.code == "not_found"


def test_an_overlap_with_a_store_the_user_cannot_see_names_no_store(scene):
    scene.foreign_promoter.stores.add(scene.store)  # works at supervisor A's store too
    _schedule(scene, promoter=scene.foreign_promoter, store=scene.foreign_store, by=scene.other_supervisor)
    with pytest.raises(DomainError) as refused:
        _schedule(scene, promoter=scene.foreign_promoter, store=scene.store, start="10:00", end="12:00")
    assert refused.value.code == "shift.overlap"
    assert "丙店" not in refused.value.detail and "S-B1" not in refused.value.detail


def test_a_checked_in_shift_is_neither_moved_nor_deleted(scene):
    shift = _schedule(scene)
    Shift.objects.filter(pk=shift.pk).update(checked_in_at=timezone.now())
    with pytest.raises(DomainError) as refused:
        services.shift_save(
            shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=MONDAY,
            starts_at=t("10:00"), ends_at=t("14:00"),
        )  # fmt: skip
    assert refused.value.code == "shift.locked"
    with pytest.raises(DomainError):
        services.shift_delete(shift=shift, by=scene.supervisor)
    assert Shift.objects.filter(pk=shift.pk, starts_at=t("09:00")).exists()


def test_a_confirmed_shift_is_locked(scene):
    shift = _schedule(scene)
    Shift.objects.filter(pk=shift.pk).update(
        confirmed_attendance=Shift.Attendance.ATTENDED, confirmed_at=timezone.now(), checked_in_at=timezone.now()
    )
    with pytest.raises(DomainError) as refused:
        services.shift_delete(shift=shift, by=scene.supervisor)
    assert refused.value.code == "shift.locked"


@pytest.fixture
def before_monday(time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_an_ended_shift_is_neither_moved_nor_deleted(scene, time_machine):
    # given Monday's 09:00–13:00 shift, never checked in, and the time 13:00 that day (its end)
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    shift = _schedule(scene)
    time_machine.move_to(datetime(2026, 11, 23, 13, tzinfo=ZoneInfo("Asia/Shanghai")))
    # when the supervisor moves it to another promoter's hours or deletes it, then both are refused
    with pytest.raises(DomainError) as refused:
        services.shift_save(
            shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=date(2026, 11, 24),
            starts_at=t("09:00"), ends_at=t("13:00"),
        )  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("shift.ended", "day")
    assert "2026-11-23" in refused.value.detail and "13:00" in refused.value.detail
    with pytest.raises(DomainError):
        services.shift_delete(shift=shift, by=scene.supervisor)
    assert Shift.objects.filter(pk=shift.pk, day=MONDAY).exists()


def test_a_started_shift_without_a_check_in_is_neither_moved_nor_deleted(scene, time_machine):
    # given Monday's 09:00–13:00 shift and 09:20 that day, the promoter not yet checked in (20 minutes late so far)
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    shift = _schedule(scene)
    time_machine.move_to(datetime(2026, 11, 23, 9, 20, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert not services.shift_movable(shift)
    # when the supervisor moves its start past the lateness, or deletes it, then both are refused, naming the start
    with pytest.raises(DomainError) as refused:
        services.shift_save(
            shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=MONDAY,
            starts_at=t("09:30"), ends_at=t("13:00"),
        )  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("shift.started", "day")
    assert refused.value.params == {"day": "2026-11-23", "start": "09:00"}
    with pytest.raises(DomainError):
        services.shift_delete(shift=shift, by=scene.supervisor)
    assert Shift.objects.filter(pk=shift.pk, starts_at=t("09:00")).exists()
    # a minute before its start it still moves
    time_machine.move_to(datetime(2026, 11, 23, 8, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert services.shift_movable(shift)
    services.shift_save(
        shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=MONDAY,
        starts_at=t("09:30"), ends_at=t("13:00"),
    )  # fmt: skip
    assert Shift.objects.get(pk=shift.pk).starts_at == t("09:30")


def test_a_shift_moves_without_overlapping_itself(scene, before_monday):
    shift = _schedule(scene, start="09:00", end="13:00")
    moved = services.shift_save(
        shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=MONDAY,
        starts_at=t("10:00"), ends_at=t("14:00"),
    )  # fmt: skip
    assert (moved.pk, moved.starts_at) == (shift.pk, t("10:00"))


def test_the_week_is_scheduled_all_or_nothing(scene):
    _schedule(scene, day=date(2026, 11, 25), start="15:00", end="20:00", store=scene.second_store)
    days = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    with pytest.raises(DomainError) as refused:
        services.shifts_plan_week(
            by=scene.supervisor, promoter=scene.promoter, store=scene.store, days=days, starts_at=t("09:00"),
            ends_at=t("18:00"),
        )  # fmt: skip
    assert refused.value.code == "shift.overlap"
    assert Shift.objects.count() == 1  # the two good days were not written either
    shifts = services.shifts_plan_week(
        by=scene.supervisor, promoter=scene.promoter, store=scene.store, days=days, starts_at=t("09:00"),
        ends_at=t("15:00"),
    )  # fmt: skip
    assert [s.day for s in shifts] == days


def test_a_week_refused_for_overlaps_names_each_day_and_the_shift_it_overlaps(scene):
    """QA: ticking Monday to Friday where Wednesday and Friday clash with shifts at another store was refused with
    "This overlaps the promoter's shift at 乙店 from 15:00 to 20:00 that day": which day of the five, it did not say."""
    _schedule(scene, day=date(2026, 11, 25), start="15:00", end="20:00", store=scene.second_store)
    _schedule(scene, day=date(2026, 11, 27), start="08:00", end="10:00", store=scene.second_store)
    days = [date(2026, 11, 23 + offset) for offset in range(5)]
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.shifts_plan_week(
            by=scene.supervisor, promoter=scene.promoter, store=scene.store, days=days, starts_at=t("09:00"),
            ends_at=t("18:00"),
        )  # fmt: skip
    assert refused.value.detail == (
        "2026-11-25: This overlaps the promoter's shift at 乙店 (S-A2) from 15:00 to 20:00 that day. "
        "2026-11-27: This overlaps the promoter's shift at 乙店 (S-A2) from 08:00 to 10:00 that day."
    )
    assert (refused.value.code, refused.value.field) == ("shift.overlap", "starts_at")
    assert refused.value.params["days"] == "2026-11-25, 2026-11-27"
    assert Shift.objects.count() == 2  # Monday, Tuesday and Thursday were not written either


def test_a_week_copied_into_several_overlaps_names_each(scene):
    last_week = date(2026, 11, 16)
    for day in (16, 17, 18):
        ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2026, 11, day))
    _schedule(scene, day=date(2026, 11, 23), start="08:00", end="10:00", store=scene.second_store)
    _schedule(scene, day=date(2026, 11, 25), start="16:00", end="20:00", store=scene.second_store)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.shifts_copy_week(by=scene.supervisor, source_week=last_week, target_week=MONDAY)
    assert refused.value.detail == (
        "王小红 (PA1), 2026-11-23: This overlaps the promoter's shift at 乙店 (S-A2) from 08:00 to 10:00 that day. "
        "王小红 (PA1), 2026-11-25: This overlaps the promoter's shift at 乙店 (S-A2) from 16:00 to 20:00 that day."
    )
    assert refused.value.params["days"] == "2026-11-23, 2026-11-25"
    assert Shift.objects.filter(day__gte=MONDAY).count() == 2  # Tuesday's copy was not written either


def test_no_days_ticked_is_refused(scene):
    with pytest.raises(DomainError) as refused:
        services.shifts_plan_week(
            by=scene.supervisor, promoter=scene.promoter, store=scene.store, days=[], starts_at=t("09:00"),
            ends_at=t("18:00"),
        )  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("shift.no_days", "days")


def _plan(scene, **fields):
    defaults = {
        "account": scene.store.account,
        "owner": scene.supervisor,
        "start_on": date(2026, 11, 20),
        "end_on": date(2026, 11, 30),
        "status": PromotionPlan.Status.APPROVED,
    }
    return PromotionPlanFactory(**{**defaults, **fields})


def test_a_plan_must_run_at_the_store_that_day(scene):
    plan = _plan(scene)
    assert _schedule(scene, plan=plan).plan == plan
    with pytest.raises(DomainError) as refused:
        _schedule(scene, day=date(2026, 12, 1), plan=plan)
    assert (refused.value.code, refused.value.field) == ("shift.plan_not_running", "plan")
    draft = _plan(scene, status=PromotionPlan.Status.DRAFT)
    with pytest.raises(DomainError) as refused:
        _schedule(scene, day=date(2026, 11, 24), plan=draft)
    assert refused.value.code == "shift.plan_not_running"
    only_second = _plan(scene, all_stores=False)
    only_second.stores.set([scene.second_store])
    with pytest.raises(DomainError) as refused:
        _schedule(scene, day=date(2026, 11, 26), plan=only_second)
    assert refused.value.code == "shift.plan_not_running"


def test_copying_last_week_copies_each_shift_once(scene):
    last_week = date(2026, 11, 16)
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=last_week, starts_at=t("09:00"), ends_at=t("13:00"))
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, 18))
    done = services.shifts_copy_week(by=scene.supervisor, source_week=last_week, target_week=MONDAY)
    assert sorted(s.day for s in done.copied) == [date(2026, 11, 23), date(2026, 11, 25)] and not done.left_off
    again = services.shifts_copy_week(by=scene.supervisor, source_week=last_week, target_week=MONDAY)
    assert again.copied == [] and again.left_off == []


def test_copying_a_week_into_a_conflict_copies_nothing_and_names_the_promoter_and_the_day(scene):
    last_week = date(2026, 11, 16)
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=last_week)
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2026, 11, 17))
    _schedule(scene, day=date(2026, 11, 24), start="08:00", end="10:00", store=scene.second_store)
    with pytest.raises(DomainError) as refused:
        services.shifts_copy_week(by=scene.supervisor, source_week=last_week, target_week=MONDAY)
    assert not Shift.objects.filter(day=MONDAY).exists()
    # QA: "与该促销员当天在 … 的班次时间重叠" named neither whose shift nor which day
    assert refused.value.code == "shift.overlap"
    assert refused.value.params == {
        "promoter": "王小红 (PA1)", "day": "2026-11-24", "reason": refused.value.__cause__.detail,
        "days": "2026-11-24", "overlaps": refused.value.detail,
    }  # fmt: skip
    assert "王小红 (PA1)" in refused.value.detail and "2026-11-24" in refused.value.detail
    assert "乙店 (S-A2)" in refused.value.detail and "08:00" in refused.value.detail


# --- a shift is planned before it starts (QA: one planned for a time gone by read absent at once, for good) ------


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("now", "start", "refused"),
    [
        (_at(MONDAY, 8, 59), "09:00", False),
        (_at(MONDAY, 9), "09:00", True),  # starting now: its attendance already counts
        (_at(MONDAY, 10), "09:00", True),  # under way
        (_at(MONDAY, 14), "09:00", True),  # over (09:00–13:00)
        (_at(date(2026, 11, 24), 8), "09:00", True),  # a day gone by
    ],
)
def test_a_shift_whose_start_has_passed_is_not_planned(scene, time_machine, now, start, refused):
    time_machine.move_to(now, tick=False)
    if not refused:
        assert _schedule(scene, start=start).day == MONDAY
        return
    with pytest.raises(DomainError) as caught:
        _schedule(scene, start=start)
    assert caught.value.code == "shift.start_passed" and caught.value.field == "day"
    assert "2026-11-23" in caught.value.detail and "09:00" in caught.value.detail
    assert not Shift.objects.exists()


def test_a_week_with_a_day_gone_by_is_not_planned(scene, time_machine):
    time_machine.move_to(_at(date(2026, 11, 24), 12), tick=False)
    with pytest.raises(DomainError) as caught:
        services.shifts_plan_week(
            by=scene.supervisor, promoter=scene.promoter, store=scene.store,
            days=[date(2026, 11, 24), date(2026, 11, 25)], starts_at=t("09:00"), ends_at=t("13:00"),
        )  # fmt: skip
    assert caught.value.code == "shift.start_passed"
    assert not Shift.objects.exists()


def test_a_shift_to_come_is_not_moved_to_a_time_gone_by(scene, time_machine):
    shift = _schedule(scene, day=date(2026, 11, 25))
    time_machine.move_to(_at(date(2026, 11, 24), 12), tick=False)
    with pytest.raises(DomainError) as caught:
        services.shift_save(
            shift=shift, by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=date(2026, 11, 24),
            starts_at=t("09:00"), ends_at=t("13:00"),
        )  # fmt: skip
    assert caught.value.code == "shift.start_passed"
    shift.refresh_from_db()
    assert shift.day == date(2026, 11, 25)


def test_copying_last_week_on_its_wednesday_copies_the_days_to_come_and_says_what_it_left_off(scene, time_machine):
    last_week = date(2026, 11, 16)
    for day in (16, 17, 18, 19):  # Monday to Thursday, 09:00–13:00
        ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2026, 11, day), starts_at=t("09:00"),
                     ends_at=t("13:00"))  # fmt: skip
    time_machine.move_to(_at(date(2026, 11, 25), 8), tick=False)  # this week's Wednesday, before 09:00
    done = services.shifts_copy_week(by=scene.supervisor, source_week=last_week, target_week=MONDAY)
    assert sorted(s.day for s in done.copied) == [date(2026, 11, 25), date(2026, 11, 26)]
    assert sorted(s.day for s in done.left_off) == [date(2026, 11, 16), date(2026, 11, 17)]
    assert not Shift.objects.filter(day__in=[MONDAY, date(2026, 11, 24)]).exists()


# --- promoters --------------------------------------------------------------------------------------------------


def _fields(scene, **changes):
    fields = {
        "code": "PN1", "name": "赵小燕", "phone": "", "kind": Promoter.Kind.PROMOTER,
        "employer": Promoter.Employer.MAKER, "agency": "", "user": None, "supervisor": scene.supervisor,
        "daily_fee": Decimal("200"), "monthly_pay": None, "started_on": date(2026, 11, 1), "ended_on": None,
    }  # fmt: skip
    return {**fields, **changes}


def test_a_promoter_is_created_with_their_stores(scene):
    promoter = services.promoter_save(by=scene.supervisor, stores=[scene.store], **_fields(scene))
    assert list(promoter.stores.all()) == [scene.store]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"daily_fee": None}, "promoter.pay_one", "daily_fee"),
        ({"monthly_pay": Decimal("4000")}, "promoter.pay_one", "daily_fee"),
        ({"employer": Promoter.Employer.AGENCY}, "promoter.agency_missing", "agency"),
        ({"ended_on": date(2026, 10, 31)}, "promoter.ends_before_start", "ended_on"),
        ({"code": "PA1"}, "promoter.code_taken", "code"),
    ],
)
def test_a_promoter_breaking_a_rule_is_refused(scene, changes, code, field):
    with pytest.raises(DomainError) as refused:
        services.promoter_save(by=scene.supervisor, stores=[scene.store], **_fields(scene, **changes))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Promoter.objects.filter(name="赵小燕").exists()


def test_a_store_outside_the_users_scope_is_not_found(scene):
    with pytest.raises(DomainError) as refused:
        services.promoter_save(by=scene.supervisor, stores=[scene.foreign_store], **_fields(scene))
    assert (refused.value.code, refused.value.field) == ("not_found", "stores")


def test_the_login_is_a_promoters_and_not_anothers(scene):
    rep = make_user(Role.REP, username="rep_z")
    with pytest.raises(DomainError) as refused:
        services.promoter_save(by=scene.supervisor, **_fields(scene, user=rep))
    assert refused.value.code == "promoter.login_role"
    with pytest.raises(DomainError) as refused:
        services.promoter_save(by=scene.supervisor, **_fields(scene, user=scene.promoter.user))
    assert refused.value.code == "promoter.login_taken"


def test_the_supervisor_is_a_supervisor(scene):
    with pytest.raises(DomainError) as refused:
        services.promoter_save(by=scene.admin, **_fields(scene, supervisor=scene.admin))
    assert (refused.value.code, refused.value.field) == ("promoter.supervisor_role", "supervisor")


def test_changing_the_stores_keeps_those_of_another_supervisor(scene):
    scene.promoter.stores.add(scene.foreign_store)
    services.promoter_save(promoter=scene.promoter, by=scene.supervisor, stores=[scene.store])
    assert set(scene.promoter.stores.all()) == {scene.store, scene.foreign_store}


def test_an_end_before_an_existing_shift_is_refused(scene):
    _schedule(scene, day=date(2026, 11, 25))
    with pytest.raises(DomainError) as refused:
        services.promoter_save(promoter=scene.promoter, by=scene.supervisor, ended_on=date(2026, 11, 24))
    assert refused.value.code == "promoter.shifts_off_roster"


# --- targets ----------------------------------------------------------------------------------------------------


def test_a_target_is_saved_for_a_months_first_day(scene):
    target = services.promoter_target_save(
        by=scene.supervisor, promoter=scene.promoter, month=date(2026, 11, 1), amount=Decimal("30000")
    )
    assert target.pk
    with pytest.raises(DomainError) as refused:
        services.promoter_target_save(
            by=scene.supervisor, promoter=scene.promoter, month=date(2026, 11, 1), amount=Decimal("1")
        )
    assert refused.value.code == "target.duplicate"
    with pytest.raises(DomainError) as refused:
        services.promoter_target_save(
            by=scene.supervisor, promoter=scene.foreign_promoter, month=date(2026, 11, 1), amount=Decimal("1")
        )
    assert refused.value.code == "not_found"


def test_month_targets_are_set_all_or_nothing(scene):
    month = date(2026, 11, 1)
    with pytest.raises(DomainError):
        services.promoter_month_targets_set(
            by=scene.admin, month=month, amounts={scene.promoter: Decimal("100"), scene.foreign_promoter: Decimal("-1")}
        )
    assert not PromoterTarget.objects.exists()
    written = services.promoter_month_targets_set(
        by=scene.admin, month=month, amounts={scene.promoter: Decimal("100"), scene.foreign_promoter: None}
    )
    assert written == 1 and PromoterTarget.objects.get().amount == Decimal("100")
