"""Demo trade spend (issue 12): the ledger computed for the demo company, deductions the chains took against
their agreed fees (matched), one taken twice (a suspected duplicate), fees nobody agreed (unsupported: one
disputed, one accepted above the approval threshold and awaiting its KA manager), and every deduction matched.
Written through the services. Runs once: a second call changes nothing.

The promoters' roster is in by then (demo/promoters.py), so their pay is booked in the months it was earned.
Finance then closes every month that is over (``seed_month_close``, through tradespend.closing as the months page
does), with that pay in it; one shift of the last closed month is keyed in only after the close
(demo.promoters.seed_late_shift) and reaches the ledger at the next computation (``seed_ledger_catch_up``, as the
nightly job would), as a true-up of its day's fee in the first open month."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts import services as contract_services
from contracts.models import Invoice
from tradespend.accruals import accruals_compute
from tradespend.closing import month_close, months_waiting
from tradespend.disputes import dispute_open, dispute_write_off
from tradespend.matching import deductions_match
from tradespend.models import AccrualLine, AccrualRun, ClosedFigure, ClosedMonth
from tradespend.rules import month_start


def _open_invoice(account: KeyAccount, amount: Decimal) -> Invoice | None:
    """The account's latest invoice with room for ``amount``."""
    return Invoice.objects.filter(account=account, open_amount__gte=amount).order_by("-date", "-pk").first()


def _deduct(account, amount, *, kind, reason, reference, month: date, on: date, by):
    invoice = _open_invoice(account, amount)
    if invoice is None:
        return None
    return contract_services.deduction_record(
        invoice=invoice, date=max(on, invoice.date), kind=kind, amount=amount, reason=reason, reference=reference,
        period_start=month, period_end=month, by=by,
    )  # fmt: skip


def _finance():
    return get_user_model().objects.filter(profile__role=Role.FINANCE).order_by("pk").first()


@transaction.atomic
def seed_trade_spend(*, today: date) -> int:
    """Seed the trade-spend desk; return how many records were made (0 the second time)."""
    if AccrualRun.objects.exists() or not KeyAccount.objects.exists():
        return 0
    finance = _finance()
    run = accruals_compute(as_of=today, by=finance)
    made = run.lines_written
    deductions = []
    # the back-margin chains take their end-cap fee from the payments, month by month (matched exactly)
    end_caps = AccrualLine.objects.filter(
        kind="end_cap", source="term", month__lte=today, month__gte=today.replace(day=1) - timedelta(days=62)
    )
    for line in end_caps.filter(amount__gt=0).select_related("account").order_by("account__code", "month"):
        deductions.append(
            _deduct(
                line.account,
                line.amount,
                kind="tg",
                reason="端架费",
                reference=f"TG{line.month:%Y%m}",
                month=line.month,
                on=today - timedelta(days=6),
                by=finance,
            )  # fmt: skip
        )
    accounts = list(KeyAccount.objects.order_by("code"))
    first, second = accounts[0], accounts[min(1, len(accounts) - 1)]
    month = today.replace(day=1)
    twin = next((d for d in deductions if d is not None), None)
    if twin is not None:  # the same end-cap fee taken a second time: a suspected duplicate
        deductions.append(
            _deduct(
                twin.account,
                twin.amount,
                kind="tg",
                reason="端架费",
                reference=f"{twin.reference}-2",
                month=twin.period_start,
                on=today - timedelta(days=2),
                by=finance,
            )  # fmt: skip
        )
    # fees nobody agreed: a promotion charge (disputed) and a display fee above the approval threshold, accepted by
    # finance and waiting for the chain's KA manager
    promotion = _deduct(first, Decimal("2000.00"), kind="promotion", reason="促销服务费（无协议）",
                        reference="CX-DEMO-1", month=month, on=today - timedelta(days=4), by=finance)  # fmt: skip
    threshold = settings.KA.deduction_write_off_approval_above
    display = _deduct(second, threshold + Decimal("1800.00"), kind="display", reason="陈列费（无协议）",
                      reference="CL-DEMO-1", month=month, on=today - timedelta(days=3), by=finance)  # fmt: skip
    deductions += [promotion, display]
    made += sum(1 for deduction in deductions if deduction is not None)
    deductions_match()
    if finance is not None and promotion is not None:
        dispute_open(deduction=promotion, reason="无促销协议，要求退回", owner=finance, by=finance)
        made += 1
    if finance is not None and display is not None:
        dispute = dispute_open(deduction=display, reason="陈列协议未签", owner=finance, by=finance)
        dispute_write_off(dispute=dispute, note="卖场坚持扣款，金额超过审批线，请KA经理批准", by=finance)
        made += 1
    return made


@transaction.atomic
def seed_month_close(*, today: date) -> int:
    """Finance closes, oldest first, every month before ``today``'s that holds a record, through the service the
    months page calls; return how many records that made (0 when any month is closed already: runs once)."""
    finance = _finance()
    if finance is None or ClosedMonth.objects.exists():
        return 0
    for month in months_waiting(month_start(today)):
        month_close(month=month, by=finance, today=today)
    return ClosedMonth.objects.count() + ClosedFigure.objects.count()


@transaction.atomic
def seed_ledger_catch_up(*, today: date) -> int:
    """The ledger computed again once the rest of the demo is in, as the nightly job would
    (tradespend.tasks.accruals_nightly): what the closed months now owe lands as true-ups in the first open month.
    Return the lines written."""
    run = accruals_compute(as_of=today, by=_finance())
    deductions_match()
    return run.lines_written
