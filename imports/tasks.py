"""Celery task of the imports: run a queued import job (the work is imports.services.import_job_run)."""

from celery import shared_task


@shared_task(name="imports.tasks.import_job_run")
def import_job_run(job_id: int) -> str | None:
    from .services import import_job_run as run

    job = run(job_id=job_id)
    return job.status if job else None
