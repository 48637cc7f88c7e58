"""API for the Excel imports: POST a file to /api/v1/imports/<kind>/, GET its template. Same runner as the page."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.imports import ImportKind, ImportRejected, limit_upload_size, run_import, template_workbook

from .imports import KINDS

_ERROR = inline_serializer("ImportError", {"code": serializers.CharField(), "detail": serializers.CharField()})
_ROW_ERRORS = inline_serializer(
    "ImportRowErrors",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "params": inline_serializer(
            "ImportRowErrorCounts",
            {
                "rows": serializers.IntegerField(required=False, help_text="Data rows read."),
                "bad_rows": serializers.IntegerField(required=False, help_text="Rows with at least one problem."),
                "problems": serializers.IntegerField(
                    required=False, help_text="Problems found in all (a refused sheet)."
                ),
                "shown": serializers.IntegerField(
                    required=False, help_text="Problems listed in `errors` (the first ones)."
                ),
            },
            required=False,
        ),
        "errors": inline_serializer(
            "ImportRowError",
            {
                "row": serializers.IntegerField(),
                "column": serializers.CharField(),
                "field": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)
_RESULT = inline_serializer(
    "ImportResult",
    {
        "kind": serializers.CharField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "rows": serializers.IntegerField(),
        "ignored_columns": serializers.ListField(child=serializers.CharField()),
    },
)
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


class ImportView(APIView):
    """Import a filled-in template: all rows or none."""

    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: a session's CSRF check reads the body.
        self.upload_limit = limit_upload_size(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_create",
        parameters=[_KIND],
        description="Upload an .xlsx file as multipart field `file`. {_KIND_DOC} Chinese or English headers. "
        "If any row is bad nothing is imported: the first problems (a setting, 100 by default) are listed by "
        "row and column, `params.problems` counts them all (code import.invalid_rows). A file that is not a "
        "workbook answers code import.not_a_spreadsheet; more rows than the setting allows, "
        "import.too_many_rows; a file over the upload limit answers 413 import.too_large, naming the limit, "
        "before it is opened. Rows with a known natural key update.",
        request={"multipart/form-data": inline_serializer("ImportUpload", {"file": serializers.FileField()})},
        responses={
            200: _RESULT,
            400: OpenApiResponse(_ROW_ERRORS, description="Bad rows, not a spreadsheet, no file, empty, too many rows"),
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
        try:
            result = run_import(kind=kind, source=upload, user=request.user)
        except ImportRejected as rejected:
            return Response(
                {
                    "code": rejected.code,
                    "detail": rejected.detail,
                    "params": rejected.params,
                    "errors": [error.as_dict() for error in rejected.errors],
                },
                status=400,
            )
        return Response(result.as_dict())


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
