"""API of the Excel imports. POST a file to /api/v1/imports/<kind>/: the upload is kept and a job queued
(202, with the job's status URL); GET /api/v1/imports/jobs/<id>/ follows it (rows read, checked, written)
and answers its outcome — what was written, or the problems that kept anything from being written.
With `check_only` the job only checks the file (status checked: what it would create, update and leave unchanged,
nothing written; GET /api/v1/imports/jobs/<id>/changes/ the changes of every row it would update, as .xlsx);
POST /api/v1/imports/jobs/<id>/import/ then imports that file. GET
/api/v1/imports/<kind>/template/ is the empty template. Same services as the page."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, renderers, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import excel
from ka_portal.api_cache import CachedListMixin
from ka_portal.errors import DomainError
from ka_portal.idempotency import idempotent
from ka_portal.scope import import_jobs_for

from .kinds import CHANGES_SHOWN, PROBLEM_CODES, ImportKind
from .models import ImportJob
from .registry import KINDS
from .runner import changes_filename, changes_workbook, has_changes_download, limit_upload_size, template_workbook
from .services import import_job_confirm, import_job_start

_ERROR = inline_serializer("ImportError", {"code": serializers.CharField(), "detail": serializers.CharField()})
_KIND_DOC = "Reps, supervisors and finance may not import (403)."
_KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS), description="What the file holds.")


def _kind_for(request, name: str) -> ImportKind:
    kind = KINDS.get(name)
    if kind is None:
        raise Http404
    if not kind.allowed(request.user):
        raise PermissionDenied
    return kind


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the template with Accept: the xlsx media type (the body is a file response)."""

    media_type = excel.XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


PROBLEM_CODES_HELP = (
    "Why, for a machine (the message says it for a person). A row refused by a business rule carries that rule's "
    "code, as the page and the API give it (store.code_taken, contract.term_outside_contract, …); a header, a cell "
    "or a code the import cannot read: "
    + "; ".join(f"`{code}`: {meaning}" for code, meaning in PROBLEM_CODES.items())
    + " A record missing and one outside your scope are refused alike (`*_not_found`). Empty for problems stored "
    "before codes were kept."
)


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="Row of the sheet as Excel numbers it (a problem of the headers: the header row's, 1 unless a title "
        "stands above them)."
    )
    column = serializers.CharField(
        source="shown_column",
        help_text="The column's header as the file has it (one it lacks: the template's, in the request's language).",
    )
    field = serializers.CharField(help_text="The column's key (its field), empty for the row as a whole.")
    code = serializers.CharField(help_text=PROBLEM_CODES_HELP)
    message = serializers.CharField(source="text", help_text="The problem, in the language of the request.")


class ImportJobSerializer(serializers.ModelSerializer):
    status_url = serializers.SerializerMethodField(help_text="Where to follow this job.")
    changes = serializers.SerializerMethodField(
        help_text=f"The first {CHANGES_SHOWN} updated rows' changes, field by field (a check: would make): [{{row, "
        "code, changes: [{column, old, new}]}], the code being the record's (the row's natural key as the file "
        "writes it), values as text in the uploader's language. An empty cell of a known record leaves its field as "
        "it is; a dash (-) empties it. A check's every updated row: `changes_url`."
    )
    changes_url = serializers.SerializerMethodField(
        help_text="A check that would update rows: every updated row's changes as .xlsx (row, code, column, now, "
        "after the import); null otherwise."
    )
    detail = serializers.CharField(
        source="shown_detail", read_only=True, help_text="Why a job was refused or failed, in the request's language."
    )
    errors = ProblemSerializer(
        source="problems",
        many=True,
        read_only=True,
        help_text="A refused file's first problems (a setting, 100 by default), by row and column.",
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "status_url",
            "file_name",
            "rows_read",
            "rows_checked",
            "rows_written",
            "check_only",
            "created",
            "updated",
            "unchanged",
            "ignored_columns",
            "changes",
            "changes_url",
            "warnings",
            "code",
            "detail",
            "params",
            "problems_total",
            "errors",
            "queued_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "queued → running → done (written), checked (a check_only job without problems: nothing "
                "written, created/updated/unchanged say what importing would do), refused (nothing written: see "
                "code, detail, errors) or failed (nothing written)."
            },
            "check_only": {"help_text": "The job only checks the file: it writes nothing."},
            "created": {"help_text": "Rows that made a new record (a check: would make)."},
            "updated": {"help_text": "Rows that changed a stored record (a check: would change)."},
            "unchanged": {"help_text": "Rows the same as their stored record: left as they are."},
            "warnings": {
                "help_text": "What rows do that is allowed but worth saying (a product's packs per case changed under "
                "its past records): [{row, message}]."
            },
            "code": {"help_text": "Why a job was refused: import.invalid_rows, import.not_a_spreadsheet, …"},
            "problems_total": {"help_text": "All problems of a refused file; `errors` lists the first ones."},
        }

    def get_status_url(self, job: ImportJob) -> str:
        return self._absolute(reverse("api-import-job", args=[job.pk]))

    @extend_schema_field(serializers.JSONField())
    def get_changes(self, job: ImportJob) -> list:
        return job.changes[:CHANGES_SHOWN]

    def get_changes_url(self, job: ImportJob) -> str | None:
        return self._absolute(reverse("api-import-job-changes", args=[job.pk])) if has_changes_download(job) else None

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ImportView(APIView):
    """Import a filled-in template, in the background: all rows or none."""

    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: a session's CSRF check reads the body.
        self.upload_limit = limit_upload_size(request)
        return super().initialize_request(request, *args, **kwargs)

    @idempotent(scope="imports.create")
    @extend_schema(
        operation_id="imports_create",
        parameters=[_KIND],
        description=f"Upload an .xlsx file as multipart field `file`. {_KIND_DOC} Chinese or English headers. "
        "The answer is 202 with the job (status `queued`) and its `status_url` (also the Location header): "
        "follow the job there until its status is done, refused or failed. On a server without a Celery "
        "broker (the embedded default) the job has already run when the 202 arrives, so the first look at "
        "`status_url` shows the outcome. If any row is bad nothing is imported: the job is refused with code "
        "import.invalid_rows, its `errors` list the first problems (a setting, 100 by default) by row and "
        "column, each with a `code` for a machine and a `message` in the request's language, `problems_total` "
        "counts them all. A merged range's value counts for every row it covers. A file that is not a workbook "
        "is refused with import.not_a_spreadsheet; more rows than the setting allows, import.too_many_rows; more "
        "merged ranges than 100,000, import.too_many_merged_ranges. Rows with a known "
        "natural key update (`updated`); a row the same as its stored record is `unchanged`. With `check_only` "
        "true the job only checks the file: the import runs and is rolled back, the job ends `checked` (or "
        "refused, with the same problems) and says what it would create, update and leave unchanged; import it "
        "then with POST /api/v1/imports/jobs/<id>/import/. Answered at once, without a job: no file (400 "
        "import.no_file) and a file over the upload limit (413 import.too_large, naming the limit, before it is "
        "stored).",
        request={
            "multipart/form-data": inline_serializer(
                "ImportUpload",
                {
                    "file": serializers.FileField(),
                    "check_only": serializers.BooleanField(
                        required=False, default=False, help_text="Only check the file: write nothing."
                    ),
                },
            )
        },
        responses={
            202: ImportJobSerializer,
            400: OpenApiResponse(_ERROR, description="No file"),
            413: OpenApiResponse(_ERROR, description="The file is larger than the upload limit"),
            403: _ERROR,
            404: _ERROR,
        },
    )
    def post(self, request, kind: str):
        kind = _kind_for(request, kind)
        upload = request.FILES.get("file")
        self.upload_limit.check()
        if upload is None:
            raise DomainError("import.no_file", _("Send the workbook as the multipart field “file”."), field="file")
        check_only = serializers.BooleanField(required=False).to_internal_value(request.data.get("check_only") or False)
        job = import_job_start(kind=kind, upload=upload, user=request.user, check_only=check_only)
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["status_url"]})


class ImportJobConfirmView(APIView):
    """Import the file a check found good."""

    @idempotent(scope="imports.confirm")
    @extend_schema(
        operation_id="imports_job_import",
        request=None,
        description="Import the file of one of your jobs whose status is `checked` (a check_only job without "
        "problems): a new job (202, as POST /api/v1/imports/<kind>/ answers) reads the same file, checks it again "
        "and writes it, all or nothing. A check is imported once: again, or after another upload of its kind "
        "(which lets its file go), 409 import.check_used. Another user's job, or one not checked, is 404 / 409.",
        responses={202: ImportJobSerializer, 403: _ERROR, 404: _ERROR, 409: _ERROR},
    )
    def post(self, request, pk: int):
        job = generics.get_object_or_404(import_jobs_for(request.user).filter(user=request.user), pk=pk)
        if KINDS.get(job.kind) is None:
            raise Http404
        confirmed = import_job_confirm(job=job, user=request.user)
        body = ImportJobSerializer(confirmed, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["status_url"]})


class ImportJobView(generics.RetrieveAPIView):
    """One import job: its status, progress (rows read, checked, written) and outcome. Your own jobs only
    (an administrator's: anyone's); another user's job is 404."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return import_jobs_for(self.request.user).prefetch_related("problems")

    @extend_schema(operation_id="imports_job", responses={200: ImportJobSerializer, 404: _ERROR})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ImportJobListView(CachedListMixin, generics.ListAPIView):
    """Your import jobs, newest first (an administrator's: everyone's)."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return import_jobs_for(self.request.user).prefetch_related("problems")

    @extend_schema(operation_id="imports_jobs")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ImportJobChangesView(APIView):
    """What importing a checked file would change: every updated row, as .xlsx."""

    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]

    @extend_schema(
        operation_id="imports_job_changes",
        description="Every updated row's changes of one of your jobs whose status is `checked` (the job's `changes` "
        "lists the first): one line a changed field, with the row, the record's code, the column, the value now and "
        "after the import, headed in the request's language. Another user's job (an administrator reads anyone's), "
        "and a job that is not a check or would update nothing, is 404.",
        responses={(200, excel.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, 404: _ERROR},
    )
    def get(self, request, pk: int):
        job = generics.get_object_or_404(import_jobs_for(request.user), pk=pk)
        if not has_changes_download(job):
            raise Http404
        return excel.workbook_response(changes_workbook(job.changes), changes_filename(job))


class ImportTemplateView(APIView):
    """The empty template for a kind, headers in the caller's language (Accept-Language)."""

    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]

    @extend_schema(
        operation_id="imports_template",
        parameters=[_KIND],
        description=_KIND_DOC,
        responses={(200, excel.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, 403: _ERROR, 404: _ERROR},
    )
    def get(self, request, kind: str):
        kind = _kind_for(request, kind)
        return excel.workbook_response(template_workbook(kind), f"import-{kind.name}.xlsx")
