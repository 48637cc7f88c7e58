"""Celery tasks of the visits app: the nightly suggested-order job, split into chunks that workers share."""

from datetime import date

from celery import group, shared_task
from django.db import transaction
from django.utils import timezone

from .models import ReplenishmentRun
from .replenishment_incremental import carry_tallies, log_counts_after, plan, settings_fingerprint
from .replenishment_job import Chunk, chunks_for, run_chunk, run_start


# acks_late + reject_on_worker_lost: a chunk whose worker died goes back to the queue; rerunning it is safe.
@shared_task(name="visits.tasks.suggested_orders_chunk", acks_late=True, reject_on_worker_lost=True)
def suggested_orders_chunk(run_id: int, first: int, last: int, account_id: int | None = None) -> dict:
    """One store range of a run, in one transaction (see replenishment_job.run_chunk)."""
    pairs, flagged = run_chunk(run_id=run_id, chunk=Chunk(first, last, account_id))
    return {"run": run_id, "first": first, "last": last, "pairs": pairs, "flagged": flagged}


def suggested_orders_run(
    *,
    on: date,
    account_id: int | None = None,
    store_id: int | None = None,
    scope: str = "",
    queue: str | None = None,
    full: bool = False,
) -> ReplenishmentRun:
    """Start a run for `on`: record it, then hand each chunk to a worker (a Celery group, queued on commit).

    A whole-company run is incremental when the last one succeeded with the same settings (unless `full`);
    a run of one account or store is always full (visits/replenishment_incremental.py).
    Without a broker (tests, the embedded default) Celery runs the chunks in-process, one after another.
    """
    whole_company = account_id is None and store_id is None
    if not whole_company and not scope:
        scope = f"store {store_id}" if store_id is not None else f"account {account_id}"
    chunks = chunks_for(account_id=account_id, store_id=store_id)
    mode, base_date = plan(on=on, whole_company=whole_company, full=full)
    with transaction.atomic():
        run = run_start(
            on=on,
            chunks=chunks,
            scope=scope,
            mode=mode,
            base_date=base_date,
            settings_fingerprint=settings_fingerprint(),
        )
        if mode == ReplenishmentRun.Mode.INCREMENTAL:
            log_counts_after(base=base_date, on=on)
            claimed_chunks = carry_tallies(run=run)
            if claimed_chunks is not None:  # only the stores with claimed pairs; the rest is the base run's
                chunks = claimed_chunks
                if not chunks:
                    ReplenishmentRun.objects.filter(pk=run.pk).update(
                        status=ReplenishmentRun.Status.SUCCEEDED, finished_at=timezone.now()
                    )
    if chunks:
        jobs = group(suggested_orders_chunk.s(run.pk, c.first, c.last, c.account_id) for c in chunks)
        transaction.on_commit(lambda: jobs.apply_async(queue=queue))
    return run


@shared_task(name="visits.tasks.suggested_orders_nightly")
def suggested_orders_nightly(on: str | None = None, queue: str | None = None, full: bool = False) -> int:
    """Celery beat at 02:00 Asia/Shanghai: every store's suggested order for the day. Returns the run's id.

    Incremental when it may be (the last whole-company run succeeded with the same settings), else full.

    The chunks go to `queue` (default: their route, the nightly queue of ka_portal/queues.py) for whichever workers
    listening on it are free.
    """
    day = date.fromisoformat(on) if on else timezone.localdate()
    return suggested_orders_run(on=day, queue=queue, full=full).pk
