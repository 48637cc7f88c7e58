"""Celery tasks for contracts and receivables: take a date, call a service, nothing else."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="contracts.tasks.receivables_nightly")
def receivables_nightly(run_on: str | None = None) -> dict:
    """The nightly receivables run (overdue, worse buckets, expiry reminders) for ``run_on`` (default today)."""
    today = date.fromisoformat(run_on) if run_on else timezone.localdate()
    run = services.receivables_nightly_run(today=today)
    return {
        "run_on": run.run_on.isoformat(),
        "overdue": run.overdue_count,
        "moved": run.moved_count,
        "reminders": run.reminder_count,
    }
