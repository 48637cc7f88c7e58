"""Excel exports of the analyses, written through ka_portal/excel.py: the same rows as their pages."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ka_portal import excel
from ka_portal.templatetags.ka import percent


def _period(report) -> str:
    return f"{report.month_from:%Y-%m}–{report.month_to:%Y-%m}"


def flag_text(mix) -> str:
    """The words that flag a channel (never colour alone)."""
    return _("Gap above %(threshold)s") % {"threshold": percent(mix.threshold, -1)}


def channel_mix_rows(mix) -> list[list]:
    """One row per channel, then the total: channel, chains, sales, share, spend, share, gap, ratio, flagged."""
    rows = [
        [
            channel.label,
            len(channel.accounts),
            channel.sales,
            channel.sales_share,
            channel.spend,
            channel.spend_share,
            channel.gap,
            channel.ratio,
            flag_text(mix) if channel.flagged else "",
        ]
        for channel in mix.channels
    ]
    total_share = 1 if mix.channels and mix.sales > 0 else None
    spend_share = 1 if mix.channels and mix.spend > 0 else None
    chains = sum(len(channel.accounts) for channel in mix.channels)
    rows.append([_("Total"), chains, mix.sales, total_share, mix.spend, spend_share, None, mix.ratio, ""])
    return rows


def channel_mix_workbook(mix):
    headers = [
        _("Channel"),
        _("Chains"),
        _("Sales"),
        _("Share of sales"),
        _("Trade spend"),
        _("Share of trade spend"),
        _("Gap"),
        _("Trade-spend ratio"),
        _("Flag"),
    ]
    percent = dict.fromkeys((3, 5, 6, 7), excel.PERCENT_FORMAT)
    money = dict.fromkeys((2, 4), excel.MONEY_FORMAT)
    title = _("Channel mix %(period)s") % {"period": _period(mix)}
    name = f"channel-mix-{mix.by}-{mix.month_from:%Y-%m}-{mix.month_to:%Y-%m}.xlsx"
    return excel.xlsx_response(name, title, headers, channel_mix_rows(mix), {**percent, **money})


PROMOTION_HEADERS = (
    gettext_lazy("Plans"),
    gettext_lazy("Evaluated"),
    gettext_lazy("Promotion cost"),
    gettext_lazy("Sell-in during the plans"),
    gettext_lazy("Expense ratio"),
    gettext_lazy("Baseline packs"),
    gettext_lazy("Packs sold in"),
    gettext_lazy("Incremental packs"),
    gettext_lazy("Cost per incremental pack"),
    gettext_lazy("Incremental sell-in"),
    gettext_lazy("Payback"),
    gettext_lazy("Sell-out (packs)"),
    gettext_lazy("Sell-out uplift"),
    gettext_lazy("Incremental packs sold to shoppers"),
    gettext_lazy("Cost per pack sold to shoppers"),
)


def promotion_group_row(label: str, plans: int, evaluated: int, figures) -> list:
    return [
        label,
        plans,
        evaluated,
        figures.total_cost,
        figures.sales_amount,
        figures.expense_ratio,
        figures.baseline_units,
        figures.sales_units,
        figures.incremental_units,
        figures.cost_per_incremental_unit,
        figures.incremental_amount,
        figures.payback,  # None (a plan yet to start): an empty cell, as in every export, so the column stays numeric
        figures.sell_out.units,
        figures.sell_out.uplift,
        figures.sell_out.incremental_units,
        figures.sell_out.cost_per_incremental_unit,
    ]


def promotion_expense_rows(report, groups) -> list[list]:
    rows = [promotion_group_row(group.label, len(group.plans), group.evaluated, group.figures) for group in groups]
    rows.append(promotion_group_row(_("Total"), report.plans, report.evaluated, report.total))
    return rows


def promotion_expense_workbook(report):
    """Two sheets, by promotion type and by key account, each with its total."""
    formats = {
        **dict.fromkeys((3, 4, 9, 10, 15), excel.MONEY_FORMAT),
        **dict.fromkeys((5, 11, 13), excel.PERCENT_FORMAT),
    }
    workbook = excel.new_workbook()
    for title, first, groups in (
        (_("By promotion type"), _("Promotion type"), report.by_type),
        (_("By key account"), _("Key account"), report.by_account),
    ):
        headers = [first, *[str(header) for header in PROMOTION_HEADERS]]
        excel.write_sheet(workbook, title, headers, promotion_expense_rows(report, groups), formats)
    name = f"promotion-expense-{report.month_from:%Y-%m}-{report.month_to:%Y-%m}.xlsx"
    return excel.workbook_response(workbook, name)
