"""Charts as data: a page builds a `Chart` from its figures, `includes/chart.html` draws it (static/js/charts.js
with the vendored Chart.js) and puts the same figures in a table behind it — what a screen reader, a phone without
room for the drawing and the tests read. Labels are translated by the view; numbers are formatted here, once."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .templatetags.ka import money, percent

UNITS = ("money", "percent", "count")
KINDS = ("bar", "line", "waterfall", "stacked", "horizontal")


@dataclass
class Series:
    label: str
    values: list[Decimal | int | None]
    # a line over bars (target over actual), drawn dashed when `dashed`
    line: bool = False
    dashed: bool = False
    # the figures to draw in red (a waterfall's unsupported deductions): their indexes
    alarming: tuple[int, ...] = ()


@dataclass
class Chart:
    name: str  # the figure's data-testid is chart-<name>
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"
    unit: str = "money"
    axis_label: str = field(default_factory=lambda: str(_("Item")))
    # per label, where the figure comes from (the list behind it); the table links its row label there
    links: list[str | None] | None = None

    def __post_init__(self) -> None:
        assert self.kind in KINDS and self.unit in UNITS, (self.kind, self.unit)
        assert all(len(item.values) == len(self.labels) for item in self.series), self.name

    def format(self, value) -> str:
        if value is None:
            return "—"
        if self.unit == "money":
            return money(value)
        if self.unit == "percent":
            return percent(value, 1)
        return f"{int(value):,}"

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(value in (None, 0) for item in self.series for value in item.values)

    @property
    def rows(self) -> list[dict]:
        links = self.links or [None] * len(self.labels)
        return [
            {"label": label, "link": links[index], "values": [self.format(item.values[index]) for item in self.series]}
            for index, label in enumerate(self.labels)
        ]

    @property
    def config(self) -> dict:
        """What charts.js draws: plain JSON (numbers as strings, so no float ever rounds a Decimal here)."""
        return {
            "kind": self.kind,
            "unit": self.unit,
            "labels": [str(label) for label in self.labels],
            "series": [
                {
                    "label": str(item.label),
                    "values": [None if value is None else str(value) for value in item.values],
                    "line": item.line,
                    "dashed": item.dashed,
                    "alarming": list(item.alarming),
                }
                for item in self.series
            ],
        }
