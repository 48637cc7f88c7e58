"""Reads for key accounts: target vs actual (SPEC §2, §7) and the manager's follow-ups and birthdays."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.selectors import invoiced_sell_in_by_month, net_sell_in
from ka_portal.db_router import reads_from_replica
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name
from ka_portal.money import ZERO
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

    def months(self) -> list[date]:
        """The first day of each of its months, in order."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        return months


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
    # with nothing (no difference, no achievement), as the form says ("leave a month empty for no target"); a period
    # of months is targeted when each of them is (compared_with_targets)
    targeted: bool = True
    month: date | None = None  # a month's first day, where this is one month
    # a period only some of whose months have a target: those months together, their target against their actual
    # (compared_with_targets); its months with a target in ``target_months``
    with_target: "Performance | None" = None
    target_months: tuple[date, ...] = ()

    @property
    def compared(self) -> "Performance | None":
        """What a target is compared with: the period itself where every month of it has one, those months together
        where only some do (``with_target``), nothing where none does. The performance report, the chain page and
        the dashboards read their target, difference and achievement here."""
        return self if self.targeted else self.with_target

    @property
    def target_month_runs(self) -> str:
        """Its months with a target as a reader writes them: "2026-01–2026-03, 2026-05"."""
        return month_span_runs(self.target_months)

    @property
    def difference(self) -> Decimal | None:
        """差异额 = actual − target; None where no target was set, or for a period not begun (no shortfall yet)."""
        return self.actual - self.target if self.targeted and not self.future else None

    @property
    def achievement(self) -> Decimal | None:
        """达成率 = actual / target; None without a target or for a month not begun."""
        return self.actual / self.target if self.targeted and self.target and not self.future else None

    @property
    def growth(self) -> Decimal | None:
        """成长率 = actual / same period last year − 1; None without last year's sales or for a month not begun."""
        return self.actual / self.last_year - 1 if self.last_year and not self.future else None


def compared_with_targets(parts: list[Performance]) -> Performance:
    """The one rule for a period made of parts (its months; or, for a report's total, its accounts' periods) of which
    only some may have a target — a month left blank on the targets form has none, not one of 0: the period's actual
    and last year are its parts' begun so far; it has a target when every part has one (their sum, against the
    actual so far: a period still running compares its actual so far with its whole target); when only some do, it
    has none and ``with_target`` compares those parts (of a part with a target over some of its months, those
    months) together — their target against their actual so far — never a sum of targets that leaves months out with
    the actual of every month. Its ``target`` is the sum of the targets it has either way, and ``target_months`` the
    months of its parts that have one (where the parts are months). Not begun at all: ``future`` (no shortfall).
    The account's page, the performance report (page, API, Excel), the chain page and the dashboards read it."""
    begun = [part for part in parts if not part.future]
    compared = [part.compared for part in parts if part.compared is not None]
    whole = Performance(
        target=sum((part.target for part in compared), ZERO),
        actual=sum((part.actual for part in begun), ZERO),
        last_year=sum((part.last_year for part in begun), ZERO),
        targeted=bool(parts) and all(part.targeted for part in parts),
        future=not begun,
        target_months=tuple(part.month for part in parts if part.targeted and part.month is not None),
    )
    if compared and not whole.targeted:
        whole.with_target = compared_with_targets(compared)
    return whole


def _compared(figure: str):
    """A sort by a compared figure (target, difference, achievement): the rows without one last when descending."""

    def key(p: Performance):
        value = getattr(p.compared, figure, None)
        return (value is not None, value or 0)

    return key


SORT_KEYS = {
    "code": lambda p: p.account.code,
    "name": lambda p: account_name(p.account),
    "tier": lambda p: p.account.tier,
    "target": _compared("target"),
    "actual": lambda p: p.actual,
    "difference": _compared("difference"),
    "achievement": _compared("achievement"),
    "growth": lambda p: (p.growth is not None, p.growth or 0),
}


# The longest period the performance report reads (page, Excel and API alike): three years of months.
PERFORMANCE_MAX_MONTHS = 36


# The names the performance report reads each end of its period by (month_asked), the first its own. The page:
# month_from and month_to, as the other analyses' pages name them (the chain page, gross to net, channel mix), and
# start and end (its older links, shared and bookmarked) and from and to (its API's) — a link naming its months
# another way is read, never ignored for the year so far. The API: from and to, and month_from and month_to as gross
# to net's and the analyses' APIs take them too.
PAGE_PERIOD_NAMES = (("month_from", "start", "from"), ("month_to", "end", "to"))
API_PERIOD_NAMES = (("from", "month_from"), ("to", "month_to"))


def month_asked(query, names: tuple[str, ...]) -> tuple[str | None, str]:
    """One end of a period as a query asks it under any of its `names` (the first is its own): the text, and the name
    it was given by (a refusal of the month is said under it; the first name when none is given). The month given
    under two names that differ is refused (`period.month_twice`, under the first name), never one of them silently
    taken; the same month under two names is that month."""
    given = [(name, query.get(name)) for name in names if name in query]
    months = {text for _name, text in given if text not in (None, "")}
    if len(months) > 1:
        raise DomainError(
            "period.month_twice",
            _("The month is given twice, as %(names)s, and the two differ: give it once."),
            field=names[0],
            names=", ".join(f"{name}={text}" for name, text in given if text not in (None, "")),
        )
    for name, text in given:
        if text not in (None, ""):
            return text, name
    return (given[0][1], given[0][0]) if given else (None, names[0])


def performance_period(
    first: str | None,
    last: str | None,
    *,
    today: date,
    fields: tuple[str, str] = ("from", "to"),
    labels: tuple = ("from", "to"),
    required: bool = False,
) -> Period:
    """The performance report's months as asked, the page's boxes (``month_from``, ``month_to``) and the API's
    ``?from=&to=`` alike (each end under any of its names: month_asked): each a month as YYYY-MM
    (ka_portal.months.read_month), the last not before the first, at most PERFORMANCE_MAX_MONTHS of them. One left
    blank, when not ``required``: the first is January of the last one's year (the year to that month), the last is
    this month (both blank: January of this year to this month). A refusal names its parameter (``fields``, worded as
    ``labels``: the boxes' labels on the page, the parameters' names in the API), never a report of the wrong months
    or an empty box."""
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
    Each account's months go through compared_with_targets, as its page's year does: where only some months of the
    period have a target, its target, difference and achievement are those months' (``Performance.compared``), and
    an account with none has none; the total is its accounts' the same way.
    A fixed number of queries, whatever the size: each figure one grouped reading by account and month.
    """
    sort = check_performance_sort(sort)
    tier = check_performance_tier(tier)
    today = today or timezone.localdate()
    accounts = (accounts if accounts is not None else accounts_for(user)).select_related("owner")
    if tier is not None:
        accounts = accounts.filter(tier=tier)
    account_ids = accounts.values("id")
    low, high = period.month_keys()
    targets = {
        (account_id, date(year, month, 1)): amount
        for account_id, year, month, amount in SalesTarget.objects.filter(account_id__in=account_ids)
        .alias(month_key=F("year") * 100 + F("month"))
        .filter(month_key__gte=low, month_key__lte=high)
        .values_list("account_id", "year", "month", "amount")
    }
    by_month = ("account_id", "date__year", "date__month")
    actual = net_sell_in(by_month, account_ids=account_ids, date__gte=period.first, date__lte=period.end)
    # the same days a year before as the actual covers, month by month: a month in progress its days so far
    first_day, last_day = period.last_year_days(today)
    last_year = net_sell_in(by_month, account_ids=account_ids, date__gte=first_day, date__lte=last_day)
    months = period.months()
    rows = []
    for account in accounts:
        row = compared_with_targets(
            [
                Performance(
                    month=month,
                    target=targets.get((account.id, month)) or ZERO,
                    targeted=(account.id, month) in targets,
                    actual=actual.get((account.id, month.year, month.month)) or ZERO,
                    last_year=last_year.get((account.id, month.year - 1, month.month)) or ZERO,
                    future=month > today,
                )
                for month in months
            ]
        )
        row.account = account
        rows.append(row)
    rows.sort(key=SORT_KEYS[sort.removeprefix("-")], reverse=sort.startswith("-"))
    return rows, compared_with_targets(rows)


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
            month=date(year, month, 1),
            target=targets.get(month) or ZERO,
            targeted=month in targets,
            actual=this_year.get(month) or ZERO,
            last_year=year_before[date(year, month, 1)],
            future=date(year, month, 1) > today,
        )
        for month in range(1, 13)
    ]
    total = compared_with_targets(months)
    if total.with_target is None:
        return AccountYear(months=months, total=total)
    return AccountYear(
        months=months, total=total, with_target=total.with_target, target_months=month_runs(sorted(targets))
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


def month_span_runs(months: tuple[date, ...] | list[date]) -> str:
    """Months (first days, in order) of a period that may cross a year, as ISO runs: "2026-01–2026-03, 2026-05"."""
    runs: list[list[date]] = []
    for month in months:
        if runs and (month.year * 12 + month.month) == (runs[-1][-1].year * 12 + runs[-1][-1].month) + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m}–{run[-1]:%Y-%m}" for run in runs)


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
