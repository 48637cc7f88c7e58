"""Reads for key accounts: target vs actual (SPEC §2, §7) and the manager's follow-ups and birthdays."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.selectors import invoiced_sell_in_by_account, invoiced_sell_in_by_month, net_sell_in
from ka_portal.db_router import reads_from_replica
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name
from ka_portal.money import ZERO, money_sum
from ka_portal.months import check_month_range, read_month
from ka_portal.scope import accounts_for, contact_logs_for, contacts_for

from .models import Contact, KeyAccount, SalesTarget


def a_year_before(day: date) -> date:
    """The same day a year before; 29 February falls on the 28th."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


@dataclass(frozen=True)
class Period:
    """Whole months, first to last inclusive: January–May is Period(date(y, 1, 1), date(y, 5, 1))."""

    first: date  # first day of the first month
    last: date  # first day of the last month

    @property
    def end(self) -> date:
        """The period's last day."""
        nxt = date(self.last.year + (self.last.month == 12), self.last.month % 12 + 1, 1)
        return nxt - timedelta(days=1)

    def actual_to(self, today: date) -> date:
        """The last day the actual covers: the period's end, or today while the period runs."""
        return min(self.end, today)

    def last_year_days(self, today: date) -> tuple[date, date]:
        """The days growth compares the actual with (SPEC §2, "the same period last year"): the same days a year
        before as the actual covers, so a month in progress (1–3 December) meets 1–3 December of the year before,
        not the whole month. The one place this window is computed: performance, the account's year and the
        chain page read it, so their pages, API and Excel agree."""
        return a_year_before(self.first), a_year_before(self.actual_to(today))

    def month_keys(self) -> tuple[int, int]:
        return self.first.year * 100 + self.first.month, self.last.year * 100 + self.last.month


@dataclass
class Performance:
    """Target against actual for one account (or the total): SPEC §2's three figures derive from these."""

    target: Decimal = ZERO
    actual: Decimal = ZERO
    last_year: Decimal = ZERO
    account: KeyAccount | None = None
    label: str = field(default="")
    future: bool = False  # a month not begun yet: nothing to compare
    # a target was set: a month left blank on the targets form has none (not one of 0), so its actual is compared
    # with nothing (no difference, no achievement), as the form says ("leave a month empty for no target")
    targeted: bool = True

    @property
    def difference(self) -> Decimal | None:
        """差异额 = actual − target; None where no target was set."""
        return self.actual - self.target if self.targeted else None

    @property
    def achievement(self) -> Decimal | None:
        """达成率 = actual / target; None without a target or for a month not begun."""
        return self.actual / self.target if self.targeted and self.target and not self.future else None

    @property
    def growth(self) -> Decimal | None:
        """成长率 = actual / same period last year − 1; None without last year's sales or for a month not begun."""
        return self.actual / self.last_year - 1 if self.last_year and not self.future else None


SORT_KEYS = {
    "code": lambda p: p.account.code,
    "name": lambda p: account_name(p.account),
    "tier": lambda p: p.account.tier,
    "target": lambda p: p.target,
    "actual": lambda p: p.actual,
    "difference": lambda p: p.difference,
    "achievement": lambda p: (p.achievement is not None, p.achievement or 0),
    "growth": lambda p: (p.growth is not None, p.growth or 0),
}


# The longest period the performance report reads (page, Excel and API alike): three years of months.
PERFORMANCE_MAX_MONTHS = 36


def performance_period(
    first: str | None,
    last: str | None,
    *,
    today: date,
    fields: tuple[str, str] = ("from", "to"),
    labels: tuple = ("from", "to"),
    required: bool = False,
) -> Period:
    """The performance report's months as asked, the page's boxes (``start``, ``end``) and the API's ``?from=&to=``
    alike: each a month as YYYY-MM (ka_portal.months.read_month), the last not before the first, at most
    PERFORMANCE_MAX_MONTHS of them. One left blank, when not ``required``: the first is January of the last one's
    year (the year to that month), the last is this month (both blank: January of this year to this month). A
    refusal names its parameter (``fields``, worded as ``labels``: the boxes' labels on the page, the parameters'
    names in the API), never a report of the wrong months or an empty box."""
    months, problems = [], []
    for text, field_name, label in zip((first, last), fields, labels, strict=True):
        try:
            months.append(read_month(text, field=field_name, label=label, required=required))
        except DomainError as refusal:
            problems.append(refusal)
    if problems:  # both boxes said at once (``problems``: the page marks each, the API lists each)
        problems[0].problems = problems
        raise problems[0]
    first_month, last_month = months
    last_month = last_month or date(today.year, today.month, 1)
    # a blank first month is the year to the last one (QA: "To: 2025-06 is before the first month, 2026-01", a month
    # the reader never typed), not this year's January
    first_month = first_month or date(last_month.year, 1, 1)
    check_month_range(first_month, last_month, field=fields[1], label=labels[1], max_months=PERFORMANCE_MAX_MONTHS)
    return Period(first_month, last_month)


# What the report is sorted by when nothing is asked: the best achievement first, as the manuals' table reads.
PERFORMANCE_SORT = "-achievement"


def check_performance_sort(sort: str) -> str:
    """A sort of the performance report: a key of SORT_KEYS, with a leading "-" for descending. Any other is refused
    naming the sorts it takes (the API answers 400; the page drops it and says so), never a report left unsorted as
    if it had been asked for. The words are the API's ?ordering= (ka_portal.api.OrderingFilter)."""
    if sort.removeprefix("-") not in SORT_KEYS:
        raise DomainError(
            "performance.sort_unknown",
            _("“%(value)s” is not a sort of this list: give one of %(keys)s (a leading - sorts the other way)."),
            field="sort",
            value=sort,
            keys=", ".join(SORT_KEYS),
        )
    return sort


def check_performance_tier(tier: str | None) -> str | None:
    """A tier the report is narrowed to (GKA, NKA, LKA), or None for every tier; another is refused naming those it
    takes, never read as a report of no accounts."""
    if tier in (None, ""):
        return None
    if tier not in KeyAccount.Tier.values:
        raise DomainError(
            "performance.tier_unknown",
            _("“%(value)s” is not a tier: give one of %(tiers)s."),
            field="tier",
            value=tier,
            tiers=", ".join(KeyAccount.Tier.values),
        )
    return tier


def _targets_in(targets: QuerySet, period: Period) -> QuerySet:
    low, high = period.month_keys()
    return targets.alias(month_key=F("year") * 100 + F("month")).filter(month_key__gte=low, month_key__lte=high)


@reads_from_replica()
def account_performance(
    *,
    user,
    period: Period,
    sort: str = PERFORMANCE_SORT,
    accounts: QuerySet | None = None,
    tier: str | None = None,
    today: date | None = None,
) -> tuple[list[Performance], Performance]:
    """Per account in the user's scope (of one ``tier`` when given): target, actual, difference, achievement, growth;
    and the total. A sort or tier it does not know is refused (check_performance_sort, check_performance_tier).

    Actual is sell-in as invoiced, net of credit notes (SPEC §2): deliveries feed stock and suggested orders,
    not this; while the period runs it is so far, and last year the same days (`Period.last_year_days`).
    A fixed number of queries, whatever the size.
    """
    sort = check_performance_sort(sort)
    tier = check_performance_tier(tier)
    today = today or timezone.localdate()
    accounts = (accounts if accounts is not None else accounts_for(user)).select_related("owner")
    if tier is not None:
        accounts = accounts.filter(tier=tier)
    account_ids = accounts.values("id")
    targets = dict(
        _targets_in(SalesTarget.objects.filter(account_id__in=account_ids), period)
        .values("account_id")
        .annotate(total=money_sum("amount"))
        .order_by()
        .values_list("account_id", "total")
    )
    actual = invoiced_sell_in_by_account(account_ids, period.first, period.end)
    last_year = invoiced_sell_in_by_account(account_ids, *period.last_year_days(today))
    rows = [
        Performance(
            account=account,
            target=targets.get(account.id) or ZERO,
            actual=actual.get(account.id) or ZERO,
            last_year=last_year.get(account.id) or ZERO,
        )
        for account in accounts
    ]
    rows.sort(key=SORT_KEYS[sort.removeprefix("-")], reverse=sort.startswith("-"))
    total = Performance(
        target=sum((r.target for r in rows), ZERO),
        actual=sum((r.actual for r in rows), ZERO),
        last_year=sum((r.last_year for r in rows), ZERO),
    )
    return rows, total


@dataclass
class AccountYear:
    """One account's year on its page: the twelve months, the year, and — when some months have a target and others
    were left blank — those months with a target together (``with_target``, their numbers in ``target_months``):
    the year's actual is then compared with its targets over those months only, never with a sum of targets that
    leaves months out."""

    months: list[Performance]
    total: Performance
    with_target: Performance | None = None
    target_months: str = ""


@reads_from_replica()
def account_year_by_month(*, account: KeyAccount, year: int, today: date) -> AccountYear:
    """One account's year, month by month: target (None set: ``targeted`` False), actual, last year's actual; and
    the year's total.

    Months not begun yet are marked `future`; the total's actual and last year cover the months begun, so growth
    compares like with like. The year has a target when every month has one (its sum: achievement is against the
    whole year's target); when only some months have one, the year compares nothing with a target and the months
    with a target do, together (`AccountYear.with_target`): their target against their actual so far. A year not
    begun is `future` as its months are.
    """
    targets = dict(
        SalesTarget.objects.filter(account=account, year=year).values_list("month", "amount").order_by("month")
    )

    # Actual is invoiced, net of credit notes (SPEC §2).
    this_year = invoiced_sell_in_by_month(account, year)
    year_before = last_year_by_month(account, Period(date(year, 1, 1), date(year, 12, 1)), today)
    months = [
        Performance(
            label=str(month),
            target=targets.get(month) or ZERO,
            targeted=month in targets,
            actual=this_year.get(month) or ZERO,
            last_year=year_before[date(year, month, 1)],
            future=date(year, month, 1) > today,
        )
        for month in range(1, 13)
    ]
    total = _months_together(months, targeted=len(targets) == len(months))
    if not targets or len(targets) == len(months):
        return AccountYear(months=months, total=total)
    with_target = [m for m in months if m.targeted]
    return AccountYear(
        months=months,
        total=total,
        with_target=_months_together(with_target, targeted=True),
        target_months=month_runs(sorted(targets)),
    )


def _months_together(months: list[Performance], *, targeted: bool) -> Performance:
    """Some months of a year as one: every month's target; the actual and last year of those begun."""
    begun = [m for m in months if not m.future]
    return Performance(
        target=sum((m.target for m in months), ZERO),
        actual=sum((m.actual for m in begun), ZERO),
        last_year=sum((m.last_year for m in begun), ZERO),
        targeted=targeted,
        future=not begun,
    )


def month_runs(months: list[int]) -> str:
    """Month numbers as a reader writes them: [1, 2, 3, 5, 7, 8] → "1–3, 5, 7–8"."""
    runs: list[list[int]] = []
    for month in months:
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def last_year_by_month(account: KeyAccount, period: Period, today: date) -> dict[date, Decimal]:
    """Each month of ``period`` (keyed by its first day) against its days a year before: a month begun, the days
    its actual covers (`Period.last_year_days`); a month to come, the whole month, as a reference to aim at.
    One grouped reading by day, whatever the months."""
    by_day = net_sell_in(
        ("date__year", "date__month", "date__day"),
        account_ids=[account.pk],
        date__gte=a_year_before(period.first),
        date__lte=a_year_before(period.end),
    )
    days = [(date(y, m, d), amount) for (y, m, d), amount in by_day.items()]
    windows = {}
    month = period.first
    while month <= period.last:
        one = Period(month, month)
        windows[month] = (a_year_before(month), a_year_before(one.end)) if month > today else one.last_year_days(today)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return {m: sum((a for d, a in days if low <= d <= high), ZERO) for m, (low, high) in windows.items()}


def follow_ups_due(*, user, today: date, days: int = 7) -> QuerySet:
    """Open follow-ups on the user's accounts due by `today + days` (overdue ones first)."""
    return (
        contact_logs_for(user)
        .filter(
            follow_up_on__isnull=False,
            follow_up_on__lte=today + timedelta(days=days),
            follow_up_done=False,
        )
        .select_related("account", "contact", "author")
        .order_by("follow_up_on", "id")
    )


def birthdays_soon(*, user, today: date, days: int = 7) -> list[tuple[date, Contact]]:
    """Contacts of the user's accounts whose birthday falls in today … today + days, soonest first."""
    window = {(d.month, d.day): d for d in (today + timedelta(days=i) for i in range(days + 1))}
    if (2, 28) in window and not _is_leap(today.year) and (3, 1) in window:
        window.setdefault((2, 29), window[(2, 28)])  # a 29 February birthday is kept on the 28th in other years
    contacts = contacts_for(user).filter(birthday__isnull=False).select_related("account")
    months = {m for m, _d in window}
    found = [
        (window[(c.birthday.month, c.birthday.day)], c)
        for c in contacts.filter(birthday__month__in=months)
        if (c.birthday.month, c.birthday.day) in window
    ]
    return sorted(found, key=lambda pair: (pair[0], pair[1].name))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
