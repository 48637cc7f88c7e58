"""How a page shows a refused service call: the one helper for every app's views.

A form view calls the service and, on a DomainError, `show_refusal(form, error)` puts the message next
to the field it names (or at the top) and re-renders what the user typed. A button that runs a business
step (submit, approve, reverse, add a stop…) goes through `run_step`: the success message, or the
refusal as an error message, then back to the page it came from.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import JsonResponse
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


def queued_refusal(message: str, errors: dict | None = None, status: int = 400, form=None) -> JsonResponse:
    """A refused background write: the reason, per field what is wrong, and the fields' labels (the page marks the
    fields; the outbox lists the reasons led by their labels for the rep, `said`, whose typed values stay in the
    draft)."""
    errors = dict(errors or {})
    labels = {}
    if form is not None:
        errors |= form.errors
        labels = {name: str(form.fields[name].label) for name in form.errors if name in form.fields}
    errors = {name: [str(text) for text in texts] for name, texts in errors.items()}
    # each reason led by its field's label, joined as the reader's language writes it ("按现状签退的原因：…", not ": ")
    said = [
        gettext("%(name)s: %(message)s") % {"name": labels[name], "message": text} if name in labels else text
        for name, texts in errors.items()
        for text in texts
    ]
    answer = {"message": str(message), "errors": errors, "labels": labels, "said": said}
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
