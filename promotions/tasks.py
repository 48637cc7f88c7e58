"""Celery tasks for promotions: they call a service and nothing else."""

from celery import shared_task

from . import services


@shared_task(name="promotions.tasks.promotions_advance_by_date")
def promotions_advance_by_date() -> dict:
    """Daily (beat): start, end and evaluate plans by their dates."""
    return services.promotions_advance_by_date()
