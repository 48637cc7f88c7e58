"""The channel mix page (渠道结构, SPEC §7): share of sales against share of trade spend per tier or format.

Finance and admins see every chain, KA managers their own (the shares are of their chains); reps and supervisors
are answered 404 (contracts.views.finance_page).
"""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from contracts.selectors import finance_accounts
from contracts.views import finance_page
from ka_portal.charts import Chart, Series

from .. import exports
from ..channel_mix import BY, channel_mix
from .periods import ChannelMixForm, period_context, refused_context


def mix_chart(mix) -> Chart:
    """Grouped bars: each channel's share of sales beside its share of spend."""
    return Chart(
        name="channel-mix",
        title=_("Share of sales and share of trade spend"),
        labels=[channel.label for channel in mix.channels],
        series=[
            Series(_("Share of sales"), [channel.sales_share for channel in mix.channels]),
            Series(_("Share of trade spend"), [channel.spend_share for channel in mix.channels]),
        ],
        unit="percent",
        axis_label=_("Channel"),
        links=[channel.link or None for channel in mix.channels],
    )


@finance_page
def channel_mix_page(request):
    """Channels (tier or format) with sales, spend, their shares, the gap flagged above the setting and the spend
    ratio; totals; a chart with its figures; period presets; ?export=xlsx."""
    accounts = finance_accounts(request.user)
    form = ChannelMixForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/channel_mix.html", refused_context(form), status=400)
    by = form.grouping()
    month_from, month_to, context = period_context(form, by=by if by != "tier" else "")
    mix = channel_mix(accounts=accounts, month_from=month_from, month_to=month_to, by=by)
    if request.GET.get("export") == "xlsx":
        return exports.channel_mix_workbook(mix)
    switch = [
        (name, label, f"?{context['period']}" + (f"&by={name}" if name != "tier" else "")) for name, label in BY.items()
    ]
    context.update(
        {
            "mix": mix,
            "chart": mix_chart(mix),
            "by": by,
            "switch": switch,
            "chains": sum(len(channel.accounts) for channel in mix.channels),
            "flag_text": exports.flag_text(mix),
        }
    )
    return render(request, "analytics/channel_mix.html", context)


urlpatterns = [path("channel-mix/", channel_mix_page, name="channel-mix")]
