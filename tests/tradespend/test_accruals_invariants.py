"""The ledger's invariants under random sequences of what happens in a year — invoices and credit notes (also
dated in closed months), rate and fee changes, new listings, a plan evaluated, withdrawn or approved again,
months closed, time passing — with the ledger recomputed after every step:

- a closed month's lines never change, whatever is recorded later;
- for every source and kind, Σ of its lines over all months = what the source is due (worked out here
  independently of the ledger), the true-ups carrying what closed months lack."""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import ContractTerm
from ka_portal.money import CENT
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.factories import KeyAccountFactory
from tests.legs import examples
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .test_accruals import close, contract, credit_note, evaluate, invoice, listings, plan, targets, term

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("5000.00"), places=2)
back = st.integers(min_value=0, max_value=11)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), back, amounts),
        st.tuples(st.just("credit_note"), back, amounts),
        st.tuples(st.just("rate"), st.decimals(min_value=Decimal("0.50"), max_value=Decimal("9.00"), places=2)),
        st.tuples(st.just("fee"), st.decimals(min_value=Decimal("0.00"), max_value=Decimal("900.00"), places=2)),
        st.tuples(st.just("listing"), back, st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("evaluate"), amounts),
        st.tuples(st.just("withdraw")),
        st.tuples(st.just("approve")),
        st.tuples(st.just("advance")),
        st.tuples(st.just("close")),
    ),
    min_size=1,
    max_size=16,
)


def _month(index: int) -> date:
    return date(2026, index + 1, 1)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Year:
    """The facts as recorded, and what each source is due from them — the ledger's rules, worked out plainly."""

    def __init__(self, account):
        self.account, self.current, self.closed = account, 0, 0  # months 0..current are past; 0..closed-1 closed
        c = contract(account)
        self.rebate = term(c, "rebate", "percent", rate="2.00")
        self.tiered = term(c, "rebate_conditional", "percent", rate="1.00", tiers=[(50, 1), (100, 2)])
        self.fee = term(c, "display", "fixed", "month", amount="100")
        self.listing = term(c, "listing", "per_store_sku", "once", amount="30")
        targets(account, 2026, dict.fromkeys(range(1, 13), 1000))
        self.plan = plan(account, dm_fee="500", gift_cost="200", start_on=date(2026, 2, 3))
        self.sell_in: dict[int, Decimal] = defaultdict(Decimal)
        self.listed: dict[int, int] = defaultdict(int)

    def apply(self, operation) -> None:
        kind, *args = operation
        if kind in ("invoice", "credit_note", "listing"):
            month = _month(max(self.current - args[0], 0)).replace(day=9)
            if kind == "invoice":
                invoice(self.account, month, args[1])
                self.sell_in[month.month - 1] += args[1]
            elif kind == "credit_note":
                credit_note(self.account, month, args[1])
                self.sell_in[month.month - 1] -= args[1]
            else:
                listings(self.account, month, args[1])
                self.listed[month.month - 1] += args[1]
        elif kind == "rate":
            ContractTerm.objects.filter(pk=self.rebate.pk).update(rate=args[0])
        elif kind == "fee":
            ContractTerm.objects.filter(pk=self.fee.pk).update(amount=args[0])
        elif kind == "evaluate" and not PromotionEvaluation.objects.filter(plan=self.plan).exists():
            evaluate(self.plan, args[0])
        elif kind == "withdraw":
            PromotionPlan.objects.filter(pk=self.plan.pk).update(status=PromotionPlan.Status.REJECTED)
        elif kind == "approve":
            PromotionPlan.objects.filter(pk=self.plan.pk).update(status=PromotionPlan.Status.APPROVED)
        elif kind == "advance":
            self.current = min(self.current + 1, 11)
        elif kind == "close" and self.closed <= self.current:
            close(_month(self.closed))
            self.closed += 1

    def due(self) -> dict[tuple[str, str], Decimal]:
        due: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        months = range(self.current + 1)
        rate = ContractTerm.objects.get(pk=self.rebate.pk).rate
        ach = sum(self.sell_in[m] for m in months) / (1000 * len(months)) * 100
        tier = Decimal(2) if ach >= 100 else Decimal(1) if ach >= 50 else Decimal(0)
        for m in months:
            net = max(self.sell_in[m], Decimal(0))
            due[f"term:{self.rebate.pk}", "rebate"] += _money(net * rate / 100)
            due[f"term:{self.tiered.pk}", "rebate"] += _money(net * tier / 100)
            due[f"term:{self.listing.pk}", "listing"] += 30 * self.listed[m]
        due[f"term:{self.fee.pk}", "display"] = ContractTerm.objects.get(pk=self.fee.pk).amount * len(months)
        plan = PromotionPlan.objects.get(pk=self.plan.pk)
        if self.current >= 1 and plan.status == PromotionPlan.Status.APPROVED:
            evaluation = PromotionEvaluation.objects.filter(plan=plan).first()
            due[f"plan:{plan.pk}", "dm"] = Decimal(500)
            due[f"plan:{plan.pk}", "promotion"] = (
                Decimal(200) if evaluation is None else max(evaluation.total_cost - 500, Decimal(0))
            )
        return {key: _money(value) for key, value in due.items() if value}


def _ledger_sums(account) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for source_key, kind, amount in AccrualLine.objects.filter(account=account).values_list(
        "source_key", "kind", "amount"
    ):
        sums[source_key, kind] += amount
    return {key: value for key, value in sums.items() if value}


def _month_lines(account, month: date) -> set[tuple]:
    return set(
        AccrualLine.objects.filter(account=account, month=month).values_list(
            "pk", "source_key", "kind", "stage", "amount", "basis_amount", "rate", "units", "reason", "updated_at"
        )
    )


# `make test` draws 20 (10 on PostgreSQL; 40 with PROPERTY_EXAMPLES=full): the closed months and what each source is
# due are checked after every operation of an example, through the months it moves on (new ones each run).
@settings(
    max_examples=examples(40, quick=20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=operations)
def test_closed_months_never_change_and_every_source_gets_what_it_is_due(operations):
    with transaction.atomic():  # closed months are global: each example undoes its own
        account = KeyAccountFactory()
        year = Year(account)
        frozen: dict[date, set] = {}
        for operation in operations:
            before = year.closed
            year.apply(operation)
            if year.closed > before:  # just closed: what it holds now is what it holds for ever
                frozen[_month(before)] = _month_lines(account, _month(before))
            accruals_compute(as_of=_month(year.current).replace(day=20))
            for month, lines in frozen.items():
                assert _month_lines(account, month) == lines, f"closed {month:%Y-%m} changed"
            assert _ledger_sums(account) == year.due()
        transaction.set_rollback(True)
