"""Channel mix (SPEC §7, issue 15): share of sales against share of trade spend by tier and by format, on a worked
example checked by hand; the page, the API and the Excel export agree; scope; a fixed number of queries."""

import dataclasses
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import KeyAccount
from accounts.roles import Role
from analytics.channel_mix import channel_mix, shares
from ka_portal.config import KaSettings
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.g2n_helpers import credit_note, deduction, invoice, line

from .tables import table

pytestmark = pytest.mark.django_db

JAN = date(2025, 1, 1)
PAGE = "/analysis/channel-mix/"
API = "/api/v1/reports/channel-mix/"
PERIOD = {"month_from": "2025-01", "month_to": "2025-01"}
API_PERIOD = {"from": "2025-01", "to": "2025-01"}


@pytest.fixture
def chains(manager):
    """Three chains in January 2025 (the manager owns Walmart and 农工商):

    | chain          | tier | format      | sales                          | trade spend                          |
    | Walmart 沃尔玛  | GKA  | hypermarket | 50,000 − 2,000 credit = 48,000 | rebate 4,000 + DM 2,000 = 6,000      |
    | Lianhua 联华    | NKA  | supermarket | 32,000                         | promotion 7,000 + 1,000 unsupported  |
    | 农工商          | LKA  | supermarket | 20,000                         | listing 3,000                        |
    | total          |      |             | 100,000                        | 17,000                               |
    """
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", tier="GKA", format="hypermarket",
                            owner=manager)  # fmt: skip
    lh = KeyAccountFactory(code="LH", name="联华", name_en="Lianhua", tier="NKA", format="supermarket")
    ngs = KeyAccountFactory(code="NGS", name="农工商", name_en="Nonggongshang", tier="LKA", format="supermarket",
                            owner=manager)  # fmt: skip
    invoice(wmt, date(2025, 1, 6), "50000.00")
    credit_note(wmt, date(2025, 1, 20), "2000.00")
    line(wmt, JAN, "rebate", "4000.00")
    line(wmt, JAN, "dm", "2000.00")
    lh_invoice = invoice(lh, date(2025, 1, 8), "32000.00")
    line(lh, JAN, "promotion", "7000.00")
    deduction(lh_invoice, date(2025, 1, 25), "1000.00")
    invoice(ngs, date(2025, 1, 9), "20000.00")
    line(ngs, JAN, "listing", "3000.00")
    # outside the period: must not count
    invoice(lh, date(2025, 2, 1), "99999.00")
    line(ngs, date(2025, 2, 1), "listing", "99999.00")
    return wmt, lh, ngs


def _by_key(mix):
    return {channel.key: channel for channel in mix.channels}


def test_shares_add_up_to_exactly_one_by_largest_remainder():
    # thirds: rounding each to 4 places would give 0.9999; the unit left goes to the first of the equal remainders
    assert shares([Decimal(1)] * 3) == [Decimal("0.3334"), Decimal("0.3333"), Decimal("0.3333")]
    # 2/3 and 1/3: 6666.67 and 3333.33 hundredths of a percent → 0.6667 and 0.3333
    assert shares([Decimal(200), Decimal(100)]) == [Decimal("0.6667"), Decimal("0.3333")]
    assert shares([Decimal(0), Decimal(0)]) == [None, None]


def test_worked_example_by_tier(chains):
    mix = channel_mix(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN, by="tier")
    channels = _by_key(mix)
    assert list(channels) == ["GKA", "NKA", "LKA"]
    assert (mix.sales, mix.spend, mix.ratio) == (Decimal("100000.00"), Decimal("17000.00"), Decimal("0.1700"))
    # sales 48,000 / 32,000 / 20,000 of 100,000
    assert [c.sales for c in mix.channels] == [Decimal("48000.00"), Decimal("32000.00"), Decimal("20000.00")]
    assert [c.sales_share for c in mix.channels] == [Decimal("0.4800"), Decimal("0.3200"), Decimal("0.2000")]
    # spend 6,000 / 8,000 / 3,000 of 17,000 = 35.294 %, 47.059 %, 17.647 %: floors 3529 + 4705 + 1764 = 9998, the two
    # units left go to the largest remainders (.88 of NKA, .70 of LKA)
    assert [c.spend for c in mix.channels] == [Decimal("6000.00"), Decimal("8000.00"), Decimal("3000.00")]
    assert [c.spend_share for c in mix.channels] == [Decimal("0.3529"), Decimal("0.4706"), Decimal("0.1765")]
    assert sum(c.sales_share for c in mix.channels) == 1 and sum(c.spend_share for c in mix.channels) == 1
    # gap = spend share − sales share; beyond ±5 % flagged
    assert [c.gap for c in mix.channels] == [Decimal("-0.1271"), Decimal("0.1506"), Decimal("-0.0235")]
    assert [c.flagged for c in mix.channels] == [True, True, False]
    # spend ratio: 6,000 ÷ 48,000, 8,000 ÷ 32,000, 3,000 ÷ 20,000
    assert [c.ratio for c in mix.channels] == [Decimal("0.1250"), Decimal("0.2500"), Decimal("0.1500")]


def test_worked_example_by_format(chains):
    mix = channel_mix(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN, by="format")
    hyper, supermarket = mix.channels
    assert (hyper.key, supermarket.key) == ("hypermarket", "supermarket")
    # supermarkets: 联华 + 农工商 = 52,000 of sales, 11,000 of spend (11/17 = 64.706 %)
    assert (hyper.sales, supermarket.sales) == (Decimal("48000.00"), Decimal("52000.00"))
    assert (hyper.sales_share, supermarket.sales_share) == (Decimal("0.4800"), Decimal("0.5200"))
    assert (hyper.spend_share, supermarket.spend_share) == (Decimal("0.3529"), Decimal("0.6471"))
    assert (hyper.gap, supermarket.gap) == (Decimal("-0.1271"), Decimal("0.1271"))
    assert hyper.flagged and supermarket.flagged
    assert supermarket.ratio == Decimal("0.2115")  # 11,000 ÷ 52,000 = 0.21153…


def test_a_chain_without_a_known_tier_or_format_counts_as_other(chains):
    wmt, _lh, _ngs = chains
    KeyAccount.objects.filter(pk=wmt.pk).update(tier="", format="")
    by_tier = channel_mix(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN, by="tier")
    assert [c.key for c in by_tier.channels] == ["NKA", "LKA", "other"]
    assert _by_key(by_tier)["other"].sales_share == Decimal("0.4800")
    by_format = channel_mix(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN, by="format")
    assert [c.key for c in by_format.channels] == ["supermarket", "other"]


def test_the_alert_threshold_is_a_setting(settings, chains):
    settings.KA = dataclasses.replace(settings.KA, channel_mix_gap_alert=Decimal("0.13"))
    mix = channel_mix(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN)
    # GKA's gap is 12.71 points, NKA's 15.06
    assert [c.flagged for c in mix.channels] == [False, True, False]
    with pytest.raises(ImproperlyConfigured, match="KA_CHANNEL_MIX_GAP_ALERT"):
        KaSettings.from_environ({"KA_CHANNEL_MIX_GAP_ALERT": "1.5"})
    assert KaSettings.from_environ({"KA_CHANNEL_MIX_GAP_ALERT": "0.1"}).channel_mix_gap_alert == Decimal("0.1")


def test_the_page_shows_the_table_the_chart_and_flags_in_words(client, finance, chains):
    client.force_login(finance)
    response = client.get(PAGE, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    rows = table(html, "mix-table")
    assert rows[0] == ["渠道", "系统数", "销售额", "销售占比", "费用", "费用占比", "差异", "费用率"]
    assert rows[1] == ["GKA（国际连锁）", "1", "48,000.00", "48.00 %", "6,000.00", "35.29 %",
                       "-12.71 % 差异超过 5 %", "12.50 %"]  # fmt: skip
    assert rows[2] == ["NKA（全国连锁）", "1", "32,000.00", "32.00 %", "8,000.00", "47.06 %",
                       "+15.06 % 差异超过 5 %", "25.00 %"]  # fmt: skip
    assert rows[3] == ["LKA（区域连锁）", "1", "20,000.00", "20.00 %", "3,000.00", "17.65 %", "-2.35 %", "15.00 %"]
    assert rows[4] == ["合计", "3", "100,000.00", "100.00 %", "17,000.00", "100.00 %", "", "17.00 %"]
    # the chart's figures: share of sales beside share of spend per tier
    assert table(html, "chart-table-channel-mix") == [
        ["渠道", "销售占比", "费用占比"],
        ["GKA（国际连锁）", "48.0 %", "35.3 %"],
        ["NKA（全国连锁）", "32.0 %", "47.1 %"],
        ["LKA（区域连锁）", "20.0 %", "17.7 %"],
    ]
    # each tier leads to gross to net filtered to it
    assert 'href="/trade-spend/gross-to-net/?month_from=2025-01&amp;month_to=2025-01&amp;tier=NKA"' in html


def test_the_page_by_format_and_in_english(client, finance, chains):
    client.force_login(finance)
    response = client.get(PAGE, {**PERIOD, "by": "format"}, HTTP_ACCEPT_LANGUAGE="en")
    rows = table(response.content.decode(), "mix-table")
    assert rows[0] == ["Channel", "Chains", "Sales", "Share of sales", "Trade spend", "Share of trade spend", "Gap",
                       "Trade-spend ratio"]  # fmt: skip
    assert rows[1][0] == "Hypermarket" and rows[2][0] == "Supermarket"
    assert rows[2][6] == "+12.71 % Gap above 5 %"


def test_an_empty_period_says_so(client, finance, chains):
    client.force_login(finance)
    response = client.get(PAGE, {"month_from": "2024-06", "month_to": "2024-06"})
    assert response.status_code == 200
    assert "本期间没有销售，也没有费用。" in response.content.decode()


def _page_figures(html):
    """The page's table as the API would say it: channel key → (sales, sales share, spend, spend share, gap)."""
    return [row[1:7] for row in table(html, "mix-table")[1:-1]]


def test_the_api_gives_the_page_figures(client, api_client, finance, chains):
    client.force_login(finance)
    api_client.force_authenticate(finance)
    for by in ("tier", "format"):
        body = api_client.get(API, {**API_PERIOD, "by": by}).json()
        html = client.get(PAGE, {**PERIOD, "by": by}).content.decode()
        page = _page_figures(html)
        assert len(body["channels"]) == len(page)
        assert sum(Decimal(c["sales_share"]) for c in body["channels"]) == Decimal("1.0000")
        assert sum(Decimal(c["spend_share"]) for c in body["channels"]) == Decimal("1.0000")
        for channel, row in zip(body["channels"], page, strict=True):
            sales, sales_share = Decimal(channel["sales"]), Decimal(channel["sales_share"])
            assert row[1] == f"{sales:,.2f}" and row[2] == f"{sales_share * 100:.2f} %"
            assert row[4] == f"{Decimal(channel['spend_share']) * 100:.2f} %"
    body = api_client.get(API, API_PERIOD).json()
    assert body["by"] == "tier" and body["gap_alert"] == "0.0500"
    assert [(c["channel"], c["sales_share"], c["spend_share"], c["gap"], c["flagged"], c["ratio"])
            for c in body["channels"]] == [
        ("GKA", "0.4800", "0.3529", "-0.1271", True, "0.1250"),
        ("NKA", "0.3200", "0.4706", "0.1506", True, "0.2500"),
        ("LKA", "0.2000", "0.1765", "-0.0235", False, "0.1500"),
    ]  # fmt: skip
    assert (body["sales"], body["spend"], body["ratio"]) == ("100000.00", "17000.00", "0.1700")
    assert [a["code"] for a in body["channels"][0]["accounts"]] == ["WMT"]


def test_the_api_refuses_a_bad_grouping_or_month(api_client, finance):
    api_client.force_authenticate(finance)
    assert api_client.get(API, {"by": "region"}).status_code == 400
    assert api_client.get(API, {"from": "2025-13"}).status_code == 400


def test_excel_rows_equal_the_page(client, finance, chains):
    client.force_login(finance)
    html = client.get(PAGE, PERIOD).content.decode()
    response = client.get(PAGE, {**PERIOD, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:8] == tuple(table(html, "mix-table")[0])
    page = table(html, "mix-table")[1:]
    assert len(rows) == len(page) == 4
    for row, shown in zip(rows, page, strict=True):
        label, chains_count, sales, sales_share, spend, spend_share, gap, ratio, flag = row
        assert label == shown[0] and str(chains_count) == shown[1]
        assert f"{Decimal(str(sales)):,.2f}" == shown[2] and f"{Decimal(str(spend)):,.2f}" == shown[4]
        assert f"{Decimal(str(ratio)) * 100:.2f} %" == shown[7]
        assert (flag or "") in shown[6]
    assert [Decimal(str(row[6])) for row in rows[:3]] == [Decimal("-0.1271"), Decimal("0.1506"), Decimal("-0.0235")]


def test_a_manager_sees_the_shares_of_their_own_chains(client, api_client, manager, chains):
    # The manager owns Walmart (GKA: 48,000 sales, 6,000 spend) and 农工商 (LKA: 20,000, 3,000): of 68,000 and
    # 9,000 → sales 70.588 % / 29.412 % → 0.7059 / 0.2941; spend 66.667 % / 33.333 % → 0.6667 / 0.3333
    api_client.force_authenticate(manager)
    body = api_client.get(API, API_PERIOD).json()
    assert [(c["channel"], c["sales_share"], c["spend_share"], c["gap"], c["flagged"]) for c in body["channels"]] == [
        ("GKA", "0.7059", "0.6667", "-0.0392", False),
        ("LKA", "0.2941", "0.3333", "0.0392", False),
    ]
    assert body["sales"] == "68000.00"
    client.force_login(manager)
    html = client.get(PAGE, PERIOD).content.decode()
    assert "联华" not in html and "32,000.00" not in html
    assert [row[0] for row in table(html, "mix-table")[1:]] == ["GKA（国际连锁）", "LKA（区域连锁）", "合计"]


@pytest.mark.parametrize("role", [Role.REP, Role.SUPERVISOR])
def test_reps_and_supervisors_are_answered_404(client, api_client, role, chains):
    user = make_user(role)
    client.force_login(user)
    api_client.force_authenticate(user)
    assert client.get(PAGE).status_code == 404
    assert client.get(PAGE, {"export": "xlsx"}).status_code == 404
    assert api_client.get(API).status_code == 404


def test_the_page_is_named_for_the_menu():
    assert reverse("analytics:channel-mix") == PAGE
    assert reverse("report-channel-mix") == API


def test_queries_do_not_grow_with_the_chains(client, api_client, finance):
    client.force_login(finance)
    api_client.force_authenticate(finance)

    def add_chains(count):
        for index in range(count):
            chain = KeyAccountFactory(tier=["GKA", "NKA", "LKA"][index % 3], format="supermarket")
            sale = invoice(chain, date(2025, 1, 10), "1000.00")
            line(chain, JAN, "dm", "100.00")
            deduction(sale, date(2025, 1, 11), "50.00")

    def queries():
        counts = []
        api_client.force_authenticate(type(finance).objects.get(pk=finance.pk))  # its permissions not cached yet
        for get, url, params in (
            (client.get, PAGE, PERIOD),
            (client.get, PAGE, {**PERIOD, "export": "xlsx"}),
            (api_client.get, API, API_PERIOD),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert get(url, params).status_code == 200
            counts.append(len(captured))
        return counts

    add_chains(2)
    few = queries()
    add_chains(4)  # 6 chains now
    assert queries() == few


def test_an_unknown_grouping_shows_tiers_for_the_period_asked(client, finance, chains):
    client.force_login(finance)
    rows = table(client.get(PAGE, {**PERIOD, "by": "region"}).content.decode(), "mix-table")
    assert [row[0] for row in rows[1:]] == ["GKA（国际连锁）", "NKA（全国连锁）", "LKA（区域连锁）", "合计"]
