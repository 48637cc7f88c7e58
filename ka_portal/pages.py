"""How a page shows a refused service call: the one helper for every app's views.

A form view calls the service and, on a DomainError, `show_refusal(form, error)` puts the message next
to the field it names (or at the top) and re-renders what the user typed. A button that runs a business
step (submit, approve, reverse, add a stop…) goes through `run_step`: the success message, or the
refusal as an error message, then back to the page it came from.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError


def show_refusal(form, error: DomainError) -> None:
    """Put a service's refusal on the form: next to its field when the form has it, else at the top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.detail)


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
