"""The chain page as a workbook: one sheet per part of the page, the same figures (analytics.chain)."""

from django.utils.translation import gettext as _

from contracts.receivables import Bucket
from ka_portal import excel
from ka_portal.formatting import account_name
from tradespend import reports
from visits.models import SuggestedOrder

COUNT_FORMAT = "0"


def chain_workbook(o):
    p = o.performance
    book = excel.new_workbook()
    ratio = {2: excel.PERCENT_FORMAT}
    excel.write_sheet(
        book,
        _("Summary"),
        [_("Figure"), _("Value"), _("Ratio")],
        [
            [_("Key account"), f"{o.account.code} {account_name(o.account)}", None],
            [_("Period"), f"{o.month_from:%Y-%m}–{o.month_to:%Y-%m}", None],
            [_("Target"), p.target, None],
            [_("Actual"), p.actual, p.achievement],
            [_("Difference"), p.difference, None],
            [_("Last year"), p.last_year, p.growth],
            [_("Trade spend"), o.figures.spend, o.figures.ratio],
            [_("Company norm"), None, o.norm],
            [_("Net"), o.figures.net, None],
            [_("Total cost (planned)"), o.promotions.planned_cost, None],
            # of the evaluated plans only, as on the page
            [_("Total cost (actual)"), o.promotions.evaluated_cost if o.promotions.evaluated_count else None, None],
            [_("Open receivables"), o.aging.total, None],
            [_("Past due"), o.aging.past_due, None],
            [_("DSO (days)"), o.aging.dso, None],
            [_("Disputes open"), o.disputes_amount, None],
        ],
        ratio,
    )
    excel.write_sheet(
        book,
        _("Months"),
        [_("Month"), _("Actual"), _("Target"), _("Last year"), _("Achievement"), _("Growth")],
        [
            [m.label[:7], None if m.future else m.actual, m.target, m.last_year, m.achievement, m.growth]
            for m in o.trend
        ],
        {4: excel.PERCENT_FORMAT, 5: excel.PERCENT_FORMAT},
    )
    excel.write_sheet(
        book,
        _("Gross to net"),
        [_("Step"), _("Amount"), _("Of gross")],
        [[str(label), amount, reports.ratio(amount, o.figures.gross)] for _s, label, amount in o.figures.steps()],
        ratio,
    )
    excel.write_sheet(
        book,
        _("Promotions"),
        [
            _("Plan"),
            _("Type"),
            _("Start"),
            _("End"),
            _("Status"),
            _("Total cost (planned)"),
            _("Total cost (actual)"),
            _("Uplift"),
            _("Extra packs"),
            _("Cost per extra pack"),
        ],
        [
            [
                line.plan.title,
                str(line.plan.type),
                line.plan.start_on,
                line.plan.end_on,
                line.plan.get_status_display(),
                line.planned_cost,
                line.actual_cost,
                line.uplift,
                line.incremental_units,
                line.cost_per_incremental_unit,
            ]
            for line in o.promotions.lines
        ],
        {2: "yyyy-mm-dd", 3: "yyyy-mm-dd", 7: excel.PERCENT_FORMAT, 8: COUNT_FORMAT},
    )
    excel.write_sheet(
        book,
        _("Receivables"),
        [_("Days past due"), _("Open")],
        [[str(label), o.aging.buckets[bucket]] for bucket, label in Bucket.choices],
    )
    flags = dict(SuggestedOrder.Flag.choices)
    c = o.coverage
    excel.write_sheet(
        book,
        _("Stores and visits"),
        [_("Figure"), _("Count"), _("Rate")],
        [
            [_("Active stores"), c.stores, None],
            [_("Visited in the period"), c.visited, c.coverage],
            [_("Planned stops due"), c.planned, None],
            [_("Done on their day"), c.done, c.compliance],
            *[[str(flags[flag]), count, None] for flag, count in o.flags.items()],
        ],
        {1: COUNT_FORMAT, 2: excel.PERCENT_FORMAT},
    )
    if o.sell_out.reported:
        so = o.sell_out
        excel.write_sheet(
            book,
            _("Sell-out"),
            [_("Figure"), _("Value"), _("Ratio")],
            [
                [_("Stores reporting"), so.stores, None],
                [_("Sold to shoppers (packs)"), so.units, None],
                [_("Sell-out value"), so.value, None],
                [_("Sell-in at the same stores (packs)"), so.sell_in_units, so.sell_through],
            ],
            ratio,
        )
    excel.write_sheet(
        book,
        _("Contracts expiring"),
        [_("Number"), _("Kind"), _("Valid to")],
        [[c.number, c.get_kind_display(), c.valid_to] for c in o.contracts_expiring],
        {2: "yyyy-mm-dd"},
    )
    return excel.workbook_response(book, f"chain-{o.account.code}-{o.month_from:%Y-%m}-{o.month_to:%Y-%m}.xlsx")
