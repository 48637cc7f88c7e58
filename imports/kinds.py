"""What an import kind is made of: typed cell parsers, columns with Chinese and English headers, the
problems of a file, the ImportKind base class, and the helpers kinds use to check codes and write in batches.

The kinds themselves live in the apps that own their records (stores/imports.py, accounts/imports.py) and
register with imports/registry.py; imports/runner.py reads a file through a kind, all or nothing.
"""

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

from ka_portal.api_fields import codes_ignore_case
from ka_portal.errors import DomainError
from ka_portal.formatting import NOT_IN_DIGITS, number_not_in_digits, typed_number
from ka_portal.scope import user_role
from ka_portal.updated_at import touched_fields, tracks_updates

from . import texts

# How many codes go into one `IN (...)` query: well under SQLite's and PostgreSQL's parameter limits.
LOOKUP_CHUNK = 2000


# --- problem codes ---

# Every row problem carries a code for a machine beside its sentence for a person: a cell the import cannot read and
# a code it cannot find carry one of these; a row a rule refuses carries that rule's own code, as the page and the API
# give it (store.code_taken, contract.term_outside_contract, …). The API schema lists these (imports/api.py).
PROBLEM_CODES: dict[str, str] = {
    "import.missing_column": "A required column is missing (a problem of the header row).",
    "import.duplicate_column": "The same column appears twice (a problem of the header row).",
    "import.required": "A required cell is empty.",
    "import.merged_with_header": "The cell is merged with the headers or the title above them, so it holds no value "
    "of its row (a range merged within the data rows gives its value to every row it covers).",
    "import.duplicate_row": "The row names the same record (its natural key) as an earlier row of the file.",
    "import.too_long": "Text longer than the column allows.",
    "import.bad_number": "Not a number written in digits.",
    "import.not_whole": "Not a whole number.",
    "import.too_many_decimals": "More decimal places than the column allows.",
    "import.below_minimum": "Below the column's least value (negative, where it may not be).",
    "import.above_maximum": "Above the column's greatest value.",
    "import.percent_cell": "A cell formatted as a percentage in a column that does not take percentages.",
    "import.date_cell": "A date where text or a number is expected.",
    "import.boolean_cell": "TRUE/FALSE where text or a number is expected.",
    "import.bad_date": "Not a date (YYYY-MM-DD).",
    "import.bad_month": "Not a month (YYYY-MM).",
    "import.bad_time": "Not a time of day (HH:MM).",
    "import.bad_choice": "Not one of the column's choices.",
    "import.bad_yes_no": "Not yes/no (是/否, 1/0).",
    "import.bad_cases_packs": "A quantity that is neither packs nor cases/packs.",
    "import.packs_over_case": "A quantity written cases/packs whose packs make a case or more.",
    "import.quantity_read_as_date": "Excel read a quantity typed as cases/packs (2/5) as a date.",
    "import.store_not_found": "No store with this code that the importer can reach (missing and out of scope read "
    "the same).",
    "import.account_not_found": "No key account with this code that the importer can reach.",
    "import.contract_not_found": "No contract with this number that the importer can reach.",
    "import.promoter_not_found": "No promoter with this code that the importer can reach.",
    "import.plan_not_found": "No promotion plan with this id that the importer can reach.",
    "import.product_not_found": "No product with this code.",
    "import.rep_not_found": "No sales rep with this username (compared without case) that the importer may give "
    "stores to.",
    "import.supervisor_not_found": "No KA supervisor with this username or name.",
    "import.supervisor_ambiguous": "More than one KA supervisor has this name: give the username.",
    "import.invalid_value": "Any other value the import cannot read.",
}

# The code of a problem given without one (a sentence from elsewhere): every row problem carries a code.
INVALID_VALUE = "import.invalid_value"
BELOW_MINIMUM = "import.below_minimum"
ABOVE_MAXIMUM = "import.above_maximum"
BAD_DATE = "import.bad_date"
BAD_CHOICE = "import.bad_choice"
NOT_ONE_OF = gettext_lazy("“%(value)s” is not one of %(options)s.")


@dataclass(frozen=True)
class NotFound:
    """How a row naming a record it cannot reach is refused: one code and one sentence (with %(value)s, the code as
    written) whether the record does not exist or lies outside the importer's scope — as the pages and the API answer
    404 for both, a file never tells whether someone else has a code."""

    code: str
    message: Any


STORE_NOT_FOUND = NotFound(
    "import.store_not_found", gettext_lazy("No store with the code “%(value)s” that you can reach.")
)
ACCOUNT_NOT_FOUND = NotFound(
    "import.account_not_found", gettext_lazy("No key account with the code “%(value)s” that you can reach.")
)
CONTRACT_NOT_FOUND = NotFound(
    "import.contract_not_found", gettext_lazy("No contract with the number “%(value)s” that you can reach.")
)
PROMOTER_NOT_FOUND = NotFound(
    "import.promoter_not_found", gettext_lazy("No promoter with the code “%(value)s” that you can reach.")
)
PLAN_NOT_FOUND = NotFound(
    "import.plan_not_found", gettext_lazy("No promotion plan with the id %(value)s that you can reach.")
)
# Products are not scoped: everyone reaches every product.
PRODUCT_NOT_FOUND = NotFound("import.product_not_found", gettext_lazy("No product with the code “%(value)s”."))
REP_NOT_FOUND = NotFound(
    "import.rep_not_found",
    gettext_lazy("“%(value)s” is not the username of a sales rep you may give stores to."),
)


class CellError(ValueError):
    """A cell's value cannot be read as its column's type; the message says why (a ``gettext_lazy`` text with
    ``%(name)s`` placeholders filled from ``params``), kept so that it reads in the language of whoever reads the
    problem later (imports/texts.py); ``str(error)`` is the sentence in the language active now. ``code`` says it for
    a machine, as a DomainError's does (``import.bad_date``; every one is in PROBLEM_CODES)."""

    def __init__(self, message: Any, *, code: str = INVALID_VALUE, **params: Any) -> None:
        self.message, self.params, self.code = message, params, code
        super().__init__(texts.written(message, params))


# --- typed cell parsers: each takes a non-empty cell value and returns the Python value or raises CellError ---


# Lazy: translated only when a cell is refused, not once per cell read.
_TEXT = gettext_lazy("text")
_A_NUMBER = gettext_lazy("a number")


@dataclass(frozen=True, slots=True)
class Percentage:
    """A number cell formatted as a percentage, as the runner reads it: ``value`` is what the cell holds (0.05),
    ``shown`` the percentage it shows (5, a Decimal: 0.025 shows 2.5, never 2.4999…). A percent column
    (``Column.percent``) reads the percentage; any other column refuses the cell (PERCENT_ELSEWHERE) rather than take
    0.05 for 5 or 5 for 0.05."""

    value: int | float

    @property
    def shown(self) -> Decimal:
        number = Decimal(self.value) if isinstance(self.value, int) else Decimal(str(self.value))
        return number.scaleb(2)

    def __str__(self) -> str:
        return f"{self.shown.normalize():f}%"


PERCENT_ELSEWHERE = gettext_lazy(
    "This cell is formatted as a percentage (%(shown)s), but this column does not take percentages: "
    "format the cell as a number and write the value itself."
)


def without_percent_sign(value: str) -> str:
    """Text typed into a percent column: “2.5%” (or “2.5％”) is 2.5, as the column's header says."""
    cleaned = value.strip()
    return cleaned[:-1] if cleaned.endswith(("%", "％")) else value


def _no_dates(value, expected) -> None:
    if isinstance(value, (datetime, date)):
        raise CellError(
            gettext_lazy("Expected %(expected)s, found a date."), code="import.date_cell", expected=expected
        )
    if isinstance(value, bool):
        raise CellError(
            gettext_lazy("Expected %(expected)s, found TRUE/FALSE."), code="import.boolean_cell", expected=expected
        )


def text(max_length: int) -> Callable[[Any], str]:
    """Text up to `max_length` characters; a code typed as a number (1001 → 1001.0 in Excel) stays 1001."""

    def parse(value) -> str:
        _no_dates(value, _TEXT)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if len(result) > max_length:
            raise CellError(gettext_lazy("Longer than %(max)s characters."), code="import.too_long", max=max_length)
        return result

    return parse


def _to_decimal(value) -> Decimal:
    _no_dates(value, _A_NUMBER)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):  # a percentage as its cell shows it (the runner's Percentage.shown)
        number = value
    elif isinstance(value, float):
        # str() gives the shortest text that reads back as the same float: 4.1 → "4.1", not 4.0999…
        number = Decimal(str(value))
    else:
        cleaned = typed_number(value)
        if number_not_in_digits(cleaned):  # "1e5" read as 100000: a unit price of a million
            raise CellError(NOT_IN_DIGITS, code="import.bad_number")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(
                gettext_lazy("“%(value)s” is not a number."), code="import.bad_number", value=value
            ) from None
    if not number.is_finite():
        raise CellError(gettext_lazy("“%(value)s” is not a number."), code="import.bad_number", value=value)
    return number


def _check_range(number, min_value, max_value) -> None:
    if min_value is not None and number < min_value:
        if min_value == 0:
            raise CellError(gettext_lazy("Must not be negative."), code=BELOW_MINIMUM)
        raise CellError(gettext_lazy("Must be at least %(min)s."), code=BELOW_MINIMUM, min=min_value)
    if max_value is not None and number > max_value:
        raise CellError(gettext_lazy("Must be at most %(max)s."), code=ABOVE_MAXIMUM, max=max_value)


def decimal_number(*, places: int = 2, min_value=Decimal(0), max_value=Decimal("999999999999.99")):
    """A decimal with at most `places` places (money by default: 0 ≤ x < 10¹², two places)."""
    step = Decimal(1).scaleb(-places)

    def parse(value) -> Decimal:
        number = _to_decimal(value)
        _check_range(number, min_value, max_value)
        if number != number.quantize(step):
            raise CellError(
                gettext_lazy("More than %(places)s decimal places: %(value)s."),
                code="import.too_many_decimals",
                places=places,
                value=number,
            )
        return number.quantize(step)

    return parse


money = decimal_number


def whole_number(*, min_value: int | None = 1, max_value: int | None = None) -> Callable[[Any], int]:
    """A whole number (packs, packs per case, a year); 12.0 is 12, 12.5 is an error."""

    def parse(value) -> int:
        number = _to_decimal(value)
        if number != number.to_integral_value():
            raise CellError(gettext_lazy("“%(value)s” is not a whole number."), code="import.not_whole", value=value)
        _check_range(number, min_value, max_value)
        return int(number)

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def a_date(value) -> date:
    """A date cell, or text like 2026-03-01, 2026/3/1 or 2026年3月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        # full-width digits and separators typed on a Chinese keyboard (２０２６／１１／２５) read as the digits,
        # and a date written with its time of day (2026-11-25 00:00:00, a date cell copied as text) as the date
        cleaned = unicodedata.normalize("NFKC", value).strip()
        cleaned = re.split(r"[ T]", cleaned, maxsplit=1)[0] if re.match(r"\d{4}\D\d", cleaned) else cleaned
        for pattern in _DATE_FORMATS:
            try:
                return datetime.strptime(cleaned, pattern).date()
            except ValueError:
                continue
    raise CellError(gettext_lazy("“%(value)s” is not a date; write it as YYYY-MM-DD."), code=BAD_DATE, value=value)


def choice(options: Iterable[str]) -> Callable[[Any], str]:
    """One of a few codes (a grade A/B/C), case and spaces ignored."""
    allowed = {str(option).upper(): option for option in options}

    def parse(value) -> str:
        found = allowed.get(str(value).strip().upper())
        if found is None:
            raise CellError(NOT_ONE_OF, code=BAD_CHOICE, value=value, options=", ".join(allowed.values()))
        return found

    return parse


_TRUE = {"1", "true", "yes", "y", "t", "是", "有效", "启用", "在售"}
_FALSE = {"0", "false", "no", "n", "f", "否", "无效", "停用", "停售"}


def choice_spellings(choices, spelling: Callable[[Any], str]) -> dict[str, str]:
    """Every way a cell may write one of a model's choices — its code, its label in English and in Chinese (what
    the exports write: “Our company”, “本公司”) — as `spelling` compares them → the code."""
    from django.utils import translation

    found = {}
    for value, label in choices.choices:
        found[spelling(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                found[spelling(label)] = value
    return found


def yes_no(value) -> bool:
    """TRUE/FALSE, 1/0, yes/no, 是/否."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(gettext_lazy("“%(value)s” is not yes/no (是/否, 1/0)."), code="import.bad_yes_no", value=value)


# --- columns and kinds ---


def _choices_hint(choices) -> str:
    labels = pgettext("list separator", ", ").join(str(label) for label in choices.labels)
    return gettext("One of: %(labels)s") % {"labels": labels}


# A choice column's hint: its choices as the sheet, the export and a refusal write them (their labels, in the reader's
# language), not the codes behind them (a code is still read). Made a sentence when read: columns are built at import
# time, when "%" on a lazy text would fix it in the default language.
choices_hint = lazy(_choices_hint, str)


def normal_header(header) -> str:
    """Headers compare without case, spaces, asterisks (required marks) or full-width brackets."""
    cleaned = str(header).lower().replace("*", "").replace("（", "(").replace("）", ")").replace("_", " ")
    return re.sub(r"\s+", " ", cleaned).strip()


@dataclass(frozen=True)
class Column:
    """One column of an import: its key in a parsed row, its headers (Chinese, English and other accepted
    names), how a cell is read, whether it is required, and what the template says about it."""

    key: str
    zh: str
    en: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: Any = None
    hint: Any = ""
    example: Any = ""
    # A percentage (a rate %): a cell formatted as a percentage reads as the percentage it shows (a “5%” cell,
    # which holds 0.05, is 5) and text “2.5%” as 2.5. Any other column refuses a percent-formatted cell.
    percent: bool = False

    def header(self, language: str | None = None) -> str:
        """The header in this language (the user's when none is given), as the template and the export carry it, the
        import page lists it and a problem names a column the file lacks: the Chinese, or the English with a capital
        (“Contract number”; headers are read without case)."""
        return self.zh if (language or get_language() or "zh-hans").startswith("zh") else capfirst(self.en)

    @property
    def names(self) -> set[str]:
        return {normal_header(name) for name in (self.zh, self.en, *self.aliases)}


@dataclass
class Row:
    """A data row: its number in the sheet (as Excel numbers it, title and header rows counted) and its parsed values
    by column key.
    A value that failed to parse is left out, so checks skip it instead of reporting it twice. `blank` names the
    optional columns the file has whose cell in this row is empty: they hold their column's default, which a row
    creating a record keeps and a row updating one replaces with the stored value (keep_stored: an empty cell
    leaves its field as it is; CLEAR_WORDS empty it)."""

    number: int
    values: dict[str, Any]
    blank: set[str] = field(default_factory=set)


# What a cell holds to empty its field on a row that updates a record (an empty cell leaves the field as it is): a
# dash, as the template's instructions say. On a row that creates a record it reads as an empty cell (the default).
CLEAR_WORDS = frozenset({"-", "－", "—", "–"})


def clears(value) -> bool:
    """Whether a cell asks to empty its field (CLEAR_WORDS)."""
    return isinstance(value, str) and value.strip() in CLEAR_WORDS


BLANK_KEEPS = gettext_lazy(
    "On a row for an existing record, an empty cell leaves that field as it is. To empty a field that is not "
    "required, write a dash (-) in its cell."
)


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    order: int
    column: str
    message: str  # as written when found (the uploader's language)
    field: str = ""
    text: str = ""  # what makes the message in any language, as JSON (imports/texts.py); "" when none
    code: str = INVALID_VALUE  # for a machine: import.bad_date, or the refusing rule's own (PROBLEM_CODES)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "field": self.field, "code": self.code, "message": self.message}


class Problems:
    """The problems of a file, each with its column as the file names it: the first `keep` of them (by row
    and column) are kept to be shown; all are counted. The runner adds a chunk of rows' problems, then
    `close()`s the chunk: an identical problem found twice in it counts once."""

    def __init__(self, kind: "ImportKind", headers: dict[str, str], *, keep: int | None = None) -> None:
        self.kind = kind
        self.headers = headers
        self.keep = settings.KA.import_max_errors if keep is None else keep
        self.kept: list[RowError] = []
        self.total = 0
        self.bad_rows = 0
        self._open: set[RowError] = set()

    def add(
        self, row: Row | int, key: str | None, message: Any, params: dict | None = None, *, code: str | None = None
    ) -> None:
        """A problem of ``row`` in column ``key``: a ``gettext_lazy`` message with its ``params`` and its ``code``
        (PROBLEM_CODES), a CellError or a DomainError (their message, params and code), or a NotFound (its message and
        code, ``params`` naming the value), kept to be read in any language (imports/texts.py); a plain sentence is kept
        as written."""
        if isinstance(message, CellError | DomainError):
            message, params, code = message.message, message.params, message.code
        elif isinstance(message, NotFound):
            message, code = message.message, message.code
        number = row.number if isinstance(row, Row) else row
        column = self.column_header(key) if key else ""  # "": the row as a whole
        stored = texts.kept(message, params)
        header = self.column_word(key) if key else None
        if isinstance(header, texts.Header):  # the file lacks the column: its header is read in the reader's language
            stored = {**(stored or {}), "column": header.kept()}
        text = json.dumps(stored, ensure_ascii=False, sort_keys=True) if stored else ""
        self._open.add(
            RowError(
                number,
                self.kind.column_order(key),
                column,
                texts.written(message, params),
                key or "",
                text,
                code or INVALID_VALUE,
            )
        )

    def column_header(self, key: str) -> str:
        """A column as the file heads it, else (the file lacks it) as the template does in the user's language."""
        return self.headers.get(key) or self.kind.column(key).header()

    def column_word(self, key: str) -> "str | texts.Header":
        """A column as a problem's message names it: as the file heads it, else (the file lacks it) the template's
        header, kept in both languages to be read in the reader's."""
        if self.headers.get(key):
            return self.headers[key]
        column = self.kind.column(key)
        return texts.Header(column.header("zh-hans"), column.header("en"))

    def close(self) -> None:
        """Count the open chunk's problems and keep the first ones (chunks come in row order)."""
        if not self._open:
            return
        self.total += len(self._open)
        self.bad_rows += len({error.row for error in self._open})
        if len(self.kept) < self.keep:
            self.kept = sorted([*self.kept, *self._open])[: self.keep]
        self._open = set()

    def __bool__(self) -> bool:
        return bool(self.total or self._open)

    def sorted(self) -> list[RowError]:
        """The kept problems by row and column."""
        self.close()
        return self.kept


class ImportKind:
    """One kind of import. Subclasses give the columns, the natural key (what identifies a record in the
    file and in the database), the roles that may run it, `check` (codes to ids, scope) and `write`."""

    name = ""
    label: Any = ""
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    # Column key → model attribute where they differ (codes resolve to ids: "store_code" → "store_id").
    model_fields: dict[str, str] = {}

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def column_order(self, key: str | None) -> int:
        keys = [column.key for column in self.columns]
        return keys.index(key) if key in keys else -1

    def describe(self, language: str | None = None) -> list[dict]:
        """Per column: its header in this language and the other, required or not, format and example."""
        language = language or get_language() or "zh-hans"
        other = "en" if language.startswith("zh") else "zh-hans"
        return [
            {
                "header": column.header(language),
                "other": column.header(other),
                "required": column.required,
                "hint": column.hint,
                "example": column.example,
            }
            for column in self.columns
        ]

    def allowed(self, user) -> bool:
        return user_role(user) in self.roles

    def check(self, rows: list[Row], problems: Problems, *, user) -> None:
        """Resolve codes to ids (writing them into row.values) and report unknown or out-of-scope ones."""

    def write(self, rows: list[Row], *, present: set[str]) -> tuple[int, int]:
        """Create or update the records (inside the runner's transaction); return (created, updated). A row that
        leaves its record as it was is neither: the runner reports the rest of the rows as unchanged (`upsert` does
        this for a kind). `present` names the columns the file has: an absent optional column leaves stored values
        alone. On a check (the runner's `check_only`) the same write runs and is rolled back."""
        raise NotImplementedError


# --- helpers for kinds' checks and writes ---


def chunks(values: Sequence, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lookup(queryset: QuerySet, values: Iterable, *, field: str = "code", target: str = "pk") -> dict:
    """{value of `field`: value of `target`} for the given values, in a few chunked queries (never one per row)."""
    wanted = sorted({value for value in values if value is not None})
    found: dict = {}
    for part in chunks(wanted):
        found.update(queryset.filter(**{f"{field}__in": part}).values_list(field, target))
    return found


def resolve(
    rows: list[Row],
    problems: Problems,
    *,
    key: str,
    target: str,
    queryset: QuerySet,
    scoped: QuerySet | None = None,
    field: str = "code",
    not_found: NotFound,
) -> None:
    """Turn the codes in column `key` into ids in `row.values[target]`, looked up within the user's scope (`scoped`,
    else `queryset`): a code no record has and one outside the scope are refused alike (`not_found`), as the pages and
    the API answer 404 for both. Store and product codes are compared without case (`p002` names `P002`:
    stores.imports.resolve_codes), whichever kind reads them."""
    if field == "code" and codes_ignore_case(queryset.model):
        from stores.imports import resolve_codes

        resolve_codes(
            rows, problems, key=key, target=target, queryset=queryset, scoped=scoped, not_found=not_found
        )  # fmt: skip
        return
    allowed = lookup(queryset if scoped is None else scoped, (row.values.get(key) for row in rows), field=field)
    for row in rows:
        code = row.values.get(key)
        if code is None:
            continue
        if code not in allowed:
            problems.add(row, key, not_found, {"value": code})
        else:
            row.values[target] = allowed[code]


def existing_keys(queryset: QuerySet, ids: Iterable, *, by: str, key: Sequence[str]) -> dict[tuple, Any]:
    """{natural key: pk} of the stored records whose `by` is among `ids` (chunked queries)."""
    found: dict[tuple, Any] = {}
    for part in chunks(sorted(set(ids))):
        for pk, *values in queryset.filter(**{f"{by}__in": part}).values_list("pk", *key):
            found[tuple(values)] = pk
    return found


def keep_stored(
    kind: ImportKind,
    rows: list[Row],
    queryset: QuerySet,
    *,
    unique: Sequence[str],
    present: set[str] | None = None,
    together: Iterable[frozenset[str]] = (),
) -> None:
    """On a row that updates a stored record, an empty cell leaves its field as it is: the row's blank columns
    (Row.blank) take the record's stored values, so the rules check, and the write writes, the record as it will be.
    A row creating a record keeps its columns' defaults. The record is found by its natural key `unique` (model
    fields, as row.values holds them once the kind has resolved its codes: store_id, or a code in its stored
    spelling) in `queryset`; a column naming another record (a rep's username) keeps the stored id
    (kind.model_fields). Columns read `together` (a position's latitude and longitude, a pay's daily fee and monthly
    pay) are one value: a row giving any of them (`present`: the file's columns) gives the group as its cells are,
    and a row giving none keeps the group whole. Called by a kind's check before the record's rules; a query a
    chunk."""
    model = queryset.model
    wanted = [row for row in rows if row.blank and all(row.values.get(name) is not None for name in unique)]
    if not wanted:
        return
    groups = [frozenset(group) for group in together]
    fields: dict[str, str] = {}
    for key in {key for row in wanted for key in row.blank} | {key for group in groups for key in group}:
        name = kind.model_fields.get(key, key)
        try:
            model._meta.get_field(name)
        except Exception:  # a column only for reference: no field to keep
            continue
        fields[key] = name
    if not fields:
        return
    names = sorted(set(fields.values()))
    by = unique[0]
    stored: dict[tuple, dict] = {}
    for part in chunks(sorted({row.values[by] for row in wanted})):
        for values in queryset.filter(**{f"{by}__in": part}).values_list(*unique, *names):
            stored[tuple(values[: len(unique)])] = dict(zip(names, values[len(unique) :], strict=True))
    given = present if present is not None else {column.key for column in kind.columns}
    for row in wanted:
        record = stored.get(tuple(row.values[name] for name in unique))
        if record is None:
            continue  # a new record: its empty cells hold their defaults
        keep = set(row.blank)
        for group in groups:
            if any(key in given and key not in row.blank for key in group):
                keep -= group  # the row gives the group: written as its cells are
            elif group & row.blank:
                keep |= group  # nothing of it given: kept whole (a column the file lacks included)
        for key in keep:
            if key in fields:
                row.values[fields[key]] = record[fields[key]]


# The fields an import's updated rows change (old → new), collected while a list is set here (the runner sets one,
# imports/runner.py): {"row": number, "changes": [(column key, old, new), …]}, for the first CHANGES_KEPT rows (kept
# on the job: a check's download lists them); the job's page and the API's job show the first CHANGES_SHOWN.
CHANGES: ContextVar[list | None] = ContextVar("import_changes", default=None)
CHANGES_SHOWN = 50
CHANGES_KEPT = 20_000  # a check of a 200,000-row update keeps a download's worth, not megabytes of JSON on the job


# What an import's rows do that is allowed but worth saying (a product's case size changed under its past records),
# collected while a list is set here (the runner's): (row number, sentence as written now).
WARNINGS: ContextVar[list | None] = ContextVar("import_warnings", default=None)


def note_warning(number: int, sentence: str) -> None:
    """Note a warning of a row for the runner's answer, while it collects them (WARNINGS)."""
    collected = WARNINGS.get()
    if collected is not None and len(collected) < CHANGES_SHOWN:
        collected.append({"row": number, "message": str(sentence)})


def note_changes(number: int, changes: list[tuple[str, Any, Any]], *, model=None) -> None:
    """Note a row's changes (column key, old, new) of a record of `model` for the runner's answer, while it collects
    them (CHANGES)."""
    collected = CHANGES.get()
    if collected is not None and changes and len(collected) < CHANGES_KEPT:
        collected.append({"row": number, "changes": changes, "model": model})


def upsert(
    kind: ImportKind, model, rows: list[Row], *, present: set[str], unique: Sequence[str], existing
) -> tuple[int, int]:
    """Insert or update by the natural key `unique` in batches (INSERT … ON CONFLICT DO UPDATE).
    Only the columns the file has are written on update, and only the rows that change their stored record: a row
    whose values are those already stored is left alone (counted neither created nor updated: the runner reports it
    unchanged). `existing` is {natural key: pk} of the stored records (existing_keys). Returns (created, updated)."""
    # in the kind's column order (a set's order changes from one process to the next): a check's changes read in
    # the order of the sheet's columns, run after run
    known = [column.key for column in kind.columns if column.key in present]
    ordered = known + sorted(present.difference(known))
    fields = [kind.model_fields.get(key, key) for key in ordered]
    update_fields = [name for name in fields if name not in unique]
    stored = _stored(model, existing.values(), update_fields)
    comparers = [(name, _comparable(model._meta.get_field(name))) for name in update_fields]
    changed: list[Row] = []
    updated = 0
    for row in rows:
        pk = existing.get(tuple(row.values[name] for name in unique))
        if pk is not None:
            before = stored.get(pk)
            if before is not None and all(
                compare(row.values.get(name)) == was for (name, compare), was in zip(comparers, before, strict=True)
            ):
                continue
            updated += 1
            if before is not None and CHANGES.get() is not None:
                columns = {kind.model_fields.get(key, key): key for key in present}
                note_changes(
                    row.number,
                    [
                        (columns.get(name, name), was, row.values.get(name))
                        for (name, compare), was in zip(comparers, before, strict=True)
                        if compare(row.values.get(name)) != was
                    ],
                    model=model,
                )
        changed.append(row)
    objects = [model(**{name: row.values.get(name) for name in fields}) for row in changed]
    written = update_fields
    if tracks_updates(model):  # an updated row's updated_at too: ON CONFLICT DO UPDATE sets only what it names
        now = timezone.now()
        for record in objects:
            record.updated_at = now
        written = touched_fields(model, update_fields)
    model.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=list(unique),
        update_fields=written,
    )
    return len(changed) - updated, updated


def _stored(model, pks: Iterable, fields: list[str]) -> dict[Any, tuple]:
    """{pk: the stored values of `fields`} of these records, in chunked queries."""
    found: dict[Any, tuple] = {}
    for part in chunks(sorted(set(pks))):
        for pk, *values in model.objects.filter(pk__in=part).values_list("pk", *fields):
            found[pk] = tuple(values)
    return found


def _comparable(field) -> Callable[[Any], Any]:
    """A parsed cell as the database would give it back, to compare with the stored value (5 → Decimal 5.00, a
    tier list as its JSON reads back); a value the field cannot read compares unequal (it is written, and refused
    there if it must be)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder or DjangoJSONEncoder

        def compare(value):
            return json.loads(json.dumps(value, cls=encoder))

        return compare

    def compare(value):
        try:
            return field.to_python(value)
        except ValidationError:
            return _DIFFERENT

    return compare


class _Different:
    def __eq__(self, other) -> bool:
        return False

    __hash__ = None


_DIFFERENT = _Different()
