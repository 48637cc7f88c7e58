"""The nightly receivables run: overdue marking, worse buckets, expiry reminders — visible and idempotent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts import services
from contracts.models import AgingMove, Contract, ContractReminder, Invoice, ReceivablesRun
from contracts.tasks import receivables_nightly
from tests.ka_portal.test_celery_worker import worker_queue  # noqa: F401, F811 - the fixture

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)


def test_marks_overdue_and_lists_invoices_that_fell_into_a_worse_bucket(account):
    # given an invoice due yesterday, one due 31 days ago, one not due, one paid long ago
    due_yesterday = services.invoice_create(
        account=account, number="A", date=TODAY - timedelta(days=61), amount=D("100"), due_on=TODAY - timedelta(days=1)
    )
    services.invoice_create(account=account, number="B", date=TODAY, amount=D("100"))
    paid = services.invoice_create(account=account, number="C", date=date(2026, 1, 1), amount=D("50"))
    services.payment_record(account=account, date=date(2026, 2, 1), amount=D("50"), allocations=[(paid, D("50"))])
    services.receivables_nightly_run(today=TODAY - timedelta(days=1))
    assert Invoice.objects.get(pk=due_yesterday.pk).last_run_bucket == "not_due"  # due yesterday: not past due then

    # when the nightly task runs today (as Celery beat would, in-process here)
    result = receivables_nightly.delay(TODAY.isoformat()).get()

    # then A is counted overdue and listed as moved from not due to 1–30; B and the paid C are not
    assert Invoice.objects.get(pk=due_yesterday.pk).last_run_bucket == "1_30"
    assert Invoice.objects.get(number="B").last_run_bucket == "not_due"
    run = ReceivablesRun.objects.get(run_on=TODAY)
    assert [(m.invoice.number, m.from_bucket, m.to_bucket) for m in run.moves.all()] == [("A", "not_due", "1_30")]
    assert result == {"run_on": "2026-11-23", "overdue": 1, "moved": 1, "reminders": 0}


def test_reminds_owners_of_contracts_expiring_within_the_window_once(account, manager):
    soon = ContractFactory(account=account, valid_from=date(2026, 1, 1), valid_to=TODAY + timedelta(days=30))
    later = ContractFactory(account=account, valid_from=date(2026, 1, 1), valid_to=TODAY + timedelta(days=31))
    ContractFactory(account=account, valid_from=date(2026, 1, 1), valid_to=TODAY + timedelta(days=5), status="draft")
    ended = ContractFactory(account=account, valid_from=date(2025, 1, 1), valid_to=TODAY - timedelta(days=1))

    services.receivables_nightly_run(today=TODAY)
    services.receivables_nightly_run(today=TODAY)  # a second delivery of the same task
    assert [(r.contract, r.recipient, r.created_on) for r in ContractReminder.objects.all()] == [(soon, manager, TODAY)]

    services.receivables_nightly_run(today=TODAY + timedelta(days=1))  # the next night the 31-day one comes in

    reminded = {(r.contract, r.created_on) for r in ContractReminder.objects.all()}
    assert reminded == {(soon, TODAY), (later, TODAY + timedelta(days=1))}
    assert Contract.objects.get(pk=ended.pk).status == Contract.Status.EXPIRED
    assert ReceivablesRun.objects.count() == 2


def test_running_twice_records_each_move_once(account):
    services.invoice_create(
        account=account, number="A", date=date(2026, 1, 1), amount=D("100"), due_on=TODAY - timedelta(days=91)
    )
    services.receivables_nightly_run(today=TODAY)
    services.receivables_nightly_run(today=TODAY)
    assert AgingMove.objects.count() == 1
    assert AgingMove.objects.get().to_bucket == "over_90"


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nightly_task_runs_in_a_real_worker(worker_queue, account):  # noqa: F811
    services.invoice_create(
        account=account, number="A", date=date(2026, 1, 1), amount=D("100"), due_on=TODAY - timedelta(days=45)
    )
    result = receivables_nightly.apply_async(args=[TODAY.isoformat()], queue=worker_queue).get(timeout=90)
    assert result["overdue"] == 1
    assert Invoice.objects.get(number="A").last_run_bucket == "31_60"
