"""An import problem's message kept as its message id and parameters and written in the reader's language when read.

A file is checked by a worker in the uploader's language; the problems are read later by whoever opens the job
(page, API, the Excel of problems), maybe in the other language. So, as ka_portal/system_texts.py does for the
system's notes, a problem keeps what makes its sentence rather than the sentence: the message's msgid (the
``gettext_lazy`` text the rule or parser gave, a DomainError's message included) and its parameters, a
parameter that is itself a translatable word (“a number”) kept the same way. Other parameters are kept as the
sentence wrote them (``%s``: a Decimal as its digits, a date as ISO). A message that is no msgid (a sentence built
elsewhere) is kept as written only, like the problems stored before this.

    kept(message, params) -> dict | None     what to store (JSON), None when the message is no msgid
    render(kept) -> str                      the sentence in the active language
    written(message, params) -> str          the sentence now (the worker's language), as stored beside it
"""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


def _msgid(message: Any) -> str | None:
    """The msgid of a ``gettext_lazy`` message, else None (read from its pickling recipe, which names the function
    and its arguments)."""
    if not isinstance(message, Promise):
        return None
    try:
        func, args, kw = message.__reduce__()[1][:3]
    except (TypeError, ValueError, IndexError):
        return None
    if func is translation.gettext and len(args) == 1 and not kw and isinstance(args[0], str):
        return args[0]
    return None


def _parameter(value: Any) -> Any:
    inner = kept(value) if isinstance(value, Promise) else None
    if inner is not None:
        return inner
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def kept(message: Any, params: dict | None = None) -> dict | None:
    """``{"msgid": …, "params": {…}}`` for a ``gettext_lazy`` message; None for any other (kept as written)."""
    msgid = _msgid(message)
    if msgid is None:
        return None
    return {"msgid": msgid, "params": {name: _parameter(value) for name, value in (params or {}).items()}}


def written(message: Any, params: dict | None = None) -> str:
    """The sentence in the active language, as DomainError.detail writes it (placeholders filled when given)."""
    text = str(message)
    return text % params if params else text


def render(stored: dict) -> str:
    """The stored message in the active language; a parameter that was a translatable word, translated too. A
    message whose placeholders no longer fit its parameters reads without them rather than failing."""
    params = {
        name: render(value) if isinstance(value, dict) and "msgid" in value else value
        for name, value in (stored.get("params") or {}).items()
    }
    text = translation.gettext(stored["msgid"])
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
