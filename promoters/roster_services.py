"""Writes of the roster: promoters, their monthly targets and the week's shifts. Every door (page, API, import,
admin) calls these; the rules are promoters/roster_rules.py. Each write is one transaction: a refused batch
writes nothing."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ka_portal.errors import DomainError
from ka_portal.scope import not_found, promoters_for, promotion_plans_for, stores_for, user_role
from promotions.models import PromotionPlan
from stores.models import Store

from . import attendance
from . import roster_rules as rules
from .models import Promoter, PromoterTarget, Shift

# A plan a promoter may work for on a day: approved, and (for a day gone by) run or evaluated since.
PLAN_STATUSES = (
    PromotionPlan.Status.APPROVED,
    PromotionPlan.Status.RUNNING,
    PromotionPlan.Status.ENDED,
    PromotionPlan.Status.EVALUATED,
)
PROMOTER_FIELDS = (
    "code",
    "name",
    "phone",
    "kind",
    "employer",
    "agency",
    "user",
    "supervisor",
    "daily_fee",
    "monthly_pay",
    "started_on",
    "ended_on",
)


# --- promoters --------------------------------------------------------------------------------------------------


@transaction.atomic
def promoter_save(*, promoter: Promoter | None = None, by, stores: Iterable[Store] | None = None, **fields) -> Promoter:
    """Create or change a roster record. `stores` (when given) are the stores among those `by` reaches that the
    promoter works at; stores outside `by`'s reach stay as they are (another supervisor's business)."""
    unknown = set(fields) - set(PROMOTER_FIELDS)
    if unknown:
        raise TypeError(f"promoter_save() got unexpected fields {sorted(unknown)}")
    creating = promoter is None
    promoter = Promoter.objects.select_for_update().get(pk=promoter.pk) if not creating else Promoter()
    for name, value in fields.items():
        setattr(promoter, name, value)
    promoter.agency = (promoter.agency or "").strip()
    rules.check_promoter({name: getattr(promoter, name) for name in PROMOTER_FIELDS})
    _check_code(promoter)
    _check_login(promoter)
    _check_supervisor(promoter)
    reachable = stores_for(by)
    wanted: set[int] | None = None
    if stores is not None:
        wanted = {store.pk for store in stores}
        in_reach = set(reachable.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - in_reach:
            raise not_found("stores")
    if not creating:
        _check_shifts_on_roster(promoter)
    promoter.save()
    if wanted is not None:
        kept = set(promoter.stores.exclude(pk__in=reachable.values("pk")).values_list("pk", flat=True))
        promoter.stores.set(wanted | kept)
    return promoter


def _check_code(promoter: Promoter) -> None:
    if not (promoter.code or "").strip():
        raise DomainError("promoter.code_missing", _("Give the promoter a code."), field="code")
    if Promoter.objects.filter(code=promoter.code).exclude(pk=promoter.pk).exists():
        raise DomainError(
            "promoter.code_taken",
            _("The code %(value)s is already another promoter's."),
            field="code",
            value=promoter.code,
        )


def _check_login(promoter: Promoter) -> None:
    user = promoter.user
    if user is None:
        return
    if user_role(user) != Role.PROMOTER:
        raise DomainError(
            "promoter.login_role",
            _("The login %(username)s is not a promoter's: give it the role “Promoter” first."),
            field="user",
            username=user.get_username(),
        )
    if Promoter.objects.filter(user=user).exclude(pk=promoter.pk).exists():
        raise DomainError(
            "promoter.login_taken",
            _("The login %(username)s already belongs to another promoter."),
            field="user",
            username=user.get_username(),
        )


def _check_supervisor(promoter: Promoter) -> None:
    supervisor = promoter.supervisor if promoter.supervisor_id else None
    if supervisor is None:
        raise DomainError("promoter.supervisor_missing", _("Name the promoter's KA supervisor."), field="supervisor")
    if user_role(supervisor) != Role.SUPERVISOR:
        raise DomainError(
            "promoter.supervisor_role",
            _("%(username)s is not a KA supervisor."),
            field="supervisor",
            username=supervisor.get_username(),
        )


def _check_shifts_on_roster(promoter: Promoter) -> None:
    """A changed start or end must not leave shifts outside the roster (move or delete them first)."""
    outside = Q(day__lt=promoter.started_on)
    if promoter.ended_on is not None:
        outside |= Q(day__gt=promoter.ended_on)
    stray = promoter.shifts.filter(outside).order_by("day").first()
    if stray is not None:
        raise DomainError(
            "promoter.shifts_off_roster",
            _("The promoter has a shift on %(day)s, outside these dates: move or delete it first."),
            field="ended_on" if promoter.ended_on and stray.day > promoter.ended_on else "started_on",
            day=stray.day.isoformat(),
        )


# --- targets ----------------------------------------------------------------------------------------------------


@transaction.atomic
def promoter_target_save(*, target: PromoterTarget | None = None, by, **fields) -> PromoterTarget:
    """Create or change one promoter's sell-out target for a month (first day), not negative."""
    target = target or PromoterTarget()
    for name, value in fields.items():
        setattr(target, name, value)
    if not promoters_for(by).filter(pk=target.promoter_id).exists():
        raise not_found("promoter")
    rules.check_promoter_target({"month": target.month, "amount": target.amount})
    if (
        target.month is not None
        and PromoterTarget.objects.filter(promoter_id=target.promoter_id, month=target.month)
        .exclude(pk=target.pk)
        .exists()
    ):
        raise DomainError(
            "target.duplicate",
            _("There is already a target for %(month)s: change that one."),
            field="month",
            month=f"{target.month:%Y-%m}",
        )
    target.save()
    return target


@transaction.atomic
def promoter_month_targets_set(*, by, month: date, amounts: dict) -> int:
    """Set one month's targets of several promoters at once (the page): `amounts` maps promoters to an amount, or
    None to remove the target. Every amount is checked before anything is written: a refusal is the first problem,
    carrying them all (`problems`), each naming its promoter (`promoter`). Returns how many targets changed (set
    anew, to another amount, or removed): an amount sent again as it stands is no change."""
    reachable = set(promoters_for(by).filter(pk__in=[p.pk for p in amounts]).values_list("pk", flat=True))
    problems: list[DomainError] = []
    for promoter, amount in amounts.items():
        if promoter.pk not in reachable:
            raise not_found("promoter")
        try:
            rules.check_promoter_target({"month": month, "amount": amount})
        except DomainError as problem:
            problem.promoter = promoter
            problems.append(problem)
    if problems:
        problems[0].problems = problems
        raise problems[0]
    current = dict(
        PromoterTarget.objects.select_for_update()
        .filter(promoter__in=list(amounts), month=month)
        .values_list("promoter_id", "amount")
    )
    removed = [promoter for promoter, amount in amounts.items() if amount is None and promoter.pk in current]
    if removed:
        PromoterTarget.objects.filter(promoter__in=removed, month=month).delete()
    changed = len(removed)
    for promoter, amount in amounts.items():
        if amount is not None and current.get(promoter.pk) != amount:
            PromoterTarget.objects.update_or_create(promoter=promoter, month=month, defaults={"amount": amount})
            changed += 1
    return changed


# --- shifts -----------------------------------------------------------------------------------------------------


def _store_label(store: Store, by) -> str:
    """A store as a refusal names it: by name when the user reaches it, else without naming it."""
    if stores_for(by).filter(pk=store.pk).exists():
        return f"{store.name} ({store.code})"
    return gettext("another store")


def plan_runs(plan: PromotionPlan, store: Store, day: date) -> bool:
    """The plan covers the store (all its chain's stores, or this one) and the day, and was approved."""
    if plan.account_id != store.account_id or plan.status not in PLAN_STATUSES:
        return False
    if not plan.start_on <= day <= plan.end_on:
        return False
    return plan.all_stores or plan.stores.filter(pk=store.pk).exists()


def _check_shift(
    *, by, shift: Shift, promoter: Promoter, store: Store, plan: PromotionPlan | None, now: datetime | None = None
) -> None:
    """Every rule of a shift as it will be stored (pending: shifts of the same batch not yet written), planned at
    `now` (default: now)."""
    if not promoters_for(by).filter(pk=promoter.pk).exists():
        raise not_found("promoter")
    led = promoter.supervisor_id == by.pk
    if not led and not stores_for(by).filter(pk=store.pk).exists() and user_role(by) != Role.ADMIN:
        raise not_found("store")
    if plan is not None and not promotion_plans_for(by).filter(pk=plan.pk).exists():
        raise not_found("plan")
    rules.check_day(shift.day)
    rules.check_times(shift.starts_at, shift.ends_at)
    rules.check_on_roster(promoter.started_on, promoter.ended_on, shift.day)
    rules.check_store_rostered(store.pk, promoter.stores.values_list("pk", flat=True), store.name)
    if plan is not None:
        rules.check_plan_running(runs=plan_runs(plan, store, shift.day), title=plan.title, day=shift.day)
    others = Shift.objects.filter(promoter=promoter, day=shift.day).exclude(pk=shift.pk).select_related("store")
    rules.check_no_overlap(
        shift.starts_at,
        shift.ends_at,
        [rules.Booked(other.starts_at, other.ends_at, _store_label(other.store, by)) for other in others],
    )
    starts, _ends = attendance.shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    rules.check_not_begun(timezone.localtime(starts), now or timezone.now())


def _locked(shift: Shift, *, field: str | None = "day") -> None:
    """Refuses a move or delete of a shift checked in to, confirmed, started or ended (as it is stored, before the
    move); a deletion's refusal names no field (`field` None)."""
    starts, ends = attendance.shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    now = timezone.now()
    rules.check_unlocked(
        checked_in=shift.checked_in_at is not None,
        confirmed=shift.confirmed_at is not None,
        ended_at=timezone.localtime(ends) if ends <= now else None,
        started_at=timezone.localtime(starts) if starts <= now else None,
        field=field,
    )


def shift_movable(shift: Shift) -> bool:
    """Whether the shift may still be moved or deleted (what `shift_save` and `shift_delete` allow)."""
    try:
        _locked(shift)
    except DomainError:
        return False
    return True


@transaction.atomic
def shift_save(
    *,
    shift: Shift | None = None,
    by,
    promoter: Promoter,
    store: Store,
    day: date,
    starts_at: time,
    ends_at: time,
    plan: PromotionPlan | None = None,
    planned_at: datetime | None = None,
) -> Shift:
    """Schedule a promoter at a store for a day, or move a shift not yet started, checked in to or confirmed, to a
    time still to come (shift.start_passed). `planned_at` is when it is planned: now at every door; the demo
    company's history (demo/promoters.py) plans its past weeks as of before they began."""
    Promoter.objects.select_for_update().filter(pk=promoter.pk).first()  # one writer per promoter's days
    if shift is not None:
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        _locked(shift)
    else:
        shift = Shift(created_by=by)
    shift.promoter, shift.store, shift.day, shift.starts_at, shift.ends_at, shift.plan = (
        promoter,
        store,
        day,
        starts_at,
        ends_at,
        plan,
    )
    _check_shift(by=by, shift=shift, promoter=promoter, store=store, plan=plan, now=planned_at)
    shift.save()
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift, by) -> None:
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    _locked(shift, field=None)
    shift.delete()


@transaction.atomic
def shifts_plan_week(
    *,
    by,
    promoter: Promoter,
    store: Store,
    days: Iterable[date],
    starts_at: time,
    ends_at: time,
    plan: PromotionPlan | None = None,
) -> list[Shift]:
    """The same shift on several days at once: all of them, or (one refused) none. Days that overlap shifts the
    promoter already has are refused together, each named with the shift it overlaps (_overlaps_refusal): the
    rule's "that day" alone left the supervisor to guess which of the ticked days it meant."""
    days = sorted(set(days))
    if not days:
        raise DomainError("shift.no_days", _("Tick at least one day."), field="days")
    shifts, overlaps = [], []
    for day in days:
        try:
            shifts.append(
                shift_save(
                    by=by, promoter=promoter, store=store, day=day, starts_at=starts_at, ends_at=ends_at, plan=plan
                )
            )
        except DomainError as refusal:  # (shift_save's own savepoint is rolled back; the batch goes on to tell)
            if refusal.code != OVERLAP:
                raise
            overlaps.append((day, refusal))
    if overlaps:
        said = [
            (day, gettext("%(name)s: %(message)s") % {"name": day.isoformat(), "message": refusal.detail})
            for day, refusal in overlaps
        ]
        raise _overlaps_refusal(said, first=overlaps[0][1])
    return shifts


OVERLAP = "shift.overlap"  # roster_rules.check_no_overlap's refusal


def _overlaps_refusal(said: list[tuple[date, str]], *, first: DomainError, **params) -> DomainError:
    """One refusal for the overlaps of a batch (several days planned at once, a week copied): each overlap as said
    (its day, and the rule's own words naming the shift it overlaps: "2026-06-03: This overlaps the promoter's shift
    at 甲店 (S1) from 09:00 to 13:00 that day."), in the order of the days. On the rule's field (the times); its
    params are the `first` overlap's (or `params` naming it), with every day that overlaps (`days`: "2026-06-03,
    2026-06-05") for a client."""
    refusal = DomainError(
        OVERLAP,
        "%(overlaps)s",
        field=first.field,
        overlaps=" ".join(text for _day, text in said),
        days=", ".join(day.isoformat() for day, _text in said),  # (the API gives params as text)
        **(params or first.params),
    )
    refusal.__cause__ = first
    return refusal


@dataclass
class WeekCopy:
    """What copying a week did: the shifts copied, and those left off because their time in the new week had already
    begun (shift.start_passed: planned then, they would count as absent at once)."""

    copied: list[Shift] = field(default_factory=list)
    left_off: list[Shift] = field(default_factory=list)


@transaction.atomic
def shifts_copy_week(*, by, source_week: date, target_week: date, store: Store | None = None) -> WeekCopy:
    """Copy the shifts of one week (its Monday) that `by` may reach, optionally of one store, to another week, day
    for day: all or none. A shift already there (same promoter, store, day and times) is not copied twice; a plan
    that no longer runs on the new day is left off; a shift whose time in the new week has begun is left off (the
    rest of a week copied on its Wednesday). A refusal names the promoter and the day of the shift refused; shifts
    that would overlap others the promoters have are named all at once, each with the shift it overlaps."""
    from ka_portal.scope import shifts_for

    now = timezone.now()
    offset = target_week - source_week
    source = shifts_for(by).filter(day__gte=source_week, day__lt=source_week + timedelta(days=7))
    if store is not None:
        source = source.filter(store=store)
    source = source.select_related("promoter", "store", "plan").order_by("day", "starts_at", "pk")
    done = WeekCopy()
    overlaps: list[tuple[date, str, DomainError]] = []
    for shift in source:
        day = shift.day + offset
        same = Shift.objects.filter(
            promoter=shift.promoter, store=shift.store, day=day, starts_at=shift.starts_at, ends_at=shift.ends_at
        )
        if same.exists():
            continue
        starts, _ends = attendance.shift_bounds(day, shift.starts_at, shift.ends_at)
        if rules.begun(starts, now):
            done.left_off.append(shift)
            continue
        plan = shift.plan if shift.plan is not None and plan_runs(shift.plan, shift.store, day) else None
        who = f"{shift.promoter.name} ({shift.promoter.code})"
        try:
            copied = shift_save(
                by=by, promoter=shift.promoter, store=shift.store, day=day, starts_at=shift.starts_at,
                ends_at=shift.ends_at, plan=plan, planned_at=now,
            )  # fmt: skip
        except DomainError as refusal:
            if refusal.code == OVERLAP:  # told with every other shift of the week that overlaps, below
                overlaps.append((day, who, refusal))
                continue
            raise DomainError(
                refusal.code,
                _("%(promoter)s, %(day)s: %(reason)s"),
                field=refusal.field,
                promoter=who,
                day=day.isoformat(),
                reason=refusal.detail,
            ) from refusal
        done.copied.append(copied)
    if overlaps:
        said = [
            (day, gettext("%(promoter)s, %(day)s: %(reason)s") % {"promoter": who, "day": day.isoformat(),
                                                                 "reason": refusal.detail})
            for day, who, refusal in overlaps
        ]  # fmt: skip
        day, who, first = overlaps[0]
        raise _overlaps_refusal(said, first=first, promoter=who, day=day.isoformat(), reason=first.detail)
    return done


def hours(starts_at: time, ends_at: time) -> Decimal:
    """A shift's length in hours (for the week's totals)."""
    minutes = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))
