"""The period of an analysis endpoint: gross to net's ``from``/``to`` query (tradespend/api/gross_to_net.py), read
by the same function as the pages' boxes (tradespend.reports.report_period)."""

from drf_spectacular.utils import OpenApiResponse

from ka_portal.months import month_parameter
from tradespend.api.gross_to_net import EMPTY_HELP, MONTH_HELP, PERIOD_ERRORS, RANGE_HELP, GrossToNetQuerySerializer

from ..forms import DEFAULT_PERIOD


class PeriodQuerySerializer(GrossToNetQuerySerializer):
    """``from`` and ``to`` as YYYY-MM (either alone: that month; neither: the year so far), in order, at most
    tradespend.reports.PERIOD_MAX_MONTHS; no account filter."""

    account = None
    default_period = DEFAULT_PERIOD


PERIOD_PARAMETERS = [
    month_parameter(
        "from",
        description=f"First month of the period. {MONTH_HELP} {EMPTY_HELP} Default: `to`, else January of this year.",
    ),
    month_parameter(
        "to",
        description=f"Last month of the period. {MONTH_HELP} {EMPTY_HELP} {RANGE_HELP} Default: `from`, else this "
        "month.",
    ),
]
ERRORS = {
    400: OpenApiResponse(description=PERIOD_ERRORS),
    404: OpenApiResponse(description="Not found: reps and supervisors see no finance analysis"),
}
