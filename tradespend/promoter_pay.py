"""Promoters' pay as trade spend (issue 16): what each key account owes, month by month, for the promoters working
at its stores — the ledger's PROMOTER source, computed set-based from the shifts (tradespend/accruals.py calls
``promoter_pay_due`` and writes the lines like every other source's).

    promoter_pay_due(*, as_of, account=None) -> list[PayLine]
    promoter_pay_by_store(*, as_of, account, months=None) -> list[StorePay]   the same lines cut by store (store P&L)
    plan_promoter_pay(*, as_of, plans) -> {plan id: pay}                       a plan's shifts' pay, all months
                                                                              (promotion expense page)
    plan_shift_cost(*, as_of, plan) -> PlanShiftCost                           that pay, its shifts counted and the
                                                                              plan's total on the ledger's basis
                                                                              (a plan's page and API detail)

All three read the pay from one computation (_pay_parts), so the analysis pages book what the ledger books.
Three queries whatever the number of promoters and shifts: the shifts (of the promoters who worked at the
account's stores, when one account is computed), the promoters' pay terms, and their roster's stores.

- Paid by the day: the daily fee × the days worked, a day with at least one shift attended (promoters/
  appraisal_rules: confirmed reading, else computed once the shift has ended, as of the end of as_of's day), as
  the appraisal pays it; a day with attended shifts at several stores (or accounts, or plans) has its fee split
  over them by their planned hours (appraisal_rules.day_fee_split: in cents, adding up
  to the fee exactly), and each account's line is the sum of its parts (units × fee shown where every day's fee
  fell wholly at the account).
- Paid by the month: the monthly pay pro-rated by the days on the roster that month, split over the accounts (and
  plans) in proportion to the promoter's shifts scheduled there that month, in cents that add up exactly; a month
  without a shift is split over the roster's stores (one share each), and without those charges no account (the
  appraisal still shows the pay). The whole month accrues, like a fixed fee, from the month of started_on to that
  of ended_on, never after as_of's month.
- Lines per account × month: source_key ``promoter:<promoter id>`` for shifts not assigned to a plan, and
  ``promoter:plan:<plan id>`` (plan set, every promoter of the plan together) for shifts assigned to one. A plan's
  shifts' pay is its promoter cost: once a plan has a shift, accruals leaves out the plan's own promoter-fee line
  (forecast and actual), so the fee is never counted twice.
- Pay terms (daily fee, monthly pay, dates) are read as they stand: a change reaches every month, and a closed
  month's difference comes as a true-up like any source's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from ka_portal.money import ZERO
from promoters import appraisal_rules as pay_rules
from promoters.models import Promoter, Shift

from . import notes, rules

SHIFT_FIELDS = (
    "promoter_id", "store_id", "store__account_id", "plan_id", "day", "starts_at", "ends_at", "checked_in_at",
    "checked_out_at", "check_in_distance_m", "check_in_received_at", "confirmed_attendance",
)  # fmt: skip


@dataclass
class PayLine:
    account_id: int
    month: date
    source_key: str
    amount: Decimal
    plan_id: int | None = None
    units: int | None = None
    basis_amount: Decimal | None = None
    reason_code: str = ""
    reason_params: dict = field(default_factory=dict)


def promoter_key(promoter_id: int) -> str:
    return f"promoter:{promoter_id}"


def plan_key(plan_id: int) -> str:
    return f"promoter:plan:{plan_id}"


def plan_of_key(source_key: str) -> int | None:
    """The plan a PROMOTER line's source_key names (``promoter:plan:<id>``), else None."""
    prefix = plan_key(0)[:-1]
    return int(source_key[len(prefix) :]) if source_key.startswith(prefix) else None


class _Facts:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def promoter_pay_due(*, as_of: date, account=None) -> list[PayLine]:
    """Every PROMOTER line due as of ``as_of`` (of one account, or all): see the module's docstring."""
    lines: dict[tuple, PayLine] = {}
    for part in _pay_parts(as_of=as_of, account=account):
        _add(lines, part)
    due = [line for line in lines.values() if line.amount]
    if account is not None:
        due = [line for line in due if line.account_id == account.pk]
    return due


@dataclass(frozen=True)
class StorePay:
    """Part of a PROMOTER line: one promoter's pay at one store in one month, on a plan or not."""

    account_id: int
    month: date
    store_id: int
    promoter_id: int
    plan_id: int | None
    amount: Decimal


def promoter_pay_by_store(*, as_of: date, account, months: tuple[date, date] | None = None) -> list[StorePay]:
    """The ledger's PROMOTER lines of ``account`` as of ``as_of``, cut by store (for the store P&L): per promoter,
    month, store and plan, the same amounts as promoter_pay_due's lines, which they add up to exactly, to the cent.

    A line's amount is cut over the stores of its shifts, by the same rule as the line itself: a daily fee by the
    shifts attended at each store, a monthly pay's share by the shifts scheduled at each store (and a month without
    a shift, whose pay is split over the roster's stores, one share per store). ``months`` (first, last: month
    starts) keeps those months only and reads only their shifts. Three queries."""
    first, last = months if months is not None else (None, None)
    return [
        StorePay(part.account_id, part.month, store_id, part.promoter_id, part.plan_id, amount)
        for part in _pay_parts(as_of=as_of, account=account, first=first, last=last)
        if part.account_id == account.pk
        for store_id, amount in part.by_store.items()
        if amount
    ]


def plan_promoter_pay(*, as_of: date, plans) -> dict[int, Decimal]:
    """What the ledger books as ``plans``' promoter cost as of ``as_of``, in all months: plan id → the pay of the
    shifts assigned to it (the ``promoter:plan:<id>`` lines' sum); a plan without shifts is left out (its promoter
    cost is its planned promoter fee), and so is one whose shifts earned nothing yet (its promoter cost is 0).
    Three queries, none without a plan."""
    plans = list(plans)
    if not plans:
        return {}
    wanted = {plan.pk for plan in plans}
    since = rules.month_start(min(plan.start_on for plan in plans))  # a plan's shifts fall in its days
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for part in _pay_parts(as_of=as_of, plans=list(wanted), first=since):
        if part.plan_id in wanted:
            totals[part.plan_id] += part.amount
    return dict(totals)


@dataclass(frozen=True)
class PlanShiftCost:
    """A plan's promoter cost as the ledger books it as of a day, with its shifts counted: ``pay`` is None when the
    plan has no shift (its planned promoter fee counts), else its shifts' pay so far (plan_promoter_pay); ``total``
    the plan's whole cost on the ledger's basis (rules.plan_cost: that pay instead of the planned fee), None with
    ``pay``."""

    pay: Decimal | None
    shifts: int  # every shift assigned to the plan
    ended: int  # of those, ended as of the day (a shift counts for pay once it has ended)
    attended: int  # of those, attended (a daily fee is paid for these)
    total: Decimal | None = None

    @property
    def ahead(self) -> int:
        """Shifts not ended yet (today's still running, and the days to come)."""
        return self.shifts - self.ended


def plan_shift_cost(*, as_of: date, plan) -> PlanShiftCost:
    """``plan``'s promoter cost as of ``as_of`` and its shifts: how many, ended and attended as the pay reads them
    (promoters/appraisal_rules.shift_reading as of the end of as_of's day). One query without a shift, four with."""
    now = pay_rules.cut_off(as_of)
    readings = [
        pay_rules.shift_reading(_Facts(row), now=now)
        for row in Shift.objects.filter(plan_id=plan.pk).values(*SHIFT_FIELDS).order_by()
    ]
    if not readings:
        return PlanShiftCost(pay=None, shifts=0, ended=0, attended=0)
    pay = plan_promoter_pay(as_of=as_of, plans=[plan]).get(plan.pk, ZERO)  # nothing earned yet: 0
    return PlanShiftCost(
        pay=pay,
        total=rules.plan_cost(plan, _evaluated_total(plan), pay),
        shifts=len(readings),
        ended=sum(1 for reading in readings if reading is not None),
        attended=sum(1 for reading in readings if reading in pay_rules.ATTENDED),
    )


def _evaluated_total(plan) -> Decimal | None:
    """The kept evaluation's total cost, which the ledger books once a plan is evaluated (accruals._plan_lines);
    read only for a plan that has ended (its page has usually loaded the evaluation already)."""
    if plan.status not in ("ended", "evaluated"):
        return None
    evaluation = getattr(plan, "evaluation", None)  # the reverse one-to-one: None when there is none
    return evaluation.total_cost if evaluation is not None else None


@dataclass
class _Part:
    """One promoter's pay at one account (and plan) in one month — a PayLine's part — and its cut by store."""

    account_id: int
    month: date
    promoter_id: int
    plan_id: int | None
    amount: Decimal
    units: int | None
    code: str
    params: dict
    by_store: dict[int, Decimal]


def _pay_parts(*, as_of: date, account=None, plans=None, first: date | None = None, last: date | None = None):
    """Every promoter's pay per account, plan and month as of ``as_of``, each with its cut by store (three
    queries): of the promoters who worked at ``account``'s stores or are on its roster, or who worked on ``plans``
    (ids), else of every promoter; of the months ``first``…``last`` only when given."""
    current = rules.month_start(as_of)
    last = current if last is None else min(current, last)
    now = pay_rules.cut_off(as_of)
    shifts = Shift.objects.filter(day__lte=pay_rules.month_last(last))
    if first is not None:
        shifts = shifts.filter(day__gte=first)
    promoters = Promoter.objects.all()
    rostered = Promoter.stores.through.objects.all()
    if account is not None:
        here = Shift.objects.filter(store__account_id=account.pk).values("promoter_id")
        at_stores = rostered.filter(store__account_id=account.pk).values("promoter_id")
        promoters = promoters.filter(Q(pk__in=here) | Q(pk__in=at_stores))
    if plans is not None:
        promoters = promoters.filter(pk__in=Shift.objects.filter(plan_id__in=plans).values("promoter_id"))
    if account is not None or plans is not None:
        shifts = shifts.filter(promoter__in=promoters)
        rostered = rostered.filter(promoter__in=promoters)
    terms = {
        p["pk"]: p for p in promoters.values("pk", "code", "name", "daily_fee", "monthly_pay", "started_on", "ended_on")
    }
    stores_of = defaultdict(list)  # promoter → their roster's stores, each as (account, store)
    for promoter_id, account_id, store_id in rostered.values_list("promoter_id", "store__account_id", "store_id"):
        stores_of[promoter_id].append((account_id, store_id))

    # promoter → month → (account, plan) → store → shifts: scheduled (a monthly pay's shares), attended (daily fees)
    def tally():
        return defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))

    scheduled = tally()
    worked = defaultdict(lambda: defaultdict(list))  # promoter → day → its attended shifts, (start, store, where, min)
    for row in shifts.values(*SHIFT_FIELDS).order_by().iterator(chunk_size=5000):
        month, where = rules.month_start(row["day"]), (row["store__account_id"], row["plan_id"])
        scheduled[row["promoter_id"]][month][where][row["store_id"]] += 1
        if pay_rules.shift_reading(_Facts(row), now=now) in pay_rules.ATTENDED:
            minutes = pay_rules.shift_minutes(row["starts_at"], row["ends_at"])
            worked[row["promoter_id"]][row["day"]].append((row["starts_at"], row["store_id"], where, minutes))

    for promoter_id, promoter in terms.items():
        who = f"{promoter['name']} ({promoter['code']})"
        if promoter["daily_fee"] is not None:
            yield from _daily_parts(promoter_id, promoter, who, worked.get(promoter_id, {}))
            continue
        start = promoter["started_on"] if first is None else max(promoter["started_on"], first)
        end = last if promoter["ended_on"] is None else min(last, rules.month_start(promoter["ended_on"]))
        for month in rules.months_between(start, end):
            pay = pay_rules.monthly_pay_for(
                monthly_pay=promoter["monthly_pay"], started_on=promoter["started_on"],
                ended_on=promoter["ended_on"], month=month,
            )  # fmt: skip
            places, code = scheduled.get(promoter_id, {}).get(month), notes.PROMOTER_MONTHLY
            if not places:
                places, code = defaultdict(lambda: defaultdict(int)), notes.PROMOTER_MONTHLY_ROSTER
                for account_id, store_id in stores_of.get(promoter_id, ()):
                    places[account_id, None][store_id] += 1
            counts = {where: sum(stores.values()) for where, stores in places.items()}
            total = sum(counts.values())
            days = pay_rules.roster_days(started_on=promoter["started_on"], ended_on=promoter["ended_on"], month=month)
            for (account_id, plan_id), amount in pay_rules.split_amount(pay, counts).items():
                params = {
                    "promoter": who, "pay": str(promoter["monthly_pay"]), "days": days,
                    "month_days": pay_rules.month_days(month), "shifts": counts[account_id, plan_id], "all": total,
                }  # fmt: skip
                yield _Part(account_id, month, promoter_id, plan_id, amount, None, code, params,
                            pay_rules.split_amount(amount, places[account_id, plan_id]))  # fmt: skip


def _daily_parts(promoter_id: int, promoter: dict, who: str, days: dict):
    """A promoter paid by the day: each day worked (a shift attended) pays the daily fee once, split over that day's
    attended shifts by their planned hours (appraisal_rules.day_fee_split: the parts add up to the fee exactly);
    the parts summed per month, account (and plan) and store."""
    fee = promoter["daily_fee"]
    # month → (account, plan) → store → amount; and the days and shifts attended there
    amounts = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    days_at = defaultdict(lambda: defaultdict(set))
    shifts_at = defaultdict(lambda: defaultdict(int))
    for day, attended in days.items():
        month = rules.month_start(day)
        attended = sorted(attended, key=lambda shift: (shift[0], shift[1]))
        split = pay_rules.day_fee_split(
            fee, [((store_id, where), minutes) for _s, store_id, where, minutes in attended]
        )
        for (store_id, where), amount in split:
            amounts[month][where][store_id] += amount
            days_at[month][where].add(day)
            shifts_at[month][where] += 1
    for month, places in amounts.items():
        for (account_id, plan_id), stores in places.items():
            amount = sum(stores.values(), ZERO)
            count, shift_count = len(days_at[month][account_id, plan_id]), shifts_at[month][account_id, plan_id]
            whole = amount == (Decimal(fee) * count).quantize(pay_rules.CENT)  # every day's fee wholly here
            params = {"promoter": who, "fee": str(fee), "days": count, "shifts": shift_count}
            # one shift a day, each wholly here: "fee × n (shifts attended)" still reads true
            code = notes.PROMOTER_DAILY if whole and count == shift_count else notes.PROMOTER_DAILY_DAYS
            yield _Part(account_id, month, promoter_id, plan_id, amount, count if whole else None, code, params,
                        dict(stores))  # fmt: skip


def _add(lines, part: _Part) -> None:
    """Add one promoter's pay at one account (and plan) in one month to its line; a plan's line sums its
    promoters and says how many shifts of whom."""
    account_id, month, promoter_id, plan_id = part.account_id, part.month, part.promoter_id, part.plan_id
    amount, units, code, params = part.amount, part.units, part.code, part.params
    if plan_id is None:
        key = (account_id, month, promoter_key(promoter_id))
        daily = code in (notes.PROMOTER_DAILY, notes.PROMOTER_DAILY_DAYS)
        basis = Decimal(params["fee"]) if daily and units is not None else None
        lines[key] = PayLine(account_id, month, key[2], amount, None, units, basis, code, params)
        return
    key = (account_id, month, plan_key(plan_id))
    line = lines.get(key)
    if line is None:
        line = lines[key] = PayLine(
            account_id, month, key[2], ZERO, plan_id, None, None, notes.PROMOTER_PLAN, {"shifts": 0, "promoters": ""}
        )
    line.amount += amount
    line.reason_params["shifts"] += params["shifts"]
    names = [name for name in line.reason_params["promoters"].split(", ") if name]
    line.reason_params["promoters"] = ", ".join(sorted({*names, params["promoter"]}))
