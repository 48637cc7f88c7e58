"""A display agreement's fee in the ledger (issues 12 × 13): the lines that hold it and how much of them the chain's
deductions have covered, so a payable fee still to settle is told from one the chain has taken.

    with_settlement(agreements) -> QuerySet
        Annotates each agreement with ``ledger_amount`` (Σ of the lines that hold its fee), ``deducted`` (Σ of the
        deductions matched to them) and ``settled`` (it has a fee, the ledger holds it, and deductions cover it).
        Two scalar subqueries, whatever the number of agreements: a list filters and pages on them.

    fee_lines(agreement) -> QuerySet
        Those lines, each with ``deducted`` and ``remaining`` (matching.lines_with_matches), for its page; for an
        agreement whose fee is 0.00, only those a deduction is still matched to.

The lines of a fee: an agreement entered by hand, its own (source DISPLAY, accruals.py); one generated from a
contract term, the term's line of the month its period starts (a term's display or TG fee falls due in its period's
first month, the agreement's payable month: one line per agreement); one generated from a plan's end cap, the plan's
TG fee line — shared by the plan's end-cap agreements (its fee split across the plan's stores), which settle
together, as a chain deducts a plan's TG fee in one sum. A plan's floor stack has no fee of its own: no line.
A fee is settled by deductions (the chain takes it from what it remits); derived when read, never stored.
"""

from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from evidence.models import DisplayAgreement, DisplayKind
from ka_portal.money import MONEY_TOTAL, ZERO, Money

from .matching import lines_with_matches
from .models import AccrualLine, DeductionMatch, SpendKind

Source = AccrualLine.Source


def _holding(agreement, term, month, plan, prefix: str = "") -> Q:
    """The lines holding an agreement's fee, one rule for a query over agreements (the values OuterRef()s to the
    outer query's columns and its ``fee_month`` and ``plan_end_cap`` annotations, with_settlement) and for one
    agreement (its values; a branch whose reference it lacks, None, is left out: ``term=None`` would read IS NULL).
    ``prefix`` reads the lines through a relation ("line__")."""

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    branches = [
        q(source=Source.DISPLAY, agreement=agreement),
        q(source=Source.TERM, term=term, month=month, stage=AccrualLine.Stage.ACCRUED) if term is not None else None,
        q(source=Source.PLAN, plan=plan, kind=SpendKind.END_CAP) if plan is not None else None,
    ]
    holding = Q()
    for branch in filter(None, branches):
        holding |= branch
    return holding


def _outer_holding(prefix: str = "") -> Q:
    return _holding(OuterRef("pk"), OuterRef("term"), OuterRef("fee_month"), OuterRef("plan_end_cap"), prefix)


def _total(rows: QuerySet, field: str) -> Money:
    """Σ ``field`` of ``rows`` as a scalar subquery (no GROUP BY: one row), 0 for none, in cents."""
    total = rows.order_by().annotate(total=Func(F(field), function="SUM", output_field=MONEY_TOTAL)).values("total")
    return Money(Coalesce(Subquery(total[:1], output_field=MONEY_TOTAL), Value(ZERO), output_field=MONEY_TOTAL))


def with_settlement(agreements: QuerySet) -> QuerySet:
    """See the module's docstring."""
    if "settled" in agreements.query.annotations:
        return agreements
    agreements = agreements.annotate(
        fee_month=TruncMonth("start_on"),
        plan_end_cap=Case(When(kind=DisplayKind.END_CAP, then=F("plan")), default=None),
    )
    return agreements.annotate(
        ledger_amount=_total(AccrualLine.objects.filter(_outer_holding()), "amount"),
        deducted=_total(DeductionMatch.objects.filter(_outer_holding("line__")), "amount"),
    ).annotate(
        settled=Case(
            When(Q(fee__gt=0, ledger_amount__gt=0, deducted__gte=F("ledger_amount")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def fee_lines(agreement: DisplayAgreement) -> QuerySet:
    """The ledger lines holding an agreement's fee, with what deductions covered of each (see the module). An
    agreement without a fee (0.00) has nothing to settle: only its lines a deduction is matched to are listed — a
    match finance kept by hand on its line after the fee went to 0.00 (over-deducted, theirs to correct) — never a
    line nobody matched."""
    plan = agreement.plan_id if agreement.kind == DisplayKind.END_CAP else None
    holding = _holding(agreement.pk, agreement.term_id, agreement.start_on.replace(day=1), plan)
    lines = AccrualLine.objects.filter(holding)
    if agreement.fee <= 0:
        lines = lines.filter(Exists(DeductionMatch.objects.filter(line=OuterRef("pk"))))
    return lines_with_matches(lines).order_by("month", "pk")
