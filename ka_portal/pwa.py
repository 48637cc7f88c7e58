"""The installable web app (issue 14 item 1): its manifest, in the user's language, and the service worker that
keeps the app shell and the rep's last pages (home, Today, visits) on the phone for when the network is gone.

Both are public (the browser fetches them without asking who is signed in) and never cached by the browser, so
a new deployment's hashed static names reach the phone at the next page load."""

import hashlib
import json
import re

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0d6efd"  # the navbar's blue (Bootstrap's primary); also in base.html's theme-color
BACKGROUND_COLOUR = "#f5f6f8"  # the page's background (static/css/ka.css)
ICON_SIZES = (192, 512)

# The app shell: what every page loads. Files a page loads that are not listed here are kept as they are used.
SHELL_FILES = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/ka.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/pwa.js",
    "js/record-lookup.js",
    "js/fresh-on-back.js",  # the home, Today and My day: Back asks the server again
    "visits/visit.js",
    "visits/drafts.js",
    "visits/outbox.js",
    "visits/queue.js",
    "visits/checkin.js",
    "visits/photos.js",  # the visit page's photos (issue 14 item 2); skipped where the storage does not have it
    "promoters/shift_card.js",  # a promoter's My day: the card's steps and sell-out offline
    "promoters/sell_out.js",
    *(f"icons/icon-{size}.png" for size in ICON_SIZES),
)

_PAGE_ID = 987654321  # stands for any primary key when a URL pattern is turned into a regular expression


def shell_urls() -> list[str]:
    """The shell's URLs as the static storage names them (hashed in production); a file the storage does not
    know (taken out, or not collected) is left out rather than breaking the worker's installation."""
    urls = []
    for path in SHELL_FILES:
        try:
            urls.append(staticfiles_storage.url(path))
        except ValueError:  # ManifestStaticFilesStorage: not in the manifest
            continue
    return urls


def _pattern(name: str, placeholder: str = r"\d+", arg=_PAGE_ID) -> str:
    """A regular expression (JavaScript syntax) of a URL pattern's path with one argument."""
    return "^" + re.escape(reverse(name, args=[arg])).replace(re.escape(str(arg)), placeholder) + "$"


def visit_page() -> str:
    """The visit page's path: its form's posts are queued offline."""
    return _pattern("visits:visit-detail")


def queued_posts() -> list[str]:
    """The paths whose form posts the worker keeps in the outbox when there is no network: the check-in, the
    visit page, and a visit by its client uuid (what a visit started offline posts to); a promoter's check-in,
    check-out and sell-out (promoters/views/phone.py answers them in JSON when uploaded)."""
    any_uuid = "[0-9a-f-]{36}"
    example = "00000000-0000-0000-0000-000000000000"
    by_uuid = _pattern("visits:visit-uuid", any_uuid, example)
    promoter_steps = [_pattern(f"promoters:my-{step}") for step in ("check-in", "check-out", "sell-out")]
    return [f"^{re.escape(reverse('visits:check-in'))}$", visit_page(), by_uuid, *promoter_steps]


def step_kinds() -> dict[str, list[str]]:
    """Regular expressions (JavaScript syntax) of the paths whose post kept offline is a check-in or a check-out, a
    rep's visit's or a promoter's shift's (a visit's check-out is the visit page's form with `action=check_out`):
    the outbox files each by its kind, and a refusal of it says the next step for that kind (queue.js nextStep:
    check in again, check out again), never "correct the values" as for a save."""
    return {
        "check_ins": [f"^{re.escape(reverse('visits:check-in'))}$", _pattern("promoters:my-check-in")],
        "check_outs": [_pattern("promoters:my-check-out")],
    }


def offline_pages() -> list[str]:
    """Regular expressions (JavaScript syntax) of the paths the worker keeps, newest first from the network: home,
    Today, visit pages and each stop's page before check-in; a promoter's My day and their shifts' pages."""
    return [
        f"^{re.escape(reverse('home'))}$",
        f"^{re.escape(reverse('visits:today'))}$",
        visit_page(),
        _pattern("visits:visit-start"),
        f"^{re.escape(reverse('promoters:my-day'))}$",
        _pattern("promoters:my-shift"),
    ]


def _offline_landings() -> list[dict]:
    """Where the offline page may send the user, and what it says is kept: a rep's Today (first: where nothing else
    is kept), or a promoter's My day (Today is a rep's page, 403 for them). The worker picks the one whose page the
    phone keeps (sw.js `landing`): the script is the same for every user, so a sign-in needs no new worker."""
    return [
        {
            "home": reverse("visits:today"),
            "link": _("Today"),
            "text": _(
                "This page was not opened on this phone before, so it cannot be shown without a network. "
                "Today and the visits you opened can be."
            ),
        },
        {
            "home": reverse("promoters:my-day"),
            "link": _("My day"),
            "text": _("Without a network this phone shows only the pages it keeps: My day and the shifts you opened."),
        },
    ]


def _never_cached(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])  # in the user's language (cookie or browser)
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("KA Portal"),
        "short_name": _("KA Portal"),
        "description": _("Store visits, promotions and trade spend for key accounts."),
        "lang": get_language(),
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": staticfiles_storage.url(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",  # full bleed, the letters inside the safe zone (scripts/make_icons.py)
            }
            for size in ICON_SIZES
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    return _never_cached(response)


@require_GET
def service_worker(request):
    """The worker's script; `?lang=` (the page's language, from js/pwa.js) names its offline page's language: the
    browser's own fetch of the script may not carry the user's choice."""
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        with translation.override(language):
            return _service_worker()
    return _service_worker()


def _service_worker() -> HttpResponse:
    worker = {
        "shell": shell_urls(),
        "pages": offline_pages(),
        "queued": queued_posts(),
        "check_in": reverse("visits:check-in"),
        **step_kinds(),
        "stop_page": _pattern("visits:visit-start"),  # a stop's page: kept anew after a check-in or check-out
        "outbox": staticfiles_storage.url("visits/outbox.js"),
        "queue_full": _(
            "This phone's storage is full: the save could not be kept to upload later. "
            "Go back: what you typed is still on the page."
        ),
        "static_prefix": settings.STATIC_URL,
        "logout": reverse("logout"),
        "offline_title": _("No network"),
        "today": reverse("visits:today"),  # where a rep's check-out kept offline goes on to
        "landings": _offline_landings(),
        "lang": get_language(),
    }
    encoded = json.dumps(worker, ensure_ascii=False, sort_keys=True)
    # A new shell (new hashed names, another language) is a new version: the worker drops the old shell cache.
    version = hashlib.sha256(encoded.encode()).hexdigest()[:12]
    script = render_to_string("pwa/sw.js", {"settings": encoded, "version": version})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"  # its scope is the whole site, whatever URL serves it
    return _never_cached(response)


@require_GET
def favicon(request):
    """`/favicon.ico`, which a browser asks by itself where a page names no icon (a photo opened alone): the app's
    icon, kept for a day."""
    response = HttpResponseRedirect(staticfiles_storage.url(f"icons/icon-{ICON_SIZES[0]}.png"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
