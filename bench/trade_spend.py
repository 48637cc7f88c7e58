"""Benchmark of trade spend on PostgreSQL (issue 12; a benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka .venv/bin/python -u bench/trade_spend.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka .venv/bin/python -u bench/trade_spend.py --scale 0.05

Creates a fresh database `<name>_bench` next to DATABASE_URL's (dropped at the end unless --keep) and fills a
year of a synthetic company: 11 chains, 10,000 stores, 500,000 invoices (and credit notes on 2 % of them), 5,000
promotion plans of every status that accrues (approved, running, ended, evaluated), 200 contracts with their terms
(a monthly rebate and a conditional one with tiers per chain; DM, end-cap, anniversary and barcode fees on every
contract). ``--scale`` shrinks everything but the chains and the remittance.

Then it measures, each against a naive per-row loop timed in the same run (on a random slice, for
``--naive-budget`` seconds, inside a transaction that is rolled back; its rate extrapolated to the whole work),
and prints each target and whether it holds:

- the nightly accrual (the whole ledger for the year)                ≤ 60 s
- automatic matching of every deduction                             ≤ 30 s
- gross to net for every chain for the year                         ≤ 1 s
- a remittance of 1,000 invoices and 300 deductions                 ≤ 5 s

The 50,000 deductions are made from the ledger the accrual wrote (so matching has real work): per ten lines,
four deducted exactly, three split into three deductions each, one deducted 30 % over (partly matched), one
deducted 1.5 × over three months (spread across lines), one not deducted; then fees nobody agreed (display,
listing, other: unsupported) and copies of exact ones (suspected duplicates) up to the count.
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import bench_database, drop_database  # noqa: E402  (bench/, beside this script)

YEAR = 2026
AS_OF = date(YEAR + 1, 1, 15)  # the year is over: conditional rebates at their actual tier
REMITTED_ON = date(YEAR + 1, 1, 10)
CHAINS = 11
TARGETS = {"accrual": 60.0, "matching": 30.0, "gross_to_net": 1.0, "remittance": 5.0}
FULL = {"stores": 10_000, "invoices": 500_000, "deductions": 50_000, "plans": 5_000, "contracts": 200}


class _Rollback(Exception):
    """Raised to undo a naive loop's writes: the services are then measured on the same data."""


def _months() -> list[date]:
    return [date(YEAR, month, 1) for month in range(1, 13)]


def _company(*, stores: int, invoices: int, plans: int, contracts: int, open_invoices: int) -> dict:
    """The few rows through the ORM's bulk_create, the many (invoices, credit notes) by INSERT … SELECT. The
    first chain's last ``open_invoices`` invoices are open (the remittance settles them); all others are paid."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import KeyAccount, SalesTarget
    from contracts.models import Contract, ContractTerm
    from promotions.models import PromotionEvaluation, PromotionPlan, PromotionType
    from stores.models import Store

    rng = random.Random(12)
    user = get_user_model().objects.create(username="bench_finance", is_superuser=True)
    accounts = KeyAccount.objects.bulk_create(
        KeyAccount(code=f"KA{i:02d}", name=f"连锁{i}", tier=KeyAccount.Tier.NKA) for i in range(CHAINS)
    )
    Store.objects.bulk_create(
        (Store(account=accounts[s % CHAINS], code=f"S{s:06d}", name=f"门店{s}", rep=user) for s in range(stores)),
        batch_size=5000,
    )
    # a chain buys ~ invoices/11 × 10,500 CNY a year: targets around that, some chains above, some below
    yearly = Decimal(invoices // CHAINS * 10_500)
    SalesTarget.objects.bulk_create(
        SalesTarget(account=a, year=YEAR, month=m, amount=(yearly / 12 * Decimal(rng.choice(["0.85", "0.95", "1.05"]))))
        for a in accounts
        for m in range(1, 13)
    )
    per_chain = max(1, contracts // CHAINS)
    made = Contract.objects.bulk_create(
        Contract(
            number=f"C{YEAR}-{c:04d}",
            account=accounts[c % CHAINS],
            kind=Contract.Kind.ANNUAL,
            valid_from=date(YEAR, 1, 1),
            valid_to=date(YEAR, 12, 31),
            total_amount=(yearly / per_chain).quantize(Decimal("0.01")),
            status=Contract.Status.ACTIVE if c % 10 else Contract.Status.EXPIRED,
        )
        for c in range(contracts)
    )

    def term(contract, kind, basis, period, **values):
        whole_year = {"valid_from": date(YEAR, 1, 1), "valid_to": date(YEAR, 12, 31)}
        return ContractTerm(
            contract=contract, kind=kind, basis=basis, period=period, settlement="deducted", **whole_year, **values
        )

    tiers = [{"achievement": "90.00", "rate": "1.00"}, {"achievement": "100.00", "rate": "2.00"}]
    terms = []
    for c, contract in enumerate(made):
        if c < CHAINS:  # one rebate pair per chain (its first contract), fees on every contract
            terms += [
                term(contract, "rebate", "percent", "month", rate=Decimal("1.50")),
                term(contract, "rebate_conditional", "percent", "year", rate=Decimal("0.00"), tiers=tiers),
            ]
        terms += [
            term(contract, "dm", "fixed", "month", amount=Decimal(800 + 10 * c)),
            term(contract, "end_cap", "fixed", "quarter", amount=Decimal(1500 + 7 * c)),
            term(contract, "anniversary", "fixed", "year", amount=Decimal(5000 + 13 * c)),
            term(contract, "barcode", "fixed", "once", amount=Decimal(300 + c)),
        ]
    ContractTerm.objects.bulk_create(terms)
    kind = PromotionType.objects.filter(code="BENCH_DM").first() or PromotionType.objects.create(
        code="BENCH_DM", kind=PromotionType.Kind.DM, name="DM", typical_price_ratio=Decimal("0.80")
    )
    statuses = [
        PromotionPlan.Status.APPROVED,
        PromotionPlan.Status.RUNNING,
        PromotionPlan.Status.ENDED,
        PromotionPlan.Status.EVALUATED,
    ]
    made_plans = PromotionPlan.objects.bulk_create(
        (
            PromotionPlan(
                account=accounts[p % CHAINS],
                type=kind,
                title=f"促销{p}",
                start_on=date(YEAR, 1 + p % 12, 1 + p % 20),
                end_on=date(YEAR, 1 + p % 12, 8 + p % 20),
                dm_fee=Decimal(2000 + p),  # amounts differ within a chain and month: no false twins
                tg_fee=Decimal(1500 + p % 1009),
                promoter_fee=Decimal(1000 + p % 997),
                gift_cost=Decimal(500),
                price_support=Decimal(3000),
                supply_funding=Decimal(p % 991),
                total_cost=Decimal(8000 + p + p % 1009 + p % 997 + p % 991),
                owner=user,
                status=statuses[p % len(statuses)],
            )
            for p in range(plans)
        ),
        batch_size=2000,
    )
    PromotionEvaluation.objects.bulk_create(
        (
            PromotionEvaluation(
                plan=plan,
                days=7,
                sales_units=1000,
                sales_amount=Decimal(60000),
                baseline_units=800,
                baseline_amount=Decimal(48000),
                total_cost=plan.total_cost + Decimal(plan.pk % 5 * 150 - 300),  # actuals differ from the plan
            )
            for plan in made_plans
            if plan.status == PromotionPlan.Status.EVALUATED
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        # invoices: spread over the chains and the days of the year, 1,000–20,000 CNY; paid, but the first chain's
        # last `open_invoices` (the remittance's)
        cursor.execute(
            """
            INSERT INTO contracts_invoice (number, account_id, contract_id, date, due_on, amount, open_amount, status,
                written_off_amount, written_off_on, write_off_reason, written_off_by_id, last_run_bucket, created_at)
            SELECT 'INV' || lpad(g::text, 7, '0'), a.id, NULL, d, d + 60, amt,
                   CASE WHEN still_open THEN amt ELSE 0 END, CASE WHEN still_open THEN 'open' ELSE 'paid' END,
                   0, NULL, '', NULL, 'not_due', now()
            FROM generate_series(1::bigint, %(n)s) g
            CROSS JOIN LATERAL (SELECT (%(first)s::date + (g * 7919 %% 365)::int) AS d,
                                       round((1000 + (g * 104729 %% 19000))::numeric, 2) AS amt,
                                       g %% %(chains)s = 0 AND g > %(n)s - %(chains)s * %(open)s AS still_open) x
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts_keyaccount) a
              ON a.n = g %% %(chains)s
            """,
            {"n": invoices, "first": date(YEAR, 1, 1), "chains": CHAINS, "open": open_invoices},
        )
        # credit notes (returns) on 2 % of the paid invoices: 5 % of the invoice, a week later
        cursor.execute(
            """
            INSERT INTO contracts_creditnote (number, account_id, invoice_id, date, amount, reason, recorded_by_id,
                created_at)
            SELECT 'CN' || i.id, i.account_id, i.id, LEAST(i.date + 7, %s::date), round(i.amount * 0.05, 2), '退货',
                   NULL, now()
            FROM contracts_invoice i WHERE i.id %% 50 = 0 AND i.status = 'paid'
            """,
            [date(YEAR, 12, 31)],
        )
        cursor.execute("ANALYZE")
    return {"accounts": accounts, "user": user}


def _deductions_from_ledger(count: int) -> dict[str, int]:
    """``count`` deductions mirroring the ledger (see the module's docstring), by INSERT … SELECT; answers how
    many of each sort were made. Each sits on the first invoice of its chain (the invoices are paid: it only
    names one)."""
    from django.db import connection

    kind = "CASE l.kind WHEN 'end_cap' THEN 'tg' ELSE l.kind END"
    columns = """account_id, invoice_id, date, kind, amount, reason, reference, period_start, period_end, state,
                 matched_amount, recovered_amount, recovered_on, duplicate_of_id, recorded_by_id, created_at,
                 reason_code, reason_params"""
    made = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_lines AS
            SELECT l.*, row_number() OVER (ORDER BY l.id) AS n,
                   (SELECT min(id) FROM contracts_invoice i WHERE i.account_id = l.account_id) AS invoice_id
            FROM tradespend_accrualline l WHERE l.amount > 0
            """
        )
        statements = {
            # four in ten lines deducted exactly, three split in three (50, 30 and the 20 % left)
            "exact or split": f"""
                SELECT l.account_id, l.invoice_id, l.month + 20, {kind},
                       CASE WHEN l.n %% 10 < 4 THEN l.amount
                            WHEN part = 1 THEN round(l.amount * 0.5, 2)
                            WHEN part = 2 THEN round(l.amount * 0.3, 2)
                            ELSE l.amount - round(l.amount * 0.5, 2) - round(l.amount * 0.3, 2) END,
                       'bench', 'L' || l.id || '-' || part, l.month, l.month
                FROM bench_lines l CROSS JOIN generate_series(1, 3) part
                WHERE (l.n %% 10 < 4 AND part = 1) OR (l.n %% 10 BETWEEN 4 AND 6)
                ORDER BY l.id, part""",
            # one in ten 30 % over (partly matched), one 1.5 × over three months (spread across lines)
            "over or across months": f"""
                SELECT l.account_id, l.invoice_id, l.month + 25, {kind},
                       round(l.amount * CASE WHEN l.n %% 10 = 7 THEN 1.3 ELSE 1.5 END, 2),
                       'bench', 'O' || l.id, l.month,
                       CASE WHEN l.n %% 10 = 7 THEN l.month ELSE LEAST(l.month + interval '2 months',
                                                                       %(december)s::date)::date END
                FROM bench_lines l WHERE l.n %% 10 IN (7, 8) ORDER BY l.id""",
        }
        for name, select in statements.items():
            cursor.execute(
                f"""INSERT INTO contracts_deduction ({columns})
                    SELECT account_id, invoice_id, d, k, amt, r, ref, ps, pe, 'unsupported', 0, 0, NULL, NULL, NULL,
                           now(), '', '{{}}'
                    FROM ({select}) s(account_id, invoice_id, d, k, amt, r, ref, ps, pe)
                    LIMIT %(limit)s""",
                {"limit": max(0, count - sum(made.values())), "december": date(YEAR, 12, 1)},
            )
            made[name] = cursor.rowcount
        left = max(0, count - sum(made.values()))
        # fees nobody agreed (no such line): unsupported, three in five of what is left
        cursor.execute(
            f"""INSERT INTO contracts_deduction ({columns})
                SELECT a.id, (SELECT min(id) FROM contracts_invoice i WHERE i.account_id = a.id),
                       %(first)s::date + (g * 37 %% 365)::int, (ARRAY['display', 'listing', 'other'])[1 + g %% 3],
                       round((200 + (g * 31 %% 5000))::numeric, 2), 'bench', 'U' || g,
                       date_trunc('month', %(first)s::date + (g * 37 %% 365)::int)::date,
                       date_trunc('month', %(first)s::date + (g * 37 %% 365)::int)::date,
                       'unsupported', 0, 0, NULL, NULL, NULL, now(), '', '{{}}'
                FROM generate_series(1::bigint, %(n)s) g
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts_keyaccount) a
                  ON a.n = g %% {CHAINS}""",
            {"n": left * 3 // 5, "first": date(YEAR, 1, 1)},
        )
        made["unsupported"] = cursor.rowcount
        # the rest: exact deductions taken a second time (suspected duplicates)
        cursor.execute(
            f"""INSERT INTO contracts_deduction ({columns})
                SELECT account_id, invoice_id, date + 3, kind, amount, reason, 'D' || id, period_start, period_end,
                       'unsupported', 0, 0, NULL, NULL, NULL, now(), reason_code, reason_params
                FROM contracts_deduction WHERE reference LIKE 'L%%-1' ORDER BY id LIMIT %s""",
            [max(0, count - sum(made.values()))],
        )
        made["duplicates"] = cursor.rowcount
        cursor.execute("DROP TABLE bench_lines")
        cursor.execute("ANALYZE contracts_deduction")
    return made


# --- the naive loops: one row at a time through the ORM ------------------------------------------------------


def _run_for(budget_s: float, work: list, step) -> tuple[int, float]:
    """Run ``step`` on the items of ``work`` until the budget is spent, inside a transaction rolled back at the
    end; answers (items done, seconds)."""
    from django.db import transaction

    done, started = 0, time.perf_counter()
    try:
        with transaction.atomic():
            for item in work:
                step(item)
                done += 1
                if time.perf_counter() - started > budget_s:
                    break
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return done, seconds


def _naive_accrual(budget_s: float) -> tuple[int, int, float]:
    """Per term and month: a query for the month's sell-in (and for a conditional rebate the year's and the
    targets), a lookup of the line and a save(); per plan: a lookup and a save() per kind. Answers (items in
    the whole work, items done, seconds)."""
    from django.db.models import Sum

    from accounts.models import SalesTarget
    from contracts.models import ContractTerm, CreditNote, Invoice
    from promotions.models import PromotionPlan
    from tradespend import rules
    from tradespend.accruals import ACCRUING_CONTRACT_STATUSES, ACCRUING_PLAN_STATUSES
    from tradespend.models import AccrualLine

    current = rules.month_start(AS_OF)

    def sell_in(account_id, first, end):
        gross = Invoice.objects.filter(account_id=account_id, date__gte=first, date__lt=end).aggregate(t=Sum("amount"))
        notes = CreditNote.objects.filter(account_id=account_id, date__gte=first, date__lt=end).aggregate(
            t=Sum("amount")
        )
        return (gross["t"] or 0) - (notes["t"] or 0)

    def save(key: dict, **values):
        line = AccrualLine.objects.filter(**key).first() or AccrualLine(**key)
        for name, value in values.items():
            setattr(line, name, value)
        line.category = rules.spend_category(source=line.source, kind=line.kind)
        line.save()

    def term_month(item):
        _what, term, month = item
        account_id = term.contract.account_id
        key = {"account_id": account_id, "month": month, "source_key": f"term:{term.pk}",
               "kind": rules.TERM_SPEND_KIND[term.kind], "stage": AccrualLine.Stage.ACCRUED}  # fmt: skip
        if term.basis == ContractTerm.Basis.FIXED:
            save(key, source="term", term=term, amount=term.amount)
            return
        basis = sell_in(account_id, month, rules.add_months(month, 1))
        rate = term.rate
        if term.kind == ContractTerm.Kind.REBATE_CONDITIONAL:
            year_sell_in = sell_in(account_id, date(month.year, 1, 1), date(month.year + 1, 1, 1))
            target = SalesTarget.objects.filter(account_id=account_id, year=month.year).aggregate(t=Sum("amount"))
            rate, _threshold = rules.tier_rate(term.tiers, rules.achievement_percent(year_sell_in, target["t"] or 0))
        amount = rules.percent_of(basis, rate)
        if amount:
            save(key, source="term", term=term, amount=amount, basis_amount=basis, rate=rate)

    def plan(item):
        _what, plan, _month = item
        evaluation = getattr(plan, "evaluation", None)
        spend = rules.plan_spend(
            dm_fee=plan.dm_fee, tg_fee=plan.tg_fee, promoter_fee=plan.promoter_fee, gift_cost=plan.gift_cost,
            price_support=plan.price_support, supply_funding=plan.supply_funding,
            evaluated_total=evaluation.total_cost if evaluation else None,
        )  # fmt: skip
        stage = AccrualLine.Stage.FORECAST if evaluation is None else AccrualLine.Stage.ACTUAL
        for kind, amount in spend.items():
            key = {"account_id": plan.account_id, "month": rules.month_start(plan.start_on),
                   "source_key": f"plan:{plan.pk}", "kind": kind, "stage": stage}  # fmt: skip
            save(key, source="plan", plan=plan, amount=amount)

    work = []
    for term in ContractTerm.objects.filter(contract__status__in=ACCRUING_CONTRACT_STATUSES).select_related("contract"):
        if term.basis == ContractTerm.Basis.FIXED:
            months = rules.fixed_fee_months(
                period=term.period, valid_from=term.valid_from, valid_to=term.valid_to, last_month=current
            )
        else:
            months = rules.validity_months(term.valid_from, term.valid_to, current)
        work += [("term", term, month) for month in months]
    work += [
        ("plan", p, None)
        for p in PromotionPlan.objects.filter(status__in=ACCRUING_PLAN_STATUSES).select_related("evaluation")
    ]
    random.Random(5).shuffle(work)
    done, seconds = _run_for(budget_s, work, lambda item: (term_month if item[0] == "term" else plan)(item))
    return len(work), done, seconds


def _naive_matching(budget_s: float) -> tuple[int, int, float]:
    """Per deduction: a query for an earlier twin, one for the candidate lines and one per line for what is
    matched against it, a save() per match and of the deduction."""
    from django.conf import settings
    from django.db.models import Sum

    from contracts.models import Deduction
    from tradespend import rules
    from tradespend.models import AccrualLine, DeductionMatch

    tolerance = settings.KA.deduction_match_tolerance
    State = Deduction.State

    def match(deduction_id):
        deduction = Deduction.objects.get(pk=deduction_id)
        twin = (
            Deduction.objects.filter(account_id=deduction.account_id, kind=deduction.kind,
                                     period_start=deduction.period_start, period_end=deduction.period_end,
                                     amount=deduction.amount, pk__lt=deduction.pk)
            .exclude(state=State.DUPLICATE).order_by("pk").first()
        )  # fmt: skip
        if twin is not None:
            deduction.state, deduction.duplicate_of = State.DUPLICATE, twin
            deduction.save()
            return
        kind = rules.DEDUCTION_SPEND_KIND.get(deduction.kind, deduction.kind)
        lines = AccrualLine.objects.filter(
            account_id=deduction.account_id,
            kind=kind,
            month__gte=deduction.period_start,
            month__lte=deduction.period_end,
        ).order_by("month", "pk")
        candidates = [
            (line.pk, line.amount - (DeductionMatch.objects.filter(line=line).aggregate(t=Sum("amount"))["t"] or 0))
            for line in lines
        ]
        matched = Decimal(0)
        for line_id, take in rules.fill_lines(
            deduction.amount, candidates, amount=deduction.amount, tolerance=tolerance
        ):
            DeductionMatch(deduction=deduction, line_id=line_id, amount=take).save()
            matched += take
        deduction.state, deduction.matched_amount = rules.deduction_state(
            amount=deduction.amount, recovered=deduction.recovered_amount, matched_sum=matched, tolerance=tolerance,
            duplicate=False,
        )  # fmt: skip
        deduction.save()

    ids = list(Deduction.objects.exclude(state__in=[State.MATCHED, State.DUPLICATE]).values_list("pk", flat=True))
    sample = sorted(random.Random(7).sample(ids, min(len(ids), 5000)))
    done, seconds = _run_for(budget_s, sample, match)
    return len(ids), done, seconds


def _naive_gross_to_net(budget_s: float, accounts) -> tuple[int, int, float]:
    """Per chain and month: separate aggregate queries for invoices, credit notes, each spend category and the
    unsupported deductions."""
    from django.db.models import F, Sum

    from contracts.models import CreditNote, Deduction, Invoice
    from tradespend import rules
    from tradespend.models import AccrualLine, SpendCategory

    def cell(item):
        account, month = item
        end = rules.add_months(month, 1)
        figures = {
            "gross": Invoice.objects.filter(account=account, date__gte=month, date__lt=end).aggregate(t=Sum("amount")),
            "notes": CreditNote.objects.filter(account=account, date__gte=month, date__lt=end).aggregate(
                t=Sum("amount")
            ),
            "unsupported": Deduction.objects.filter(account=account, date__gte=month, date__lt=end).aggregate(
                t=Sum(F("amount") - F("matched_amount") - F("recovered_amount"))
            ),
        }
        for category in SpendCategory.values:
            figures[category] = AccrualLine.objects.filter(account=account, month=month, category=category).aggregate(
                t=Sum("amount")
            )
        return figures

    work = [(account, month) for account in accounts for month in _months()]
    done, seconds = _run_for(budget_s, work, cell)
    return len(work), done, seconds


def _remittance_lines(account, invoice_count: int, deduction_count: int):
    """The remittance advice: the account's open invoices settled in full, and deductions of its small spend
    lines (plan fees), those nothing is matched to first, amounts as accrued; cash = Σ lines − Σ deductions."""
    from django.db.models import Exists, OuterRef

    from contracts.models import Invoice
    from tradespend.models import AccrualLine, DeductionMatch
    from tradespend.remittances import DeductionLine, InvoiceLine

    invoices = list(Invoice.objects.filter(account=account, open_amount__gt=0).order_by("date", "pk")[:invoice_count])
    spend = list(
        AccrualLine.objects.filter(account=account, amount__gt=0, amount__lte=5000)
        .annotate(deducted=Exists(DeductionMatch.objects.filter(line=OuterRef("pk"))))
        .order_by("deducted", "month", "pk")
        .values_list("kind", "month", "amount")[:deduction_count]
    )
    kind_of = {"end_cap": "tg"}
    lines = [InvoiceLine(invoice=i.number, amount=i.open_amount, row=n + 2) for n, i in enumerate(invoices)]
    deductions = [
        DeductionLine(kind=kind_of.get(kind, kind), amount=amount, period_start=month, period_end=month,
                      reference=f"R{n}", reason="bench", row=n + 2)
        for n, (kind, month, amount) in enumerate(spend)
    ]  # fmt: skip
    cash = sum((line.amount for line in lines), Decimal(0)) - sum((d.amount for d in deductions), Decimal(0))
    return invoices, lines, deductions, cash


def _naive_remittance(budget_s: float, account, invoices, lines, deductions) -> tuple[int, int, float]:
    """One call per line: payment_record with the line's allocation (its amount less the deductions put on its
    invoice), deduction_record per deduction (each matched as it is recorded), interleaved."""
    from contracts.services import deduction_record, payment_record

    by_amount = sorted(range(len(invoices)), key=lambda n: -invoices[n].open_amount)
    on_invoice = {n: [] for n in range(len(invoices))}
    for n, deduction in enumerate(deductions):
        on_invoice[by_amount[n % len(by_amount)]].append(deduction)
    work = []
    for n, invoice in enumerate(invoices):
        part = lines[n].amount - sum((d.amount for d in on_invoice[n]), Decimal(0))
        work.append(("payment", invoice, part, None))
        work += [("deduction", invoice, None, deduction) for deduction in on_invoice[n]]

    def step(item):
        what, invoice, part, deduction = item
        if what == "payment":
            if part > 0:
                payment_record(account=account, date=REMITTED_ON, amount=part, reference=f"NAIVE-{invoice.number}",
                               allocations=[(invoice, part)])  # fmt: skip
        else:
            deduction_record(invoice=invoice, date=REMITTED_ON, kind=deduction.kind, amount=deduction.amount,
                             reason=deduction.reason, reference=deduction.reference,
                             period_start=deduction.period_start, period_end=deduction.period_end)  # fmt: skip

    done, seconds = _run_for(budget_s, work, step)
    return len(work), done, seconds


# --- the run -------------------------------------------------------------------------------------------------


def _timed(function, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(**kwargs)
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def _compare(name: str, seconds: float, naive: tuple[int, int, float], unit: str, results: list) -> None:
    total, done, naive_seconds = naive
    rate = done / naive_seconds
    naive_total = total / rate
    print(
        f"  naive loop: {done:,} of {total:,} {unit} in {naive_seconds:.1f} s = {rate:,.1f} {unit}/s "
        f"→ all {total:,} ≈ {naive_total:,.0f} s; the service is {naive_total / seconds:,.0f}× faster"
    )
    results.append((name, seconds, naive_total))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full company (chains stay 11)")
    parser.add_argument("--remit-invoices", type=int, default=1000)
    parser.add_argument("--remit-deductions", type=int, default=300)
    parser.add_argument("--naive-budget", type=float, default=20.0, help="seconds each naive loop may take")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    size = {name: max(CHAINS, round(count * args.scale)) for name, count in FULL.items()}

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    url = bench_database(base)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"  # no query log: the naive loops as in production (counts use CaptureQueriesContext)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum

    from accounts.models import KeyAccount
    from contracts.models import Deduction
    from tradespend.accruals import accruals_compute
    from tradespend.matching import deductions_match
    from tradespend.models import AccrualLine, DeductionMatch
    from tradespend.remittances import remittance_record
    from tradespend.reports import gross_to_net

    results: list[tuple[str, float, float]] = []
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        company = _company(
            stores=size["stores"],
            invoices=size["invoices"],
            plans=size["plans"],
            contracts=size["contracts"],
            open_invoices=args.remit_invoices,
        )
        print(
            f"company: {CHAINS} chains, {size['stores']:,} stores, {size['invoices']:,} invoices, "
            f"{size['plans']:,} plans, {size['contracts']:,} contracts in {time.perf_counter() - started:.1f} s"
        )

        # 1. the nightly accrual
        naive = _naive_accrual(args.naive_budget)
        run, seconds, queries = _timed(accruals_compute, as_of=AS_OF)
        stages = dict(AccrualLine.objects.values_list("stage").annotate(n=Count("pk")).order_by())
        print(f"accrual: {run.lines_written:,} lines {stages} in {seconds:.2f} s, {queries} queries")
        _compare("accrual", seconds, naive, "term-months and plans", results)
        _again, again_s, _q = _timed(accruals_compute, as_of=AS_OF)
        print(f"  again on the same data: {_again.lines_written} lines written in {again_s:.2f} s")

        # 2. matching every deduction
        started = time.perf_counter()
        made = _deductions_from_ledger(size["deductions"])
        print(f"deductions: {sum(made.values()):,} {made} in {time.perf_counter() - started:.1f} s")
        naive = _naive_matching(args.naive_budget)
        summary, seconds, queries = _timed(deductions_match)
        print(
            f"matching: {summary.deductions:,} deductions, {summary.matches_created:,} matches in {seconds:.2f} s, "
            f"{queries} queries; states {summary.counts}"
        )
        _compare("matching", seconds, naive, "deductions", results)

        # 3. gross to net, every chain, the year
        accounts = list(KeyAccount.objects.order_by("code"))
        naive = _naive_gross_to_net(args.naive_budget, accounts)
        runs = [
            _timed(gross_to_net, accounts=KeyAccount.objects.all(), month_from=date(YEAR, 1, 1),
                   month_to=date(YEAR, 12, 1))
            for _ in range(3)
        ]  # fmt: skip
        report = runs[0][0]
        seconds = sorted(run[1] for run in runs)[1]
        print(
            f"gross to net: {len(report.rows)} chains × 12 months in {seconds:.3f} s (median of "
            f"{', '.join(f'{run[1]:.3f}' for run in runs)}), {runs[0][2]} queries; gross {report.total.gross:,.2f}, "
            f"spend {report.total.spend:,.2f} (unsupported {report.total.unsupported:,.2f}), "
            f"net {report.total.net:,.2f}"
        )
        _compare("gross_to_net", seconds, naive, "chain-months", results)

        # 4. a remittance of 1,000 invoices and 300 deductions
        account = KeyAccount.objects.get(code="KA00")
        invoices, lines, deductions, cash = _remittance_lines(account, args.remit_invoices, args.remit_deductions)
        naive = _naive_remittance(args.naive_budget, account, invoices, lines, deductions)
        outcome, seconds, queries = _timed(
            remittance_record, account=account, date=REMITTED_ON, reference="BENCH-1", cash=cash, invoices=lines,
            deductions=deductions, by=company["user"],
        )  # fmt: skip
        withheld = Deduction.objects.filter(remittances=outcome.remittance)
        states = dict(withheld.values_list("state").annotate(n=Count("pk")).order_by())
        matched = DeductionMatch.objects.filter(deduction__in=withheld).aggregate(t=Sum("amount"))["t"]
        print(
            f"remittance: {len(lines)} invoices, {len(deductions)} deductions, cash {cash:,.2f} in {seconds:.2f} s, "
            f"{queries} queries; deductions {states}, matched {matched:,.2f}"
        )
        _compare("remittance", seconds, naive, "calls", results)

        print("\ntargets:")
        for name, seconds, naive_total in results:
            holds = "holds" if seconds <= TARGETS[name] else "FAILS"
            print(
                f"  {name:<13} {seconds:8.2f} s  (≤ {TARGETS[name]:g} s: {holds}); "
                f"naive ≈ {naive_total:,.0f} s, {naive_total / seconds:,.0f}×"
            )
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
