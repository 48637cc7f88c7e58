"""The period of an analysis endpoint: gross to net's ``from``/``to`` query (tradespend/api/gross_to_net.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from tradespend.api.gross_to_net import MONTH_HELP, GrossToNetQuerySerializer


class PeriodQuerySerializer(GrossToNetQuerySerializer):
    """``from`` and ``to`` as YYYY-MM (either alone: that month; neither: this month); no account filter."""

    account = None


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.STR, description=f"First month of the period. {MONTH_HELP} Default: `to`, else this month."
    ),
    OpenApiParameter(
        "to", OpenApiTypes.STR, description=f"Last month of the period. {MONTH_HELP} Default: `from`, else this month."
    ),
]
ERRORS = {
    400: OpenApiResponse(description="A month not given as YYYY-MM, or a period that ends before it starts"),
    404: OpenApiResponse(description="Not found: reps and supervisors see no finance analysis"),
}
