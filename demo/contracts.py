"""Demo contracts and receivables: a contract ledger for every demo account, one invoice per account and month
gone by for exactly what the demo deliveries of that month are worth (so invoiced sell-in gives SPEC §8's table, and a
chain is invoiced for what it received), payments (some invoices overdue in each aging bucket), deductions, a few
credit notes outside January–May, one reversal and one write-off, all written through the services so the books
reconcile. Runs once: a second call changes nothing."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import TruncMonth

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts import services
from contracts.models import Contract, ContractTerm, Invoice, open_q
from ka_portal.money import money_sum
from stores.models import Delivery
from stores.selectors import delivery_value

# How far back each account has paid everything (days), in turn: spreads open amounts over all buckets.
PAID_THROUGH_DAYS = [60, 120, 150, 210, 90, 180, 270, 120, 60, 240, 150]
DEDUCTIONS = [
    ("dm", "DM快讯费"),
    ("tg", "堆头费"),
    ("barcode", "条码费"),
    ("listing", "新品进场费"),
    ("rebate", "年度返利"),
]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high)) * 100


@transaction.atomic
def seed_contracts(*, today: date, rng: random.Random) -> int:
    """Seed the finance desk for the demo accounts; return how many records were made (0 the second time)."""
    accounts = list(KeyAccount.objects.order_by("code"))
    if not accounts or Contract.objects.filter(number__startswith="HT-DEMO").exists():
        return 0
    finance = get_user_model().objects.filter(profile__role=Role.FINANCE).order_by("pk").first()
    made = 0
    for index, account in enumerate(accounts):
        made += _account_books(account, index, today=today, rng=rng, finance=finance)
    services.receivables_nightly_run(today=today - timedelta(days=1))
    services.receivables_nightly_run(today=today)
    return made


def _contracts(account, index, *, today, rng) -> list[Contract]:
    year = today.year
    terms = rng.choice([30, 45, 60, 60, 90])
    _money(rng, 50, 400)  # the listing fee once typed here: still drawn, so the rest of the demo stays as it was
    # A contract's rebate % and listing fee are its term lines' (an annual contract's: _terms), never typed on it
    # alone, which would accrue nothing: the chain's rebate is on its annual contract, so the store-entry and
    # promotion agreements carry none, and a store-entry agreement's listing fee is a term line of its own.
    rng.choice(["2.00", "3.00", "3.50", "5.00"])  # still drawn, so the rest of the demo stays as it was
    common = {"account": account}
    contracts = [
        services.contract_create(
            number=f"HT-DEMO-{year - 1}-{account.code}",
            kind=Contract.Kind.ANNUAL,
            signed_on=date(year - 1, 1, 8),
            valid_from=date(year - 1, 1, 1),
            valid_to=date(year - 1, 12, 31),
            total_amount=_money(rng, 3000, 15000),
            payment_terms_days=terms,
            status=Contract.Status.EXPIRED,
            execution_notes="上年度合同已执行完毕，返利已结清。",
            **common,
        ),
        services.contract_create(
            number=f"HT-DEMO-{year}-{account.code}",
            kind=Contract.Kind.ANNUAL,
            signed_on=date(year, 1, 10),
            valid_from=date(year, 1, 1),
            valid_to=date(year, 12, 31),
            total_amount=_money(rng, 3000, 15000),
            payment_terms_days=terms,
            status=Contract.Status.ACTIVE,
            execution_notes="按季度对账；DM 档期按促销计划执行。",
            **common,
        ),
    ]
    if index % 3 == 0:  # a store-entry agreement ending within the reminder window, its listing fee a term line
        ends = today + timedelta(days=7 + index)
        total, entry_fee = _money(rng, 100, 600), _money(rng, 20, 100)  # drawn in the order they always were
        contracts.append(
            services.contract_create(
                number=f"HT-DEMO-JC-{account.code}",
                kind=Contract.Kind.STORE_ENTRY,
                signed_on=ends - timedelta(days=365),
                valid_from=ends - timedelta(days=364),
                valid_to=ends,
                total_amount=total,
                payment_terms_days=terms,
                status=Contract.Status.ACTIVE,
                execution_notes="新品进场协议，到期前需续签。",
                **common,
            )
        )
        services.contract_term_create(
            contract=contracts[-1], kind=ContractTerm.Kind.LISTING, basis=ContractTerm.Basis.FIXED,
            period=ContractTerm.Period.ONCE, settlement=ContractTerm.Settlement.DEDUCTED, amount=entry_fee,
            note="新品进场费",
        )  # fmt: skip
    if index % 4 == 1:
        contracts.append(
            services.contract_create(
                number=f"HT-DEMO-CX-{account.code}",
                kind=Contract.Kind.PROMOTION,
                signed_on=today - timedelta(days=20),
                valid_from=today + timedelta(days=10),
                valid_to=today + timedelta(days=40),
                total_amount=_money(rng, 50, 300),
                payment_terms_days=terms,
                status=Contract.Status.DRAFT,
                **common,
            )
        )
    return contracts


def _terms(contract: Contract, account: KeyAccount, index: int, *, rng: random.Random) -> int:
    """An annual contract's term lines (费用条款), the source of its rebate % and listing fee: a rebate of 2–3 %
    on invoiced sell-in, a listing fee per store per SKU, a barcode fee for some; for back-margin chains (they
    earn on fees: Carrefour, Walmart…) DM and end-cap fees and a festival fee; for every third account a
    conditional rebate tiered on the annual target."""
    K, B, P, S = ContractTerm.Kind, ContractTerm.Basis, ContractTerm.Period, ContractTerm.Settlement
    # (kind, basis, period, settlement, rate or amount, note[, tiers])
    rebate, listing = Decimal(rng.choice(["2.00", "2.50", "3.00"])), Decimal(rng.choice([500, 800, 1000, 1500]))
    lines = [
        (K.REBATE, B.PERCENT, P.YEAR, S.CREDIT_NOTE, rebate, "按开票进货额，年底红字发票结算"),
        (K.LISTING, B.PER_STORE_SKU, P.ONCE, S.DEDUCTED, listing, "新品进场，每店每SKU"),
    ]
    if index % 3 == 1:
        lines.append((K.REBATE_CONDITIONAL, B.PERCENT, P.YEAR, S.CREDIT_NOTE, Decimal("1.00"),
                      "完成年度指标后返利，按达成率阶梯", "95:0.5;100:1;110:1.5"))  # fmt: skip
    if index % 2 == 0:
        lines.append((K.BARCODE, B.PER_STORE_SKU, P.ONCE, S.DEDUCTED, Decimal(rng.choice([100, 200, 300])), "条码费"))
    if account.margin_model == KeyAccount.MarginModel.BACK:
        lines += [
            (K.DM, B.FIXED, P.QUARTER, S.DEDUCTED, _money(rng, 30, 120), "每季一期DM快讯"),
            (K.END_CAP, B.FIXED, P.MONTH, S.DEDUCTED, _money(rng, 10, 50), "端架/堆头，每月"),
            (K.ANNIVERSARY, B.FIXED, P.ONCE, S.PAID, _money(rng, 20, 80), "店庆赞助"),
        ]
    for kind, basis, period, settlement, value, note, *tiers in lines:
        services.contract_term_create(
            contract=contract, kind=kind, basis=basis, period=period, settlement=settlement, note=note,
            rate=value if basis == B.PERCENT else None, amount=None if basis == B.PERCENT else value,
            tiers=tiers[0] if tiers else "",
        )  # fmt: skip
    return len(lines)


def _account_books(account, index, *, today, rng, finance) -> int:
    contracts = _contracts(account, index, today=today, rng=rng)
    made = len(contracts)
    for contract in contracts:
        if contract.kind == Contract.Kind.ANNUAL:
            made += _terms(contract, account, index, rng=rng)
    current = contracts[1]
    invoices = []
    for month, delivered in _delivered_by_month(account):
        if month >= today.replace(day=1):
            break  # this month's deliveries are invoiced at its end, not yet
        day = _month_end(month) - timedelta(days=rng.randint(0, 3))  # invoiced at the month's end
        contract = current if day.year == today.year else contracts[0]
        invoices.append(
            services.invoice_create(
                account=account,
                contract=contract,
                number=f"FP{day:%Y%m%d}-{account.code}",
                date=day,
                amount=delivered,
            )
        )
    made += len(invoices)
    paid_through = today - timedelta(days=PAID_THROUGH_DAYS[index % len(PAID_THROUGH_DAYS)])
    for n, invoice in enumerate(invoices):
        if invoice.date > paid_through:
            break
        if n % 3 == 1:
            kind, reason = DEDUCTIONS[(index + n) % len(DEDUCTIONS)]
            services.deduction_record(
                invoice=invoice,
                date=invoice.date + timedelta(days=20),
                kind=kind,
                amount=(invoice.amount * Decimal("0.03")).quantize(Decimal("1")),
                reason=reason,
                by=finance,
            )
            made += 1
        invoice.refresh_from_db()
        paid_on = min(invoice.due_on + timedelta(days=rng.randint(0, 12)), today)
        services.payment_record(
            account=account,
            date=paid_on,
            amount=invoice.open_amount,
            reference=f"HK{paid_on:%Y%m%d}-{invoice.number}",  # one a payment: a reused one is refused
            allocations=[(invoice, invoice.open_amount)],
            by=finance,
        )
        made += 1
    open_invoices = Invoice.objects.filter(open_q(), account=account).order_by("date")
    oldest = open_invoices.first()
    if oldest is not None and index % 2 == 0:  # a part payment, oldest first
        part = (oldest.open_amount / 2).quantize(Decimal("100"))
        services.payment_record(
            account=account,
            date=today - timedelta(days=3),
            amount=part,
            reference=f"HK-PART-{account.code}",
            by=finance,
        )
        made += 1
    if index == 0 and finance is not None:
        bounced = services.payment_record(
            account=account, date=today - timedelta(days=10), amount=Decimal("8000.00"), reference="HK-退票", by=finance
        )
        services.payment_reverse(payment=bounced, by=finance, reason="银行退票")
        made += 1
    if index == 1:  # cash on account, not yet matched to an invoice
        services.payment_record(
            account=account,
            date=today - timedelta(days=2),
            amount=Decimal("5000.00"),
            reference="HK-待核销",
            auto_allocate=False,
            by=finance,
        )
        made += 1
    made += _credit_notes(account, index, invoices, today=today, by=finance)
    if index == 2 and finance is not None and oldest is not None:
        services.invoice_write_off(
            invoice=oldest, reason="门店闭店，余款无法收回", by=finance, on=today - timedelta(days=5)
        )
    return made


def _delivered_by_month(account: KeyAccount) -> list[tuple[date, Decimal]]:
    """What the account's stores received each month (first day of the month, value), oldest first."""
    rows = (
        Delivery.objects.filter(store__account=account)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(value=money_sum(delivery_value()))
        .order_by("month")
        .values_list("month", "value")
    )
    return [(month, value) for month, value in rows if value and value > 0]


def _month_end(first: date) -> date:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# Credit notes fall outside January–May (SPEC §8's months stay as invoiced) and stay small (2 %): the invoices
# net of them still match the deliveries of their months within a few per cent.
CREDIT_SHARE = Decimal("0.02")


def _credit_notes(account, index, invoices, *, today, by) -> int:
    """One credit note per account: for returns on its latest open invoice (every other account, where one is
    open after May), else for a price difference on no invoice."""
    later = [i for i in invoices if i.date.month > 5 and i.date.year == today.year]
    invoice = Invoice.objects.filter(open_q(), pk__in=[i.pk for i in later]).order_by("-date").first()
    if index % 2 == 0 and invoice is not None:
        services.credit_note_record(
            account=account,
            number=f"HZ{invoice.date:%Y%m}-{account.code}",
            date=invoice.date,
            amount=min((invoice.amount * CREDIT_SHARE).quantize(Decimal("1")), invoice.open_amount),
            reason="退货冲红",
            invoice=invoice,
            by=by,
        )
        return 1
    if later:
        invoice = later[0]
        services.credit_note_record(
            account=account,
            number=f"HZ{invoice.date:%Y%m}-{account.code}",
            date=invoice.date,
            amount=(invoice.amount * CREDIT_SHARE).quantize(Decimal("1")),
            reason="价差补偿",
            by=by,
        )
        return 1
    return 0
