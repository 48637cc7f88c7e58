"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")

app = Celery("ka_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """Around each task a worker runs, what Django does around each request: close a connection that is broken, past
    CONN_MAX_AGE or left with autocommit off, and health-check the others before their next use. Celery's fixup no
    longer closes them every time (CELERY_DB_REUSE_MAX). Not for a task run in-process (eager): it runs inside the
    caller's request or transaction."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
