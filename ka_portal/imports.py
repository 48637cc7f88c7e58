"""Excel in: column specs with Chinese and English headers, typed cell parsers, row errors, and the
all-or-nothing runner that every import kind (stores/imports.py, accounts/imports.py) goes through.

A file is read once, streaming (openpyxl read-only mode), a chunk of rows at a time: each chunk is
parsed and checked; the rows are kept for writing only while the file is still good. If any row is bad
nothing is written; the first problems (KA.import_max_errors, by row and column) are reported with
their row number, column and reason, and every problem is counted. The file size (KA.upload_max_bytes)
and the rows read (KA.import_max_rows) are capped, so a rejected file costs little memory and the
answer stays small however many rows are bad. Numbers are read as Decimal through their text (openpyxl
hands numeric cells over as floats).
"""

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from . import excel
from .errors import DomainError
from .scope import user_role

# How many codes go into one `IN (...)` query: well under SQLite's and PostgreSQL's parameter limits.
LOOKUP_CHUNK = 2000
# Rows parsed and checked together: one lookup query per code column per chunk.
CHECK_CHUNK = LOOKUP_CHUNK
# The last row an .xlsx sheet can have.
EXCEL_MAX_ROWS = 1_048_576


class CellError(ValueError):
    """A cell's value cannot be read as its column's type; the message says why, in the user's language."""


# --- typed cell parsers: each takes a non-empty cell value and returns the Python value or raises CellError ---


# Lazy: translated only when a cell is refused, not once per cell read.
_TEXT = gettext_lazy("text")
_A_NUMBER = gettext_lazy("a number")


def _no_dates(value, expected) -> None:
    if isinstance(value, (datetime, date)):
        raise CellError(_("Expected %(expected)s, found a date.") % {"expected": expected})
    if isinstance(value, bool):
        raise CellError(_("Expected %(expected)s, found TRUE/FALSE.") % {"expected": expected})


def text(max_length: int) -> Callable[[Any], str]:
    """Text up to `max_length` characters; a code typed as a number (1001 → 1001.0 in Excel) stays 1001."""

    def parse(value) -> str:
        _no_dates(value, _TEXT)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if len(result) > max_length:
            raise CellError(_("Longer than %(max)s characters.") % {"max": max_length})
        return result

    return parse


def _to_decimal(value) -> Decimal:
    _no_dates(value, _A_NUMBER)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() gives the shortest text that reads back as the same float: 4.1 → "4.1", not 4.0999…
        number = Decimal(str(value))
    else:
        cleaned = str(value).strip().replace(",", "").lstrip("¥￥").strip()
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    return number


def _check_range(number, min_value, max_value) -> None:
    if min_value is not None and number < min_value:
        if min_value == 0:
            raise CellError(_("Must not be negative."))
        raise CellError(_("Must be at least %(min)s.") % {"min": min_value})
    if max_value is not None and number > max_value:
        raise CellError(_("Must be at most %(max)s.") % {"max": max_value})


def decimal_number(*, places: int = 2, min_value=Decimal(0), max_value=Decimal("999999999999.99")):
    """A decimal with at most `places` places (money by default: 0 ≤ x < 10¹², two places)."""
    step = Decimal(1).scaleb(-places)

    def parse(value) -> Decimal:
        number = _to_decimal(value)
        _check_range(number, min_value, max_value)
        if number != number.quantize(step):
            raise CellError(_("More than %(places)s decimal places: %(value)s.") % {"places": places, "value": number})
        return number.quantize(step)

    return parse


money = decimal_number


def whole_number(*, min_value: int | None = 1, max_value: int | None = None) -> Callable[[Any], int]:
    """A whole number (packs, packs per case, a year); 12.0 is 12, 12.5 is an error."""

    def parse(value) -> int:
        number = _to_decimal(value)
        if number != number.to_integral_value():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
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
        cleaned = value.strip()
        for pattern in _DATE_FORMATS:
            try:
                return datetime.strptime(cleaned, pattern).date()
            except ValueError:
                continue
    raise CellError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value})


def choice(options: Iterable[str]) -> Callable[[Any], str]:
    """One of a few codes (a grade A/B/C), case and spaces ignored."""
    allowed = {str(option).upper(): option for option in options}

    def parse(value) -> str:
        found = allowed.get(str(value).strip().upper())
        if found is None:
            raise CellError(
                _("“%(value)s” is not one of %(options)s.") % {"value": value, "options": ", ".join(allowed.values())}
            )
        return found

    return parse


_TRUE = {"1", "true", "yes", "y", "t", "是", "有效", "启用", "在售"}
_FALSE = {"0", "false", "no", "n", "f", "否", "无效", "停用", "停售"}


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
    raise CellError(_("“%(value)s” is not yes/no (是/否, 1/0).") % {"value": value})


# --- columns and kinds ---


def _normal(header) -> str:
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

    def header(self, language: str | None = None) -> str:
        """The header a template in this language carries."""
        return self.zh if (language or get_language() or "zh-hans").startswith("zh") else self.en

    @property
    def names(self) -> set[str]:
        return {_normal(name) for name in (self.zh, self.en, *self.aliases)}


@dataclass
class Row:
    """A data row: its number in the sheet (the header is row 1) and its parsed values by column key.
    A value that failed to parse is left out, so checks skip it instead of reporting it twice."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    order: int
    column: str
    message: str
    field: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}


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

    def add(self, row: Row | int, key: str | None, message: str) -> None:
        number = row.number if isinstance(row, Row) else row
        column = self.headers.get(key) or (self.kind.column(key).header() if key else "")
        self._open.add(RowError(number, self.kind.column_order(key), column, str(message), key or ""))

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
        """Create or update the records (inside the runner's transaction); return (created, updated).
        `present` names the columns the file has: an absent optional column leaves stored values alone."""
        raise NotImplementedError


# --- outcomes ---


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int
    updated: int
    rows: int
    ignored_columns: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
            "rows": self.rows,
            "ignored_columns": list(self.ignored_columns),
        }


class ImportRejected(DomainError):
    """The file has bad rows: nothing was imported. `errors` lists the first problems by row and column
    (at most KA.import_max_errors); `total` counts them all. `rows` is the number of data rows read,
    or None when the headers (row 1) already failed."""

    def __init__(
        self, errors: list[RowError], *, rows: int | None, total: int | None = None, bad_rows: int | None = None
    ) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        self.truncated = self.total > len(errors)
        self.headers_only = rows is None
        counts = {"problems": self.total, "shown": len(errors)}
        if self.headers_only:
            super().__init__(
                "import.invalid_rows",
                gettext_lazy(
                    "The column headers in row 1 have problems. Nothing was imported; fix them and upload again."
                ),
                **counts,
            )
            return
        bad_rows = len({error.row for error in errors}) if bad_rows is None else bad_rows
        if self.truncated:
            message = gettext_lazy(
                "Rows with problems: %(bad_rows)s of %(rows)s. Showing the first %(shown)s of %(problems)s "
                "problems. Nothing was imported; fix them and upload again."
            )
        else:
            message = gettext_lazy(
                "Rows with problems: %(bad_rows)s of %(rows)s. Nothing was imported; fix them and upload again."
            )
        super().__init__("import.invalid_rows", message, bad_rows=bad_rows, rows=rows, **counts)


class FileTooLarge(DomainError):
    """An upload over KA.upload_max_bytes, refused before it is opened: HTTP 413."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            "import.too_large",
            gettext_lazy("The file is larger than %(limit_mb)s MB."),
            field="file",
            limit_mb=f"{limit / (1024 * 1024):.1f}".removesuffix(".0"),
            limit_bytes=limit,
        )


def not_a_spreadsheet() -> DomainError:
    return DomainError(
        "import.not_a_spreadsheet",
        gettext_lazy("This file is not an Excel workbook (.xlsx). Download the template, fill it in and upload that."),
        field="file",
    )


# --- the runner ---


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class UploadSizeLimit(FileUploadHandler):
    """The first upload handler of the import endpoints: a file part that grows past KA.upload_max_bytes
    is dropped as it arrives (never stored whole on disk or in memory) and `too_large` says so, for the
    view to answer FileTooLarge. Install it with `limit_upload_size(request)` before the body is read."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = settings.KA.upload_max_bytes
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def check(self) -> None:
        if self.too_large:
            raise FileTooLarge(self.limit)


def limit_upload_size(request) -> UploadSizeLimit:
    """Put an UploadSizeLimit first among the request's upload handlers (before anything reads the body)."""
    handler = UploadSizeLimit(request)
    request.upload_handlers.insert(0, handler)
    return handler


def check_size(source) -> None:
    """Refuse a file over KA.upload_max_bytes by its size alone, before any of it is parsed."""
    limit = settings.KA.upload_max_bytes
    size = getattr(source, "size", None)
    if size is None and hasattr(source, "seek") and hasattr(source, "tell"):
        size = source.seek(0, 2)
    if size is not None and size > limit:
        raise FileTooLarge(limit)


@contextmanager
def _open_sheet(source):
    """The first sheet of a workbook, streaming. Anything unreadable is 'not a spreadsheet'."""
    check_size(source)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # a zip, XML or format error from a file we cannot trust: all mean the same here
        raise not_a_spreadsheet() from exc
    try:
        try:
            sheet = workbook.worksheets[0]
            # Some programs write a wrong size into the sheet; without this read-only mode would stop there.
            sheet.reset_dimensions()
        except Exception as exc:
            raise not_a_spreadsheet() from exc
        yield sheet
    finally:
        workbook.close()


def _sheet_rows(sheet, **bounds) -> Iterator[tuple]:
    """The sheet's rows as value tuples, one at a time; a read error is 'not a spreadsheet'."""
    rows = sheet.iter_rows(values_only=True, **bounds)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise not_a_spreadsheet() from exc
        yield values


def too_many_rows(limit: int) -> DomainError:
    return DomainError(
        "import.too_many_rows",
        gettext_lazy("The sheet has more than %(max_rows)s rows below the headers; split it into smaller files."),
        field="file",
        max_rows=limit,
    )


def _match_headers(kind: ImportKind, header_row: Sequence) -> tuple[dict[str, int], dict[str, str], list[str], list]:
    """Which column of the sheet is which: (key → index, key → header text, ignored headers, problems)."""
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[tuple[str, str]] = []
    for index, header in enumerate(header_row):
        if _blank(header):
            continue
        # A template may carry both languages in one header ("门店编码 / store code").
        parts = [_normal(header), *(_normal(part) for part in re.split(r"[/\n|]", str(header)))]
        column = next((c for c in kind.columns if any(part in c.names for part in parts)), None)
        if column is None:
            ignored.append(str(header).strip())
        elif column.key in positions:
            problems.append((column.key, _("This column appears twice.")))
        else:
            positions[column.key] = index
            headers[column.key] = str(header).strip()
    for column in kind.columns:
        if column.required and column.key not in positions:
            problems.append(
                (column.key, _("Required column missing: “%(zh)s” or “%(en)s”.") % {"zh": column.zh, "en": column.en})
            )
    return positions, headers, ignored, problems


def _parse_row(number: int, values: tuple, columns, absent, problems: Problems) -> Row:
    # Columns the file lacks hold their defaults, so natural keys are whole; `present` keeps them unwritten.
    parsed: dict[str, Any] = {column.key: column.default for column in absent}
    for column, index in columns:
        value = values[index] if index < len(values) else None
        if _blank(value):
            if column.required:
                problems.add(number, column.key, _("A value is required."))
            else:
                parsed[column.key] = column.default
            continue
        try:
            parsed[column.key] = column.parse(value)
        except CellError as error:
            problems.add(number, column.key, str(error))
    return Row(number, parsed)


def _row_chunks(kind: ImportKind, sheet, positions: dict[str, int], problems: Problems) -> Iterator[list[Row]]:
    """The data rows, parsed, CHECK_CHUNK at a time; blank rows skipped, numbers those of the sheet.
    Only the matched columns are read (a cell far to the right would widen every row), a row with data
    past the cap is refused, and nothing past Excel's last row is read (openpyxl would fill the gap
    before a row numbered in the billions with blank rows, one by one)."""
    max_rows = settings.KA.import_max_rows
    columns = [(kind.column(key), index) for key, index in positions.items()]
    absent = [column for column in kind.columns if column.key not in positions]
    width = max(positions.values(), default=0) + 1
    chunk: list[Row] = []
    for number, values in enumerate(_sheet_rows(sheet, min_row=2, max_row=EXCEL_MAX_ROWS, max_col=width), start=2):
        if all(_blank(value) for value in values):
            continue
        if number > max_rows + 1:
            raise too_many_rows(max_rows)
        chunk.append(_parse_row(number, values, columns, absent, problems))
        if len(chunk) == CHECK_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _HashedKeys:
    """Hashes of natural keys → the row each came first in, as two flat arrays (open addressing, 16 bytes a
    slot): a refused file's keys in a tenth of the memory of a dict of them, so memory stays flat."""

    def __init__(self, first_row: dict[int, int]) -> None:
        capacity = 1 << 12
        while capacity < 2 * len(first_row):
            capacity <<= 1
        self.hashes = array("q", bytes(8 * capacity))  # 0 marks a free slot (a hash of 0 is stored as 1)
        self.rows = array("q", bytes(8 * capacity))
        self.used = 0
        for key_hash, number in first_row.items():
            self.setdefault(key_hash, number)

    def setdefault(self, key_hash: int, number: int) -> int:
        key_hash = key_hash or 1
        mask = len(self.hashes) - 1
        slot = key_hash & mask
        while (found := self.hashes[slot]) != key_hash:
            if not found:
                self.hashes[slot], self.rows[slot] = key_hash, number
                self.used += 1
                if 2 * self.used > len(self.hashes):
                    self._grow()
                return number
            slot = (slot + 1) & mask
        return self.rows[slot]

    def _grow(self) -> None:
        hashes, rows = self.hashes, self.rows
        self.hashes = array("q", bytes(16 * len(hashes)))
        self.rows = array("q", bytes(16 * len(rows)))
        self.used = 0
        for key_hash, number in zip(hashes, rows, strict=True):
            if key_hash:
                self.setdefault(key_hash, number)


class _NaturalKeys:
    """The natural keys met so far and the row each came first in, to refuse duplicates in one file.
    Exact while the file is good (its rows are kept anyway). Once the file is refused only the keys'
    64-bit hashes are kept, which serves only the problems of a file already refused: a false
    duplicate there needs two hashes to collide (about one in 10⁹ for 200,000 rows)."""

    def __init__(self) -> None:
        self.first_row: dict[tuple, int] | _HashedKeys = {}

    def forget_values(self) -> None:
        if isinstance(self.first_row, dict):
            self.first_row = _HashedKeys({hash(key): number for key, number in self.first_row.items()})

    def check(self, kind: ImportKind, rows: list[Row], problems: Problems) -> None:
        """The same natural key twice in one file is a mistake: which of the two should win?"""
        exact = isinstance(self.first_row, dict)
        for row in rows:
            if any(key not in row.values for key in kind.key):
                continue
            natural_key = tuple(row.values[key] for key in kind.key)
            seen = self.first_row.setdefault(natural_key if exact else hash(natural_key), row.number)
            if seen != row.number:
                problems.add(row, kind.key[0], _("Duplicate of row %(row)s in this file.") % {"row": seen})


def run_import(*, kind: ImportKind, source, user) -> ImportResult:
    """Read, check and (only if every row is good) write a file, all or nothing.

    Raises ImportRejected with the first bad rows and the count of all, or DomainError for a file that
    is not a spreadsheet, is too large (FileTooLarge, before it is opened), has too many rows or none.
    """
    with _open_sheet(source) as sheet:
        header_row = next(_sheet_rows(sheet, min_row=1, max_row=1), ())
        if all(_blank(value) for value in header_row):
            raise DomainError(
                "import.empty",
                gettext_lazy("The first sheet is empty: row 1 must hold the column headers."),
                field="file",
            )
        positions, headers, ignored, header_problems = _match_headers(kind, header_row)
        problems = Problems(kind, headers)
        for key, message in header_problems:
            problems.add(1, key, message)
        if problems:
            errors = problems.sorted()
            raise ImportRejected(errors, rows=None, total=problems.total)
        # The good rows so far, to write at the end; dropped at the first problem (nothing will be written).
        kept: list[Row] | None = []
        natural_keys = _NaturalKeys()
        count = 0
        for chunk in _row_chunks(kind, sheet, positions, problems):
            count += len(chunk)
            natural_keys.check(kind, chunk, problems)
            kind.check(chunk, problems, user=user)
            problems.close()
            if problems:
                kept = None
                natural_keys.forget_values()
            elif kept is not None:
                kept.extend(chunk)
    if not count:
        raise DomainError("import.no_rows", gettext_lazy("The file has headers but no data rows."), field="file")
    if problems or kept is None:
        raise ImportRejected(problems.sorted(), rows=count, total=problems.total, bad_rows=problems.bad_rows)
    with transaction.atomic():
        created, updated = kind.write(kept, present=set(positions))
    return ImportResult(kind.name, created, updated, count, tuple(ignored))


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
    unknown: Any,
    out_of_scope: Any = None,
) -> None:
    """Turn the codes in column `key` into ids in `row.values[target]`; report unknown codes and codes
    outside the user's scope (`scoped`). Messages take %(value)s."""
    codes = [row.values.get(key) for row in rows]
    known = lookup(queryset, codes, field=field)
    allowed = known if scoped is None else lookup(scoped, known, field=field)
    for row in rows:
        code = row.values.get(key)
        if code is None:
            continue
        if code not in known:
            problems.add(row, key, str(unknown) % {"value": code})
        elif code not in allowed:
            problems.add(row, key, str(out_of_scope) % {"value": code})
        else:
            row.values[target] = known[code]


# --- templates ---


def template_workbook(kind: ImportKind, language: str | None = None):
    """The template a user fills in: the first sheet carries the headers (in the user's language), the
    second says, per column, the other accepted header, whether it is required, its format and an example."""
    workbook = excel.new_workbook()
    described = kind.describe(language)
    excel.write_sheet(workbook, str(kind.label), [column["header"] for column in described], [])
    excel.write_sheet(
        workbook,
        _("Instructions"),
        [_("Column"), _("Also accepted"), _("Required"), _("Format"), _("Example")],
        (
            [c["header"], c["other"], _("yes") if c["required"] else _("no"), str(c["hint"]), c["example"]]
            for c in described
        ),
    )
    return workbook


def problems_workbook(errors: Iterable[dict]):
    """The problems kept of a rejected file as a sheet (row, column, reason), to fix the file against."""
    workbook = excel.new_workbook()
    excel.write_sheet(
        workbook,
        _("Problems"),
        [_("Row"), _("Column"), _("Problem")],
        ([error["row"], error["column"], error["message"]] for error in errors),
    )
    return workbook


def existing_keys(queryset: QuerySet, ids: Iterable, *, by: str, key: Sequence[str]) -> dict[tuple, Any]:
    """{natural key: pk} of the stored records whose `by` is among `ids` (chunked queries)."""
    found: dict[tuple, Any] = {}
    for part in chunks(sorted(set(ids))):
        for pk, *values in queryset.filter(**{f"{by}__in": part}).values_list("pk", *key):
            found[tuple(values)] = pk
    return found


def upsert(
    kind: ImportKind, model, rows: list[Row], *, present: set[str], unique: Sequence[str], existing
) -> tuple[int, int]:
    """Insert or update by the natural key `unique` in batches (INSERT … ON CONFLICT DO UPDATE).
    Only the columns the file has are written on update. Returns (created, updated)."""
    fields = [kind.model_fields.get(key, key) for key in present]
    objects = [model(**{name: row.values.get(name) for name in fields}) for row in rows]
    model.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=list(unique),
        update_fields=[name for name in fields if name not in unique],
    )
    updated = sum(1 for row in rows if tuple(row.values[name] for name in unique) in existing)
    return len(rows) - updated, updated


def update_by_pk(model, objects: Sequence, fields: Sequence[str], *, batch_size: int = 1000) -> None:
    """UPDATE many rows by primary key, a batch per statement: `WITH v(…) AS (VALUES …) UPDATE … FROM v`.

    Django's bulk_update writes one CASE WHEN per field with a branch per row, which the database
    evaluates for every row of the batch (quadratic): 50,000 updates took minutes. This joins a
    VALUES list instead; SQLite ≥ 3.33 and PostgreSQL both take it.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    names = ", ".join(quote(column.column) for column in columns)
    # PostgreSQL types a VALUES column from its first rows (text for NULLs): cast to the field's type.
    cast = connection.vendor == "postgresql"
    assignments = ", ".join(
        f"{quote(column.column)} = "
        + (f"CAST(v.{quote(column.column)} AS {column.db_type(connection)})" if cast else f"v.{quote(column.column)}")
        for column in columns[1:]
    )
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for part in chunks(objects, batch_size):
            params = [
                column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in part for column in columns
            ]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([placeholder] * len(part))}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.{pk}",
                params,
            )
