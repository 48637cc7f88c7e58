"""A shift's attendance, computed from its planned times, its check-in and check-out and the settings (pure: no
database). The supervisor's confirmation (Shift.confirmed_attendance) overrides the computed reading.

- planned: not checked in and the shift has not started yet;
- not checked in yet: the shift has started, no check-in, and a check-in now would not yet be late (within
  `promoter_late_after_minutes` of the start, whole minutes as for a check-in);
- late, not checked in: the shift has started more than `promoter_late_after_minutes` ago and is still running with
  no check-in, carrying the minutes since the start as its lateness so far — what a supervisor acts on during the
  day (call the promoter, send someone), not only once the shift has ended as absent. Neither is final: nothing
  counts it as absent or late (the attendance report lists it apart, the appraisal and the pay skip it);
- in progress: checked in, not checked out, the shift still running (already carrying the minutes late and whether
  the check-in was off site, so the promoter and the supervisor see them at once, not only after the shift);
- absent: no check-in by the end of the shift;
- off site: checked in further from the store than `checkin_max_distance_m`, or without a position;
- late: checked in more than `promoter_late_after_minutes` after the start (whole minutes from the start, as the
  times are shown: `whole_minutes`), judged
  on the phone's time when the check-in reached the server within `promoter_sync_grace_minutes`, else on when it
  arrived (`check_in_received_at`), which a promoter cannot set back (both are kept and shown: `_arrival`);
- left early: checked out more than `promoter_early_before_minutes` before the end (minutes counted to the end);
- late and left early: both; attended: neither. A shift checked in and never checked out reads by its check-in
  once it has ended, flagged `no_check_out`.

A check-in received more than `visit_sync_late_hours` after the phone's time (made offline and sent late, or dated
back) is flagged `sent_late` beside its reading, from the check-in on, for the supervisor to look at.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.formatting import hours_and_minutes

PLANNED = "planned"
NOT_CHECKED_IN = "not_checked_in"
LATE_NO_CHECK_IN = "late_no_check_in"
IN_PROGRESS = "in_progress"
ATTENDED = "attended"
LATE = "late"
LEFT_EARLY = "left_early"
LATE_AND_EARLY = "late_and_early"
OFF_SITE = "off_site"
ABSENT = "absent"
LEAVE = "leave"  # only ever confirmed by the supervisor, never computed

LABELS = {
    PLANNED: _("Planned"),
    NOT_CHECKED_IN: _("Not checked in yet"),
    LATE_NO_CHECK_IN: _("Late, not checked in"),
    IN_PROGRESS: _("On shift"),  # not the visits' "In progress" (拜访中): a promoter works a shift, not a visit
    ATTENDED: _("Attended"),
    LATE: _("Late"),
    LEFT_EARLY: _("Left early"),
    LATE_AND_EARLY: _("Late and left early"),
    OFF_SITE: _("Checked in off site"),
    ABSENT: _("Absent"),
    LEAVE: _("On approved leave"),
}
# The readings of a shift that has ended (what a supervisor may confirm), and those counted as worked (attendance,
# the appraisal and the pay): late and early still count, a check-in off site does not until the supervisor
# confirms the shift as attended.
FINAL = (ATTENDED, LATE, LEFT_EARLY, LATE_AND_EARLY, OFF_SITE, ABSENT, LEAVE)
WORKED = (ATTENDED, LATE, LEFT_EARLY, LATE_AND_EARLY)
BADGES = {
    PLANNED: "secondary",
    NOT_CHECKED_IN: "secondary",
    LATE_NO_CHECK_IN: "danger",
    IN_PROGRESS: "info",
    ATTENDED: "success",
    LATE: "warning",
    LEFT_EARLY: "warning",
    LATE_AND_EARLY: "warning",
    OFF_SITE: "danger",
    ABSENT: "danger",
    LEAVE: "secondary",
}


@dataclass(frozen=True)
class Limits:
    late_after_minutes: int
    early_before_minutes: int
    max_distance_m: int
    sent_late_hours: int = 4  # a check-in received more than this after the phone's time is flagged `sent_late`
    sync_grace_minutes: int = 15  # a check-in received within this after the phone's time is judged on the phone's

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        ka = settings.KA
        return cls(
            ka.promoter_late_after_minutes, ka.promoter_early_before_minutes, ka.checkin_max_distance_m,
            ka.visit_sync_late_hours, ka.promoter_sync_grace_minutes,
        )  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """A shift's attendance: the status (computed, or the supervisor's when confirmed) and its numbers."""

    status: str
    late_minutes: int = 0
    early_minutes: int = 0
    off_site: bool = False
    no_check_out: bool = False
    computed: str = ""  # the computed status, also when a confirmation overrides it
    confirmed: bool = False
    ended: bool = False  # the shift's planned end has passed (a check-out before it is final, not yet confirmable)
    # When the server received the check-in, where it was a minute or more after the phone's time (else None), how
    # long after, and whether that was more than Limits.sent_late_hours (made offline and sent late, or dated back).
    received_at: datetime | None = None
    received_after: timedelta | None = None
    sent_late: bool = False

    @property
    def sent_after_hours(self) -> float | None:
        """Hours from the phone's check-in time to its arrival (one decimal), where they differ."""
        return None if self.received_after is None else round(self.received_after.total_seconds() / 3600, 1)

    @property
    def late_text(self) -> str:
        """How late, as the promoter and the supervisor read it: "25 minutes late", "3 h 34 min late"; "" if not."""
        return _("%(time)s late") % {"time": hours_and_minutes(self.late_minutes)} if self.late_minutes else ""

    @property
    def early_text(self) -> str:
        """How early the check-out was: "25 minutes early", "2 h 5 min early"; "" if not early."""
        return _("%(time)s early") % {"time": hours_and_minutes(self.early_minutes)} if self.early_minutes else ""

    @property
    def label(self) -> str:
        return str(LABELS[self.status])

    @property
    def computed_label(self) -> str:
        return str(LABELS[self.computed or self.status])

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def confirmable(self) -> bool:
        """What the supervisor may confirm (phone_services.attendance_confirm): a final reading of an ended shift."""
        return self.is_final and self.ended

    @property
    def counts_late(self) -> bool:
        """Whether the shift counts as late (the one reading of it the attendance report and the appraisal count):
        read late (also late and left early), or checked in off site and late, until the supervisor confirms another
        reading. The counts overlap: a shift late and left early counts in both, one off site and late in both."""
        return self.status in (LATE, LATE_AND_EARLY) or (self.status == OFF_SITE and self.late_minutes > 0)

    @property
    def counts_early(self) -> bool:
        """Whether the shift counts as left early: as counts_late, for the check-out."""
        return self.status in (LEFT_EARLY, LATE_AND_EARLY) or (self.status == OFF_SITE and self.early_minutes > 0)

    @property
    def worked(self) -> bool:
        return self.status in WORKED

    @property
    def corrected(self) -> bool:
        return self.confirmed and self.status != self.computed


def shift_bounds(day: date, starts_at: time, ends_at: time) -> tuple[datetime, datetime]:
    """The shift's start and end as aware times in the site's zone (Asia/Shanghai)."""
    zone = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(day, starts_at), zone),
        timezone.make_aware(datetime.combine(day, ends_at), zone),
    )


def whole_minutes(earlier: datetime, later: datetime) -> int:
    """Whole minutes from `earlier` to `later` as the two times are shown (H:i, each to its minute): a 10:53:40
    check-in for a 10:00 start is 53 minutes late, as the page's 10:00 and 10:53 say, not 54 (QA). The page, the
    supervisor's list, its Excel and the API all read this one count."""
    return int((_to_minute(later) - _to_minute(earlier)).total_seconds() // 60)


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def late_if_started_before(now: datetime, limits: Limits) -> datetime:
    """A shift running at `now` without a check-in reads "late, not checked in" when it started before this moment:
    classify's rule (more than Limits.late_after_minutes whole minutes from the start) as a bound a query can use
    (attendance_report.not_checked_in)."""
    return _to_minute(now) - timedelta(minutes=limits.late_after_minutes)


def classify(
    *,
    starts: datetime,
    ends: datetime,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    check_in_distance_m: int | None,
    now: datetime,
    limits: Limits,
    check_in_received_at: datetime | None = None,
) -> Reading:
    """The computed reading of a shift from `starts` to `ends` (aware times), as of `now`. Lateness is judged on
    `check_in_received_at` (the server's clock) where known and later than the phone's `checked_in_at`."""
    ended = now >= ends
    if checked_in_at is None:
        if ended or now < starts:
            status = ABSENT if ended else PLANNED
            return Reading(status, computed=status, ended=ended)
        # started, still running, nobody checked in: late as a check-in made now would be (whole minutes)
        since = whole_minutes(starts, now)
        if since > limits.late_after_minutes:
            return Reading(LATE_NO_CHECK_IN, late_minutes=since, computed=LATE_NO_CHECK_IN)
        return Reading(NOT_CHECKED_IN, computed=NOT_CHECKED_IN)
    arrival = _arrival(checked_in_at, check_in_received_at, limits)
    late = whole_minutes(starts, arrival["judged"])
    late = late if late > limits.late_after_minutes else 0
    off_site = check_in_distance_m is None or check_in_distance_m > limits.max_distance_m
    if checked_out_at is None and not ended:
        return Reading(IN_PROGRESS, late_minutes=late, off_site=off_site, computed=IN_PROGRESS, **arrival["shown"])
    early = 0
    if checked_out_at is not None:
        early = whole_minutes(checked_out_at, ends)
        early = early if early > limits.early_before_minutes else 0
    if off_site:
        status = OFF_SITE
    elif late and early:
        status = LATE_AND_EARLY
    elif late:
        status = LATE
    elif early:
        status = LEFT_EARLY
    else:
        status = ATTENDED
    return Reading(
        status,
        late_minutes=late,
        early_minutes=early,
        off_site=off_site,
        no_check_out=checked_out_at is None,
        computed=status,
        ended=ended,
        **arrival["shown"],
    )


def _arrival(checked_in_at: datetime, received_at: datetime | None, limits: Limits) -> dict:
    """The time lateness is judged on, and what a reading shows of the arrival: the server's time where a minute or
    more after the phone's, and whether it was sent late. A check-in that reached the server within
    Limits.sync_grace_minutes of the phone's time is judged on the phone's (a promoter who checked in on time in a
    basement with no signal is not late); one sent later is judged on when it arrived, which a phone cannot set back
    (a promoter who set the clock back to hide a late arrival gains at most the grace)."""
    if received_at is None or received_at <= checked_in_at:
        return {"judged": checked_in_at, "shown": {}}
    after = received_at - checked_in_at
    judged = checked_in_at if after <= timedelta(minutes=limits.sync_grace_minutes) else received_at
    if after < timedelta(minutes=1):
        return {"judged": judged, "shown": {}}
    return {
        "judged": judged,
        "shown": {
            "received_at": received_at,
            "received_after": after,
            "sent_late": after > timedelta(hours=limits.sent_late_hours),
        },
    }


def reading(shift, *, now: datetime | None = None, limits: Limits | None = None) -> Reading:
    """A shift's reading: computed from its record, overridden by the supervisor's confirmation."""
    starts, ends = shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    computed = classify(
        starts=starts,
        ends=ends,
        checked_in_at=shift.checked_in_at,
        checked_out_at=shift.checked_out_at,
        check_in_distance_m=shift.check_in_distance_m,
        check_in_received_at=shift.check_in_received_at,
        now=now or timezone.now(),
        limits=limits or Limits.from_settings(),
    )
    if not shift.confirmed_attendance:
        return computed
    return dataclasses.replace(computed, status=shift.confirmed_attendance, confirmed=True)
