"""An import problem's message kept as its message id and parameters and written in the reader's language when read.

A file is checked by a worker in the uploader's language; the problems are read later by whoever opens the job
(page, API, the Excel of problems), maybe in the other language. So, as ka_portal/system_texts.py does for the
system's notes, a problem keeps what makes its sentence rather than the sentence: the message's msgid (the
``gettext_lazy`` text the rule or parser gave, a DomainError's message included) and its parameters, a
parameter that is itself a translatable word (“a number”) kept the same way, a list of words
(ka_portal.wordlists.WordList: the columns of a duplicate row, a choice's labels) kept as its words and joined in the
reader's language, and a column's header taken from the template (the file lacks the column: ``Header``) kept in both
languages. Other parameters are kept as the sentence wrote them (``%s``: a Decimal as its digits, a date as ISO). A
message that is no msgid (a sentence built elsewhere) is kept as written only, like the problems stored before this.

    kept(message, params) -> dict | None     what to store (JSON), None when the message is no msgid
    render(kept) -> str                      the sentence in the active language
    written(message, params) -> str          the sentence now (the worker's language), as stored beside it
"""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from ka_portal.wordlists import WordList


class Header:
    """A column's header as the template writes it in the reader's language (the file lacks the column, so it has
    no header of its own): the Chinese, or the English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return self.zh if (translation.get_language() or "zh-hans").startswith("zh") else self.en

    def kept(self) -> dict:
        return {"zh": self.zh, "en": self.en}


def _source(message: Any) -> tuple[str | None, str] | None:
    """(context, msgid) of a ``gettext_lazy`` (context None) or ``pgettext_lazy`` message, else None (read from its
    pickling recipe, which names the function and its arguments)."""
    if not isinstance(message, Promise):
        return None
    try:
        func, args, kw = message.__reduce__()[1][:3]
    except (TypeError, ValueError, IndexError):
        return None
    if kw or not all(isinstance(arg, str) for arg in args):
        return None
    if func is translation.gettext and len(args) == 1:
        return None, args[0]
    if func is translation.pgettext and len(args) == 2:
        return args[0], args[1]
    return None


def _parameter(value: Any) -> Any:
    if isinstance(value, WordList):
        return {"words": [_parameter(word) for word in value.words], "quoted": value.quoted, "and": value.conjunction}
    if isinstance(value, Header):
        return value.kept()
    inner = kept(value) if isinstance(value, Promise) else None
    if inner is not None:
        return inner
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def kept(message: Any, params: dict | None = None) -> dict | None:
    """``{"msgid": …, "params": {…}}`` for a ``gettext_lazy`` message (with its ``"context"`` for a
    ``pgettext_lazy`` one); None for any other (kept as written)."""
    source = _source(message)
    if source is None:
        return None
    context, msgid = source
    stored = {"msgid": msgid, "params": {name: _parameter(value) for name, value in (params or {}).items()}}
    if context is not None:
        stored["context"] = context
    return stored


def written(message: Any, params: dict | None = None) -> str:
    """The sentence in the active language, as DomainError.detail writes it (placeholders filled when given)."""
    text = str(message)
    return text % params if params else text


def _shown(value: Any) -> Any:
    """A kept parameter as the active language writes it."""
    if not isinstance(value, dict):
        return value
    if "msgid" in value:
        return render(value)
    if "words" in value:
        words = [_shown(word) for word in value["words"]]
        return str(WordList(words, quoted=bool(value.get("quoted")), conjunction=bool(value.get("and"))))
    if "zh" in value and "en" in value:
        return str(Header(value["zh"], value["en"]))
    return value


def render(stored: dict) -> str:
    """The stored message in the active language; a parameter that was a translatable word, translated too, a list
    of words joined as the reader's language lists them. A message whose placeholders no longer fit its parameters
    reads without them rather than failing."""
    params = {name: _shown(value) for name, value in (stored.get("params") or {}).items()}
    context = stored.get("context")
    text = translation.pgettext(context, stored["msgid"]) if context else translation.gettext(stored["msgid"])
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
