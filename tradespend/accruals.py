"""The accrual ledger (费用计提, issue 12 item 4): what each contract term and each approved promotion plan costs
a key account, month by month, and finance's adjustments.

    accruals_compute(*, as_of, account=None, by=None) -> AccrualRun
        The ledger of every account (or one) as of ``as_of``, computed set-based: one grouped query for invoiced
        sell-in per account × month (invoices less credit notes, as contracts.selectors.net_sell_in), one for new
        store × SKU listings per account × month, one for sales targets, one each for the terms, the plans and
        the lines already booked; the lines are worked out in Python and written with one bulk upsert on the
        lines' natural key (account, month, source_key, kind, stage), so a line keeps its id (and the deductions
        matched to it) from run to run. Idempotent: a second run on the same data writes nothing.

    accrual_adjust(*, account, month, kind, amount, reason, by, term=None, plan=None, contract="") -> AccrualLine
        An ADJUSTMENT line typed by finance: non-zero (may be negative), with a reason, in an open month.

What is accrued (whole months: a term touching any day of a month accrues that whole month; never a month after
as_of's):

- Terms of contracts that are active, expired or terminated (a draft is not agreed yet, so it accrues nothing;
  an expired or terminated contract keeps what its terms accrued while valid). A terminated contract's terms accrue
  up to its termination date (``Contract.terminated_on``, rules.term_accrues_until): that day's month whole, as every
  month a term touches, and nothing after it; a line starting after it accrues nothing.
  * rebate (or "other" on a % basis): rate % × the month's invoiced sell-in of the account.
  * rebate_conditional: the rate of the tier the year's achievement reaches — invoiced sell-in ÷ the account's
    sales targets of the same months × 100, January through as_of's month while the year runs (the expected
    tier), the whole year once as_of is past December 31 (the actual tier). The same rate applies to every
    month of the year, so a closed month accrued at an earlier expected tier is corrected by a true-up. No
    target: the lowest tier (the line's reason says so); below the lowest tier: nothing.
  * fixed: see rules.fixed_fee_months (month, quarter, year, once).
  * per_store_sku: amount × the store × SKU listings newly listed in the month (``units``).
- Plans approved or beyond (approved, running, ended, evaluated): FORECAST lines in the plan's start month
  (DM, TG → end cap, promoter, and gifts + price support + supply funding → promotion); once evaluated, ACTUAL
  lines instead (rules.plan_spend). A plan that no longer counts (withdrawn, rejected) is due nothing.
- Display agreements a KA manager entered by hand (issue 13, evidence/agreements.py): ACCRUED lines of source
  DISPLAY (``display:<agreement id>``), the fee in the month it is payable (the month its period starts:
  evidence.agreement_rules.payable_month), kind TG fee for an end cap, display fee for the others. The fee accrues
  as a contract's display fee does, whatever the evidence so far; the evidence decides whether a deduction claiming
  it is matched (matching.py). A generated agreement accrues nothing of its own: its term's or plan's line is its fee.
  Writing a hand-entered agreement recomputes its chain's ledger in the same transaction (evidence/agreements.py).
  Fees are paid on evidence: an agreement not evidenced accrues nothing — one entered by hand has no line, a
  generated one's fee is taken off the term's or plan's line that pays it (its reason says so, notes.NOT_EVIDENCED).
  A display-fee line lowered under the automatic matches it had has them released and their deductions matched
  again (matching.release_unbacked): to what the ledger still holds, else unsupported.
- Promoters' pay (issue 16, tradespend/promoter_pay.py): ACCRUED lines of source PROMOTER per account × month,
  one per promoter (``promoter:<id>``) and one per plan for the shifts assigned to it (``promoter:plan:<id>``).
  A plan's promoter cost is then its shifts' pay: once a plan has any shift, its own PROMOTER line (the planned
  promoter fee, forecast or actual) is left out, so the fee is not counted twice. An evaluated plan's PROMOTION
  line still takes the planned fee out of the evaluation's total cost (which holds it as planned), so the fee
  does not come back there either.

Closed months (tradespend.ClosedMonth) are never touched. What they should hold but do not (due − booked, per
source_key × kind, all stages) becomes ONE TRUE_UP line in rules.true_up_month. A computed line in an open month
that is no longer produced is deleted, or set to 0 when a deduction is matched to it. So for every source and
kind, Σ of its lines over all months = what the source is due.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount, SalesTarget
from contracts.models import Contract, ContractTerm
from contracts.selectors import net_sell_in
from evidence.agreement_rules import payable_month
from evidence.models import DisplayAgreement, DisplayKind
from ka_portal.errors import DomainError
from ka_portal.money import ZERO, money_sum, to_money
from promoters.models import Shift
from promotions.models import PromotionPlan
from stores.models import Listing

from . import notes, promoter_pay, rules
from .matching import release_unbacked
from .models import AccrualLine, AccrualRun, ClosedMonth, DeductionMatch, SpendKind

# Contracts whose terms accrue: agreed ones. A draft is still being negotiated.
ACCRUING_CONTRACT_STATUSES = (Contract.Status.ACTIVE, Contract.Status.EXPIRED, Contract.Status.TERMINATED)
# Plans whose costs accrue: approved and every later step (draft, submitted and rejected ones do not).
ACCRUING_PLAN_STATUSES = (
    PromotionPlan.Status.APPROVED,
    PromotionPlan.Status.RUNNING,
    PromotionPlan.Status.ENDED,
    PromotionPlan.Status.EVALUATED,
)
# The columns a line's INSERT carries (for the size of a batch).
ACCRUAL_LINE_FIELDS = [f for f in AccrualLine._meta.concrete_fields if not f.primary_key]
NATURAL_KEY = ("account", "month", "source_key", "kind", "stage")
COMPARED = (
    "source", "term_id", "plan_id", "agreement_id", "category", "amount", "basis_amount", "rate", "units", "reason",
    "reason_code", "reason_params",
)  # fmt: skip
Stage = AccrualLine.Stage
Source = AccrualLine.Source


@dataclass
class _Line:
    account_id: int
    month: date
    source: str
    source_key: str
    kind: str
    stage: str
    amount: Decimal
    term_id: int | None = None
    plan_id: int | None = None
    agreement_id: int | None = None
    basis_amount: Decimal | None = None
    rate: Decimal | None = None
    units: int | None = None
    reason_code: str = ""
    reason_params: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.account_id, self.month, self.source_key, self.kind, self.stage)

    @property
    def category(self) -> str:
        return rules.spend_category(source=self.source, kind=self.kind)


def _money_or_none(value):
    return None if value is None else to_money(value)


# --- reading the facts (one query each, whatever the number of accounts) -----------------------------------


def _account_filter(account, field: str = "account_id") -> dict:
    return {field: account.pk} if account is not None else {}


def _sell_in(account, as_of: date) -> dict[tuple[int, date], Decimal]:
    """Invoiced sell-in (invoices − credit notes) per (account id, month), dated up to as_of: two grouped queries."""
    rows = net_sell_in(
        ("account_id", "date__year", "date__month"),
        account_ids=None if account is None else [account.pk],
        date__lte=as_of,
    )
    return {(account_id, date(year, month, 1)): total for (account_id, year, month), total in rows.items()}


def _targets(account) -> dict[tuple[int, date], Decimal]:
    rows = SalesTarget.objects.filter(**_account_filter(account)).values_list("account_id", "year", "month", "amount")
    return {(acc, date(year, month, 1)): amount for acc, year, month, amount in rows}


def _new_listings(account, as_of: date) -> dict[tuple[int, date], int]:
    """Store × SKU listings newly listed per (account id, month), whether still active or not."""
    rows = (
        Listing.objects.filter(
            listed_on__isnull=False, listed_on__lte=as_of, **_account_filter(account, "store__account_id")
        )
        .values("store__account_id", "listed_on__year", "listed_on__month")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("store__account_id", "listed_on__year", "listed_on__month", "count")
    )
    return {(acc, date(year, month, 1)): count for acc, year, month, count in rows}


def _terms(account) -> list[dict]:
    return list(
        ContractTerm.objects.filter(
            contract__status__in=ACCRUING_CONTRACT_STATUSES, **_account_filter(account, "contract__account_id")
        ).values(
            "pk",
            "kind",
            "basis",
            "period",
            "rate",
            "amount",
            "tiers",
            "valid_from",
            "valid_to",
            "contract__account_id",
            "contract__number",
            "contract__terminated_on",
        )  # fmt: skip
    )


def _plans(account) -> list[dict]:
    """The accruing plans, each with whether promoter shifts are assigned to it (``has_shifts``)."""
    return list(
        PromotionPlan.objects.filter(status__in=ACCRUING_PLAN_STATUSES, **_account_filter(account))
        .annotate(has_shifts=Exists(Shift.objects.filter(plan=OuterRef("pk"))))
        .values(
            "pk",
            "account_id",
            "title",
            "start_on",
            "dm_fee",
            "tg_fee",
            "promoter_fee",
            "gift_cost",
            "price_support",
            "supply_funding",
            "evaluation__total_cost",
            "has_shifts",
        )  # fmt: skip
    )


def _agreements(account) -> tuple[list[dict], dict[tuple[str, date, str], Decimal]]:
    """Display agreements with a fee (one query): those entered by hand still owed (not those not evidenced), and the
    fees of generated ones not evidenced per line that pays them (source_key, month, kind) — a term's display or TG
    fee of a period in its period's first month, a plan's end cap's share of its TG fee in the plan's start month."""
    Agreement = DisplayAgreement
    columns = ("pk", "account_id", "kind", "start_on", "fee", "store__name", "account__name", "source", "status",
               "term_id", "term__kind", "plan_id")  # fmt: skip
    rows = (
        Agreement.objects.filter(fee__gt=0, **_account_filter(account))
        .filter(Q(source=Agreement.Source.MANUAL) | Q(status=Agreement.Status.NOT_EVIDENCED))
        .values(*columns)
    )
    manual, withheld = [], defaultdict(lambda: ZERO)
    for row in rows:
        if row["source"] == Agreement.Source.MANUAL:
            if row["status"] != Agreement.Status.NOT_EVIDENCED:
                manual.append(row)
        elif row["term_id"]:
            kind = rules.TERM_SPEND_KIND[row["term__kind"]]
            withheld[f"{Source.TERM}:{row['term_id']}", payable_month(row["start_on"]), kind] += row["fee"]
        elif row["plan_id"]:
            withheld[f"{Source.PLAN}:{row['plan_id']}", payable_month(row["start_on"]), SpendKind.END_CAP] += row["fee"]
    return manual, withheld


def _withhold(due: list[_Line], withheld: dict) -> list[_Line]:
    """Fees paid on evidence: a line paying display fees not evidenced is lowered by them (to nothing at most), its
    reason saying so; a line left at nothing is not due."""
    if not withheld:
        return due
    kept = []
    for line in due:
        fee = withheld.get((line.source_key, line.month, line.kind))
        if fee:
            line.amount = max(to_money(line.amount - fee), ZERO)
            line.reason_code, line.reason_params = notes.NOT_EVIDENCED, {"amount": str(to_money(fee))}
        if line.amount or not fee:
            kept.append(line)
    return kept


def _booked(account) -> list[dict]:
    """Every computed line of the accounts (adjustments are finance's and never recomputed)."""
    matched = DeductionMatch.objects.filter(line=OuterRef("pk"))
    return list(
        AccrualLine.objects.filter(**_account_filter(account))
        .exclude(source=Source.ADJUSTMENT)
        .annotate(matched=Exists(matched))
        .values("pk", "account_id", "month", "source_key", "kind", "stage", "matched", *COMPARED)
        .order_by()
    )


# --- what each source is due, month by month ----------------------------------------------------------------


class _Achievement:
    """Achievement per (account, year) as of as_of, worked out once per pair from the month maps."""

    def __init__(self, sell_in, targets, as_of: date):
        self.sell_in, self.targets, self.as_of = sell_in, targets, as_of
        self.cache: dict = {}

    def __call__(self, account_id: int, year: int) -> tuple[Decimal | None, date, bool]:
        """(achievement % or None without a target, the last month counted, whether the year is over)."""
        if (account_id, year) not in self.cache:
            over = self.as_of > date(year, 12, 31)
            last = date(year, 12, 1) if over else rules.month_start(self.as_of)
            months = rules.months_between(date(year, 1, 1), last)
            sell_in = sum((self.sell_in.get((account_id, m), ZERO) for m in months), ZERO)
            target = sum((self.targets.get((account_id, m), ZERO) for m in months), ZERO)
            self.cache[account_id, year] = (rules.achievement_percent(sell_in, target), last, over)
        return self.cache[account_id, year]


def _conditional_rate(term: dict, month: date, achievement: _Achievement) -> tuple[Decimal, str, dict]:
    """The rate of a conditional rebate and the reason for it (a code of tradespend.notes and its parameters,
    plain JSON values so a second run compares them equal)."""
    ach, last, over = achievement(term["contract__account_id"], month.year)
    rate, threshold = rules.tier_rate(term["tiers"], ach)
    if ach is None:
        return rate, notes.NO_TARGET, {"year": month.year, "rate": str(rate)}
    params = {
        "year": month.year,
        "achievement": str(ach),
        "through": f"{last:%Y-%m}",
        "threshold": "—" if threshold is None else str(threshold),
        "rate": str(rate),
    }
    return rate, notes.YEAR_ACHIEVED if over else notes.EXPECTED_TIER, params


def _term_lines(term: dict, *, current: date, sell_in, listings, achievement) -> list[_Line]:
    until = rules.term_accrues_until(term["valid_to"], term["contract__terminated_on"])
    if until < term["valid_from"]:  # its contract terminated before the line began
        return []
    term = {**term, "valid_to": until}
    account_id, kind = term["contract__account_id"], rules.TERM_SPEND_KIND[term["kind"]]
    base = {
        "account_id": account_id,
        "source": Source.TERM,
        "source_key": f"term:{term['pk']}",
        "kind": kind,
        "stage": Stage.ACCRUED,
        "term_id": term["pk"],
    }
    lines = []
    if term["basis"] == ContractTerm.Basis.PERCENT:
        for month in rules.validity_months(term["valid_from"], term["valid_to"], current):
            basis = sell_in.get((account_id, month))
            if not basis:
                continue
            if term["kind"] == ContractTerm.Kind.REBATE_CONDITIONAL:
                rate, code, params = _conditional_rate(term, month, achievement)
            else:
                rate, code, params = term["rate"] or ZERO, "", {}
            amount = rules.percent_of(basis, rate)
            if amount:
                lines.append(
                    _Line(**base, month=month, amount=amount, basis_amount=to_money(basis), rate=rate,
                          reason_code=code, reason_params=params)
                )  # fmt: skip
    elif term["basis"] == ContractTerm.Basis.FIXED:
        months = rules.fixed_fee_months(
            period=term["period"], valid_from=term["valid_from"], valid_to=term["valid_to"], last_month=current
        )
        lines += [_Line(**base, month=m, amount=to_money(term["amount"])) for m in months if term["amount"]]
    else:  # per store per SKU: the listings newly listed in each month of validity
        for month in rules.validity_months(term["valid_from"], term["valid_to"], current):
            units = listings.get((account_id, month))
            amount = to_money((term["amount"] or 0) * (units or 0))
            if amount:
                lines.append(
                    _Line(**base, month=month, amount=amount, basis_amount=to_money(term["amount"]), units=units)
                )
    return lines


def _plan_lines(plan: dict, *, current: date) -> list[_Line]:
    month = rules.month_start(plan["start_on"])
    if month > current:
        return []
    evaluated = plan["evaluation__total_cost"]
    spend = rules.plan_spend(
        dm_fee=plan["dm_fee"],
        tg_fee=plan["tg_fee"],
        promoter_fee=plan["promoter_fee"],
        gift_cost=plan["gift_cost"],
        price_support=plan["price_support"],
        supply_funding=plan["supply_funding"],
        evaluated_total=evaluated,
    )
    if plan["has_shifts"]:
        spend.pop(SpendKind.PROMOTER, None)  # its promoters' shifts' pay is the cost: promoter_pay.py
    stage = Stage.FORECAST if evaluated is None else Stage.ACTUAL
    return [
        _Line(
            account_id=plan["account_id"],
            month=month,
            source=Source.PLAN,
            source_key=f"plan:{plan['pk']}",
            kind=kind,
            stage=stage,
            amount=amount,
            plan_id=plan["pk"],
        )
        for kind, amount in spend.items()
    ]


def _agreement_lines(agreement: dict, *, current: date) -> list[_Line]:
    month = payable_month(agreement["start_on"])
    if month > current:
        return []
    kind = SpendKind.END_CAP if agreement["kind"] == DisplayKind.END_CAP else SpendKind.DISPLAY
    return [
        _Line(
            account_id=agreement["account_id"],
            month=month,
            source=Source.DISPLAY,
            source_key=agreement_key(agreement["pk"]),
            kind=kind,
            stage=Stage.ACCRUED,
            amount=to_money(agreement["fee"]),
            agreement_id=agreement["pk"],
        )
    ]


def agreement_key(pk: int) -> str:
    """The ledger's source key of a display agreement entered by hand."""
    return f"{Source.DISPLAY}:{pk}"


def _promoter_lines(account, as_of: date) -> list[_Line]:
    return [
        _Line(
            account_id=line.account_id,
            month=line.month,
            source=Source.PROMOTER,
            source_key=line.source_key,
            kind=SpendKind.PROMOTER,
            stage=Stage.ACCRUED,
            amount=line.amount,
            plan_id=line.plan_id,
            units=line.units,
            basis_amount=line.basis_amount,
            reason_code=line.reason_code,
            reason_params=line.reason_params,
        )  # fmt: skip
        for line in promoter_pay.promoter_pay_due(as_of=as_of, account=account)
    ]


def _source_labels(terms: list[dict], plans: list[dict], agreements: list[dict], due: list[_Line]) -> dict[str, str]:
    """What names each source to a reader, by source_key: a term its contract's number, a plan its title, a
    promoter their name, a plan's promoters the plan's title, an agreement its number and store (or chain). Names as
    typed, the same in every language."""
    titles = {plan["pk"]: plan["title"] for plan in plans}
    labels = {f"{Source.TERM}:{term['pk']}": term["contract__number"] for term in terms}
    labels.update((f"{Source.PLAN}:{pk}", title) for pk, title in titles.items())
    labels.update((agreement_key(a["pk"]), f"#{a['pk']} {a['store__name'] or a['account__name']}") for a in agreements)
    for line in due:
        if line.source != Source.PROMOTER or line.source_key in labels:
            continue
        plan_id = promoter_pay.plan_of_key(line.source_key)
        name = titles.get(plan_id) if plan_id else line.reason_params.get("promoter")
        if name:
            labels[line.source_key] = name
    return labels


def _reference(source_key: str, agreement_ids: frozenset) -> dict:
    source, _sep, pk = source_key.partition(":")
    if source == Source.PROMOTER:
        return {"source": source, "term_id": None, "plan_id": promoter_pay.plan_of_key(source_key)}
    if source == Source.DISPLAY:  # a true-up of an agreement since deleted names none
        agreement_id = int(pk) if int(pk) in agreement_ids else None
        return {"source": source, "term_id": None, "plan_id": None, "agreement_id": agreement_id}
    return {"source": source, "term_id": int(pk) if source == Source.TERM else None,
            "plan_id": int(pk) if source == Source.PLAN else None}  # fmt: skip


# --- the computation ----------------------------------------------------------------------------------------


@transaction.atomic
def accruals_compute(*, as_of: date, account: KeyAccount | None = None, by=None) -> AccrualRun:
    """Compute the ledger of every account (or ``account``) as of ``as_of``: see the module's docstring.
    Runs a fixed number of queries whatever the number of accounts, terms and plans. The run answers
    ``lines_written`` (lines created or changed, including those set to 0) and, not stored, ``lines_deleted``."""
    # One computation per account at a time: the nightly job and a button press wait for each other.
    locked = KeyAccount.objects.select_for_update().order_by("pk")
    list((locked.filter(pk=account.pk) if account is not None else locked).values_list("pk", flat=True))
    run = AccrualRun.objects.create(account=account, run_on=as_of, requested_by=by)
    current = rules.month_start(as_of)
    closed = frozenset(ClosedMonth.objects.values_list("month", flat=True))
    sell_in = _sell_in(account, as_of)
    listings = _new_listings(account, as_of)
    achievement = _Achievement(sell_in, _targets(account), as_of)

    due: list[_Line] = []
    terms, plans = _terms(account), _plans(account)
    agreements, withheld = _agreements(account)
    for term in terms:
        due += _term_lines(term, current=current, sell_in=sell_in, listings=listings, achievement=achievement)
    for plan in plans:
        due += _plan_lines(plan, current=current)
    for agreement in agreements:
        due += _agreement_lines(agreement, current=current)
    due = _withhold(due, withheld)
    due += _promoter_lines(account, as_of)

    # Closed months: what they should hold against what they hold, per source × kind, month by month (the
    # true-up names the months that differ and its source, so two true-ups of one chain can be told apart).
    owed: dict[tuple, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    wanted: dict[tuple, _Line] = {}
    for line in due:
        if line.month in closed:
            owed[line.account_id, line.source_key, line.kind][line.month] += line.amount
        else:
            wanted[line.key] = line
    booked = _booked(account)
    open_lines = {}
    for row in booked:
        if row["month"] in closed:
            owed[row["account_id"], row["source_key"], row["kind"]][row["month"]] -= row["amount"]
        else:
            open_lines[row["account_id"], row["month"], row["source_key"], row["kind"], row["stage"]] = row
    true_up_month = rules.true_up_month(closed)
    labels = _source_labels(terms, plans, agreements, due)
    agreement_ids = frozenset(a["pk"] for a in agreements)
    for (account_id, source_key, kind), by_month in owed.items():
        amount = sum(by_month.values(), ZERO)
        if amount and true_up_month is not None:
            months = ", ".join(f"{month:%Y-%m}" for month in sorted(by_month) if by_month[month])
            line = _Line(
                account_id=account_id, month=true_up_month, source_key=source_key, kind=kind,
                stage=Stage.TRUE_UP, amount=to_money(amount), **_reference(source_key, agreement_ids),
                reason_code=notes.TRUE_UP_FOR,
                reason_params={"amount": str(to_money(amount)), "months": months,
                               "source": labels.get(source_key, source_key)},
            )  # fmt: skip
            wanted[line.key] = line

    # Write what changed; what is no longer due goes (or stays at 0 when deductions are matched to it).
    now = timezone.now()
    to_write = [
        AccrualLine(
            account_id=line.account_id,
            month=line.month,
            source=line.source,
            source_key=line.source_key,
            term_id=line.term_id,
            plan_id=line.plan_id,
            agreement_id=line.agreement_id,
            kind=line.kind,
            category=line.category,
            stage=line.stage,
            amount=line.amount,
            basis_amount=_money_or_none(line.basis_amount),
            rate=line.rate,
            units=line.units,
            reason_code=line.reason_code,
            reason_params=line.reason_params,
            run=run,
            created_by=by,
            updated_at=now,
        )  # fmt: skip
        for key, line in wanted.items()
        if not _unchanged(open_lines.get(key), line)
    ]
    zero, delete = [], []
    for key, row in open_lines.items():
        if key in wanted:
            continue
        if not row["matched"]:
            delete.append(row["pk"])
        elif row["amount"] != 0:
            zero.append(row["pk"])
    if to_write:
        AccrualLine.objects.bulk_create(
            to_write,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=list(NATURAL_KEY),
            update_fields=[
                "source", "term", "plan", "agreement", "category", "amount", "basis_amount", "rate", "units", "reason",
                "reason_code", "reason_params", "run", "updated_at",
            ],
        )  # fmt: skip
    if zero:
        AccrualLine.objects.filter(pk__in=zero).update(
            amount=ZERO,
            basis_amount=None,
            units=None,
            reason="",
            reason_code=notes.NO_LONGER_DUE,
            reason_params={},
            run=run,
            updated_at=now,
        )
    if delete:
        AccrualLine.objects.filter(pk__in=delete).delete()
    # display fees lowered under the automatic matches they had: released and matched again (matching.py)
    release_unbacked([account.pk] if account is not None else KeyAccount.objects.values("pk"), closed=closed)

    run.lines_written = len(to_write) + len(zero)
    run.finished_at = timezone.now()
    run.save(update_fields=["lines_written", "finished_at"])
    run.lines_deleted = len(delete)
    return run


def _unchanged(row: dict | None, line: _Line) -> bool:
    if row is None:
        return False
    fresh = {
        "source": line.source,
        "term_id": line.term_id,
        "plan_id": line.plan_id,
        "agreement_id": line.agreement_id,
        "category": line.category,
        "amount": to_money(line.amount),
        "basis_amount": _money_or_none(line.basis_amount),
        "rate": None if line.rate is None else to_money(line.rate),
        "units": line.units,
        "reason": "",  # a computed line's reason is the ledger's own: its code
        "reason_code": line.reason_code,
        "reason_params": line.reason_params,
    }
    stored = {name: row[name] for name in COMPARED}
    for name in ("amount", "basis_amount", "rate"):
        stored[name] = _money_or_none(stored[name])
    return fresh == stored


# --- adjustments --------------------------------------------------------------------------------------------


def check_adjustment_month(month: date) -> None:
    """An adjustment's month (its first day) lies within what the books take (contracts.services.check_book_date:
    from BOOKS_START to settings.KA.books_days_ahead days after today), as an invoice's or a deduction's date: a
    month typed a year ahead (2027-06) is refused naming the month (YYYY-MM, as typed: contracts.rules
    .check_book_month), not booked as spend no one has incurred."""
    from contracts.services import check_book_month  # lazy: contracts' services import tradespend's models

    check_book_month(month, field="month", label=_("Month"))


def accrued_total(*, account: KeyAccount, month: date, kind: str) -> Decimal:
    """Σ the ledger's lines of a chain × kind × month, adjustments included: what an adjustment may take back."""
    lines = AccrualLine.objects.filter(account=account, month=rules.month_start(month), kind=kind)
    return to_money(lines.aggregate(total=money_sum("amount", default=ZERO))["total"])


def check_adjustment_total(*, account: KeyAccount, month: date, kind: str, amount: Decimal) -> None:
    """A negative adjustment takes back spend the ledger holds: refused (``adjustment.beyond_accrued``) when it would
    leave the chain × kind × month total below 0, naming what is accrued there. A reversal of 999,999.00 against
    2,400.00 is a typo, and a negative total reads as made-up income on gross to net."""
    if amount >= 0:
        return
    accrued = accrued_total(account=account, month=month, kind=kind)
    if accrued + amount < 0:
        raise DomainError(
            "adjustment.beyond_accrued",
            _(
                "Only %(accrued)s accrued for %(kind)s at %(account)s in %(month)s: an adjustment of %(amount)s "
                "would take the ledger below 0."
            ),
            field="amount",
            accrued=accrued,
            kind=SpendKind(kind).label,
            account=account.code,
            month=f"{month:%Y-%m}",
            amount=amount,
        )


def adjustment_term(*, account: KeyAccount, number: str, kind: str, month: date | None = None) -> ContractTerm:
    """The contract term an adjustment corrects, from the contract NUMBER the clerk sees (HT-DEMO-2026-WMT): the
    chain's contract of that number (``adjustment.contract_not_found`` otherwise, naming it), and its term of the
    adjustment's kind of spend (``adjustment.contract_no_term`` when it has none), the one valid in ``month`` first."""
    number = (number or "").strip()
    contract = Contract.objects.filter(account=account, number__iexact=number).first()
    if contract is None:
        raise DomainError(
            "adjustment.contract_not_found",
            _("No contract %(number)s at this chain."),
            field="contract",
            number=number,
        )
    terms = [term for term in contract.terms.order_by("valid_from", "pk") if rules.TERM_SPEND_KIND[term.kind] == kind]
    if not terms:
        raise DomainError(
            "adjustment.contract_no_term",
            _("Contract %(number)s has no term for %(kind)s."),
            field="contract",
            number=contract.number,
            kind=SpendKind(kind).label if kind in SpendKind.values else kind,
        )
    if month is not None:
        month = rules.month_start(month)
        valid = [t for t in terms if rules.month_start(t.valid_from) <= month <= rules.month_start(t.valid_to)]
        terms = valid or terms
    return terms[0]


@transaction.atomic
def accrual_adjust(
    *,
    account: KeyAccount,
    month: date,
    kind: str,
    amount: Decimal,
    reason: str | None,
    by,
    term: ContractTerm | None = None,
    plan: PromotionPlan | None = None,
    contract: str = "",
) -> AccrualLine:
    """An ADJUSTMENT line: finance's correction of the ledger, with a reason, in an open month (a closed month
    never changes: the correction of one lands in an open month). Non-zero; negative takes spend back. Its
    category follows the term or plan it corrects, else the kind. The term it corrects is given as a term or by
    its contract's ``contract`` number, as the clerk sees it (adjustment_term: the page's box, the API's
    ``contract``); both given, the term must be of that contract (``adjustment.term_not_contract``)."""
    account = KeyAccount.objects.select_for_update().get(pk=account.pk)
    reason = rules.adjustment_reason(reason)
    amount = rules.adjustment_amount(amount)
    if kind not in SpendKind.values:
        raise DomainError("adjustment.kind_unknown", _("“%(kind)s” is not a kind of spend."), field="kind", kind=kind)
    number = (contract or "").strip()
    if number:
        named = adjustment_term(account=account, number=number, kind=kind, month=month)
        if term is not None and term.contract_id != named.contract_id:
            raise DomainError(
                "adjustment.term_not_contract",
                _("Contract term %(term)s is of contract %(term_contract)s, not of %(number)s."),
                field="contract",
                term=term.pk,
                term_contract=term.contract.number,
                number=number,
            )
        term = term or named
    if term is not None and plan is not None:
        raise DomainError(
            "adjustment.two_sources", _("An adjustment corrects a contract term or a plan, not both."), field="plan"
        )
    if term is not None and term.contract.account_id != account.pk:
        raise DomainError(
            "adjustment.source_other_account",
            _("Contract %(contract)s belongs to another key account."),
            field="term",
            contract=term.contract.number,
        )
    if plan is not None and plan.account_id != account.pk:
        raise DomainError(
            "adjustment.source_other_account",
            _("Plan “%(plan)s” belongs to another key account."),
            field="plan",
            plan=plan.title,
        )
    month = rules.month_start(month)
    check_adjustment_month(month)
    rules.check_month_open(month, frozenset(ClosedMonth.objects.values_list("month", flat=True)), field="month")
    check_adjustment_total(account=account, month=month, kind=kind, amount=amount)  # the account row is locked
    if term is not None:
        category = rules.spend_category(source="term", kind=rules.TERM_SPEND_KIND[term.kind])
    elif plan is not None:
        category = rules.spend_category(source="plan", kind=kind)
    else:
        category = rules.spend_category(source="adjustment", kind=kind)
    return AccrualLine.objects.create(
        account=account,
        month=month,
        source=Source.ADJUSTMENT,
        source_key=f"adjustment:{uuid.uuid4()}",
        term=term,
        plan=plan,
        kind=kind,
        category=category,
        stage=Stage.ADJUSTMENT,
        amount=amount,
        reason=reason,
        created_by=by,
    )
