"""Sign-in throttling on every door (login page, /admin/, the API token endpoint), built on django-axes.

Settings name the pieces here (AXES_HANDLER, AXES_CLIENT_IP_CALLABLE, AXES_LOCKOUT_CALLABLE): failures are
counted per username and per client address, each against its own limit, and a locked-out sign-in is answered
429 with Retry-After and a translated message saying when to try again.
"""

import ipaddress
import math
from collections.abc import Iterator
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext


def _limit_for(parameters: str | list[str]) -> int:
    """The failure limit of one lockout parameter group: per address, or per user (with or without address)."""
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    return settings.LOGIN_FAILURES_PER_ADDRESS if names == ["ip_address"] else settings.LOGIN_FAILURES_PER_USER


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler (shared by every worker process), with each lockout group held to its own limit.

    Axes compares one failure count with one AXES_FAILURE_LIMIT; this handler reports each group's failures on
    that scale, so the address group reaches the limit at LOGIN_FAILURES_PER_ADDRESS and the username group
    at LOGIN_FAILURES_PER_USER.
    """

    def _groups(self, request, credentials) -> Iterator[tuple[int, int, datetime | None]]:
        """(failures within the cool-off window, this group's limit, latest failure) per lockout group."""
        groups = get_lockout_parameters(request, credentials)
        for parameters, attempts in zip(groups, self.get_user_attempts(request, credentials), strict=True):
            totals = attempts.aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
            yield totals["failures"] or 0, _limit_for(parameters), totals["latest"]

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        # floor(f · limit / own) ≥ limit exactly when f ≥ own: each group locks at its own limit.
        return max((failures * limit // own for failures, own, _ in self._groups(request, credentials)), default=0)

    def locked_until(self, request, credentials: dict | None = None) -> datetime | None:
        """When every group at its limit has aged out of the cool-off window (it may open earlier, never later)."""
        cool_off = get_cool_off(request)
        ends = [
            latest + cool_off
            for failures, own, latest in self._groups(request, credentials)
            if failures >= own and latest is not None
        ]
        return max(ends, default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted against.

    REMOTE_ADDR, unless KA_TRUSTED_PROXIES reverse proxies stand in front of the app: then the address the
    outermost of them saw, counted from the right of X-Forwarded-For (entries further left are the client's
    own claims and could be forged to dodge the per-address limit).
    """
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 with Retry-After: JSON {"code", "detail", "params"} on the API, the login page with the message elsewhere."""
    now = timezone.now()
    handler = AxesProxyHandler.get_implementation()
    until = handler.locked_until(request, credentials) if isinstance(handler, SignInAttempts) else None
    if until is None or until <= now:
        until = now + get_cool_off(request)
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute (at %(time)s).",
        "Too many failed sign-ins. Try again in %(minutes)d minutes (at %(time)s).",
        minutes,
    ) % {"minutes": minutes, "time": time_format(timezone.localtime(until))}
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {
                "code": "throttled",
                "detail": message,
                "params": {"retry_after": seconds, "until": timezone.localtime(until).isoformat()},
            },
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    else:
        username = get_client_username(request, credentials) or ""
        context = {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_out": message,
            "next": request.POST.get("next", request.GET.get("next", "")),
        }
        response = render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response
