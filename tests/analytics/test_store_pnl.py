"""Store P&L (单店经营分析): one chain's stores over June 2026, every line worked out by hand below.

The chain LHB has three active stores A, B, C; beer (P1) is listed at each at a purchase price of 4.00.

Sell-in (deliveries in June):            A: 1000 × 4.00 (06-02) + 500 × 4.20 (06-12)  = 6,100.00
                                         B: 2000 × 4.00 (06-15)                         = 8,000.00
                                         C:  250 × 4.00 (06-25)                         = 1,000.00
                                         (A's 100 packs on 05-31 are May's)
Listing fees (SKUs newly listed in June): A: chips listed 06-05 with its own fee 500.00    =   500.00
                                         B: chips listed 06-05, no own fee → the contract's
                                            per-store-per-SKU listing fee 200.00          =   200.00
                                         C: chips listed 05-20 (May)                      =     0.00
Display fees (agreements starting in June, not from a plan):
                                         C's own 1,500.00; a chain-wide 300.00 → 100.00 each;
                                         a plan-generated 999.00 at B is the plan's cost, not counted here
Plan 1 (approved, 06-10…06-23, stores A and B, beer): promoter fee 600.00 → 300.00 to A and B;
     its other costs 1,610.00 − 600.00 = 1,010.00 split by the plan's sell-in at each store during the plan:
     A 500 × 4.20 = 2,100.00, B 2,000 × 4.00 = 8,000.00 → A 1,010 × 2,100/10,100 = 210.00, B 800.00
Plan 2 (approved, all stores, chips, from 06-20): cost 300.00, nothing sold in → 100.00 to each store
A draft plan and a plan that started in May count for nothing.

           sell-in   listing  display  promoter  promotion   fees      contribution  fees %
    A     6,100.00   500.00   100.00   300.00    310.00     1,210.00   4,890.00      19.84 %
    B     8,000.00   200.00   100.00   300.00    900.00     1,500.00   6,500.00      18.75 %
    C     1,000.00     0.00  1,600.00    0.00    100.00     1,700.00    -700.00     170.00 %  → renegotiate or exit
Ranked by contribution: B, A, C.
"""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import KeyAccount
from accounts.roles import Role
from analytics.store_pnl import split_cents_by_weight, store_pnl
from contracts.models import ContractTerm
from evidence.agreement_rules import to_cents
from evidence.models import DisplayAgreement, PromotionExecution
from promotions.models import PromotionPlan
from tests.contracts.factories import ContractFactory
from tests.factories import (
    DeliveryFactory,
    KeyAccountFactory,
    ListingFactory,
    ProductFactory,
    StoreFactory,
    make_user,
)
from tests.imports.xlsx import read_xlsx
from tests.promoters.factories_appraisal import promoter, shift
from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

JUNE = {"account": "LHB", "from": "2026-06-01", "to": "2026-06-30"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _plan(account, *, status=PromotionPlan.Status.APPROVED, start, end, stores=(), products=(), **costs):
    plan = PromotionPlanFactory(
        account=account, status=status, start_on=start, end_on=end, all_stores=not stores, **costs
    )
    plan.stores.set(stores)
    for product in products:
        PromotionItemFactory(plan=plan, product=product)
    return plan


@pytest.fixture
def chain(manager, rep):
    account = KeyAccountFactory(code="LHB", name="联华", owner=manager)
    a, b, c = (StoreFactory(account=account, code=code, name=f"门店{code}", rep=rep) for code in ("A", "B", "C"))
    beer, chips = ProductFactory(code="P1"), ProductFactory(code="P2")
    for store in (a, b, c):
        ListingFactory(store=store, product=beer, purchase_price=D("4.00"))
    # sell-in
    DeliveryFactory(store=a, product=beer, date=date(2026, 6, 2), quantity=1000)
    DeliveryFactory(store=a, product=beer, date=date(2026, 6, 12), quantity=500, unit_price=D("4.20"))
    DeliveryFactory(store=a, product=beer, date=date(2026, 5, 31), quantity=100)
    DeliveryFactory(store=b, product=beer, date=date(2026, 6, 15), quantity=2000)
    DeliveryFactory(store=c, product=beer, date=date(2026, 6, 25), quantity=250)
    # listing fees
    ListingFactory(store=a, product=chips, listed_on=date(2026, 6, 5), listing_fee=D("500.00"))
    ListingFactory(store=b, product=chips, listed_on=date(2026, 6, 5), listing_fee=D("0"))
    ListingFactory(store=c, product=chips, listed_on=date(2026, 5, 20), listing_fee=D("900.00"))
    contract = ContractFactory(account=account)
    ContractTerm.objects.create(
        contract=contract, kind="listing", basis="per_store_sku", period="once", amount=D("200.00"),
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), settlement="deducted",
    )  # fmt: skip
    # display fees
    june = {"account": account, "kind": "end_cap", "start_on": date(2026, 6, 1), "end_on": date(2026, 6, 30)}
    DisplayAgreement.objects.create(store=c, fee=D("1500.00"), **june)
    DisplayAgreement.objects.create(store=None, fee=D("300.00"), **june)
    # promotion plans
    plan1 = _plan(
        account, start=date(2026, 6, 10), end=date(2026, 6, 23), stores=[a, b], products=[beer],
        promoter_fee=D("600.00"), dm_fee=D("1000.00"), gift_cost=D("10.00"), total_cost=D("1610.00"),
    )  # fmt: skip
    DisplayAgreement.objects.create(store=b, fee=D("999.00"), source="plan", plan=plan1, **june)
    _plan(account, start=date(2026, 6, 20), end=date(2026, 7, 3), products=[chips], total_cost=D("300.00"))
    _plan(account, status=PromotionPlan.Status.DRAFT, start=date(2026, 6, 10), end=date(2026, 6, 20),
          products=[beer], promoter_fee=D("5000.00"), total_cost=D("9000.00"))  # fmt: skip
    _plan(account, start=date(2026, 5, 25), end=date(2026, 6, 7), products=[beer], total_cost=D("7000.00"))
    DisplayAgreement.objects.create(
        store=a, fee=D("800.00"), account=account, kind="end_cap", start_on=date(2026, 7, 1), end_on=date(2026, 7, 31)
    )
    # visits and execution at A
    for rating in ("green", "red"):
        Visit.objects.create(
            rep=rep, store=a, checked_in_at=_at(date(2026, 6, 3)), checked_out_at=_at(date(2026, 6, 3), 11),
            rating=rating,
        )  # fmt: skip
    open_visit = Visit.objects.create(rep=rep, store=a, checked_in_at=_at(date(2026, 6, 20)))
    may = date(2026, 5, 30)
    Visit.objects.create(rep=rep, store=a, checked_in_at=_at(may), checked_out_at=_at(may, 11))
    for executed, visit in ((True, Visit.objects.filter(rating="green").get()), (False, open_visit)):
        PromotionExecution.objects.create(
            visit=visit, plan=plan1, store=a, executed=executed, checked_at=visit.checked_in_at
        )
    return account


def test_each_store_line_is_as_worked_out_by_hand(chain):
    report = store_pnl(account=chain, start=date(2026, 6, 1), end=date(2026, 6, 30))

    lines = {row.store.code: row for row in report.rows}
    figures = {
        code: (row.sell_in, row.listing_fees, row.display_fees, row.promoter_fees, row.promotion_costs, row.fees,
               row.contribution)
        for code, row in lines.items()
    }  # fmt: skip
    assert figures == {
        "A": (D("6100.00"), D("500.00"), D("100.00"), D("300.00"), D("310.00"), D("1210.00"), D("4890.00")),
        "B": (D("8000.00"), D("200.00"), D("100.00"), D("300.00"), D("900.00"), D("1500.00"), D("6500.00")),
        "C": (D("1000.00"), D("0.00"), D("1600.00"), D("0.00"), D("100.00"), D("1700.00"), D("-700.00")),
    }
    assert [row.store.code for row in report.rows] == ["B", "A", "C"]
    assert round(lines["A"].fee_ratio * 100, 2) == D("19.84")
    assert lines["C"].fee_ratio == D("1.7")
    assert [row.store.code for row in report.rows if row.flagged] == ["C"]
    assert lines["A"].visits == 2 and lines["A"].ratings == {"red": 1, "yellow": 0, "green": 1}
    assert (lines["A"].checks, lines["A"].executed, lines["A"].execution) == (2, 1, D("0.5"))
    total = report.total
    assert (total.sell_in, total.fees, total.contribution) == (D("15100.00"), D("4410.00"), D("10690.00"))


def test_page_shows_the_lines_ranked_flags_and_the_chart(client, chain, manager):
    client.force_login(manager)

    response = client.get(reverse("analytics:store-pnl"), JUNE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-store="B"') < html.index('data-store="A"') < html.index('data-store="C"')
    row_c = html[html.index('data-store="C"') : html.index("</tr>", html.index('data-store="C"'))]
    assert 'data-col="display_fees">1,600.00<' in row_c
    assert 'data-col="contribution">-700.00<' in row_c
    assert 'data-col="fee_ratio">170.00 %<' in row_c
    assert "Renegotiate or exit" in row_c
    row_a = html[html.index('data-store="A"') : html.index("</tr>", html.index('data-store="A"'))]
    assert 'data-col="fee_ratio">19.84 %<' in row_a and "Renegotiate or exit" not in row_a
    assert "this is not a gross margin" in html
    chart = html[html.index('data-testid="chart-table-store-fee-ratio"') :]
    chart = chart[: chart.index("</table>")]
    # fees % of sell-in by store, the highest first
    assert chart.index("C 门店C") < chart.index("A 门店A") < chart.index("B 门店B")  # 170 %, 19.84 %, 18.75 %
    assert "170.0 %" in chart and "19.8 %" in chart


def test_the_notes_say_the_period_and_flag_and_fold_how_the_figures_are_worked_out(client, chain, manager):
    client.force_login(manager)

    html = client.get(reverse("analytics:store-pnl"), JUNE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    notes = html[html.index('data-testid="store-pnl-notes"') :]
    shown, folded = notes[: notes.index("<details")], notes[notes.index("<details") : notes.index("</details>")]
    assert "ranked by contribution" in shown and "renegotiate or exit" in shown
    assert "How the figures are worked out</summary>" in folded and "<details open" not in notes
    assert "this is not a gross margin" in folded and "Promoter fees are what the trade-spend ledger books" in folded


def test_the_page_says_what_to_choose_and_which_days_it_reads(client, chain, manager):
    client.force_login(manager)
    today = timezone.localdate()
    january = today.replace(month=1, day=1)
    # Given no chain chosen yet: a line says what to do, the days fields hold the year so far
    page = client.get(reverse("analytics:store-pnl")).content.decode()
    assert 'data-testid="store-pnl-choose"' in page
    assert f'name="from" value="{january:%Y-%m-%d}"' in page and f'name="to" value="{today:%Y-%m-%d}"' in page
    # When a chain is chosen without days, the fields show the days its figures are for
    page = client.get(reverse("analytics:store-pnl"), {"account": "LHB"}).content.decode()
    assert 'data-testid="store-pnl-choose"' not in page and f'name="from" value="{january:%Y-%m-%d}"' in page


def test_the_ranking_is_paged_and_the_total_is_of_every_store(client, chain, manager, monkeypatch):
    from analytics.views import store_pnl as page

    monkeypatch.setattr(page, "STORES_PER_PAGE", 2)
    client.force_login(manager)
    first = client.get(reverse("analytics:store-pnl"), JUNE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = client.get(reverse("analytics:store-pnl"), {**JUNE, "page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    second = second.content.decode()
    assert 'data-store="B"' in first and 'data-store="A"' in first and 'data-store="C"' not in first
    assert 'data-store="C"' in second and 'data-store="B"' not in second
    rank = second[second.index('data-store="C"') :]
    assert rank[rank.index("<td>") + 4 : rank.index("</td>")] == "3"  # its rank among all, not on the page

    def total(html: str) -> str:
        foot = html[html.index('data-store="total"') :]
        return foot[: foot.index("</tr>")]

    assert total(first) == total(second)  # every store's, on each page
    assert "1–2 of 3" in first


def test_excel_export_has_the_same_lines(client, chain, finance):
    client.force_login(finance)

    response = client.get(reverse("analytics:store-pnl"), {**JUNE, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (rows,) = read_xlsx(b"".join(response.streaming_content)).values()
    assert [row[1] for row in rows[1:4]] == ["B", "A", "C"]
    assert rows[3][3:10] == (1000, 0, 1600, 0, 100, 1700, -700)
    assert rows[3][17] == "Yes"
    assert rows[4][2] == "Total" and rows[4][9] == 10690


def test_its_sell_in_is_named_deliveries_not_the_chains_invoiced_sales(client, chain, finance):
    # The chain page's 销售额（开票） is invoices; a store's sell-in is its deliveries: a reader comparing the two
    # must not see one label on two different figures.
    client.force_login(finance)

    page = client.get(reverse("analytics:store-pnl"), JUNE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    export = client.get(reverse("analytics:store-pnl"), {**JUNE, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    ranking = page[: page.index('data-store="B"')]
    head = ranking[ranking.rindex("<thead") :]
    assert "进货额（送货）" in head and "销售额（开票）" not in head
    (rows,) = read_xlsx(b"".join(export.streaming_content)).values()
    assert rows[0][3] == "进货额（送货）"


def test_the_chains_are_offered_by_their_name_in_the_readers_language(client, chain, manager):
    KeyAccount.objects.filter(code="LHB").update(name_en="Lianhua")
    client.force_login(manager)

    english = client.get(reverse("analytics:store-pnl"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("analytics:store-pnl"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<option value="LHB">LHB Lianhua</option>' in english
    assert '<option value="LHB">LHB 联华</option>' in chinese


def test_api_gives_the_lines(api_client, chain, finance):
    api_client.force_authenticate(finance)

    response = api_client.get(reverse("api-store-pnl"), JUNE)

    assert response.status_code == 200
    body = response.json()
    assert [row["store"] for row in body["results"]] == ["B", "A", "C"]
    assert body["results"][2] | {} == {
        **body["results"][2],
        "sell_in": "1000.00", "display_fees": "1600.00", "fees": "1700.00", "contribution": "-700.00",
        "fee_ratio": "1.7000", "flagged": True,
    }  # fmt: skip
    assert body["threshold"] == "0.2500" and body["total"]["contribution"] == "10690.00"


@pytest.mark.parametrize(
    ("fee", "flagged"), [(D("250.00"), False), (D("250.01"), True)], ids=["at-threshold", "above-threshold"]
)
def test_a_store_is_flagged_only_above_the_threshold(manager, fee, flagged):
    account = KeyAccountFactory(code="TH", owner=manager)
    store = StoreFactory(account=account)
    DeliveryFactory(store=store, date=date(2026, 6, 10), quantity=100, unit_price=D("10.00"))  # sell-in 1,000.00
    DisplayAgreement.objects.create(
        account=account, store=store, kind="end_cap", start_on=date(2026, 6, 1), end_on=date(2026, 6, 30), fee=fee
    )

    (line,) = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 6, 30)).rows

    assert line.flagged is flagged


def test_the_threshold_is_a_setting(manager, settings):
    account = KeyAccountFactory(code="TH", owner=manager)
    store = StoreFactory(account=account)
    DeliveryFactory(store=store, date=date(2026, 6, 10), quantity=100, unit_price=D("10.00"))
    DisplayAgreement.objects.create(
        account=account, store=store, kind="end_cap", start_on=date(2026, 6, 1), end_on=date(2026, 6, 30), fee=D("150")
    )
    settings.KA = replace(settings.KA, store_fee_ratio_alert=D("0.10"))

    (line,) = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 6, 30)).rows

    assert line.flagged


def test_fees_without_sell_in_are_flagged(manager):
    account = KeyAccountFactory(owner=manager)
    store = StoreFactory(account=account)
    DisplayAgreement.objects.create(
        account=account, store=store, kind="end_cap", start_on=date(2026, 6, 1), end_on=date(2026, 6, 30), fee=D("10")
    )

    (line,) = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 6, 30)).rows

    assert line.fee_ratio is None and line.flagged


def split_by_weight(total, weights):
    """The P&L's split of an amount (analytics.store_pnl.split_cents_by_weight), read back as amounts."""
    return [D(share) / 100 for share in split_cents_by_weight(to_cents(total), weights)]


def test_a_cost_split_by_weight_adds_up_to_the_cent():
    assert split_by_weight(D("100.00"), [D("1"), D("1"), D("1")]) == [D("33.34"), D("33.33"), D("33.33")]
    assert split_by_weight(D("10.00"), [D("0"), D("0")]) == [D("5.00"), D("5.00")]
    assert split_by_weight(D("1010.00"), [D("2100"), D("8000")]) == [D("210.00"), D("800.00")]
    # weights with more decimals than cents, and the odd cents to the largest remainders, the first among equals
    assert split_by_weight(D("0.05"), [D("0.001"), D("0.0010"), D("0.002")]) == [D("0.01"), D("0.01"), D("0.03")]
    assert split_by_weight(D("0.02"), [D("1.5"), D("1.5"), D("1.5")]) == [D("0.01"), D("0.01"), D("0.00")]


def test_plans_for_every_store_add_up_store_by_store_to_the_cent(manager, rep):
    """The even splits of several plans for all the chain's stores are summed before they are spread; a plan's cost
    goes only to the stores that sold its products, by what they sold."""
    account = KeyAccountFactory(code="ODD", owner=manager)
    a, b, c = (StoreFactory(account=account, code=code, rep=rep) for code in ("A", "B", "C"))
    StoreFactory(account=account, code="D", rep=rep, active=False)  # an inactive store takes no share
    tea = ProductFactory(code="TEA")
    for store, packs in ((a, 100), (b, 200)):
        ListingFactory(store=store, product=tea, purchase_price=D("1.00"))
        DeliveryFactory(store=store, product=tea, date=date(2026, 6, 12), quantity=packs)
    june = {"start": date(2026, 6, 10), "end": date(2026, 6, 20)}
    _plan(account, promoter_fee=D("100.00"), total_cost=D("100.00"), **june)  # 3,333 cents each, one odd: A
    _plan(account, promoter_fee=D("0.05"), total_cost=D("0.05"), **june)  # 1 each, two odd: A and B
    _plan(account, promoter_fee=D("0"), total_cost=D("10.00"), products=[tea], **june)  # A 1/3, B 2/3, C nothing

    report = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 6, 30))

    lines = {row.store.code: (row.promoter_planned, row.promotion_costs) for row in report.rows}
    assert lines == {
        "A": (D("33.36"), D("3.33")),
        "B": (D("33.35"), D("6.67")),
        "C": (D("33.34"), D("0.00")),
    }
    assert (report.total.promoter_planned, report.total.promotion_costs) == (D("100.05"), D("10.00"))


@pytest.mark.parametrize("who", ["other_manager", "rep", "supervisor"])
def test_others_are_answered_404(client, api_client, chain, who, rep):
    users = {
        "other_manager": make_user(Role.MANAGER, username="mgr_other"),
        "rep": rep,
        "supervisor": make_user(Role.SUPERVISOR, username="sup_other"),
    }
    client.force_login(users[who])
    api_client.force_authenticate(users[who])

    assert client.get(reverse("analytics:store-pnl"), JUNE).status_code == 404
    assert api_client.get(reverse("api-store-pnl"), JUNE).status_code == 404


def test_the_owning_manager_and_finance_may_read(client, chain, manager, finance):
    for user in (manager, finance):
        client.force_login(user)
        assert client.get(reverse("analytics:store-pnl"), JUNE).status_code == 200


def test_a_reversed_period_is_named(client, chain, manager):
    client.force_login(manager)

    response = client.get(
        reverse("analytics:store-pnl"), {**JUNE, "from": "2026-06-30", "to": "2026-06-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "The last day must not be before the first day." in response.content.decode()


def _stores_with_activity(account, count: int, rep) -> None:
    beer = ProductFactory()
    plan = _plan(account, start=date(2026, 6, 10), end=date(2026, 6, 23), products=[beer], promoter_fee=D("100"),
                 total_cost=D("500"))  # fmt: skip
    chosen = _plan(account, start=date(2026, 6, 10), end=date(2026, 6, 23), products=[beer], total_cost=D("50"),
                   stores=[])  # fmt: skip
    for n in range(count):
        store = StoreFactory(account=account, rep=rep)
        ListingFactory(store=store, product=beer, listed_on=date(2026, 6, 2), listing_fee=D("10"))
        DeliveryFactory(store=store, product=beer, date=date(2026, 6, 12), quantity=10 + n)
        DisplayAgreement.objects.create(
            account=account, store=store, kind="end_cap", start_on=date(2026, 6, 1), end_on=date(2026, 6, 30),
            fee=D("20"),
        )  # fmt: skip
        visit = Visit.objects.create(
            rep=rep, store=store, checked_in_at=_at(date(2026, 6, 3)), checked_out_at=_at(date(2026, 6, 3), 11)
        )
        PromotionExecution.objects.create(
            visit=visit, plan=plan, store=store, executed=True, checked_at=_at(date(2026, 6, 3))
        )
        chosen.stores.add(store)
        # a promoter per store, paid by the day, working there on the plan and off it, and one paid by the month
        daily = promoter(supervisor=rep, stores=[store], daily_fee="100.00")
        shift(daily, store, date(2026, 6, 11), check_in="09:00", check_out="17:00", plan=plan)
        shift(daily, store, date(2026, 6, 25), check_in="09:00", check_out="17:00")
        shift(promoter(supervisor=rep, stores=[store], monthly_pay="3000.00"), store, date(2026, 6, 12))


@pytest.mark.parametrize("count", [3, 12])
def test_a_fixed_number_of_queries_however_many_stores(manager, rep, count, django_assert_num_queries):
    account = KeyAccountFactory(owner=manager)
    _stores_with_activity(account, count, rep)

    # ten, and three for the promoters' pay at the chain's stores (their terms, their roster, their shifts)
    with django_assert_num_queries(13):
        report = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 6, 30))

    assert len(report.rows) == count
    assert all(row.visits == 1 and row.listing_fees == D("10") for row in report.rows)
    assert all(row.promoter_pay == D("3200.00") and row.promoter_planned == 0 for row in report.rows)
    assert settings.KA.store_fee_ratio_alert == D("0.25")
