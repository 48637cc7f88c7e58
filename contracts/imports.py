"""Excel import of contract term lines (费用条款), registered with the imports app in contracts/apps.py.

One row per term line, upserted by contract number + kind + valid from (empty: the contract's start). Every row
is checked by the rules the page, the API and the admin apply (contracts.rules.check_term, through
contracts.services.contract_term_check's rules), so a bad row is named with its column and why, and nothing is
written. The export (contracts/exports.terms_workbook) writes the same columns, so a sheet goes out and back.
"""

import re
import unicodedata
from functools import cache

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from imports import kinds as imports
from imports.kinds import CellError, Column, ImportKind
from ka_portal.errors import DomainError
from ka_portal.wordlists import WordList

from . import rules, selectors
from .models import Contract, ContractTerm
from .services import (
    TERM_FIGURE_FIELDS,
    check_contract_dates,
    check_term_months_open,
    contract_terms_imported,
    term_months_closed,
)


def _spelling(text) -> str:
    """A choice as compared: without case, spaces or underscores, full-width letters and brackets as half-width
    (“DM海报费”, “dm 海报费” and “ＤＭ 海报费” are “DM 海报费”; “per store sku” is per_store_sku)."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", str(text))).casefold()


@cache
def _names(choices) -> dict[str, str]:
    """Every way a choice may be written (its code, its English and its Chinese label), as compared → the code."""
    return imports.choice_spellings(choices, _spelling)


def choice_of(choices):
    """A choice written as its code or its label in either language (what the export writes), compared without
    case, spaces or character width."""

    def parse(value) -> str:
        found = _names(choices).get(_spelling(value))
        if found is None:
            # the choices as the reader's sheet and the export write them (its labels, in the language of whoever reads
            # the problem), not the codes behind them
            raise CellError(imports.NOT_ONE_OF, code=imports.BAD_CHOICE, value=value, options=WordList(choices.labels))
        return found

    return parse


def _choice_column(key, zh, en, choices, example, aliases=()) -> Column:
    return Column(
        key,
        zh,
        en,
        choice_of(choices),
        required=True,
        aliases=aliases,
        hint=imports.choices_hint(choices),
        example=example,
    )


TERM_COLUMNS = (
    Column(
        "contract_number",
        "合同编号",
        "contract number",
        imports.text(40),
        required=True,
        aliases=("合同号", "contract"),
        hint=_("Number of an existing contract"),
        example="HT-2026-0001",
    ),
    # Examples as the sheet is filled in: a choice's label in the reader's language (its code is read too).
    _choice_column(
        "kind", "费用类型", "kind", ContractTerm.Kind, ContractTerm.Kind.REBATE.label, aliases=("类型", "term kind")
    ),
    _choice_column(
        "basis", "计费方式", "basis", ContractTerm.Basis, ContractTerm.Basis.PERCENT.label, aliases=("计费基础",)
    ),
    _choice_column(
        "period", "周期", "period", ContractTerm.Period, ContractTerm.Period.YEAR.label, aliases=("结算周期",)
    ),
    Column(
        "rate",
        "费率(%)",
        "rate %",
        imports.decimal_number(places=2, min_value=None, max_value=None),  # 0–100: contracts.rules
        aliases=("费率", "rate", "返利率"),
        # xgettext:no-python-format
        hint=_("For a percentage of sell-in: 0 to 100 (2.5, 2.5% or a cell formatted as a percentage)"),
        example="2.5",
        percent=True,  # a cell showing 2.5% (it holds 0.025) is 2.5
    ),
    Column(
        "amount",
        "金额",
        "amount",
        imports.money(min_value=None),  # not negative: contracts.rules
        aliases=("金额(元)", "amount (CNY)"),
        hint=_("CNY, for a fixed or per-store-per-SKU fee"),
    ),
    Column(
        "tiers",
        "阶梯",
        "tiers",
        imports.text(200),
        default="",
        aliases=("返利阶梯",),
        hint=_("Conditional rebates only: achievement %:rate %, e.g. 90:1.5;100:2.5"),
    ),
    Column("valid_from", "开始日期", "valid from", imports.a_date, hint=_("YYYY-MM-DD; empty: the contract's")),
    Column("valid_to", "结束日期", "valid to", imports.a_date, hint=_("YYYY-MM-DD; empty: the contract's")),
    _choice_column(
        "settlement", "结算方式", "settlement", ContractTerm.Settlement, ContractTerm.Settlement.DEDUCTED.label
    ),
    Column("note", "备注", "note", imports.text(200), default=""),
)


class ContractTermImport(ImportKind):
    name = "contract-terms"
    label = _("Contract terms")
    roles = frozenset({Role.ADMIN, Role.FINANCE})
    key = ("contract_number", "kind", "valid_from")
    model_fields = {"contract_number": "contract_id"}
    columns = TERM_COLUMNS

    def check(self, rows, problems, *, user):
        numbers = sorted({row.values.get("contract_number") for row in rows} - {None})
        # Looked up within the user's scope only: a number outside it is refused as one that does not exist.
        contracts = {
            c.number: c
            for part in imports.chunks(numbers)
            for c in selectors.contracts_for(user).filter(number__in=part)
        }
        # The lines the rows would change, and the closed months (a line whose months are all closed stays as it is).
        existing = {
            (term.contract_id, term.kind, term.valid_from): term
            for term in ContractTerm.objects.filter(contract__in=list(contracts.values()))
        }
        from tradespend.models import ClosedMonth  # lazy: trade spend builds on contracts

        closed = frozenset(ClosedMonth.objects.values_list("month", flat=True))
        for row in rows:
            number = row.values.get("contract_number")
            if number is None:
                continue
            contract = contracts.get(number)
            if contract is None:
                problems.add(row, "contract_number", imports.CONTRACT_NOT_FOUND, {"value": number})
                continue
            row.values["contract_id"] = contract.pk
            # An empty start becomes the contract's here, so the runner's duplicate check (after this one) finds
            # the same line written once with its date and once without.
            self._check_row(row, problems, contract, existing=existing, closed=closed)

    def _check_row(self, row, problems, contract: Contract, *, existing, closed) -> None:
        values = row.values
        for name in ("valid_from", "valid_to"):
            if name in values and values[name] is None:  # empty (a cell that did not parse is already reported)
                values[name] = getattr(contract, name)
        if any(column.key not in values for column in self.columns):
            # A cell that did not parse (or a required one left empty) is reported already; the rules read the line
            # whole, so checking it without that value would only add a follow-on ("needs an amount" after "abc").
            return
        try:
            values["tiers"] = rules.parse_tiers(values.get("tiers") or "")
            term = existing.get((contract.pk, values.get("kind"), values.get("valid_from")))
            if term is not None and "note" in row.blank:
                values["note"] = term.note  # an empty note of a line already made leaves it as it is
            # the dates first, as contract_term_check asks them: a year typed wrong is named as such, not as a line
            # outside its contract
            check_contract_dates(
                values,
                stored={"valid_from": term.valid_from, "valid_to": term.valid_to} if term is not None else None,
            )
            rules.check_term(
                values,
                contract_from=contract.valid_from,
                contract_to=contract.valid_to,
                contract_number=contract.number,
            )
            before = {name: getattr(term, name) for name in TERM_FIGURE_FIELDS} if term is not None else None
            after = {name: values.get(name) for name in TERM_FIGURE_FIELDS}
            try:
                check_term_months_open(before=before, after=after, contract_number=contract.number, closed=closed)
            except DomainError as refusal:
                # Named on a cell like the other problems: the end date that keeps the row's line wholly in closed
                # months, or (the stored line it changes is wholly closed) the start date that names that line.
                wholly_closed = term_months_closed(values.get("valid_from"), values.get("valid_to"), closed)
                problems.add(row, "valid_to" if wholly_closed else "valid_from", refusal)
            else:
                # its display agreements in closed months stay as finance closed them, as on the page and in the API
                from evidence.agreements import TERM_SOURCE_FIELDS, check_term_change  # lazy: evidence builds on it

                now = {name: values.get(name) for name in TERM_SOURCE_FIELDS}
                check_term_change(contract=contract, term_id=getattr(term, "pk", None), values=now, closed=closed)
        except DomainError as refusal:
            problems.add(row, refusal.field, refusal)

    def write(self, rows, *, present):
        unique = ("contract_id", "kind", "valid_from")
        existing = imports.existing_keys(
            ContractTerm.objects.all(), (row.values["contract_id"] for row in rows), by="contract_id", key=unique
        )
        # A row is checked whole, so it is written whole (rate, amount and tiers together keep the constraints);
        # only a note the file does not carry is left as it is.
        written = {column.key for column in self.columns} - ({"note"} - present)
        created, updated = imports.upsert(self, ContractTerm, rows, present=written, unique=unique, existing=existing)
        contract_terms_imported(contract_ids={row.values["contract_id"] for row in rows})  # summaries, agreements
        return created, updated
