"""Pure trade-spend rules (issue 12), no database: months, the mapping between term, plan, deduction and spend
kinds, and whether a month is still open. Each part's own arithmetic (schedules, tiers, matching tolerance,
states) is added here by the part that needs it, with its tests in tests/tradespend/test_rules.py."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError

# contracts.ContractTerm.Kind → SpendKind
TERM_SPEND_KIND = {
    "rebate": "rebate",
    "rebate_conditional": "rebate",
    "listing": "listing",
    "barcode": "barcode",
    "anniversary": "anniversary",
    "dm": "dm",
    "end_cap": "end_cap",
    "display": "display",
    "promoter": "promoter",
    "other": "other",
}
# contracts.Deduction.Kind → the SpendKind of the lines it may be matched to ("tg" is the chain's word for end caps)
DEDUCTION_SPEND_KIND = {
    "listing": "listing",
    "barcode": "barcode",
    "dm": "dm",
    "tg": "end_cap",
    "rebate": "rebate",
    "anniversary": "anniversary",
    "display": "display",
    "promoter": "promoter",
    "promotion": "promotion",
    "other": "other",
}
# A plan's cost fields → SpendKind (gifts, price support and supply funding are all PROMOTION)
PLAN_SPEND_KIND = {
    "dm_fee": "dm",
    "tg_fee": "end_cap",
    "promoter_fee": "promoter",
    "gift_cost": "promotion",
    "price_support": "promotion",
    "supply_funding": "promotion",
}


def spend_category(*, source: str, kind: str) -> str:
    """The gross-to-net step a line belongs to: rebates, promotion spend (anything a plan pays), fixed fees."""
    if kind == "rebate":
        return "rebate"
    if source == "plan" or kind == "promotion":
        return "promotion"
    return "fixed_fee"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month's first day from ``first``'s month to ``last``'s, both included."""
    months, month, end = [], month_start(first), month_start(last)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def check_month_open(day: date, closed_months: set[date] | frozenset[date], *, field: str = "date") -> None:
    """Refuse a record dated in a month finance has closed: its figures never change (item 4)."""
    if month_start(day) in closed_months:
        raise DomainError(
            "month.closed",
            _("%(month)s is closed: nothing dated in it can be recorded or changed; record it in an open month."),
            field=field,
            month=f"{day:%Y-%m}",
        )
