"""How a page shows a refused service call: the one helper for every app's views.

A form view calls the service and, on a DomainError, `show_refusal(form, error)` puts the message next
to the field it names (or at the top) and re-renders what the user typed. A button that runs a business
step (submit, approve, reverse, add a stop…) goes through `run_step`: the success message, or the
refusal as an error message, then back to the page it came from.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from .errors import DomainError


def show_refusal(form, error: DomainError) -> None:
    """Put a service's refusal on the form: next to its field when the form has it, else at the top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.detail)


def mark_problems(form, problems) -> None:
    """Put each of a rule's problems (DomainErrors: every bad field at once) next to its field, at the top when the
    form has no such field, leaving out a field that already shows an error (a value that did not parse is reported
    once, as such). A form's `clean` calls it with the rule's problems; a view with a refusal's `problems`."""
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        if field is not None and field in form.errors:
            continue
        form.add_error(field, forms.ValidationError(problem.detail, code=problem.code))


def safe_next(request, default: str) -> str:
    """The POSTed or queried `next` when it points into this site, else `default`."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def run_step(request, action: Callable[[], Any], *, success=None, then: str, follow_next: bool = False):
    """Run `action` (a service call); show `success` (a text, or a function of the result) or the
    refusal; then redirect to `then` (a URL), or to a safe `next` when `follow_next`."""
    try:
        result = action()
    except DomainError as refusal:
        messages.error(request, refusal.detail)
    else:
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
    return redirect(safe_next(request, then) if follow_next else then)


# --- writes sent in the background (visits/static/visits/outbox.js): answered in JSON, not with a page ----------


def queued(request) -> bool:
    """A write the visit page sends without leaving the page, or the phone's outbox uploads later (`X-Queue: 1`):
    it gets a short JSON answer, never a redirect or a whole page."""
    return request.headers.get("X-Queue") == "1"


REPLAY_HEADER = "X-Queue-Replay"


def replayed(request) -> bool:
    """A write the phone kept (no network) and sends later from its outbox (outbox.js sends it with
    `X-Queue-Replay: 1`), not as it is made: only such a write's time is the phone's (a check-in's or check-out's
    `at`, held by visits/rules.phone_time); one sent as it is made is timed by the server's clock. The phone says so
    itself, as an API client does by sending its `checked_in_at`: a time the phone gives was always taken within
    those bounds, never more."""
    return queued(request) and request.headers.get(REPLAY_HEADER) == "1"


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


REFUSED_HEADER = "X-Ka-Refused"


class _Refused(Exception):
    def __init__(self, response):
        super().__init__("refused")
        self.response = response


def refused(response):
    """A refused write answered by going on to a page (a redirect carrying the message): once_per_key keeps it under
    no key, like any refusal, so the write sent again (the service worker's post, uploaded later) is weighed anew."""
    response[REFUSED_HEADER] = "true"
    return response


def section_refused(response):
    """A section htmx draws again with its errors (htmx swaps a 200 only): a refusal all the same, which
    once_per_key keeps under no key, so the write sent again (corrected, or its answer lost) is weighed anew."""
    response[REFUSED_HEADER] = "true"
    return response


def once_per_key(view):
    """A page's write the phone sends in the background (`queued`, or a section of the visit page posted with htmx)
    with an Idempotency-Key runs once per key: sent again (its answer lost on the way, then kept in the outbox with
    its key; the page reloaded while it was uploading, the service worker and the page both uploading) it is
    answered as the first time and nothing is added twice. The API's mechanism (ka_portal/idempotency.py: per user
    and key, for the setting's hours; the same key with another body 422, with the first still running 409
    `idempotency.in_flight`, which the outbox keeps and sends again later). A refused write keeps nothing, so it can
    be sent again corrected. The first answer comes again in the form the new send reads: the outbox reads JSON (a
    section htmx drew first is answered `{"replayed": true}`), htmx a section (a JSON first answer: the page drawn
    again, `HX-Refresh`). A form posted in the open with a key (the service worker sends a form's post with the key
    its outbox keeps it under should no answer come: sw.js) runs once under it too: a redirect is kept as where it
    led (`{"url"}`, what the upload of the same post is answered), unless the view marked it `refused`. Pages posted
    in the open without a key are left as they are."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        from rest_framework.response import Response

        from . import idempotency

        navigated = not (queued(request) or _htmx(request))
        if (
            request.method != "POST"
            or idempotency.HEADER not in request.headers
            or not request.user.is_authenticated
            or getattr(request, "_idempotency_running", False)  # a view calling another decorated one
        ):
            return view(request, *args, **kwargs)
        request._idempotency_running = True

        def call():
            response = view(request, *args, **kwargs)
            if response.has_header(REFUSED_HEADER):
                raise _Refused(response)
            if navigated and response.status_code in (301, 302, 303):
                request._went_on = response  # the browser follows it; the key keeps where it led
                return JsonResponse({"url": response["Location"]})
            return response

        try:
            key = idempotency.client_key(request)
            answer = idempotency.run_once(
                user=request.user,
                scope=f"page:{request.path}"[:100],
                key=key,
                body=idempotency.posted(request),
                body_key=None,
                call=call,
            )
        except _Refused as refused:
            if transaction.get_connection().in_atomic_block:
                transaction.set_rollback(True)  # the key is not kept: nothing was recorded under it
            return refused.response
        except DomainError as refusal:
            if transaction.get_connection().in_atomic_block:
                transaction.set_rollback(True)  # nothing of a refused write is kept
            data = {"code": refusal.code, "message": str(refusal.detail), "errors": {}, "params": refusal.params}
            data.update(getattr(refusal, "extra", {}))
            return JsonResponse(data, status=refusal.status_code, json_dumps_params={"default": str})
        if isinstance(answer, Response):  # the first answer again (run_once answers it as the API's)
            if navigated:  # where the first one led
                url = answer.data.get("url") if isinstance(answer.data, dict) else None
                again = redirect(url if isinstance(url, str) and url else "/")
            elif not queued(request):  # htmx, after the outbox sent it: the page drawn again shows what was recorded
                again = HttpResponse(status=answer.status_code)
                again["HX-Refresh"] = "true"
            else:
                again = JsonResponse(answer.data, status=answer.status_code, safe=False)
            again["Idempotent-Replayed"] = "true"
            return again
        if queued(request) and answer.has_header("Idempotent-Replayed"):  # first drawn for htmx: said in JSON
            again = JsonResponse({"replayed": True}, status=answer.status_code)
            again["Idempotent-Replayed"] = "true"
            return again
        return getattr(request, "_went_on", answer)

    return wrapper


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a background write sent with a rotated token (the service worker uploading a form kept
    before the rep signed in again) is answered `csrf_failed`, which the outbox keeps and sends again with the page's
    token; any other 403 it takes for "no longer allowed" and refuses. Under /api/ the API's `csrf_failed`, as DRF's
    session check answers it (ka_portal.api.CsrfFailed). Pages get Django's own page."""
    from django.views.csrf import csrf_failure as page

    from .api import CsrfFailed, api_error

    if request.path_info.startswith("/api/"):
        return api_error(request, 403, CsrfFailed(reason))
    if queued(request):
        return JsonResponse({"code": "csrf_failed", "errors": {}}, status=403)
    return page(request, reason=reason)


def permission_denied(request, exception=None):
    """handler403: a background write the user may no longer make (the store no longer the rep's, the role changed)
    is answered in JSON with its code, which the outbox takes for a refusal; a 403 page (a captive portal's, a proxy's)
    it keeps and sends again. Pages get Django's own page."""
    from django.views.defaults import permission_denied as page

    if queued(request):
        return JsonResponse({"code": "permission_denied", "errors": {}}, status=403)
    return page(request, exception)


def queued_refusal(
    message: str, errors: dict | None = None, status: int = 400, form=None, code: str | None = None
) -> JsonResponse:
    """A refused background write: the reason, per field what is wrong, and the fields' labels (the page marks the
    fields; the outbox lists the reasons led by their labels for the rep, `said`, whose typed values stay in the
    draft); with `code` the refusal's (a DomainError's), from which the outbox says what to do next (a phone's clock
    to set, a visit to complete)."""
    errors = dict(errors or {})
    labels = {}
    if form is not None:
        errors |= form.errors
        labels = {name: str(form.fields[name].label) for name in form.errors if name in form.fields}
    errors = {name: [str(text) for text in texts] for name, texts in errors.items()}
    # each reason led by its field's label, joined as the reader's language writes it ("按现状签退的原因：…", not ": ");
    # a field's reason that is the message itself (a check-out refused at its reason's field) is said once, as that
    said = [
        gettext("%(name)s: %(message)s") % {"name": labels[name], "message": text} if name in labels else text
        for name, texts in errors.items()
        for text in texts
        if text != str(message)
    ]
    answer = {"message": str(message), "errors": errors, "labels": labels, "said": said}
    if code:
        answer["code"] = code
    if form is not None:
        # a two-field count (cases, packs) refused for one of its parts: the page marks that input only
        parts = {
            name: error.code
            for name, found in form.errors.as_data().items()
            for error in found
            if error.code in ("cases", "packs")
        }
        if parts:
            answer["parts"] = parts
    return JsonResponse(answer, status=status)
