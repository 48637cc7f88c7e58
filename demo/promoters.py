"""Demo promoters (issue 16): promoters and merchandisers at some of supervisor1's and supervisor2's stores, the
logins promoter1 and promoter2, last week's and this week's shifts (scheduled through the roster's services), what
the phones reported of the days gone by — check-in and check-out with positions, a few late, one absent, one
checked in off site, one left early — with the day's sell-out, and this month's sell-out targets. Seeded before the
trade-spend ledger and the month close (demo.company.seed_demo), so the pay is in the months it was earned; and,
after the close, one shift of the last closed month keyed in late (``seed_late_shift``: a small true-up).

Idempotent: once the first demo promoter exists nothing is added. Its own random generator, so the rest of the
demo stays as it was.
"""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_set_role
from promoters import roster_services
from promoters.models import Promoter, SellOutLine, Shift
from promotions.models import PromotionPlan
from stores.models import Listing, Store

User = get_user_model()

# username, family name, given name, region
LOGINS = [("promoter1", "钱", "小红", "上海"), ("promoter2", "郑", "晓燕", "浙江")]


# code, name, kind, employer, agency, login, supervisor, (rep, store index)s, daily fee, monthly pay
ROSTER = [
    ("PR001", "钱小红", "promoter", "maker", "", "promoter1", "supervisor1", [("rep1", 0), ("rep1", 1)], "180", None),
    ("PR002", "孙美玲", "promoter", "agency", "上海众邦劳务", None, "supervisor1", [("rep2", 0)], None, "4500"),
    ("PR003", "马建华", "merchandiser", "chain", "", None, "supervisor1", [("rep1", 0), ("rep2", 0)], "150", None),
    ("PR004", "郑晓燕", "promoter", "maker", "", "promoter2", "supervisor2", [("rep3", 0), ("rep3", 1)], None, "5000"),
    ("PR005", "冯志刚", "merchandiser", "agency", "杭州优才人力", None, "supervisor2", [("rep4", 0)], "160", None),
    ("PR006", "陈佳", "promoter", "maker", "", None, "supervisor1", [("rep2", 1)], "170", None),
]
LEFT = "PR006"  # left the roster last month: on the list, no shifts
TARGETS = {"PR001": Decimal("30000"), "PR002": Decimal("26000"), "PR004": Decimal("28000")}
# Last week's exceptions, by promoter and weekday (0 = Monday): how their phone reported the day.
# SENT_LATE: the phone says on time, but the check-in reached the server five hours later (made offline and sent in
# the afternoon, or dated back): read late from its arrival, and flagged "sent late" for the supervisor.
LATE, ABSENT, OFF_SITE, LEFT_EARLY, SENT_LATE = "late", "absent", "off_site", "left_early", "sent_late"
EXCEPTIONS = {("PR001", 1): LATE, ("PR001", 3): ABSENT, ("PR004", 2): OFF_SITE, ("PR002", 4): LEFT_EARLY,
              ("PR004", 5): LATE, ("PR002", 2): SENT_LATE}  # fmt: skip
METRES_PER_DEGREE = 111_000


@transaction.atomic
def seed_promoters(*, today: date, password: str, reset_passwords: bool = False) -> int:
    """The demo roster, shifts, attendance, sell-out and targets; returns how many records it created."""
    created = _logins(password, reset_passwords)
    if Promoter.objects.filter(code=ROSTER[0][0]).exists():
        return created
    rng = random.Random(20261116)
    users = User.objects.in_bulk([*{row[6] for row in ROSTER}, *(login for login, *_ in LOGINS)], field_name="username")
    admin = User.objects.filter(is_superuser=True).order_by("pk").first() or users["supervisor1"]
    stores_of = {
        rep: list(Store.objects.filter(rep__username=rep).order_by("code"))
        for rep in {rep for row in ROSTER for rep, _i in row[7]}
    }
    this_monday = today - timedelta(days=today.weekday())
    last_monday = this_monday - timedelta(days=7)
    promoters = []
    for code, name, kind, employer, agency, login, supervisor, places, daily, monthly in ROSTER:
        left = code == LEFT
        promoters.append(
            roster_services.promoter_save(
                by=admin,
                stores=[stores_of[rep][index] for rep, index in places],
                code=code,
                name=name,
                phone=f"1381{rng.randrange(10**6, 10**7)}",
                kind=kind,
                employer=employer,
                agency=agency,
                user=users.get(login) if login else None,
                supervisor=users[supervisor],
                daily_fee=Decimal(daily) if daily else None,
                monthly_pay=Decimal(monthly) if monthly else None,
                started_on=today.replace(day=1) - timedelta(days=200 if not left else 400),
                ended_on=today.replace(day=1) - timedelta(days=10) if left else None,
            )
        )
    created += len(promoters)
    shifts = []
    for promoter in promoters:
        if promoter.code == LEFT:
            continue
        stores = list(promoter.stores.order_by("code"))
        for monday in (last_monday, this_monday):
            for weekday in range(6):  # Monday to Saturday; Sunday off
                day = monday + timedelta(days=weekday)
                shifts += _schedule_day(promoter, stores, day, weekday, admin)
    created += len(shifts)
    for shift in shifts:
        if shift.day < today:
            created += _report(shift, rng, last_week=shift.day < this_monday)
    month = today.replace(day=1)
    for promoter in promoters:
        amount = TARGETS.get(promoter.code)
        if amount is not None:
            roster_services.promoter_target_save(by=admin, promoter=promoter, month=month, amount=amount)
            created += 1
    return created


# The one shift keyed into the roster after its month closed: a promoter paid by the day worked the chain's tasting
# on that month's last Sunday (off in the weekly roster), planned on paper the Friday before.
LATE_SHIFT_PROMOTER = "PR001"
LATE_SHIFT_HOURS = (time(10), time(16))


@transaction.atomic
def seed_late_shift(*, today: date) -> int:
    """The last closed month's late shift (LATE_SHIFT_PROMOTER on the month's last Sunday, attended, with its
    sell-out), keyed in by the promoter's supervisor once finance has closed the month: the next ledger computation
    books its one day's fee as a true-up in the first open month (demo.tradespend.seed_ledger_catch_up). Called once,
    right after the months are closed; returns the records made (0 when the shift is there already)."""
    promoter = Promoter.objects.filter(code=LATE_SHIFT_PROMOTER).select_related("supervisor").first()
    if promoter is None:
        return 0
    month_end = today.replace(day=1) - timedelta(days=1)
    sunday = month_end - timedelta(days=(month_end.weekday() + 1) % 7)
    if promoter.shifts.filter(day=sunday).exists():
        return 0
    store = promoter.stores.order_by("code").first()
    starts_at, ends_at = LATE_SHIFT_HOURS
    shift = roster_services.shift_save(
        by=promoter.supervisor, promoter=promoter, store=store, day=sunday, starts_at=starts_at, ends_at=ends_at,
        planned_at=_at(sunday - timedelta(days=2), time(17)),  # on paper the Friday before; in the roster only now
    )  # fmt: skip
    return 1 + _report(shift, random.Random(sunday.toordinal()), last_week=False)


def _logins(password: str, reset_passwords: bool) -> int:
    created = 0
    for username, family, given, region in LOGINS:
        user, new = User.objects.get_or_create(
            username=username, defaults={"last_name": family, "first_name": given, "email": f"{username}@example.com"}
        )
        if new or reset_passwords:
            user.set_password(password)
            user.save()
        if new:
            user_set_role(user=user, role=Role.PROMOTER, region=region)
            created += 1
    return created


def _schedule_day(promoter: Promoter, stores: list[Store], day: date, weekday: int, by) -> list[Shift]:
    """A promoter works 09:00–17:00 at one of their stores (taking turns); a merchandiser with two stores does one
    in the morning and the other in the afternoon (touching shifts)."""
    if promoter.kind == Promoter.Kind.MERCHANDISER and len(stores) > 1:
        spans = [(stores[0], time(8), time(12)), (stores[1], time(12), time(16))]
    else:
        spans = [(stores[weekday % len(stores)], time(9), time(17))]
    return [
        roster_services.shift_save(
            by=by,
            promoter=promoter,
            store=store,
            day=day,
            starts_at=start,
            ends_at=end,
            plan=_plan(store, day),
            planned_at=_at(day - timedelta(days=weekday + 3), time(17)),  # the Friday before its week
        )
        for store, start, end in spans
    ]


def _plan(store: Store, day: date) -> PromotionPlan | None:
    candidates = PromotionPlan.objects.filter(
        account_id=store.account_id,
        status__in=roster_services.PLAN_STATUSES,
        start_on__lte=day,
        end_on__gte=day,
    ).order_by("start_on", "pk")
    return next((plan for plan in candidates if roster_services.plan_runs(plan, store, day)), None)


def _at(day: date, clock: time, minutes: int = 0):
    moment = datetime.combine(day, clock) + timedelta(minutes=minutes)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _position(store: Store, metres: int, rng: random.Random) -> tuple[Decimal, Decimal, int]:
    """A phone's position `metres` (about) from the store, and the distance it is recorded with."""
    latitude = float(store.latitude or Decimal("31.23"))
    longitude = float(store.longitude or Decimal("121.47"))
    bearing = rng.uniform(0, 2 * math.pi)
    d_lat = metres * math.cos(bearing) / METRES_PER_DEGREE
    d_lng = metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
    return Decimal(f"{latitude + d_lat:.6f}"), Decimal(f"{longitude + d_lng:.6f}"), metres


def _report(shift: Shift, rng: random.Random, *, last_week: bool) -> int:
    """What the promoter's phone reported of a day gone by: attendance, and for a promoter the day's sell-out.
    Last week's exceptions (EXCEPTIONS) make the attendance page's cases; this week's days gone by went well."""
    exception = EXCEPTIONS.get((shift.promoter.code, shift.day.weekday())) if last_week else None
    if exception == ABSENT:
        return 0
    arrive = rng.randint(-12, -2) if exception != LATE else rng.randint(18, 35)
    leave = rng.randint(1, 8) if exception != LEFT_EARLY else -rng.randint(75, 100)
    metres = rng.randint(15, 120) if exception != OFF_SITE else rng.randint(2200, 2600)
    shift.checked_in_at = _at(shift.day, shift.starts_at, arrive)
    sent_after = timedelta(hours=5) if exception == SENT_LATE else timedelta(seconds=rng.randint(1, 20))
    shift.check_in_received_at = shift.checked_in_at + sent_after
    shift.check_in_latitude, shift.check_in_longitude, shift.check_in_distance_m = _position(shift.store, metres, rng)
    shift.checked_out_at = _at(shift.day, shift.ends_at, leave)
    out = _position(shift.store, rng.randint(10, 90), rng)
    shift.check_out_latitude, shift.check_out_longitude, shift.check_out_distance_m = out
    shift.save()
    if shift.promoter.kind != Promoter.Kind.PROMOTER:
        return 0
    listings = list(Listing.objects.filter(store=shift.store).select_related("product").order_by("product__code")[:8])
    lines = [
        SellOutLine(
            shift=shift,
            product=listing.product,
            units=rng.randint(4, 36),
            shelf_stock=rng.randint(6, 60),
            price_seen=listing.shelf_price,
            reported_at=shift.checked_out_at - timedelta(minutes=5),
        )
        for listing in rng.sample(listings, min(len(listings), rng.randint(3, 5)))
    ]
    SellOutLine.objects.bulk_create(lines)
    return len(lines)
