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
