"""Client keys that mean one thing: one mechanism that makes every API create safe to repeat.

A create decorated with ``@idempotent()`` takes a client key from the ``Idempotency-Key`` header, or from a
field of its body that is already a client key (a visit's ``uuid``, a payment's ``request_key``). Per user and
per kind of create, for ``KA.idempotency_ttl_hours`` hours:

- the same key with the same body answers the first response again (same status, same body);
- the same key with another body is refused with 422 ``idempotency.key_reused`` and the names of the
  top-level fields that differ (never their values);
- the same key while the first request is still running is refused with 409 ``idempotency.in_flight``;
- a request that fails (4xx, 5xx) keeps nothing, so the key can be used again with a corrected body.

The key is claimed by inserting a unique row per user, scope and key (one statement, no savepoint:
ka_portal/inserts.py): a parallel request with the same key waits on that row until the first one ends, then
answers from it. The claim, the work and the stored response commit together in the request's transaction, so
a key is never marked done for work that was rolled back, a failed request leaves no claim behind, and
``on_commit`` work runs after all three.
"""

import functools
import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .errors import DomainConflict, DomainError, KeyReused
from .inserts import insert_unless_taken
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A claim whose request never finished (its process died) is taken over after this long.
ABANDONED_AFTER = timedelta(minutes=5)


def ttl() -> timedelta:
    return timedelta(hours=settings.KA.idempotency_ttl_hours)


# --- fingerprints --------------------------------------------------------------------------------


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, QueryDict):
        return {k: _canonical(v[0] if len(v) == 1 else v) for k, v in value.lists()}
    if isinstance(value, UploadedFile):
        return {"name": value.name, "size": value.size, "sha256": _file_digest(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def field_hashes(body: Any, *, exclude: str | None = None) -> dict[str, str]:
    """One hash per top-level field of a request body (the key field itself left out)."""
    body = _canonical(body)
    if not isinstance(body, dict):
        return {"body": _digest(body)}
    return {name: _digest(value) for name, value in body.items() if name != exclude}


def differing_fields(first: dict[str, str], again: dict[str, str]) -> list[str]:
    return sorted(name for name in first.keys() | again.keys() if first.get(name) != again.get(name))


# --- the client key ------------------------------------------------------------------------------


def _normal(value: Any) -> str:
    text = str(value).strip()
    try:
        return str(uuid.UUID(text))  # a UUID in capitals or without dashes is the same key
    except ValueError:
        return text


def checked_key(value, *, field: str = HEADER) -> str | None:
    """A key as the client sent it (the header, or a page form's field): None when not sent; refused when it is not 1
    to MAX_KEY_LENGTH printable characters."""
    if value is None:
        return None
    key = _normal(value)
    if not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise DomainError(
            "idempotency.key_invalid",
            _("An Idempotency-Key has 1 to %(max)s printable characters."),
            field=field,
            max=MAX_KEY_LENGTH,
        )
    return key


def posted(request) -> dict:
    """What makes two sends of a page's write the same: its fields and files, not the CSRF token (the page puts its
    own, which may have rotated since the first send)."""
    body = {
        name: values[0] if len(values) == 1 else values
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
    }
    for name, files in request.FILES.lists():
        body[name] = files[0] if len(files) == 1 else files
    return body


def client_key(request, body_key: str | None = None) -> str | None:
    """The request's key: the body's own key field when it has one, else the header; None without either."""
    header = checked_key(request.headers.get(HEADER))
    in_body = None
    if body_key and hasattr(request.data, "get"):
        value = request.data.get(body_key)
        in_body = _normal(value) if value not in (None, "") else None
    if header and in_body and header != in_body:
        raise DomainError(
            "idempotency.two_keys",
            _("The Idempotency-Key header and the body's %(name)s differ; send one key."),
            field=body_key,
            name=body_key,
        )
    return in_body or header or None


# --- claim, run, remember ------------------------------------------------------------------------


def _in_flight() -> DomainConflict:
    return DomainConflict(
        "idempotency.in_flight", _("A request with this key is still being processed; try again in a moment.")
    )


def _replay(row: IdempotencyKey) -> HttpResponseBase:
    headers = {"Idempotent-Replayed": "true"}
    try:
        data = json.loads(row.response_body) if row.response_body else None
    except ValueError:  # a view that answered something other than JSON: the same bytes again
        return HttpResponse(row.response_body, status=row.response_status, headers=headers)
    return Response(data, status=row.response_status, headers=headers)


def _claim(*, user, scope: str, key: str, hashes: dict[str, str]) -> IdempotencyKey | HttpResponseBase:
    """Take the key for this request (a new row, or an expired or abandoned one), or answer from the first."""
    fingerprint = _digest(hashes)
    for _attempt in range(3):
        now = timezone.now()
        claim = IdempotencyKey(
            user=user, scope=scope, key=key, fingerprint=fingerprint, field_hashes=hashes, created_at=now
        )
        if insert_unless_taken(claim):
            return claim
        # Taken before: look at what the first request did.
        with transaction.atomic():
            # On PostgreSQL the insert above waited for a parallel claim to commit; the lock orders takeovers.
            row = IdempotencyKey.objects.select_for_update().filter(user=user, scope=scope, key=key).first()
            if row is None:
                continue  # the first request failed and gave the key back meanwhile: try again
            expired = row.created_at <= now - ttl()
            abandoned = row.status == IdempotencyKey.Status.IN_FLIGHT and row.created_at <= now - ABANDONED_AFTER
            if expired or abandoned:
                row.fingerprint, row.field_hashes, row.created_at = fingerprint, hashes, now
                row.status, row.response_status, row.response_body = IdempotencyKey.Status.IN_FLIGHT, None, ""
                row.save()
                return row
            if row.fingerprint != fingerprint:
                raise KeyReused(differing_fields(row.field_hashes, hashes))
            if row.status == IdempotencyKey.Status.IN_FLIGHT:
                raise _in_flight()
            return _replay(row)
    raise _in_flight()


def run_once(*, user, scope: str, key: str, body: Any, body_key: str | None, call) -> HttpResponseBase:
    """Run ``call`` (the view's work, answering a Response) at most once per user, scope and key."""
    claim = _claim(user=user, scope=scope, key=key, hashes=field_hashes(body, exclude=body_key))
    if not isinstance(claim, IdempotencyKey):
        return claim
    # Inside the request's transaction (AtomicWritesMiddleware) the work takes no savepoint of its own: a failure or a
    # refusal rolls the whole request back, its claim with it. Run alone, the work is its own transaction and a
    # failed one gives the claim back.
    connection = transaction.get_connection()
    inside = connection.in_atomic_block
    try:
        with transaction.atomic(savepoint=not inside):
            response = call()
            if 200 <= response.status_code < 300:
                if isinstance(response, Response):
                    text = JSONRenderer().render(response.data).decode()
                else:
                    text = response.content.decode()
                kept = IdempotencyKey.objects.filter(
                    pk=claim.pk, created_at=claim.created_at, status=IdempotencyKey.Status.IN_FLIGHT
                ).update(status=IdempotencyKey.Status.DONE, response_status=response.status_code, response_body=text)
                if not kept:  # taken over as abandoned while this ran: undo this run, the other one counts
                    raise _in_flight()
                return response
            transaction.set_rollback(True)  # a refusal answered without raising still commits nothing
    except BaseException:
        if not inside:
            _release(claim)
        raise
    if not inside:
        _release(claim)
    return response


def _release(claim: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(
        pk=claim.pk, created_at=claim.created_at, status=IdempotencyKey.Status.IN_FLIGHT
    ).delete()


def purge_expired(now=None) -> int:
    """Delete keys older than the setting's hours (the nightly beat entry calls this); returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lte=(now or timezone.now()) - ttl()).delete()
    return deleted


# --- the decorator -------------------------------------------------------------------------------

HEADER_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="A client key (at most 255 characters, a UUID is best) that makes this create safe to repeat "
    "for 24 hours: the same key and body answer the first response again; another body is 422, a request with "
    "the key still running is 409.",
)
KEY_RESPONSES = {
    "409": {"description": 'A request with this key is still running: {"code": "idempotency.in_flight", "detail"}'},
    "422": {
        "description": 'The key was used with another body: {"code": "idempotency.key_reused", "detail", '
        '"differs": [field names]}'
    },
}


def _schema_with_key(base):
    class IdempotentSchema(base):
        def get_override_parameters(self):
            return [*super().get_override_parameters(), HEADER_PARAMETER]

    return IdempotentSchema


def document_key_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation taking the key header documents its 409 and 422
    (the header is added per method; responses from ``@extend_schema`` would replace anything added there)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if any(p.get("in") == "header" and p.get("name") == HEADER for p in operation.get("parameters", [])):
                responses = operation.setdefault("responses", {})
                for code, response in KEY_RESPONSES.items():
                    responses.setdefault(code, response)
    return result


def _scope(view, method, scope: str | None, url_kwargs: dict) -> str:
    """Where a key counts: the router's basename and the method (``payment.allocate``), and for a step on one
    record the record too (``payment.allocate:pk=7``), so one key sent to two payments runs on each."""
    name = scope or f"{getattr(view, 'basename', None) or type(view).__name__}.{method.__name__}"
    record = ",".join(f"{k}={v}" for k, v in sorted(url_kwargs.items()))
    return f"{name}:{record}"[:100] if record else name


def idempotent(*, body_key: str | None = None, scope: str | None = None):
    """Make a view's create method run at most once per client key (see the module's docstring).

    ``body_key`` names a body field that already is a client key (``uuid``); ``scope`` defaults to the
    router's basename and the method (``visit.create``). Put it above any ``@extend_schema`` of the method.
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            user = getattr(request, "user", None)
            if getattr(request, "_idempotency_running", False) or not getattr(user, "is_authenticated", False):
                return method(view, request, *args, **kwargs)
            key = client_key(request, body_key)
            if key is None:
                return method(view, request, *args, **kwargs)
            request._idempotency_running = True  # a create calling its parent's create claims once
            return run_once(
                user=user,
                scope=_scope(view, method, scope, kwargs),
                key=key,
                body=request.data,
                body_key=body_key,
                call=lambda: method(view, request, *args, **kwargs),
            )

        base = getattr(method, "kwargs", {}).get("schema") or api_settings.DEFAULT_SCHEMA_CLASS
        wrapper.kwargs = {**getattr(method, "kwargs", {}), "schema": _schema_with_key(base)}
        return wrapper

    return decorate


class IdempotentCreateMixin:
    """For a view whose create is DRF's own (CreateModelMixin): accepts the Idempotency-Key header."""

    @idempotent()
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
