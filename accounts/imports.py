"""Excel import of sales targets (account × year × month), store targets (store × month) and collection targets
(account × month), run by the imports app (registered in accounts/apps.py)."""

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from imports import kinds as imports
from imports.kinds import Column, ImportKind
from ka_portal.errors import DomainError
from ka_portal.scope import accounts_for, finance_accounts_for, stores_for
from stores.models import Store

from . import rules
from .models import CollectionTarget, KeyAccount, SalesTarget, StoreTarget
from .roles import Role

ACCOUNT_CODE = Column(
    "account_code",
    "系统编码",
    "account code",
    imports.text(30),
    required=True,
    aliases=("客户编码", "系统代码", "KA编码", "key account code", "key account"),
    hint=_("Code of an existing key account"),
    example="KA001",
)


def resolve_accounts(rows, problems, *, user) -> None:
    """Account codes → account ids, refusing unknown codes and accounts outside the user's scope alike."""
    imports.resolve(
        rows,
        problems,
        key="account_code",
        target="account_id",
        queryset=KeyAccount.objects.all(),
        scoped=accounts_for(user),
        not_found=imports.ACCOUNT_NOT_FOUND,
    )


TARGET_AMOUNT = Column(
    "amount",
    "指标金额",
    "target amount",
    imports.money(min_value=None),  # not negative: accounts/rules.py, as at every door
    required=True,
    aliases=("指标", "金额", "amount", "target"),
    hint=_("CNY, at most two decimal places"),
    example="120000.00",
)


class TargetImport(ImportKind):
    name = "targets"
    label = _("Sales targets")
    roles = frozenset({Role.ADMIN, Role.MANAGER})
    key = ("account_code", "year", "month")
    model_fields = {"account_code": "account_id"}
    columns = (
        ACCOUNT_CODE,
        Column(
            "year",
            "年份",
            "year",
            imports.whole_number(min_value=2000, max_value=2100),
            required=True,
            aliases=("年",),
            hint=_("Four digits"),
            example="2026",
        ),
        Column(
            "month",
            "月份",
            "month",
            imports.whole_number(min_value=1, max_value=12),
            required=True,
            aliases=("月",),
            hint=_("1 to 12"),
            example="3",
        ),
        TARGET_AMOUNT,
    )

    def check(self, rows, problems, *, user):
        resolve_accounts(rows, problems, user=user)
        for row in rows:
            try:
                rules.check_target(row.values)
            except DomainError as refusal:
                problems.add(row, refusal.field, refusal)

    def write(self, rows, *, present):
        unique = ("account_id", "year", "month")
        existing = imports.existing_keys(
            SalesTarget.objects.all(), (row.values["account_id"] for row in rows), by="account_id", key=unique
        )
        return imports.upsert(self, SalesTarget, rows, present=present, unique=unique, existing=existing)


# --- store targets and collection targets (issue 15): a month is a first-of-month date ---------------------------

_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%Y%m")


def a_month(value) -> date:
    """A month: a date cell (its first day; another day is refused by the rule, naming it), or text like 2026-03,
    2026/3, 2026年3月 or 2026-03-01."""
    if isinstance(value, str):
        cleaned = value.strip()
        for pattern in _MONTH_FORMATS:
            try:
                return datetime.strptime(cleaned, pattern).date()
            except ValueError:
                continue
    try:
        return imports.a_date(value)
    except imports.CellError:
        raise imports.CellError(
            _("“%(value)s” is not a month; write it as YYYY-MM."), code="import.bad_month", value=value
        ) from None


MONTH = Column(
    "month",
    "月份",
    "month",
    a_month,
    required=True,
    aliases=("月",),
    hint=_("YYYY-MM (or the month's first day)"),
    example="2026-03",
)


def _check_rules(rows, problems, check) -> None:
    for row in rows:
        try:
            check(row.values)
        except DomainError as refusal:
            problems.add(row, refusal.field, refusal)


class _MonthTargetImport(ImportKind):
    """A target per month of a record named by its code (a store, a key account): the record found in the
    importer's scope, the amount checked by the app's rule, each (record, month) written once (upserted)."""

    roles = frozenset({Role.ADMIN, Role.MANAGER})
    code: str  # the column naming the record
    target: str  # the model field it fills
    model: type
    rule = None
    not_found: imports.NotFound  # a code missing or outside the scope: refused alike

    def records(self, user) -> tuple:
        """(every record, those the user reaches)."""
        raise NotImplementedError

    def check(self, rows, problems, *, user):
        everything, scoped = self.records(user)
        imports.resolve(
            rows,
            problems,
            key=self.code,
            target=self.target,
            queryset=everything,
            scoped=scoped,
            not_found=self.not_found,
        )
        _check_rules(rows, problems, type(self).rule)

    def write(self, rows, *, present):
        unique = (self.target, "month")
        existing = imports.existing_keys(
            self.model.objects.all(), (row.values[self.target] for row in rows), by=self.target, key=unique
        )
        return imports.upsert(self, self.model, rows, present=present, unique=unique, existing=existing)


class StoreTargetImport(_MonthTargetImport):
    """Monthly targets per store; a manager's for their chains' stores, an admin's for any."""

    name = "store-targets"
    label = _("Store targets")
    key = ("store_code", "month")
    model_fields = {"store_code": "store_id"}
    columns = (
        Column(
            "store_code",
            "门店编码",
            "store code",
            imports.text(30),
            required=True,
            aliases=("门店代码", "store"),
            hint=_("Code of an existing store"),
            example="S0001",
        ),
        MONTH,
        TARGET_AMOUNT,
    )
    code, target, model, rule = "store_code", "store_id", StoreTarget, rules.check_store_target
    not_found = imports.STORE_NOT_FOUND

    def records(self, user) -> tuple:
        return Store.objects.all(), stores_for(user)


class CollectionTargetImport(_MonthTargetImport):
    """Monthly collection targets (回款指标) per account; a manager's for their chains, an admin's for any."""

    name = "collection-targets"
    label = _("Collection targets")
    key = ("account_code", "month")
    model_fields = {"account_code": "account_id"}
    columns = (
        ACCOUNT_CODE,
        MONTH,
        Column(
            "amount",
            "回款指标",
            "collection target",
            imports.money(min_value=None),  # not negative: accounts/rules.py, as at every door
            required=True,
            aliases=("回款金额", "金额", "amount", "target"),
            hint=_("CNY, at most two decimal places"),
            example="100000.00",
        ),
    )
    code, target, model, rule = "account_code", "account_id", CollectionTarget, rules.check_collection_target
    not_found = imports.ACCOUNT_NOT_FOUND

    def records(self, user) -> tuple:
        return KeyAccount.objects.all(), finance_accounts_for(user)
