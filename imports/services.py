"""Import jobs: start one (store the upload, queue the run after commit) and run one (in a worker, or in
process on the embedded default), recording progress and the outcome in the job's row. A job may only check its
file (check_only): the whole import runs and is rolled back, the job says what it would create, update and leave
unchanged, and its upload is kept so that the same file can then be imported (import_job_confirm)."""

import json
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainConflict, DomainError

from . import texts
from .kinds import ImportKind
from .models import ImportJob, ImportProblem
from .registry import kind_named
from .runner import ImportRejected, Progress, check_size, run_import

logger = logging.getLogger(__name__)


def import_job_start(
    *, kind: ImportKind, upload, user, queue: str | None = None, check_only: bool = False
) -> ImportJob:
    """Keep the upload where a worker can read it and queue its run once this transaction commits.

    A file over KA.upload_max_bytes is refused here (FileTooLarge) and no job is made. `queue` sends the
    run to a named Celery queue (tests with a worker of their own); by default the default queue. `check_only`:
    the job checks the file and writes nothing (see the module's docstring).
    """
    if not kind.allowed(user):
        raise PermissionDenied
    check_size(upload)
    job = ImportJob(
        kind=kind.name,
        user=user,
        file_name=str(getattr(upload, "name", "") or "")[:255],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        check_only=check_only,
    )
    # A name of our own: the user's file name is shown, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    _forget_checked_files(user=user, kind=kind.name, keep=job.pk)
    _queue(job, queue)
    return job


def import_job_confirm(*, job: ImportJob, user, queue: str | None = None) -> ImportJob:
    """Import the file a check (a job of `user`'s with status checked) found good: a new job, queued, reads the same
    upload, checks it again (the data may have moved since) and writes it, all or nothing. A check is imported once:
    again, or once its upload was let go (another upload of the kind since), it is refused (import.check_used, 409).
    """
    kind = kind_named(job.kind)
    if kind is None or not kind.allowed(user) or job.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        checked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if checked.status != ImportJob.Status.CHECKED or not checked.file:
            raise DomainConflict(
                "import.check_used",
                _("This check's file has already been imported or is no longer kept; upload the file again."),
            )
        confirmed = ImportJob.objects.create(
            kind=checked.kind,
            user=user,
            file=checked.file.name,  # the same stored upload, now the new job's (it deletes it once run)
            file_name=checked.file_name,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        checked.file = ""
        checked.save(update_fields=["file"])
        _queue(confirmed, queue)
    return confirmed


def _queue(job: ImportJob, queue: str | None) -> None:
    from .tasks import import_job_run

    transaction.on_commit(lambda: import_job_run.apply_async(args=[job.pk], queue=queue))


def _forget_checked_files(*, user, kind: str, keep: int) -> None:
    """A user's checked uploads of a kind are let go when they upload another of it: one is kept to import at a
    time, so checks never imported do not pile up."""
    for checked in (
        ImportJob.objects.filter(user=user, kind=kind, status=ImportJob.Status.CHECKED)
        .exclude(pk=keep)
        .exclude(file="")
    ):
        checked.file.delete(save=True)


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
                result = run_import(
                    kind=kind, source=source, user=job.user, progress=progress, check_only=job.check_only
                )
        except ImportRejected as rejected:
            _refuse(job, rejected)
            ImportProblem.objects.bulk_create(
                ImportProblem(
                    job=job,
                    row=error.row,
                    position=error.order,
                    column=error.column[:255],
                    field=error.field[:60],
                    code=error.code[:60],
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
            job.status = ImportJob.Status.CHECKED if job.check_only else ImportJob.Status.DONE
            job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
            job.ignored_columns = list(result.ignored_columns)
            job.changes, job.warnings = list(result.changes), list(result.warnings)
    job.refresh_from_db(fields=["rows_read", "rows_checked", "rows_written"])
    job.finished_at = timezone.now()
    job.save()
    if job.status != ImportJob.Status.CHECKED:
        # The problems are in the database now; the upload has served its purpose (a good check's is kept, for
        # the file to be imported as checked).
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
