"""DRF pieces shared by every app: pagination, the error format, permissions.

Settings name this module, so it must not import views or drf-spectacular (import cycle).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class PageNumberPagination(pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page=N and ?page_size=N (at most 500)."""

    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Errors as JSON: DomainError → {"code", "detail", "params"}; validation → field messages."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail, "params": {k: str(v) for k, v in exc.params.items()}}
        if exc.field:
            body["field"] = exc.field
        body.update(getattr(exc, "extra", {}))  # e.g. a reused key's "differs"
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"code": "invalid", "detail": _first_message(data), "errors": data}
        elif isinstance(data, dict) and "detail" in data:
            response.data = {"code": getattr(exc.detail, "code", exc.default_code), "detail": str(data["detail"])}
    return response


def _first_message(data) -> str:
    if isinstance(data, dict):
        for value in data.values():
            return _first_message(value)
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """Reads need the model's view permission, writes its add/change/delete (the role groups hold them)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
