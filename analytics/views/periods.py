"""The period of an analysis page: gross to net's period form and presets (tradespend/views/gross_to_net.py),
with the page's other choices kept across preset buttons."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from tradespend.views.gross_to_net import PeriodForm, _period_query, _presets, show_period

from ..channel_mix import BY
from ..forms import DEFAULT_PERIOD


class AnalysisPeriodForm(PeriodForm):
    """Month from–to or a preset, without gross to net's account and tier filters; the year so far when no
    period is asked."""

    default_period = DEFAULT_PERIOD

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_filters=False, **kwargs)


class ChannelMixForm(AnalysisPeriodForm):
    """The period, and the grouping chosen by the page's tier / format switch (kept when the form is sent)."""

    # Free text, so an unknown grouping falls back to tiers without making the period invalid.
    by = forms.CharField(required=False, widget=forms.HiddenInput)

    def grouping(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("by") if data.get("by") in BY else "tier"


def period_context(form: PeriodForm, **keep) -> tuple[date, date, dict]:
    """The months asked for and what the period partial needs: presets and the export link keeping ``keep``."""
    today = timezone.localdate()
    month_from, month_to = form.period(today)
    show_period(form, month_from, month_to)  # the month fields show the months the figures are for
    kept = {name: value for name, value in keep.items() if value}
    extra = f"&{urlencode(kept)}" if kept else ""
    presets = [(name, label, query + extra) for name, label, query in _presets(today)]
    period = _period_query(month_from, month_to)
    return month_from, month_to, {"form": form, "presets": presets, "period": period, "export_query": period + extra}


def refused_context(form: PeriodForm) -> dict:
    """What a page whose period is refused (a month not YYYY-MM, a To before the From, more than
    tradespend.reports.PERIOD_MAX_MONTHS months) draws: the form with each message beside its box and what was typed,
    the presets, and no figures, not even the default period's (they would read as the asked ones); an export asked
    with it answers the page rather than a workbook of another period."""
    return {"form": form, "refused": True, "presets": _presets(timezone.localdate())}
