"""An import job: one uploaded file of one kind, its progress, and its outcome — the rows it wrote or the
problems that kept it from writing anything (stored here, so any process can show them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import texts


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        # A check (check_only) that found no problem: nothing written; created, updated and unchanged say what
        # importing the file would do, and its upload is kept for that (import_job_confirm).
        CHECKED = "checked", _("Checked")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    FINISHED = frozenset({Status.DONE, Status.CHECKED, Status.REFUSED, Status.FAILED})

    kind = models.CharField(_("kind"), max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    # The upload, private (MEDIA is never served as such): kept until the job has run, for a worker to read.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The messages a worker writes are in the language of the user who uploaded the file.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    # Only check the file: run the whole import, report what it would do, write nothing (rolled back).
    check_only = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    # The first updated rows' changes, field by field, as written then ({"row", "changes": [{"column", "old",
    # "new"}]}: runner.ImportResult.changes), and what the rows do that is worth saying ({"row", "message"}).
    changes = models.JSONField(_("changes"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # A refusal (or failure): its code, message and numbers as the API answers them; the rows' problems
    # are ImportProblem rows (the first KA.import_max_errors), problems_total counts them all.
    code = models.CharField(_("code"), max_length=60, blank=True)
    detail = models.TextField(_("detail"), blank=True)  # as written then, in the uploader's language
    # What makes ``detail`` in any language (imports/texts.py), read by ``shown_detail``; empty before it was kept.
    detail_text = models.JSONField(_("detail (any language)"), null=True, blank=True)
    params = models.JSONField(_("params"), default=dict, blank=True)
    problems_total = models.PositiveIntegerField(_("problems"), default=0)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["user", "-queued_at"], name="importjob_user_queued")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_checked__lte=models.F("rows_read"))
                & models.Q(rows_written__lte=models.F("rows_checked")),
                name="importjob_progress_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def shown_detail(self) -> str:
        """Why the job was refused or failed, in the reader's language where it was kept so, else as written."""
        return texts.render(self.detail_text) if self.detail_text else self.detail

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def headers_only(self) -> bool:
        """Refused on the header row: no data row was read."""
        return self.code == "import.invalid_rows" and self.params.get("rows") is None

    @property
    def header_row(self) -> int:
        """The row the headers were found in (1 unless a title stood above them; 1 for jobs before this was kept)."""
        return self.params.get("header_row") or 1

    @property
    def can_import(self) -> bool:
        """A check that found no problem, its upload still kept: the file can be imported as it was checked."""
        return self.status == self.Status.CHECKED and bool(self.file)

    @property
    def truncated(self) -> bool:
        return self.problems_total > self.params.get("shown", self.problems_total)


class ImportProblem(models.Model):
    """One problem of a refused file, by row and column (as Excel numbers the rows: the header row's number where
    the problem is in the headers)."""

    job = models.ForeignKey(ImportJob, verbose_name=_("import job"), on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    position = models.IntegerField(_("column position"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    # For a machine: import.bad_date, import.store_not_found, or the refusing rule's own (imports.kinds.PROBLEM_CODES);
    # empty for the problems stored before it was kept.
    code = models.CharField(_("code"), max_length=60, blank=True)
    message = models.TextField(_("problem"))  # as written when found, in the uploader's language
    # What makes the message in any language: its msgid and parameters (imports/texts.py), read by ``text``; empty
    # for a message that had none and for the problems stored before it was kept.
    message_text = models.JSONField(_("problem (any language)"), null=True, blank=True)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["job", "row", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"

    @property
    def text(self) -> str:
        """The problem in the reader's language where it was kept so, else as written."""
        return texts.render(self.message_text) if self.message_text and "msgid" in self.message_text else self.message

    @property
    def shown_column(self) -> str:
        """The column as the file heads it; one the file lacks, by the template's header in the reader's language."""
        header = (self.message_text or {}).get("column")
        return str(texts.Header(header["zh"], header["en"])) if header else self.column

    def as_dict(self) -> dict:
        """The problem as the page, the API and the Excel of problems show it: in the reader's language."""
        return {
            "row": self.row,
            "column": self.shown_column,
            "field": self.field,
            "code": self.code,
            "message": self.text,
        }
