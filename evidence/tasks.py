"""Celery tasks for visit evidence: take nothing (or ids), call a service, nothing else."""

from celery import shared_task

from .agreements import agreements_evaluate, agreements_generate, stores_moved


@shared_task(name="evidence.tasks.agreements_nightly")
def agreements_nightly() -> dict:
    """The nightly display agreements (02:20 Asia/Shanghai, before the trade-spend ledger and deduction matching
    read their status): generated from terms and plans, stores moved chain by any way followed, then every agreement
    evaluated as of today (the ledger and the matching follow at 02:30 for every chain: not chain by chain here).
    Agreements in months finance has closed are left as they were (``frozen``: their source would change them)."""
    summary = agreements_generate()
    stores_moved(None)
    changed = agreements_evaluate(ledger=False)
    return {
        "created": summary.created,
        "updated": summary.updated,
        "deleted": summary.deleted,
        "frozen": summary.frozen,
        "changed": changed,
    }
