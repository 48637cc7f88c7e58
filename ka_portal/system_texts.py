"""System-written texts kept as a message code with parameters and made into a sentence when read, in the
reader's language.

A step that leaves a note for people to read later (a plan's "Start date reached.") stores the code
("promotion.start_reached") and its parameters, never the finished sentence: a sentence written at the time
would stay in the language of whoever, or whichever nightly job, took the step. Each app registers its codes
(code → translatable template with %(name)s placeholders) in its own module, imported by its AppConfig.ready().
What a person typed is kept as typed, beside the system's message. Amounts of money are stored as plain decimals
("29467.74") and written as the pages write money (29,467.74) when read: an app names its money parameters per
code when it registers.

A search finds such a row by the sentence people read (`search_q`), in every language the site speaks."""

import functools
import operator
import re
from collections.abc import Iterable
from itertools import zip_longest

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, Q, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Concat
from django.db.models.lookups import IContains
from django.utils import translation
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


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
NOTHING = Q(pk__in=[])


def search_q(term: str, *, code_field: str, params_field: str, codes: Iterable[str] | None = None) -> Q:
    """The rows whose system-written text contains ``term`` (case aside) as it reads in any of the site's languages,
    for a search beside the fields people typed: ``code_field`` and ``params_field`` name the model's fields for the
    code and its parameters, ``codes`` the codes it stores (an app's notes; every registered one when None).

    A code whose template has no parameter is picked here by its words; one with parameters has its sentence written
    in the database (the template's words around each parameter's stored value), so the term is found in the words,
    in a parameter (a remittance's reference) or across both, and the search stays one queryset filter that the
    database counts and pages. Money parameters are matched as stored (29467.74, not 29,467.74)."""
    term = term.strip()
    if not term:
        return NOTHING
    fixed, written = _sentences(term.casefold(), list(_TEMPLATES if codes is None else codes), code_field, params_field)
    found = [Q(**{f"{code_field}__in": fixed})] if fixed else []
    found += [Q(IContains(Case(*sentences, output_field=TextField()), term)) for sentences in written]
    return functools.reduce(operator.or_, found) if found else NOTHING


def _sentences(needle: str, codes: list[str], code_field: str, params_field: str) -> tuple[list[str], list[list[When]]]:
    """The codes without parameters whose words hold ``needle``, and per language the other codes' sentences as
    database expressions, each for the rows of its code (a text the same as in a language before, untranslated,
    is left out)."""
    fixed: list[str] = []
    written = []
    seen: set[tuple[str, str]] = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts = [(code, str(_TEMPLATES[code])) for code in codes if code in _TEMPLATES]
        sentences = []
        for code, text in texts:
            if (code, text) in seen:
                continue
            seen.add((code, text))
            parts = _PLACEHOLDER.split(text)
            words, names = [part.replace("%%", "%") for part in parts[0::2]], parts[1::2]
            if not names:
                if needle in words[0].casefold() and code not in fixed:
                    fixed.append(code)
                continue
            pieces = []
            for word, name in zip_longest(words, names):
                if word:
                    pieces.append(Value(word))
                if name:
                    pieces.append(KT(f"{params_field}__{name}"))
            sentence = Concat(*pieces, output_field=TextField()) if len(pieces) > 1 else pieces[0]
            sentences.append(When(Q(**{code_field: code}), then=sentence))
        if sentences:
            written.append(sentences)
    return fixed, written
