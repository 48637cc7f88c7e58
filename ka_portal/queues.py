"""Celery queues: which work goes where, so that workers on several machines can each take a queue.

- ``nightly``: the scheduled computation (every entry of CELERY_BEAT_SCHEDULE) and the suggested-order chunks.
  The machines sized for the night (`celery -A ka_portal worker -Q nightly`).
- ``imports``: Excel import jobs; a big delivery file takes minutes and must not hold up the night or a user.
- ``interactive``: on-demand work a user is waiting for (a run started by hand; its chunks are sent here by
  `visits.tasks.suggested_orders_run(queue=INTERACTIVE)`), and Celery's default queue for a task sent without a
  route.

Every task of the project is named in ROUTES (tests/ka_portal/test_celery_queues.py fails for one that is not).
Settings turn this into CELERY_TASK_QUEUES / CELERY_TASK_ROUTES; without a broker tasks run in-process and the
queues play no part. Plain names only: settings import this module before Django is set up.
"""

NIGHTLY = "nightly"
IMPORTS = "imports"
INTERACTIVE = "interactive"
QUEUES = (NIGHTLY, IMPORTS, INTERACTIVE)

# Celery task name → queue. A message sent with an explicit queue (apply_async(queue=…)) goes there instead.
ROUTES = {
    # beat's entries (ka_portal/settings.py CELERY_BEAT_SCHEDULE)
    "ka_portal.tasks.health_check": NIGHTLY,  # 01:55: proves a nightly worker answers before the night's work
    "ka_portal.tasks.idempotency_keys_purge": NIGHTLY,
    "ka_portal.tasks.api_tokens_purge": NIGHTLY,
    "promotions.tasks.promotions_advance_by_date": NIGHTLY,
    "contracts.tasks.receivables_nightly": NIGHTLY,
    "visits.tasks.suggested_orders_nightly": NIGHTLY,
    "evidence.tasks.agreements_nightly": NIGHTLY,
    "tradespend.tasks.accruals_nightly": NIGHTLY,
    # the nightly job's chunks (a run started by hand sends its chunks to INTERACTIVE explicitly)
    "visits.tasks.suggested_orders_chunk": NIGHTLY,
    # imports/
    "imports.tasks.import_job_run": IMPORTS,
}
