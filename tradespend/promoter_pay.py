"""Promoters' pay as trade spend (issue 16): what each key account owes, month by month, for the promoters working
at its stores — the ledger's PROMOTER source, computed set-based from the shifts (tradespend/accruals.py calls
``promoter_pay_due`` and writes the lines like every other source's).

    promoter_pay_due(*, as_of, account=None) -> list[PayLine]

Three queries whatever the number of promoters and shifts: the shifts (of the promoters who worked at the
account's stores, when one account is computed), the promoters' pay terms, and their roster's stores.

- Paid by the day: the daily fee × the shifts attended (promoters/appraisal_rules: confirmed reading, else
  computed once the shift has ended, as of the end of as_of's day) at the account's stores in the month.
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

from promoters import appraisal_rules as pay_rules
from promoters.models import Promoter, Shift

from . import notes, rules

ZERO = Decimal("0.00")
SHIFT_FIELDS = (
    "promoter_id", "store_id", "store__account_id", "plan_id", "day", "starts_at", "ends_at", "checked_in_at",
    "checked_out_at", "check_in_distance_m", "confirmed_attendance",
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
    current = rules.month_start(as_of)
    now = pay_rules.cut_off(as_of)
    shifts = Shift.objects.filter(day__lte=pay_rules.month_last(current))
    promoters = Promoter.objects.all()
    rostered = Promoter.stores.through.objects.all()
    if account is not None:
        here = Shift.objects.filter(store__account_id=account.pk).values("promoter_id")
        at_stores = rostered.filter(store__account_id=account.pk).values("promoter_id")
        promoters = promoters.filter(Q(pk__in=here) | Q(pk__in=at_stores))
        shifts = shifts.filter(promoter__in=promoters)
        rostered = rostered.filter(promoter__in=promoters)
    terms = {
        p["pk"]: p for p in promoters.values("pk", "code", "name", "daily_fee", "monthly_pay", "started_on", "ended_on")
    }
    stores_of = defaultdict(list)  # promoter → the accounts of their roster's stores (one entry per store)
    for promoter_id, account_id in rostered.values_list("promoter_id", "store__account_id"):
        stores_of[promoter_id].append(account_id)

    # promoter → month → (account, plan) → shifts: scheduled (for a monthly pay's shares), attended (daily fees)
    def tally():
        return defaultdict(lambda: defaultdict(lambda: defaultdict(int)))

    scheduled, attended = tally(), tally()
    for row in shifts.values(*SHIFT_FIELDS).order_by().iterator(chunk_size=5000):
        month, where = rules.month_start(row["day"]), (row["store__account_id"], row["plan_id"])
        scheduled[row["promoter_id"]][month][where] += 1
        if pay_rules.shift_reading(_Facts(row), now=now) in pay_rules.ATTENDED:
            attended[row["promoter_id"]][month][where] += 1

    lines: dict[tuple, PayLine] = {}
    for promoter_id, promoter in terms.items():
        who = f"{promoter['name']} ({promoter['code']})"
        if promoter["daily_fee"] is not None:
            for month, places in attended.get(promoter_id, {}).items():
                for (account_id, plan_id), count in places.items():
                    amount = pay_rules.month_pay(
                        daily_fee=promoter["daily_fee"], monthly_pay=None, attended=count,
                        started_on=promoter["started_on"], ended_on=promoter["ended_on"], month=month,
                    )  # fmt: skip
                    params = {"promoter": who, "shifts": count, "fee": str(promoter["daily_fee"])}
                    _add(lines, account_id, month, promoter_id, plan_id, amount, count, notes.PROMOTER_DAILY, params)
            continue
        last = current if promoter["ended_on"] is None else min(current, rules.month_start(promoter["ended_on"]))
        for month in rules.months_between(promoter["started_on"], last):
            pay = pay_rules.monthly_pay_for(
                monthly_pay=promoter["monthly_pay"], started_on=promoter["started_on"],
                ended_on=promoter["ended_on"], month=month,
            )  # fmt: skip
            places, code = scheduled.get(promoter_id, {}).get(month), notes.PROMOTER_MONTHLY
            if not places:
                places, code = defaultdict(int), notes.PROMOTER_MONTHLY_ROSTER
                for account_id in stores_of.get(promoter_id, ()):
                    places[account_id, None] += 1
            total = sum(places.values())
            days = pay_rules.roster_days(started_on=promoter["started_on"], ended_on=promoter["ended_on"], month=month)
            for (account_id, plan_id), amount in pay_rules.split_amount(pay, places).items():
                params = {
                    "promoter": who, "pay": str(promoter["monthly_pay"]), "days": days,
                    "month_days": pay_rules.month_days(month), "shifts": places[account_id, plan_id], "all": total,
                }  # fmt: skip
                _add(lines, account_id, month, promoter_id, plan_id, amount, None, code, params)
    due = [line for line in lines.values() if line.amount]
    if account is not None:
        due = [line for line in due if line.account_id == account.pk]
    return due


def _add(lines, account_id, month, promoter_id, plan_id, amount, units, code, params) -> None:
    """Add one promoter's pay at one account (and plan) in one month to its line; a plan's line sums its
    promoters and says how many shifts of whom."""
    if plan_id is None:
        key = (account_id, month, promoter_key(promoter_id))
        basis = Decimal(params["fee"]) if code == notes.PROMOTER_DAILY else None
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
