"""The Excel import pages: choose a kind, download its template, upload a file to import it or only to check it;
then the job's page, which follows the run (rows read, checked, written) by polling the job's status and shows what
was imported (or, for a check, what importing would create, update and leave unchanged, with a button to import the
file so checked, and the first updated rows' changes with a download of every one) or the first problems (at most
KA.import_max_errors) and how many there are in all."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.lists import style_form_fields
from ka_portal.pages import show_refusal
from ka_portal.scope import import_jobs_for

from .kinds import BLANK_KEEPS, CHANGES_SHOWN, ImportKind
from .models import ImportJob
from .registry import kinds_for
from .runner import (
    FileTooLarge,
    UploadSizeLimit,
    changes_filename,
    changes_workbook,
    has_changes_download,
    limit_upload_size,
    problems_workbook,
    template_workbook,
)
from .services import import_job_confirm, import_job_start

# How many of the user's own jobs the import page lists, newest first.
RECENT_JOBS = 5


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{excel.XLSX_CONTENT_TYPE}"}),
    )
    # Set by the "Check only" button: run the import, report what it would do, write nothing.
    check_only = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kinds: list[ImportKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in kinds]
        style_form_fields(self)


def _kinds_for(user) -> dict[str, ImportKind]:
    """The kinds this user may import; none at all means the pages do not exist for them (404)."""
    kinds = {kind.name: kind for kind in kinds_for(user)}
    if not kinds:
        raise Http404
    return kinds


def _context(kinds: dict[str, ImportKind], chosen: ImportKind, form: ImportForm, **extra) -> dict:
    return {
        "kinds": list(kinds.values()),
        "chosen": chosen,
        "columns": chosen.describe(),
        "other_kinds": [kind for kind in kinds.values() if kind is not chosen],
        "blank_keeps": BLANK_KEEPS,  # an empty cell of a known record leaves its field as it is; a dash empties it
        "form": form,
        **extra,
    }


@csrf_exempt  # checked by _import_page, once the upload size limit is in place (CSRF reads the body)
@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    return _import_page(request, limit_upload_size(request))


@csrf_protect
def _import_page(request, upload_limit: UploadSizeLimit):
    kinds = _kinds_for(request.user)
    wanted = request.POST.get("kind") or request.GET.get("kind")
    if wanted and wanted not in kinds:
        raise Http404
    chosen = kinds[wanted] if wanted else next(iter(kinds.values()))
    form = ImportForm(
        request.POST or None, request.FILES or None, kinds=list(kinds.values()), initial={"kind": chosen.name}
    )
    if request.method == "POST" and upload_limit.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", FileTooLarge(upload_limit.limit).detail)
    elif request.method == "POST" and form.is_valid():
        try:
            job = import_job_start(
                kind=chosen,
                upload=form.cleaned_data["file"],
                user=request.user,
                check_only=form.cleaned_data["check_only"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            # The job's page follows the run; a reload there does not post the file again.
            return redirect("imports:job", pk=job.pk)
    recent = import_jobs_for(request.user).filter(user=request.user)[:RECENT_JOBS]
    return render(request, "imports/import.html", _context(kinds, chosen, form, recent_jobs=recent))


def _job_for(request, pk: int) -> ImportJob:
    """The user's job (an administrator's: anyone's); another user's job is not found."""
    return get_object_or_404(import_jobs_for(request.user), pk=pk)


def _outcome(job: ImportJob, kind: ImportKind) -> str:
    counts = {"kind": kind.label, "created": job.created, "updated": job.updated, "unchanged": job.unchanged}
    if job.status == ImportJob.Status.CHECKED:
        rows = job.rows_checked
        return ngettext(
            "%(kind)s: %(rows)s row checked, no problems. Importing this file would create %(created)s, update "
            "%(updated)s and leave %(unchanged)s unchanged. Nothing has been written yet.",
            "%(kind)s: %(rows)s rows checked, no problems. Importing this file would create %(created)s, update "
            "%(updated)s and leave %(unchanged)s unchanged. Nothing has been written yet.",
            rows,
        ) % {"rows": rows, **counts}
    if job.status != ImportJob.Status.DONE:
        return job.shown_detail
    rows = job.rows_written
    return ngettext(
        "%(kind)s: %(rows)s row imported — %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
        "%(kind)s: %(rows)s rows imported — %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
        rows,
    ) % {"rows": rows, **counts}


@login_required
@require_http_methods(["GET"])
def job_page(request, pk: int):
    kinds = _kinds_for(request.user)
    job = _job_for(request, pk)
    chosen = kinds.get(job.kind)
    if chosen is None:
        raise Http404
    form = ImportForm(kinds=list(kinds.values()), initial={"kind": chosen.name})
    context = _context(
        kinds,
        chosen,
        form,
        job=job,
        outcome=_outcome(job, chosen) if job.finished else "",
        errors=list(job.problems.all()) if job.status == ImportJob.Status.REFUSED else [],
        ignored=", ".join(job.ignored_columns),
        # the first updated rows' changes; a check's every one is its download (job_changes)
        changes=job.changes[:CHANGES_SHOWN],
        changes_download=has_changes_download(job),
        changes_kept=len(job.changes),  # the download's rows: every updated row's, up to kinds.CHANGES_KEPT
    )
    return render(request, "imports/import.html", context)


def job_status(job: ImportJob) -> dict:
    """What a page or client polling a job needs: its status and the rows read, checked and written."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.finished,
        "rows_read": job.rows_read,
        "rows_checked": job.rows_checked,
        "rows_written": job.rows_written,
    }


@login_required
@require_http_methods(["POST"])
def job_import(request, pk: int):
    """Import the file a check of the user's found good (the button on the checked job's page): a new job."""
    kinds = _kinds_for(request.user)
    job = get_object_or_404(import_jobs_for(request.user).filter(user=request.user), pk=pk)
    if job.kind not in kinds:
        raise Http404
    try:
        confirmed = import_job_confirm(job=job, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("imports:job", pk=job.pk)
    return redirect("imports:job", pk=confirmed.pk)


@login_required
@require_http_methods(["GET"])
def job_status_page(request, pk: int):
    """The job's progress as JSON, for the job page's progress bar (static/js/import-progress.js)."""
    return JsonResponse(job_status(_job_for(request, pk)), headers={"Cache-Control": "no-store"})


@login_required
@require_http_methods(["GET"])
def job_problems(request, pk: int):
    """The problems shown for a refused upload, as .xlsx."""
    job = _job_for(request, pk)
    if job.status != ImportJob.Status.REFUSED:
        raise Http404
    return excel.workbook_response(
        problems_workbook(problem.as_dict() for problem in job.problems.all()), "import-problems.xlsx"
    )


@login_required
@require_http_methods(["GET"])
def job_changes(request, pk: int):
    """What importing a checked file would change, every updated row (the page lists the first), as .xlsx."""
    job = _job_for(request, pk)
    if not has_changes_download(job):
        raise Http404
    return excel.workbook_response(changes_workbook(job.changes), changes_filename(job))


@login_required
@require_http_methods(["GET"])
def import_template(request, kind: str):
    chosen = _kinds_for(request.user).get(kind)
    if chosen is None:
        raise Http404
    return excel.workbook_response(template_workbook(chosen), f"import-{chosen.name}.xlsx")
