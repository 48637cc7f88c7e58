"""A page's form posted again (a network retry, the browser's resend, a double tap, Back and Save) is answered as the
first and writes once.

Every such form (trade spend's money steps, promotion plans' steps and budgets, tasks) carries a ``request_key``
(includes/request_key.html: a new UUID per form drawn; a plan's form its ``form_token``), as the payment form does
(contracts.forms.PaymentForm). `once` runs the step through the API's
mechanism (ka_portal.idempotency.run_once), per user, step and key: a repeat of the same body is answered with the
first one's outcome and writes nothing; the same key with another body is refused (``idempotency.key_reused``); a
step refused or left invalid keeps nothing, so the same key may be posted again, corrected. A post without a key
(a script, a page drawn before keys) runs as before."""

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import JsonResponse

from ka_portal import idempotency

FIELD = "request_key"


def new_key() -> str:
    """A form's key: the template calls it once per form drawn (``{{ request_key }}`` of a callable)."""
    return str(uuid.uuid4())


class Invalid(Exception):  # noqa: N818 — a signal to `once`, not an error shown to anyone
    """Raised by a step whose form did not validate: nothing is kept and the page shows the form's errors."""


def once(request, step: str, work: Callable[[], Any], *, key_field: str = FIELD) -> Any:
    """Run ``work`` (the step: its form validated, its service called; answering what the page says after it, as
    JSON-able values) once per user, ``step`` and the POSTed key; a repeat answers the first run's value again.
    ``step`` names the step and the record it is on ("tradespend.recover:deduction=7"). A DomainError (a refusal,
    the key reused for another body) or `Invalid` goes up to the caller with nothing kept."""
    key = idempotency.checked_key((request.POST.get(key_field) or "").strip() or None, field=key_field)
    if key is None:
        return json.loads(json.dumps(work(), cls=DjangoJSONEncoder))
    body = {name: value for name, value in idempotency.posted(request).items() if name != key_field}

    def call():
        return JsonResponse({"outcome": work()})

    # Its own savepoint: a refusal the page shows (no exception reaches the request's transaction) still takes the
    # claim of the key back with the work.
    with transaction.atomic():
        answer = idempotency.run_once(user=request.user, scope=step[:100], key=key, body=body, body_key=None, call=call)
    data = answer.data if hasattr(answer, "data") else json.loads(answer.content)
    return data["outcome"]
