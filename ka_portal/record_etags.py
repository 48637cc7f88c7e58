"""A record's ETag, and If-Match on its writes: optimistic concurrency for the API's record endpoints.

Without it concurrent edits were last-write-wins: two PATCHes, then a PUT built from a GET read before them, and the
PUT put back both. Now every record GET (retrieve) answers an `ETag`, the SHA-256 of its representation (the
serializer's data as canonical JSON: what the client holds, language and "as of today" figures included, so a strong
validator of exactly that); with `If-None-Match` naming it, 304 and no body, as the list pages answer
(ka_portal/api_cache.py). A write of the record (PUT, PATCH, DELETE, and a step POSTed to it: write-off, allocate,
submit…) may send that ETag back in `If-Match`: the request's transaction (ka_portal.middleware) locks the record's
row, reads the record again as a GET would and compares; another ETag is a 412 `record.changed` with the current
representation (`current`) and its ETag (`params.etag`, and the `ETag` header) for the client to merge, and nothing is
written. `If-Match: *` asks only that the record exists. Without If-Match a write works as ever (the phones send
none). A write sent with If-Match answers the record's new ETag, as a GET of it would answer it.

The check sits where DRF checks a record's object permissions, which every `get_object` calls (DRF's, and
ServiceModelViewSet's by code): a write reaches the record nowhere else, so no view has a call to forget. The W/ that
the gzip middleware puts before an ETag it compressed (ka_portal.middleware.PageGZipMiddleware) changes the bytes'
encoding, not the representation: an If-Match naming it matches.
"""

import hashlib
import json

from django.utils.cache import get_conditional_response
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.encoders import JSONEncoder

from .errors import DomainError

IF_MATCH = "If-Match"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def etag_of(data) -> str:
    """The quoted strong ETag of a representation (a serializer's data)."""
    text = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def matches(if_match: str, etag: str) -> bool:
    """Whether an If-Match header names `etag` (or is `*`); a W/ before a tag is read as the tag (see the module)."""
    sent = parse_etags(if_match)
    return "*" in sent or any(tag.removeprefix("W/") == etag for tag in sent)


class RecordChanged(DomainError):
    """The record changed since the client read it: 412, with its current representation and ETag."""

    status_code = 412

    def __init__(self, *, etag: str, current) -> None:
        super().__init__(
            "record.changed",
            _(
                "This record has changed since you read it: merge your change into the current version (ETag "
                "%(etag)s) and send it again with that ETag in If-Match."
            ),
            etag=etag,
        )
        self.extra = {"current": current}


class RecordETagMixin:
    """For a viewset's records: the ETag of a GET and of a write's answer, If-None-Match (304) and If-Match (412)."""

    record_etags = True

    def initial(self, request, *args, **kwargs):
        self._etag_record = None  # the pk of the record a write reached (get_object)
        self._etag_current = None  # its ETag when If-Match did not match
        super().initial(request, *args, **kwargs)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method in SAFE_METHODS or self._etag_record is not None:
            return
        self._etag_record = obj.pk
        if_match = request.headers.get(IF_MATCH, "").strip()
        if not if_match:
            return
        # Under the row's lock, in the write's transaction: no other write of it can come between check and write.
        type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True).first()
        obj.refresh_from_db()  # as it stands now, for the write to start from (it may have changed before the lock)
        current = self.record_representation(obj.pk)
        etag = etag_of(current)
        if not matches(if_match, etag):
            self._etag_current = etag
            raise RecordChanged(etag=etag, current=current)

    def record_representation(self, pk):
        """The record as a GET of it answers now (its retrieve serializer and queryset), or None when the caller
        no longer reaches it."""
        action = self.action
        self.action = "retrieve"
        try:
            record = self.filter_queryset(self.get_queryset()).filter(pk=pk).first()
            return None if record is None else self.get_serializer(record).data
        finally:
            self.action = action

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        status = response.status_code
        if self.action == "retrieve" and status == 200 and hasattr(response, "data"):
            etag = etag_of(response.data)
            response["ETag"] = etag
            # A client that holds this representation already is told so: 304, no body.
            return get_conditional_response(request, etag=etag, response=response)
        if getattr(self, "_etag_current", None) and status == 412:
            response["ETag"] = self._etag_current
        elif (
            getattr(self, "_etag_record", None) is not None
            and request.headers.get(IF_MATCH)
            and 200 <= status < 300
            and status != 204
        ):
            # only for a client that writes with If-Match: the phones send none, and a visit's step should not pay
            # for reading the whole visit again
            current = self.record_representation(self._etag_record)
            if current is not None:
                response["ETag"] = etag_of(current)
        return response
