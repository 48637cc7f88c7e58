"""Import jobs: start one (store the upload, queue the run after commit) and run one (in a worker, or in
process on the embedded default), recording progress and the outcome in the job's row."""

import json
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError

from . import texts
from .kinds import ImportKind
from .models import ImportJob, ImportProblem
from .registry import kind_named
from .runner import ImportRejected, Progress, check_size, run_import

logger = logging.getLogger(__name__)


def import_job_start(*, kind: ImportKind, upload, user, queue: str | None = None) -> ImportJob:
    """Keep the upload where a worker can read it and queue its run once this transaction commits.

    A file over KA.upload_max_bytes is refused here (FileTooLarge) and no job is made. `queue` sends the
    run to a named Celery queue (tests with a worker of their own); by default the default queue.
    """
    if not kind.allowed(user):
        raise PermissionDenied
    check_size(upload)
    job = ImportJob(
        kind=kind.name,
        user=user,
        file_name=str(getattr(upload, "name", "") or "")[:255],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    # A name of our own: the user's file name is shown, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    from .tasks import import_job_run

    transaction.on_commit(lambda: import_job_run.apply_async(args=[job.pk], queue=queue))
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job, all or nothing. Safe to deliver twice: only a queued job is taken (a job already
    running or finished is left alone). Progress is written as the runner reports it, outside the write's
    transaction, so a page polling the job sees it move."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)

    def progress(counts: Progress) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            rows_read=counts.read, rows_checked=counts.checked, rows_written=counts.written
        )

    with translation.override(job.language):
        try:
            kind = kind_named(job.kind)
            if kind is None:
                raise DomainError("import.unknown_kind", _("There is no import of this kind."))
            with job.file.open("rb") as source:
                result = run_import(kind=kind, source=source, user=job.user, progress=progress)
        except ImportRejected as rejected:
            _refuse(job, rejected)
            ImportProblem.objects.bulk_create(
                ImportProblem(
                    job=job,
                    row=error.row,
                    position=error.order,
                    column=error.column[:255],
                    field=error.field[:60],
                    message=error.message,
                    message_text=json.loads(error.text) if error.text else None,
                )
                for error in rejected.errors
            )
            job.problems_total = rejected.total
        except DomainError as error:
            _refuse(job, error)
        except Exception:
            # Whatever broke, the runner's transaction rolled back: nothing was written.
            logger.exception("import job %s failed", job_id)
            job.status = ImportJob.Status.FAILED
            job.code = "import.failed"
            failed = _("The import failed and nothing was imported. Try again later or tell an administrator.")
            job.detail, job.detail_text = str(failed), texts.kept(failed)
        else:
            job.status = ImportJob.Status.DONE
            job.created, job.updated = result.created, result.updated
            job.ignored_columns = list(result.ignored_columns)
    job.refresh_from_db(fields=["rows_read", "rows_checked", "rows_written"])
    job.finished_at = timezone.now()
    job.save()
    # The problems are in the database now; the upload has served its purpose.
    job.file.delete(save=True)
    return job


def _refuse(job: ImportJob, error: DomainError) -> None:
    job.status = ImportJob.Status.REFUSED
    job.code = error.code
    job.detail = error.detail
    job.detail_text = texts.kept(error.message, error.params)
    job.params = {
        name: value if isinstance(value, int | str | None) else str(value) for name, value in error.params.items()
    }
