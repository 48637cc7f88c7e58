"""Excel import of sales targets (account × year × month), run by the imports app (registered in accounts/apps.py)."""

from django.utils.translation import gettext_lazy as _

from imports import kinds as imports
from imports.kinds import Column, ImportKind
from ka_portal.errors import DomainError
from ka_portal.scope import accounts_for

from . import rules
from .models import KeyAccount, SalesTarget
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
    """Account codes → account ids, refusing unknown codes and accounts outside the user's scope."""
    imports.resolve(
        rows,
        problems,
        key="account_code",
        target="account_id",
        queryset=KeyAccount.objects.all(),
        scoped=accounts_for(user),
        unknown=_("Unknown key account code “%(value)s”."),
        out_of_scope=_("Key account “%(value)s” is not in your scope."),
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
        Column(
            "amount",
            "指标金额",
            "target amount",
            imports.money(min_value=None),  # not negative: accounts/rules.py, as at every door
            required=True,
            aliases=("指标", "金额", "amount", "target"),
            hint=_("CNY, at most two decimal places"),
            example="120000.00",
        ),
    )

    def check(self, rows, problems, *, user):
        resolve_accounts(rows, problems, user=user)
        for row in rows:
            try:
                rules.check_target(row.values)
            except DomainError as refusal:
                problems.add(row, refusal.field, refusal.detail)

    def write(self, rows, *, present):
        unique = ("account_id", "year", "month")
        existing = imports.existing_keys(
            SalesTarget.objects.all(), (row.values["account_id"] for row in rows), by="account_id", key=unique
        )
        return imports.upsert(self, SalesTarget, rows, present=present, unique=unique, existing=existing)
