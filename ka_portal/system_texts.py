"""System-written texts kept as a message code with parameters and made into a sentence when read, in the
reader's language.

A step that leaves a note for people to read later (a plan's "Start date reached.") stores the code
("promotion.start_reached") and its parameters, never the finished sentence: a sentence written at the time
would stay in the language of whoever, or whichever nightly job, took the step. Each app registers its codes
(code → translatable template with %(name)s placeholders) in its own module, imported by its AppConfig.ready().
What a person typed is kept as typed, beside the system's message. Amounts of money are stored as plain decimals
("29467.74") and written as the pages write money (29,467.74) when read: an app names its money parameters per
code when it registers."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .formatting import format_money

_TEMPLATES: dict[str, Promise] = {}
_MONEY: dict[str, tuple[str, ...]] = {}


def register(templates: dict[str, Promise], *, money: dict[str, tuple[str, ...]] | None = None) -> None:
    """Add an app's messages; a code means one thing for good (stored rows name it). ``money`` names, per code,
    the parameters that are amounts of money."""
    for code, template in templates.items():
        if _TEMPLATES.get(code, template) is not template:
            raise ImproperlyConfigured(f"The system text {code!r} is registered twice.")
        _TEMPLATES[code] = template
    for code, names in (money or {}).items():
        if code not in templates:
            raise ImproperlyConfigured(f"Money parameters for {code!r}, which this app does not register.")
        _MONEY[code] = tuple(names)


def is_registered(code: str) -> bool:
    return code in _TEMPLATES


def render(code: str, params: dict | None = None) -> str:
    """The message in the active language; an unknown code (a message retired since) shows as its code rather
    than nothing, and a missing parameter leaves the template's placeholder."""
    template = _TEMPLATES.get(code)
    if template is None:
        return code
    text = str(template)
    params = dict(params or {})
    for name in _MONEY.get(code, ()):
        if name in params:
            params[name] = format_money(params[name]) or params[name]
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text
