"""Builders for the appraisal and promoter-pay tests: promoters, shifts with their attendance, sell-out lines,
targets and visits with a checklist, written directly as rows (the roster and phone services are other parts')."""

from datetime import date, datetime, time
from decimal import Decimal
from itertools import count

from django.utils import timezone

from promoters.models import Promoter, PromoterTarget, SellOutLine, Shift
from tests.factories import make_user
from visits.models import ChecklistResult, Visit

_numbers = count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


def at(day: date, hhmm: str) -> datetime:
    """An aware time (Asia/Shanghai) on a day."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def promoter(*, supervisor, stores=(), daily_fee=None, monthly_pay=None, started_on=date(2026, 1, 1), **fields):
    n = next(_numbers)
    fields.setdefault("code", f"PR{n:03d}")
    fields.setdefault("name", f"导购{n}")
    if daily_fee is None and monthly_pay is None:
        daily_fee = "150.00"
    if fields.get("employer") == Promoter.Employer.AGENCY:
        fields.setdefault("agency", "好帮手人力")
    made = Promoter.objects.create(
        supervisor=supervisor,
        daily_fee=None if daily_fee is None else D(daily_fee),
        monthly_pay=None if monthly_pay is None else D(monthly_pay),
        started_on=started_on,
        **fields,
    )
    made.stores.set(stores)
    return made


def shift(
    promoter_, store, day: date, *, starts="09:00", ends="17:00", check_in=None, check_out=None, distance=20,
    confirmed="", plan=None,
) -> Shift:  # fmt: skip
    """A shift; ``check_in``/``check_out`` as "HH:MM" on its day; ``confirmed`` a Shift.Attendance value."""
    values = {}
    if check_in:
        values |= {"checked_in_at": at(day, check_in), "check_in_latitude": D("31.2"),
                   "check_in_longitude": D("121.4"), "check_in_distance_m": distance}  # fmt: skip
    if check_out:
        values |= {"checked_out_at": at(day, check_out), "check_out_latitude": D("31.2"),
                   "check_out_longitude": D("121.4"), "check_out_distance_m": distance}  # fmt: skip
    if confirmed:
        values |= {"confirmed_attendance": confirmed, "confirmed_at": at(day, "20:00"),
                   "confirmed_by": promoter_.supervisor}  # fmt: skip
    hours = {"starts_at": time(*map(int, starts.split(":"))), "ends_at": time(*map(int, ends.split(":")))}
    return Shift.objects.create(promoter=promoter_, store=store, day=day, plan=plan, **hours, **values)


def sold(shift_, product, units: int, price_seen=None) -> SellOutLine:
    return SellOutLine.objects.create(
        shift=shift_, product=product, units=units, price_seen=None if price_seen is None else D(price_seen),
        reported_at=at(shift_.day, "17:00"),
    )  # fmt: skip


def target(promoter_, month: date, amount) -> PromoterTarget:
    return PromoterTarget.objects.create(promoter=promoter_, month=month, amount=D(amount))


def visit(store, day: date, results: dict[str, str], *, done=True, rep=None) -> Visit:
    """A visit at a store on a day with checklist results (item → pass / fail / na); ``done``: checked out."""
    rep = rep or store.rep or make_user("rep")
    made = Visit.objects.create(
        rep=rep, store=store, checked_in_at=at(day, "10:00"), checked_out_at=at(day, "10:40") if done else None
    )
    for item, result in results.items():
        ChecklistResult.objects.create(visit=made, item=item, result=result)
    return made
