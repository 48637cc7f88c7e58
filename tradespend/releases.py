"""Matches the ledger released and where the deduction went next (MatchRelease), kept so a deduction never changes
lines unseen.

Matching pays a chain's fees by chain × kind × month, not by agreement (matching.py): when a display-fee line is
lowered under the automatic matches it had (its fee lowered, its agreement's period moved, its display not
evidenced), matching.release_unbacked releases those matches and matches the deduction again at once — to any line of
the same chain, kind and months with room, which may be another agreement's. Which line it picks is unchanged; what
this module adds is the record: from which lines, why, to which lines, when (``record``), read back as sentences on
the deduction's sheet (``history``) and as a mark the deductions list, its Excel and the API filter by (``moved_q``:
matched again to a line it was not released from).

    line_snapshot(line, amount) -> dict           a line as it was, with the amount released from or matched to it
    release_reason(line) -> (code, params)         why its matches were released (a code of notes.RELEASE_TEMPLATES)
    record(released, kept, after) -> int           the MatchRelease rows of one release, one per deduction
    moved_q() -> Exists                            over deductions: moved to another line by a release
    moved_of(deduction) -> bool                    the same of one deduction (its annotation, else one query)
    history(deduction) -> list[Release]            its releases as the sheet reads them, newest first
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from evidence.agreement_rules import payable_month
from evidence.models import DisplayAgreement
from ka_portal.money import ZERO, to_money
from ka_portal.system_texts import render

from . import notes
from .models import AccrualLine, MatchRelease

Source = AccrualLine.Source


def _reference(line: AccrualLine) -> str:
    """What names a line's source beside its source's label, as typed (the same in every language): a term's contract
    number, a plan's title, a promoter's name, an adjustment's reason; a display agreement is named by its number."""
    if line.source == Source.TERM and line.term_id:
        return line.term.contract.number
    if line.source in (Source.PLAN, Source.PROMOTER) and line.plan_id:
        return line.plan.title
    if line.source == Source.PROMOTER:
        return str((line.reason_params or {}).get("promoter", ""))
    if line.source == Source.ADJUSTMENT:
        return line.reason
    return ""


def line_snapshot(line: AccrualLine, amount: Decimal) -> dict:
    """The line as it is now, for a MatchRelease (JSON): ``amount`` is what was released from it or matched to it."""
    return {
        "line": line.pk,
        "month": f"{line.month:%Y-%m}",
        "kind": line.kind,
        "source": line.source,
        "reference": _reference(line),
        "agreement": line.agreement_id,
        "amount": str(to_money(amount)),
    }


def release_reason(line: AccrualLine, *, matched: Decimal) -> tuple[str, dict]:
    """Why the automatic matches of ``line`` (lowered under the ``matched`` sum of its matches) are released, as a code
    of notes.RELEASE_TEMPLATES and its parameters. A hand-entered agreement's line says what happened to the agreement:
    its period moved to another month, not evidenced, its fee lowered; a term's or plan's line says what its reason
    says (display fees not evidenced taken off it), or no longer due at 0, or lowered."""
    agreement = line.agreement if line.agreement_id else None
    if agreement is not None:
        month = payable_month(agreement.start_on)
        if month != line.month:
            return notes.RELEASE_MOVED, {"month": f"{month:%Y-%m}"}
        if agreement.status == DisplayAgreement.Status.NOT_EVIDENCED:
            return notes.RELEASE_NOT_EVIDENCED, {}
        if line.amount <= 0 < agreement.fee:  # its fee stands, its line is gone: changed kind or chain
            return notes.RELEASE_NO_LONGER_DUE, {}
    elif line.reason_code == notes.NOT_EVIDENCED:
        return notes.RELEASE_NOT_EVIDENCED, {}
    elif line.amount <= 0:
        return notes.RELEASE_NO_LONGER_DUE, {}
    return notes.RELEASE_LOWERED, {"line_amount": str(to_money(line.amount)), "matched": str(to_money(matched))}


def record(released: list, kept: dict[int, dict[int, Decimal]], after: list) -> int:
    """Write what one release did, one MatchRelease per deduction: ``released``, the matches released (with their
    lines, before they were deleted, each line annotated with ``deducted``: Σ its matches then); ``kept``, each
    deduction's matches left once they were (line → amount); ``after``, the deductions' matches once matched again.
    What a line gained from ``kept`` to ``after`` is what the deduction was matched again to. Answers how many of the
    deductions moved to a line they were not released from."""
    released_by: dict[int, list[dict]] = defaultdict(list)
    for match in released:
        code, params = release_reason(match.line, matched=match.line.deducted)
        snapshot = line_snapshot(match.line, match.amount)
        snapshot.update(line_amount=str(to_money(match.line.amount)), matched=str(to_money(match.line.deducted)))
        snapshot.update(why=code, why_params=params)
        released_by[match.deduction_id].append(snapshot)
    again_by: dict[int, list[dict]] = defaultdict(list)
    for match in after:
        gained = match.amount - kept.get(match.deduction_id, {}).get(match.line_id, ZERO)
        if gained > 0:
            again_by[match.deduction_id].append(line_snapshot(match.line, gained))
    rows = []
    for deduction_id, lines in sorted(released_by.items()):
        again = again_by.get(deduction_id, [])
        from_lines = {snapshot["line"] for snapshot in lines}
        moved = any(snapshot["line"] not in from_lines for snapshot in again)
        rows.append(MatchRelease(deduction_id=deduction_id, released=lines, matched_again=again, moved=moved))
    MatchRelease.objects.bulk_create(rows)
    return sum(1 for row in rows if row.moved)


def moved_q() -> Exists:
    """Whether a deduction was moved by a release: matched again to a line it was not released from (another
    agreement's, another source's). An expression over deductions, to filter or annotate with."""
    return Exists(MatchRelease.objects.filter(deduction=OuterRef("pk"), moved=True))


def moved_of(deduction) -> bool:
    """Whether a deduction was moved by a release: read from its ``moved`` annotation when it was loaded with it
    (matching.with_match_marks, the deductions list), else one query."""
    if hasattr(deduction, "moved"):
        return bool(deduction.moved)
    return MatchRelease.objects.filter(deduction_id=deduction.pk, moved=True).exists()


# --- read back --------------------------------------------------------------------------------------------------


@dataclass
class ReleasedLine:
    """One line of a release as the sheet reads it."""

    month: date
    kind: str  # its label, in the reader's language
    source: str  # what names it: "Display agreement #12", "HT-2026-001 (Contract term)", …
    amount: Decimal
    agreement: int | None  # linked while the agreement exists
    line: int | None
    why: str = ""  # a released line's: why the ledger released it


@dataclass
class Release:
    at: datetime
    moved: bool
    released: list[ReleasedLine] = field(default_factory=list)
    matched_again: list[ReleasedLine] = field(default_factory=list)

    @property
    def released_amount(self) -> Decimal:
        return sum((line.amount for line in self.released), ZERO)

    @property
    def matched_again_amount(self) -> Decimal:
        return sum((line.amount for line in self.matched_again), ZERO)


def _source_text(snapshot: dict) -> str:
    source = snapshot.get("source", "")
    if source == Source.DISPLAY and snapshot.get("agreement"):
        return gettext("Display agreement #%(number)s") % {"number": snapshot["agreement"]}
    label = str(dict(Source.choices).get(source, source))
    reference = snapshot.get("reference") or ""
    return f"{reference} ({label})" if reference else label


def _read(snapshot: dict, agreements: set[int]) -> ReleasedLine:
    year, month = (int(part) for part in snapshot["month"].split("-"))
    why = render(snapshot["why"], snapshot.get("why_params")) if snapshot.get("why") else ""
    return ReleasedLine(
        month=date(year, month, 1),
        kind=str(AccrualLine(kind=snapshot.get("kind", "")).get_kind_display()),
        source=_source_text(snapshot),
        amount=Decimal(snapshot.get("amount") or "0"),
        agreement=snapshot.get("agreement") if snapshot.get("agreement") in agreements else None,
        line=snapshot.get("line"),
        why=why,
    )


def history(deduction) -> list[Release]:
    """The deduction's releases, newest first, their lines in the reader's language; an agreement linked while it
    exists. Two queries."""
    rows = list(MatchRelease.objects.filter(deduction=deduction).order_by("-released_at", "-pk"))
    if not rows:
        return []
    named = {
        snapshot.get("agreement")
        for row in rows
        for snapshot in [*row.released, *row.matched_again]
        if snapshot.get("agreement")
    }
    agreements = set(DisplayAgreement.objects.filter(pk__in=named).values_list("pk", flat=True)) if named else set()
    return [
        Release(
            at=row.released_at,
            moved=row.moved,
            released=[_read(snapshot, agreements) for snapshot in row.released],
            matched_again=[_read(snapshot, agreements) for snapshot in row.matched_again],
        )
        for row in rows
    ]
