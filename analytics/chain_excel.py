"""The chain page as a workbook: one sheet per part of the page, the same figures (analytics.chain)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.styles import Font

from contracts.receivables import Bucket
from ka_portal import excel
from ka_portal.formatting import account_name
from tradespend import reports
from visits.models import SuggestedOrder

COUNT_FORMAT = "0"
DAYS_FORMAT = "0.0"
BOLD = Font(bold=True)


def achievement_label(o) -> str:
    """While the period runs, its achievement is the sell-in so far against the whole period's target: the label
    says so (the page's headline and the workbook alike)."""
    return _("Achievement so far, of the period's target") if o.as_of < o.end else _("Achievement")


def chain_workbook(o):
    p = o.performance
    c = p.compared
    book = excel.new_workbook()
    ratio = {2: excel.PERCENT_FORMAT}
    # Each ratio in a column of its own, headed with what it is: achievement and growth on the actual's row, the
    # trade-spend ratio (spend ÷ gross) on the spend's row and the norm it is held against on the norm's.
    summary = excel.write_sheet(
        book,
        _("Summary"),
        [_("Figure"), _("Value"), achievement_label(o), _("Growth"), _("Trade-spend ratio")],
        [],
    )
    percents = {2: excel.PERCENT_FORMAT, 3: excel.PERCENT_FORMAT, 4: excel.PERCENT_FORMAT}
    for row in [
        [_("Key account"), f"{o.account.code} {account_name(o.account)}"],
        [_("Period"), f"{o.month_from:%Y-%m}" + ("" if o.month_from == o.month_to else f"–{o.month_to:%Y-%m}")],
        # the target compared over the months that have one (Performance.compared): blank where none has one
        [_("Target"), c.target if c else None],
        [_("Actual"), p.actual, c.achievement if c else None, p.growth],
        [_("Difference"), c.difference if c else None],
        # where only some months have a target: which, and their actual (what the target is compared with)
        *(
            [[_("Months with a target"), p.target_month_runs], [_("Actual in months with a target"), c.actual]]
            if p.with_target
            else []
        ),
        [_("Last year"), p.last_year],
        [_("Trade spend"), o.figures.spend, None, None, o.figures.ratio],
        [_("Company norm"), None, None, None, o.norm],
        [_("Net"), o.figures.net],
        [_("Total cost (planned)"), o.promotions.planned_cost],
        # of the evaluated plans only, as on the page
        [_("Total cost (actual)"), o.promotions.evaluated_cost if o.promotions.evaluated_count else None],
        [_("Open receivables"), o.aging.total],
        [_("Past due"), o.aging.past_due],
        [_("Disputes open"), o.disputes_amount],
    ]:
        excel.append_row(summary, row, percents)
    excel.append_row(summary, [_("DSO (days)"), o.aging.dso], {1: DAYS_FORMAT})  # days, not money
    excel.write_sheet(
        book,
        _("Months"),
        [_("Month"), _("Actual"), _("Target"), _("Last year"), _("Achievement"), _("Growth")],
        [
            [
                m.label[:7],
                None if m.future else m.actual,
                m.target if m.targeted else None,
                m.last_year,
                m.achievement,
                m.growth,
            ]
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
    _promotions_sheet(book, o.promotions)
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
        # two rates, two columns: coverage (stores visited ÷ active stores), compliance (stops done ÷ due)
        [_("Figure"), _("Count"), _("Store coverage"), _("Visit compliance")],
        [
            [_("Active stores"), c.stores],
            [_("Visited in the period"), c.visited, c.coverage],
            [_("Planned stops due"), c.planned],
            [_("Done on their day"), c.done, None, c.compliance],
            *[[str(flags[flag]), count] for flag, count in o.flags.items()],
        ],
        {1: COUNT_FORMAT, 2: excel.PERCENT_FORMAT, 3: excel.PERCENT_FORMAT},
    )
    if o.sell_out.reported:
        so = o.sell_out
        excel.write_sheet(
            book,
            _("Sell-out"),
            [_("Figure"), _("Value"), _("Sell-out ÷ sell-in")],
            [
                [_("Stores reporting"), so.stores],
                [_("Sold to shoppers (packs)"), so.units],
                [_("Sell-out value"), so.value],
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


def _promotions_sheet(book, promotions) -> None:
    """Every plan of the period, then a totals row: the money summed (the actual cost over the evaluated plans,
    as on the page), the cost per extra pack from those totals, the uplift left blank (a plan's uplift is of its
    own days and baseline: plans' uplifts do not add up); and what planned and actual mean."""
    money_and_dates = {2: "yyyy-mm-dd", 3: "yyyy-mm-dd", 7: excel.PERCENT_FORMAT, 8: COUNT_FORMAT}
    sheet = excel.write_sheet(
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
            for line in promotions.lines
        ],
        money_and_dates,
    )
    if not promotions.count:
        return
    evaluated = promotions.evaluated_count
    excel.append_row(
        sheet,
        [
            _("All plans"),
            None,
            None,
            None,
            ngettext("%(n)s plan, %(evaluated)s evaluated", "%(n)s plans, %(evaluated)s evaluated", promotions.count)
            % {"n": promotions.count, "evaluated": evaluated},
            promotions.planned_cost,
            promotions.evaluated_cost if evaluated else None,
            None,
            promotions.incremental_units if evaluated else None,
            promotions.cost_per_incremental_unit,
        ],
        money_and_dates,
        font=BOLD,
    )
    excel.append_row(
        sheet,
        [
            _(
                "Planned: each plan's total cost as drafted and approved. Actual: its evaluation's total cost, once "
                "evaluated; the actual total and the cost per extra pack cover the evaluated plans only."
            )
        ],
    )
