"""A list of words inside a message, joined as the reader's language lists them when it is read.

A message kept to be read later in another language (an import's problems: imports/texts.py) must not hold a list
already joined in the writer's language (“A”，“B”和“C” read in English): it keeps the words and this joins them
when read. ``str()`` joins them in the active language, so the same object fills a DomainError's message now.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, pgettext


class WordList:
    """Words — a text as written (a column as the file heads it) or a ``gettext_lazy`` word, translated when read —
    joined with the language's list separator; with ``conjunction`` the last by “and”; with ``quoted`` each in
    quotes: “A”, “B” and “C” / “A”、“B”和“C”."""

    def __init__(self, words: Iterable[Any], *, quoted: bool = False, conjunction: bool = False) -> None:
        self.words = tuple(words)
        self.quoted = quoted
        self.conjunction = conjunction

    def __str__(self) -> str:
        words = [f"“{word}”" if self.quoted else str(word) for word in self.words]
        if len(words) < 2:
            return "".join(words)
        separator = pgettext("list separator", ", ")
        if not self.conjunction:
            return separator.join(words)
        return gettext("%(first)s and %(last)s") % {"first": separator.join(words[:-1]), "last": words[-1]}

    def __repr__(self) -> str:
        return f"WordList({[str(word) for word in self.words]!r}, quoted={self.quoted}, conjunction={self.conjunction})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WordList):
            return NotImplemented
        return (self.words, self.quoted, self.conjunction) == (other.words, other.quoted, other.conjunction)

    def __hash__(self) -> int:
        return hash((tuple(str(word) for word in self.words), self.quoted, self.conjunction))
