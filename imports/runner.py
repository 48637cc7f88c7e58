"""Excel in, all or nothing: the runner every import kind goes through, its outcomes, and the workbooks
(templates to fill in, problems to fix against).

A file is read once, streaming (openpyxl read-only mode), a chunk of rows at a time: each chunk is
parsed and checked; the rows are kept for writing only while the file is still good. If any row is bad
nothing is written; the first problems (KA.import_max_errors, by row and column) are reported with
their row number, column and reason, and every problem is counted. The file size (KA.upload_max_bytes)
and the rows read (KA.import_max_rows) are capped, so a rejected file costs little memory and the
answer stays small however many rows are bad. Numbers are read as Decimal through their text (openpyxl
hands numeric cells over as floats); a number formatted as a percentage keeps its format (kinds.Percentage), for a
percent column to read the percentage it shows. The header row is the first of the sheet's first rows that holds
the kind's required headers (a title may stand above it); rows keep the numbers Excel gives them. A merged range's
value is read in every cell it covers, as the sheet shows it (a chain's code merged down its stores' rows). A `progress`
callback hears the rows read, checked and written. With `check_only` the file is written in a transaction that is
then rolled back: the answer says what the import would create, update and leave unchanged, and nothing changes.
"""

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any
from xml.parsers.expat import ExpatError, ParserCreate

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.xml.constants import SHEET_MAIN_NS

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.wordlists import WordList

from .kinds import (
    BLANK_KEEPS,
    CHANGES,
    LOOKUP_CHUNK,
    PERCENT_ELSEWHERE,
    WARNINGS,
    CellError,
    ImportKind,
    Percentage,
    Problems,
    Row,
    RowError,
    clears,
    normal_header,
    without_percent_sign,
)

# Rows parsed and checked together: one lookup query per code column per chunk.
CHECK_CHUNK = LOOKUP_CHUNK
# The last row an .xlsx sheet can have.
EXCEL_MAX_ROWS = 1_048_576
# How many rows at the top of the sheet may hold the headers (a title of a row or a few above them).
HEADER_ROWS = 10

# --- outcomes ---


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (or, `check_only`, would write): rows created, updated (changed) and unchanged (the
    same as the stored record: left alone)."""

    kind: str
    created: int
    updated: int
    rows: int
    ignored_columns: tuple[str, ...] = ()
    unchanged: int = 0
    check_only: bool = False
    header_row: int = 1
    # The first updated rows' changes, field by field: {"row", "changes": [{"column", "old", "new"}, …]} (kinds.CHANGES)
    changes: tuple[dict, ...] = ()
    # What the rows do that is allowed but worth saying: {"row", "message"} (kinds.WARNINGS)
    warnings: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "ignored_columns": list(self.ignored_columns),
            "check_only": self.check_only,
        }


class ImportRejected(DomainError):
    """The file has bad rows: nothing was imported. `errors` lists the first problems by row and column
    (at most KA.import_max_errors); `total` counts them all. `rows` is the number of data rows read,
    or None when the headers (row `header_row`) already failed."""

    def __init__(
        self,
        errors: list[RowError],
        *,
        rows: int | None,
        total: int | None = None,
        bad_rows: int | None = None,
        header_row: int = 1,
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
                    "The column headers in row %(header_row)s have problems. Nothing was imported; fix them and "
                    "upload again."
                ),
                header_row=header_row,
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


def _megabytes(size: int) -> int | float:
    """A size in MB as a number to one place (a whole one without it: 10, 1.5), for the refusal's words and its
    params alike."""
    megabytes = round(size / (1024 * 1024), 1)
    return int(megabytes) if megabytes == int(megabytes) else megabytes


class FileTooLarge(DomainError):
    """An upload over KA.upload_max_bytes, refused before it is opened: HTTP 413."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            "import.too_large",
            gettext_lazy("The file is larger than %(limit_mb)s MB."),
            field="file",
            limit_mb=_megabytes(limit),
            limit_bytes=limit,
        )


# How an old Excel workbook (.xls, a Compound File) starts; an .xlsx is a zip ("PK").
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _other_format(source) -> DomainError | None:
    """What a file that is not an .xlsx is, when it says so (its first bytes, its name): an old Excel workbook or a
    CSV, each refused with what to do instead — the code is still import.not_a_spreadsheet (`found`: xls or csv);
    None for anything else."""
    if not hasattr(source, "read"):
        return None
    if hasattr(source, "seek"):
        source.seek(0)
    start = source.read(4096)
    name = str(getattr(source, "name", "") or "").lower()
    if start.startswith(_OLE2) or name.endswith(".xls"):
        return DomainError(
            "import.not_a_spreadsheet",
            gettext_lazy("This is an old Excel (.xls) file: open it in Excel and Save As .xlsx, then upload that."),
            field="file",
            found="xls",
        )
    if not start.startswith(b"PK") and (name.endswith((".csv", ".txt")) or _text_table(start)):
        return DomainError(
            "import.not_a_spreadsheet",
            gettext_lazy(
                "This is a CSV (text) file, not an Excel workbook: open it in Excel and Save As .xlsx (Excel "
                "Workbook), then upload that."
            ),
            field="file",
            found="csv",
        )
    return None


def _text_table(start: bytes) -> bool:
    """Whether a file's first bytes read as a table in text (a CSV saved under any name): text, with no NUL byte,
    whose lines hold commas, semicolons or tabs."""
    if not start or b"\x00" in start:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = start.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = text.splitlines()[0] if text.splitlines() else ""
        return any(separator in first for separator in (",", ";", "\t", "，"))
    return False


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
        raise (_other_format(source) or not_a_spreadsheet()) from exc
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


def _sheet_rows(sheet, *, formats: bool = False, **bounds) -> Iterator[tuple]:
    """The sheet's rows as value tuples, one at a time; a read error is 'not a spreadsheet'. With `formats` a
    number formatted as a percentage comes as a kinds.Percentage (read-only cells keep their style's number format;
    it is looked at only for numbers with a style)."""
    rows = sheet.iter_rows(values_only=not formats, **bounds)
    while True:
        try:
            values = next(rows)
            if formats:
                values = tuple(_cell_value(cell) for cell in values)
        except StopIteration:
            return
        except Exception as exc:
            raise not_a_spreadsheet() from exc
        yield values


def _cell_value(cell):
    value = cell.value
    if type(value) in (int, float) and cell.has_style and is_percent_format(cell.number_format):
        return Percentage(value)
    return value


# What a number format shows literally: quoted text ("%" typed as text), an escaped character (\%), a [colour] or
# [$-locale] section. A % left outside them multiplies the value by 100 as Excel shows it.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@lru_cache(maxsize=256)
def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows a number in this format as a percentage (0%, 0.00%, #,##0.0%;[Red]-0.0%)."""
    return "%" in _FORMAT_LITERALS.sub("", number_format or "")


# --- merged cells ---

# Where a sheet's merged ranges start in its XML: after the rows (the <mergeCells> element, with any prefix).
_MERGE_CELLS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCells[\s>/]")
# The sheet's root start tag, which declares the namespaces the merged ranges are read under.
_ROOT_TAG = re.compile(rb"<[A-Za-z_][^>]*>")
_MERGE_CELL = f"{SHEET_MAIN_NS} mergeCell"  # as expat names it (namespace_separator " ")
_SCAN_BYTES = 1 << 20
# How many merged ranges over the columns read a sheet may have (a chain's name merged down each chain's block of
# rows makes one a block): past it the file is refused, so a sheet of millions of merges costs little memory.
MERGED_RANGES_MAX = 100_000


def too_many_merged_ranges() -> DomainError:
    return DomainError(
        "import.too_many_merged_ranges",
        gettext_lazy(
            "The sheet has more than %(max_ranges)s merged cell ranges; unmerge them (select the sheet, then Merge "
            "& Center ▸ Unmerge Cells) and upload again."
        ),
        field="file",
        max_ranges=MERGED_RANGES_MAX,
    )


def _merged_refs(sheet) -> Iterator[str]:
    """The refs (“A2:A4”) of the sheet's merged ranges. They stand after the rows in the sheet's XML, where the
    streaming reader meets them only at its end: here the decompressed XML is first scanned for where the
    <mergeCells> element starts, without parsing the rows (a tenth of a second for 200,000 rows), and the XML from
    there is parsed beneath the root's start tag (its namespaces). An XML that does not fit this (not UTF-8, a tag
    found inside text) is parsed whole instead; a ref may then come twice."""
    with sheet._get_source() as source:
        buffer = source.read(_SCAN_BYTES)
        root = _ROOT_TAG.search(buffer) if buffer.lstrip(b"\xef\xbb\xbf").startswith(b"<") else None
        if root is not None:
            found = _MERGE_CELLS.search(buffer)
            while found is None:
                more = source.read(_SCAN_BYTES)
                if not more:
                    return  # no merged cells
                buffer = buffer[-64:] + more  # a tag cut between two reads is whole in the next buffer
                found = _MERGE_CELLS.search(buffer)
            try:
                yield from _merge_cells(source, [root.group(0), buffer[found.start() :]])
                return
            except ExpatError:
                pass  # the tag was text (inside CDATA): read the XML whole
    with sheet._get_source() as source:
        yield from _merge_cells(source, [])


def _merge_cells(source, first: list[bytes]) -> Iterator[str]:
    """The refs of the <mergeCell> elements of the XML in `first` then `source`, parsed by expat without building a
    tree (nothing kept of an element once read)."""
    refs: list[str] = []

    def start(name: str, attributes: dict) -> None:
        if name == _MERGE_CELL and attributes.get("ref"):
            refs.append(attributes["ref"])

    parser = ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    for part in chain(first, iter(lambda: source.read(_SCAN_BYTES), b"")):
        parser.Parse(part, False)
        yield from refs
        refs.clear()
    parser.Parse(b"", True)
    yield from refs


class _MergedRanges:
    """The sheet's merged ranges over the columns read that reach below the header row, applied to the rows as they
    stream: a range's value (its first cell's, the only one that holds it) is every cell's it covers, as the sheet
    shows it — a chain's name merged down its stores' rows names the chain on each of those rows. A range that starts
    in the header row or above (a header merged down into the data) gives no value to the data rows it covers: those
    cells are named (`import.merged_with_header`)."""

    def __init__(self, sheet, *, width: int, header_row: int) -> None:
        self.header_row = header_row
        ranges: set[tuple[int, int, int, int]] = set()  # (first row, last row, first column, last column), 1-based
        try:
            for ref in _merged_refs(sheet):
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (TypeError, ValueError):
                    continue
                if None in (min_col, min_row, max_col, max_row):  # whole rows or columns: not a table's cells
                    continue
                if min_col > width or max_row <= header_row:
                    continue
                ranges.add((min_row, max_row, min_col, min(max_col, width)))
                if len(ranges) > MERGED_RANGES_MAX:
                    raise too_many_merged_ranges()
        except DomainError:
            raise
        except Exception as exc:  # a zip or XML error from a file we cannot trust
            raise not_a_spreadsheet() from exc
        self._ranges = sorted(ranges)
        self._next = 0
        # the ranges over the current row: range → the value of its first cell (_ABOVE_THE_DATA: a header's range)
        self._open: dict[tuple[int, int, int, int], Any] = {}

    def apply(self, number: int, values: tuple) -> tuple[tuple, bool, dict[int, str]]:
        """Row `number`'s values with each merged cell given its range's value; whether the row's own cells (those no
        range covers, and ranges' first cells) are all blank (a row only a range from above reaches is a blank row);
        and the cells (0-based column → the range's ref) that lie in a range starting in the header row or above."""
        ranges, open_ranges = self._ranges, self._open
        while self._next < len(ranges) and ranges[self._next][0] <= number:
            merged = ranges[self._next]
            self._next += 1
            first_row, _last_row, first_col, _last_col = merged
            if first_row > self.header_row:
                open_ranges[merged] = values[first_col - 1] if first_col <= len(values) else None
            else:
                open_ranges[merged] = _ABOVE_THE_DATA
        if not open_ranges:
            return values, all(_blank(value) for value in values), {}
        cells = list(values) + [None] * (max(last_col for *_rows, _first, last_col in open_ranges) - len(values))
        covered: set[int] = set()
        above: dict[int, str] = {}
        for merged, value in list(open_ranges.items()):
            first_row, last_row, first_col, last_col = merged
            if last_row < number:
                del open_ranges[merged]
                continue
            for column in range(first_col, last_col + 1):
                if (number, column) == (first_row, first_col):
                    continue
                covered.add(column - 1)
                if value is _ABOVE_THE_DATA:
                    cells[column - 1] = None
                    above[column - 1] = _ref(merged)
                else:
                    cells[column - 1] = value
        blank = all(_blank(value) for index, value in enumerate(values) if index not in covered)
        return tuple(cells), blank, above


_ABOVE_THE_DATA = object()


def _ref(merged: tuple[int, int, int, int]) -> str:
    first_row, last_row, first_col, last_col = merged
    return f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"


# A cell of a data row merged with the headers (or the title) above it: the range's value is a header, not this row's.
MERGED_WITH_HEADER = gettext_lazy(
    "This cell is merged with the headers above it (%(cells)s), so it holds no value of its own: unmerge the cells "
    "and fill in this row's value."
)


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
    problems: list[tuple[str, Any, dict | None, str]] = []  # (column key, message, its params, its code)
    for index, header in enumerate(header_row):
        if _blank(header):
            continue
        # A template may carry both languages in one header ("门店编码 / store code").
        parts = [normal_header(header), *(normal_header(part) for part in re.split(r"[/\n|]", str(header)))]
        column = next((c for c in kind.columns if any(part in c.names for part in parts)), None)
        if column is None:
            ignored.append(str(header).strip())
        elif column.key in positions:
            problems.append((column.key, gettext_lazy("This column appears twice."), None, "import.duplicate_column"))
        else:
            positions[column.key] = index
            headers[column.key] = str(header).strip()
    for column in kind.columns:
        if column.required and column.key not in positions:
            missing = gettext_lazy("Required column missing: “%(zh)s” or “%(en)s”.")
            problems.append(
                (column.key, missing, {"zh": column.zh, "en": column.header("en")}, "import.missing_column")
            )
    return positions, headers, ignored, problems


REQUIRED = gettext_lazy("A value is required.")


def _parse_row(number: int, values: tuple, columns, absent, problems: Problems, above: dict[int, str]) -> Row:
    # Columns the file lacks hold their defaults, so natural keys are whole; `present` keeps them unwritten.
    parsed: dict[str, Any] = {column.key: column.default for column in absent}
    blank: set[str] = set()
    for column, index in columns:
        if index in above:
            problems.add(
                number, column.key, MERGED_WITH_HEADER, {"cells": above[index]}, code="import.merged_with_header"
            )
            continue
        value = values[index] if index < len(values) else None
        if _blank(value):
            if column.required:
                problems.add(number, column.key, REQUIRED, code="import.required")
            else:
                parsed[column.key] = column.default
                blank.add(column.key)  # on an update: the stored value stays (kinds.keep_stored)
            continue
        if not column.required and clears(value):  # a dash: the field emptied (its default), on an update too
            parsed[column.key] = column.default
            continue
        if isinstance(value, Percentage):
            if not column.percent:
                problems.add(number, column.key, PERCENT_ELSEWHERE, {"shown": str(value)}, code="import.percent_cell")
                continue
            value = value.shown
        elif column.percent and isinstance(value, str):
            value = without_percent_sign(value)
        try:
            parsed[column.key] = column.parse(value)
        except CellError as error:
            problems.add(number, column.key, error)
    return Row(number, parsed, blank)


def _row_chunks(
    kind: ImportKind, sheet, positions: dict[str, int], problems: Problems, *, header_row: int = 1
) -> Iterator[list[Row]]:
    """The data rows (below the header row), parsed, CHECK_CHUNK at a time; blank rows skipped, numbers those of
    the sheet; a merged range's value in every cell it covers (_MergedRanges).
    Only the matched columns are read (a cell far to the right would widen every row), a row with data
    past the cap is refused, and nothing past Excel's last row is read (openpyxl would fill the gap
    before a row numbered in the billions with blank rows, one by one)."""
    max_rows = settings.KA.import_max_rows
    columns = [(kind.column(key), index) for key, index in positions.items()]
    absent = [column for column in kind.columns if column.key not in positions]
    width = max(positions.values(), default=0) + 1
    merged = _MergedRanges(sheet, width=width, header_row=header_row)
    chunk: list[Row] = []
    first = header_row + 1
    rows = _sheet_rows(sheet, formats=True, min_row=first, max_row=EXCEL_MAX_ROWS, max_col=width)
    for number, values in enumerate(rows, start=first):
        values, blank, above = merged.apply(number, values)
        if blank:
            continue
        if number - header_row > max_rows:
            raise too_many_rows(max_rows)
        chunk.append(_parse_row(number, values, columns, absent, problems, above))
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
        """The same natural key twice in one file is a mistake: which of the two should win? A problem of the row
        as a whole (no one cell is wrong), naming the key's columns as the file heads them and the other row."""
        exact = isinstance(self.first_row, dict)
        columns = None
        for row in rows:
            if any(key not in row.values for key in kind.key):
                continue
            natural_key = tuple(row.values[key] for key in kind.key)
            seen = self.first_row.setdefault(natural_key if exact else hash(natural_key), row.number)
            if seen != row.number:
                if columns is None:
                    # kept as words, joined as the reader's language lists them (imports/texts.py)
                    columns = WordList([problems.column_word(key) for key in kind.key], quoted=True, conjunction=True)
                problems.add(row, None, DUPLICATE_ROW, {"row": seen, "columns": columns}, code="import.duplicate_row")


# A row-level problem: the page shows it against the whole row (its column cell says so).
DUPLICATE_ROW = gettext_lazy("Same %(columns)s as row %(row)s of this file: only one of the two rows can stay.")


@dataclass
class Progress:
    """How far a run has come: data rows read, rows checked, rows written (known once they are committed:
    until then an all-or-nothing import has written nothing anyone else can see)."""

    read: int = 0
    checked: int = 0
    written: int = 0


def _find_headers(kind: ImportKind, sheet) -> tuple[int, tuple]:
    """(number, values) of the header row: the first of the sheet's first HEADER_ROWS rows that holds every required
    header of the kind; else the one that holds most of the kind's headers (its problems then name what it lacks),
    else the first row that is not blank. A title above the headers is so passed over."""
    best: tuple[int, int, tuple] | None = None  # (headers matched, number, values)
    for number, values in enumerate(_sheet_rows(sheet, min_row=1, max_row=HEADER_ROWS), start=1):
        if all(_blank(value) for value in values):
            continue
        positions = _match_headers(kind, values)[0]
        if not any(column.required and column.key not in positions for column in kind.columns):
            return number, values
        if best is None or len(positions) > best[0]:
            best = (len(positions), number, values)
    if best is None:
        raise DomainError(
            "import.empty",
            gettext_lazy("The first sheet is empty: its first %(rows)s rows hold no column headers."),
            field="file",
            rows=HEADER_ROWS,
        )
    return best[1], best[2]


def run_import(
    *,
    kind: ImportKind,
    source,
    user,
    progress: Callable[[Progress], None] | None = None,
    check_only: bool = False,
) -> ImportResult:
    """Read, check and (only if every row is good) write a file, all or nothing.

    Raises ImportRejected with the first bad rows and the count of all, or DomainError for a file that
    is not a spreadsheet, is too large (FileTooLarge, before it is opened), has too many rows or none.
    `progress`, when given, is called after each chunk is read and checked and once the rows are written.
    `check_only`: everything as for an import, the write included (its rules and counts are the import's), then
    rolled back; the result says what the import would do and nothing is written (no row counts as written).
    """
    counts = Progress()
    report = progress or (lambda counts: None)
    with _open_sheet(source) as sheet:
        header_number, header_row = _find_headers(kind, sheet)
        positions, headers, ignored, header_problems = _match_headers(kind, header_row)
        problems = Problems(kind, headers)
        for key, message, params, code in header_problems:
            problems.add(header_number, key, message, params, code=code)
        if problems:
            errors = problems.sorted()
            raise ImportRejected(errors, rows=None, total=problems.total, header_row=header_number)
        # The good rows so far, to write at the end; dropped at the first problem (nothing will be written).
        kept: list[Row] | None = []
        natural_keys = _NaturalKeys()
        count = 0
        for chunk in _row_chunks(kind, sheet, positions, problems, header_row=header_number):
            count += len(chunk)
            counts.read = count
            report(counts)
            kind.check(chunk, problems, user=user)
            # After the kind's check, which may complete a key (a contract term's empty start is its contract's):
            # one place finds a row twice, so a duplicate is reported once.
            natural_keys.check(kind, chunk, problems)
            problems.close()
            counts.checked = count
            report(counts)
            if problems:
                kept = None
                natural_keys.forget_values()
            elif kept is not None:
                kept.extend(chunk)
    if not count:
        raise DomainError("import.no_rows", gettext_lazy("The file has headers but no data rows."), field="file")
    if problems or kept is None:
        raise ImportRejected(problems.sorted(), rows=count, total=problems.total, bad_rows=problems.bad_rows)
    collected: list = []
    warned: list = []
    token, warnings_token = CHANGES.set(collected), WARNINGS.set(warned)
    try:
        with transaction.atomic():
            created, updated = kind.write(kept, present=set(positions))
            changes = tuple(_changes_shown(kind, collected, problems, kept))
            if check_only:
                # Undone as it leaves this block (what it queued for after the commit is dropped with it).
                transaction.set_rollback(True)
    finally:
        CHANGES.reset(token)
        WARNINGS.reset(warnings_token)
    if not check_only:
        counts.written = count
        report(counts)
    unchanged = max(count - created - updated, 0)
    return ImportResult(
        kind.name,
        created,
        updated,
        count,
        tuple(ignored),
        unchanged=unchanged,
        check_only=check_only,
        header_row=header_number,
        changes=changes,
        warnings=tuple(warned),
    )


def _shown(model, name: str, value) -> str:
    """A value of a record's field as a person reads it in a change (old → new): a record named, a choice by its
    label, yes/no, a date as YYYY-MM-DD, empty as empty."""
    if value is None or value == "":
        return ""
    try:
        field = model._meta.get_field(name) if model is not None else None
    except Exception:
        field = None
    if field is not None and field.many_to_many:
        return str(value)  # as the kind notes it (a promoter's stores: their codes)
    if field is not None and field.is_relation and field.related_model is not None:
        found = field.related_model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _changes_shown(kind: ImportKind, collected: list[dict], problems: Problems, rows: list[Row]) -> Iterator[dict]:
    """The collected changes (kinds.CHANGES) as the page and the preview's download show them: the record's code
    (the row's natural key as the file writes it), the column as the file heads it, the old and the new value as
    text."""
    keys = {column.key for column in kind.columns}
    numbers = {entry["row"] for entry in collected}
    codes = {row.number: _key_text(kind, row) for row in rows if row.number in numbers}
    for entry in collected:
        model = entry.get("model")
        changes = [
            {
                "column": problems.column_header(key) if key in keys else key,
                "old": _shown(model, kind.model_fields.get(key, key), old),
                "new": _shown(model, kind.model_fields.get(key, key), new),
            }
            for key, old, new in entry["changes"]
        ]
        yield {"row": entry["row"], "code": codes.get(entry["row"], ""), "changes": changes}


def _key_text(kind: ImportKind, row: Row) -> str:
    """A row's natural key as the file writes it (a store's code; a delivery's store, product, date and note)."""
    parts = (row.values.get(key) for key in kind.key)
    return " / ".join(
        part.isoformat() if hasattr(part, "isoformat") else str(part) for part in parts if part not in (None, "")
    )


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
        [_("Column"), _("Also accepted"), _("Required"), pgettext("import column", "Format"), _("Example")],
        chain(
            (
                [c["header"], c["other"], _("yes") if c["required"] else _("no"), str(c["hint"]), str(c["example"])]
                for c in described
            ),
            # how a row for an existing record reads its empty cells, and how a field is emptied
            [["", "", "", "", ""], [str(BLANK_KEEPS), "", "", "", ""]],
        ),
    )
    return workbook


def changes_workbook(changes: Iterable[dict]):
    """Every updated row's changes of a check (what importing the file would change), one line a field: the row as
    Excel numbers it, the record's code, the column as the file heads it, the value now and after the import (as the
    job's page shows the first of them)."""
    workbook = excel.new_workbook()
    excel.write_sheet(
        workbook,
        _("Changes"),
        [_("Row"), _("Code"), _("Column"), _("Now"), _("After the import")],
        (
            [entry["row"], entry.get("code", ""), change["column"], change["old"], change["new"]]
            for entry in changes
            for change in entry["changes"]
        ),
    )
    return workbook


def has_changes_download(job) -> bool:
    """A check (an ImportJob checked) that found rows to update: what importing would change in them can be
    downloaded, every row (changes_workbook)."""
    return job.status == "checked" and bool(job.changes)


def changes_filename(job) -> str:
    return f"import-{job.kind}-changes-{job.pk}.xlsx"


def problems_workbook(errors: Iterable[dict]):
    """The problems kept of a rejected file as a sheet (row, column, reason, and the reason's code: import.bad_date,
    store.grade, … as the API's job gives it, to sort or filter the problems by; empty for one kept before codes
    were), to fix the file against."""
    workbook = excel.new_workbook()
    excel.write_sheet(
        workbook,
        _("Problems"),
        [_("Row"), _("Column"), _("Problem"), _("Problem code")],
        (
            [error["row"], error["column"] or _("Whole row"), error["message"], error.get("code") or ""]
            for error in errors
        ),
    )
    return workbook
