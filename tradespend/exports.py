"""Excel exports of trade spend, written through ka_portal/excel.py."""

from django.utils.translation import gettext as _

from ka_portal import excel
from ka_portal.formatting import account_name

from . import reports
from .models import SpendKind
from .reports import ZERO


def gross_to_net_workbook(report):
    """Gross to net, one row per chain and the total: gross, rebates, fixed fees, promotion spend, unsupported
    deductions, net, the trade-spend ratio (a fraction shown as %), then spend per kind."""
    kinds = [kind for kind in SpendKind.values if report.total.by_kind.get(kind)]
    labels = dict(SpendKind.choices)
    headers = [
        _("Code"),
        _("Key account"),
        _("Gross invoiced"),
        str(reports.STEP_LABELS["rebates"]),
        str(reports.STEP_LABELS["fixed_fees"]),
        str(reports.STEP_LABELS["promotion"]),
        _("Unsupported deductions"),
        _("Net"),
        _("Trade-spend ratio"),
        *[str(labels[kind]) for kind in kinds],
    ]

    def line(code, name, figures):
        return [
            code,
            name,
            figures.gross,
            figures.rebates,
            figures.fixed_fees,
            figures.promotion,
            figures.unsupported,
            figures.net,
            figures.ratio,
            *[figures.by_kind.get(kind) or ZERO for kind in kinds],  # no spend of a kind is 0, like the steps
        ]

    rows = [line(row.account.code, account_name(row.account), row.figures) for row in report.rows]
    rows.append(line("", _("Total"), report.total))
    period = f"{report.month_from:%Y-%m}–{report.month_to:%Y-%m}"
    title = _("Gross to net %(period)s") % {"period": period}
    name = f"gross-to-net-{report.month_from:%Y-%m}-{report.month_to:%Y-%m}.xlsx"
    return excel.xlsx_response(name, title, headers, rows, {8: excel.PERCENT_FORMAT})


def gross_to_net_account_workbook(*, account, report, waterfall, figures, unsupported_ratio, months, execution):
    """One chain's gross to net as its page shows it, one sheet per table with the page's figures: the steps from
    gross to net (each with its share of gross, then the trade-spend ratio), spend by kind (the unsupported
    deductions and the total under it), month by month (closed months marked) and contract execution (a row per
    term line, its contract's sell-in against the target beside it). The view passes what it draws the page from."""
    intro = [
        f"{account.code} {account_name(account)}",
        _("Months %(start)s to %(end)s") % {"start": f"{report.month_from:%Y-%m}", "end": f"{report.month_to:%Y-%m}"},
    ]
    percent = excel.PERCENT_FORMAT
    workbook = excel.new_workbook()

    steps = [[str(step["label"]), step["amount"], step["share"]] for step in waterfall]
    steps.append([_("Trade-spend ratio"), None, figures.ratio])
    excel.write_sheet(workbook, _("Step"), [_("Step"), _("Amount"), _("Of gross")], steps, {2: percent}, intro)

    kinds = [[str(label), amount, share] for _kind, label, amount, share in figures.kinds()]
    if kinds or figures.unsupported:
        if figures.unsupported:
            kinds.append([str(reports.STEP_LABELS["unsupported"]), figures.unsupported, unsupported_ratio])
        kinds.append([_("Total"), figures.spend, figures.ratio])
    excel.write_sheet(
        workbook,
        _("Spend by kind"),
        [_("Kind"), _("Spend"), _("Trade-spend ratio")],
        kinds,
        {2: percent},
        intro if kinds else [*intro, _("No trade spend in this period.")],
    )

    by_month = [
        [f"{month:%Y-%m}", _("Closed") if closed else _("Not closed"), row.gross, row.spend, row.net, row.ratio]
        for month, row, closed in months
    ]
    headers = [_("Month"), _("Status"), _("Gross invoiced"), _("Spend"), _("Net"), _("Trade-spend ratio")]
    excel.write_sheet(workbook, _("Month by month"), headers, by_month, {5: percent}, intro)

    terms = []
    for item in execution:
        contract = item.contract
        head = [
            contract.number,
            contract.get_kind_display(),
            contract.valid_from,
            contract.valid_to,
            item.sell_in,
            item.sold_until,
            item.target,
            item.achievement,
        ]
        for line in item.terms or [None]:
            if line is None:  # a contract without term lines: its row all the same
                terms.append(head)
                continue
            term = line.term
            percent_basis = term.basis == "percent"
            terms.append(
                [
                    *head,
                    term.get_kind_display(),
                    term.rate if percent_basis else None,
                    None if percent_basis else term.amount,
                    None if percent_basis else term.get_period_display(),
                    f"{term.valid_from:%Y-%m} – {term.valid_to:%Y-%m}",
                    _("per listing") if line.agreed is None else line.agreed,
                    line.spent,
                    line.share,
                ]
            )
    headers = [
        _("Contract"),
        _("Kind"),
        _("Valid from"),
        _("Valid to"),
        _("Sell-in"),
        _("Sell-in counted until"),
        _("Target"),
        _("Achievement"),
        _("Term"),
        _("Rate %"),
        _("Amount"),
        _("Period"),
        _("Validity"),
        _("Agreed"),
        _("Spent to date"),
        _("Used"),
    ]
    formats = {7: percent, 9: "0.00", 15: percent}
    empty = [] if terms else [*intro, _("No contract of this chain runs in this period.")]
    excel.write_sheet(workbook, _("Contract execution"), headers, terms, formats, empty or intro)

    name = f"gross-to-net-{account.code}-{report.month_from:%Y-%m}-{report.month_to:%Y-%m}.xlsx"
    return excel.workbook_response(workbook, name)
