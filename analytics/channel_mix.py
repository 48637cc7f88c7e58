"""Channel mix (渠道结构, SPEC §7): each channel's share of sales against its share of trade spend.

A channel is a tier (GKA / NKA / LKA; a chain with no or an unknown tier is "other") or a format
(KeyAccount.Format; likewise). Sales and spend are exactly gross to net's (tradespend.reports.gross_to_net):
sales = invoiced sell-in net of credit notes, spend = rebates + fixed fees + promotion spend + unsupported
deductions, closed months read frozen. Shares are fractions to 4 places that add up to exactly 1 (largest
remainder); gap = spend share − sales share, flagged above ``KA.channel_mix_gap_alert``; the spend ratio is
spend ÷ sales. Set-based: gross to net's eight queries whatever the number of chains.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.db_router import reads_from_replica
from tradespend import reports

OTHER = "other"
BY = {"tier": _("By tier"), "format": _("By format")}
PLACES = 4
UNIT = Decimal(1).scaleb(-PLACES)  # 0.0001


def shares(amounts: list[Decimal]) -> list[Decimal | None]:
    """Each amount's share of their sum, to 4 places, adding up to exactly 1: every share is rounded down and the
    units left over go to the largest remainders (the earlier one on a tie). None for all when the sum is not
    above 0 (no share of nothing)."""
    total = sum(amounts, Decimal(0))
    if total <= 0:
        return [None] * len(amounts)
    scale = Decimal(10) ** PLACES
    quotas = [Decimal(amount) * scale / total for amount in amounts]
    floors = [quota.to_integral_value(rounding=ROUND_FLOOR) for quota in quotas]
    left = int(scale - sum(floors))
    by_remainder = sorted(range(len(amounts)), key=lambda index: (-(quotas[index] - floors[index]), index))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [(units / scale).quantize(UNIT) for units in floors]


@dataclass
class Channel:
    key: str  # a tier, a format or "other"
    label: str
    accounts: list[KeyAccount] = field(default_factory=list)
    sales: Decimal = reports.ZERO
    spend: Decimal = reports.ZERO
    sales_share: Decimal | None = None
    spend_share: Decimal | None = None
    link: str = ""  # gross to net filtered to this channel's chains, where its filters can say so

    @property
    def gap(self) -> Decimal | None:
        """Spend share − sales share: above 0 the channel costs more than its sales' weight."""
        if self.sales_share is None or self.spend_share is None:
            return None
        return self.spend_share - self.sales_share

    @property
    def flagged(self) -> bool:
        return self.gap is not None and abs(self.gap) > settings.KA.channel_mix_gap_alert

    @property
    def ratio(self) -> Decimal | None:
        """Trade-spend ratio: spend ÷ sales (None without sales)."""
        return reports.ratio(self.spend, self.sales)


@dataclass
class ChannelMix:
    by: str
    month_from: date
    month_to: date
    channels: list[Channel]
    sales: Decimal
    spend: Decimal
    threshold: Decimal
    closed_months: list[date]

    @property
    def ratio(self) -> Decimal | None:
        return reports.ratio(self.spend, self.sales)

    @property
    def is_empty(self) -> bool:
        return not self.sales and not self.spend

    @property
    def flagged(self) -> list[Channel]:
        return [channel for channel in self.channels if channel.flagged]


def _channels(by: str) -> dict[str, str]:
    """The channels of a grouping in their order, "other" last."""
    choices = KeyAccount.Tier.choices if by == "tier" else KeyAccount.Format.choices
    return {**{value: str(label) for value, label in choices}, OTHER: str(_("Other"))}


def channel_of(account: KeyAccount, by: str) -> str:
    value = account.tier if by == "tier" else account.format
    known = KeyAccount.Tier.values if by == "tier" else KeyAccount.Format.values
    return value if value in known else OTHER


def _link(by: str, key: str, month_from: date, month_to: date) -> str:
    """Gross to net's list filtered to the channel: its tier filter says a tier; "other" and formats it cannot."""
    if by != "tier" or key == OTHER:
        return ""
    query = {"month_from": f"{month_from:%Y-%m}", "month_to": f"{month_to:%Y-%m}", "tier": key}
    return f"{reverse('tradespend:gross-to-net')}?{urlencode(query)}"


@reads_from_replica()
def channel_mix(*, accounts, month_from: date, month_to: date, by: str = "tier") -> ChannelMix:
    """The channel mix of ``accounts`` (a queryset, already scoped) over the months ``month_from`` to
    ``month_to``, grouped ``by`` "tier" or "format". A channel is listed when the user sees a chain in it; shares
    are of the chains given, so a KA manager's shares are of their own chains."""
    if by not in BY:
        raise ValueError(by)
    report = reports.gross_to_net(accounts=accounts, month_from=month_from, month_to=month_to)
    labels = _channels(by)
    found: dict[str, Channel] = {}
    for row in report.rows:
        key = channel_of(row.account, by)
        channel = found.setdefault(key, Channel(key=key, label=labels[key]))
        channel.accounts.append(row.account)
        channel.sales += row.figures.gross
        channel.spend += row.figures.spend
    channels = [found[key] for key in labels if key in found]
    for channel, sales_share, spend_share in zip(
        channels, shares([c.sales for c in channels]), shares([c.spend for c in channels]), strict=True
    ):
        channel.sales_share, channel.spend_share = sales_share, spend_share
        channel.link = _link(by, channel.key, report.month_from, report.month_to)
    return ChannelMix(
        by=by,
        month_from=report.month_from,
        month_to=report.month_to,
        channels=channels,
        sales=report.total.gross,
        spend=report.total.spend,
        threshold=settings.KA.channel_mix_gap_alert,
        closed_months=sorted(report.closed),
    )
