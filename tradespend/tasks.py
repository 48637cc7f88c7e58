"""Celery tasks for trade spend: take nothing (or a date), call a service, nothing else."""

from celery import shared_task
from django.utils import timezone

from .accruals import accruals_compute
from .matching import deductions_match


@shared_task(name="tradespend.tasks.accruals_nightly")
def accruals_nightly() -> dict:
    """The nightly ledger (02:30 Asia/Shanghai): every account's accruals as of today, then the automatic matching
    of deductions against the lines."""
    run = accruals_compute(as_of=timezone.localdate())
    deductions_match()
    return {"run_on": run.run_on.isoformat(), "lines_written": run.lines_written, "lines_deleted": run.lines_deleted}
