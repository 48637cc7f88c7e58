"""Pages: suggested orders per rep / key account / date with their .xlsx, and the nightly runs (administrators)."""

import re
from datetime import date, timedelta
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import (
    DeliveryFactory,
    KeyAccountFactory,
    ListingFactory,
    ProductFactory,
    StoreFactory,
    make_user,
)
from visits.models import ReplenishmentRun, SuggestedOrder

from .factories import StockCountFactory, SuggestedOrderFactory, VisitFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


@pytest.fixture
def team():
    sup = make_user(Role.SUPERVISOR, username="sup_pages")
    reps = [make_user(Role.REP, username=f"rep_pages_{i}", supervisor=sup, first_name=f"名{i}") for i in range(2)]
    account = KeyAccountFactory(name="华润万家")
    for i, rep in enumerate(reps):
        store = StoreFactory(rep=rep, account=account, name=f"店{i}")
        product = ProductFactory(name="可乐", packs_per_case=12)
        SuggestedOrderFactory(
            store=store, date=DAY, product=product, current_packs=30, suggested_packs=30, suggested_cases=3
        )
    SuggestedOrderFactory(store=StoreFactory(name="别组店"), date=DAY)  # another team's store
    new_store = StoreFactory(rep=reps[0], account=account, name="新店")
    flagged = SuggestedOrderFactory(store=new_store, date=DAY, flag="no_previous_count", suggested_cases=0)
    return sup, reps, flagged


def test_supervisor_sees_the_team_orders_with_flags_and_not_other_teams(client, team):
    sup, reps, _flagged = team
    client.force_login(sup)
    page = client.get("/visits/suggested-orders/").content.decode()
    assert "店0" in page and "店1" in page and "新店" in page
    assert "别组店" not in page
    assert "2/6" in page  # 30 packs in cases of 12
    assert "没有上次盘点" in page  # the flag, in the page's language
    assert 'name="rep"' in page  # the team's reps to choose from
    # a rep's list is their own stores' orders: no filter offering only themself
    client.force_login(reps[0])
    page = client.get("/visits/suggested-orders/").content.decode()
    assert "店0" in page and "店1" not in page and 'name="rep"' not in page


def test_supervisor_exports_one_reps_orders_for_a_date(client, team, django_assert_max_num_queries):
    sup, reps, _flagged = team
    client.force_login(sup)
    with django_assert_max_num_queries(12):
        response = client.get(f"/visits/suggested-orders/?rep={reps[1].username}&date={DAY}&export=xlsx")
    rows = list(openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2  # the header and rep 1's one order
    assert "店1" in rows[1] and "华润万家" in rows[1] and 3 in rows[1]


def test_flagged_filter_lists_only_pairs_that_could_not_be_computed(client, team):
    sup, _reps, _flagged = team
    client.force_login(sup)
    page = client.get("/visits/suggested-orders/?flagged=true").content.decode()
    listed = page[page.index("<table") :]  # the rows, not the filter's store choices
    assert "新店" in listed and "店0" not in listed
    # a yes/no filter named as one ("有异常"), not as the runs page's count ("异常数")
    assert '<label class="form-label small mb-1" for="id_flagged">有异常</label>' in page


def test_to_order_lists_the_lines_to_order_and_says_how_quantities_read(client, team):
    sup, _reps, _flagged = team
    client.force_login(sup)
    page = client.get("/visits/suggested-orders/?to_order=true").content.decode()
    listed = page[page.index("<table") :]
    assert "店0" in listed and "店1" in listed and "新店" not in listed
    assert "需订货" in page and "数量按“箱/包”书写：2 = 2 箱，0/10 = 10 包，1/1 = 1 箱 1 包。" in listed


def test_runs_page_is_for_administrators_who_can_start_a_run(client, team, django_capture_on_commit_callbacks):
    sup, _reps, _flagged = team
    client.force_login(sup)
    assert client.get("/visits/suggested-orders/runs/").status_code == 403
    assert client.post("/visits/suggested-orders/runs/start/").status_code == 403
    admin = make_user(Role.ADMIN, username="admin_pages")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/visits/suggested-orders/runs/start/", follow=True)
    run = ReplenishmentRun.objects.get()
    assert run.status == ReplenishmentRun.Status.SUCCEEDED
    page = response.content.decode()
    assert f"第 {run.pk} 次计算已开始" in page
    assert "成功" in client.get("/visits/suggested-orders/runs/").content.decode()  # the run's status: succeeded


def test_rep_computes_a_store_order_now_and_not_for_another_reps_store(client):
    # given the SPEC example counted in the rep's store, the second count today
    rep = make_user(Role.REP, username="rep_now")
    store = StoreFactory(rep=rep)
    beer = ProductFactory(packs_per_case=12)
    ListingFactory(store=store, product=beer)
    now = timezone.now()
    for at, packs in ((now - timedelta(days=7), 120), (now, 72)):
        StockCountFactory(visit=VisitFactory(rep=rep, store=store, checked_in_at=at), product=beer, packs=packs)
    DeliveryFactory(store=store, product=beer, date=timezone.localdate() - timedelta(days=3), quantity=48)
    client.force_login(rep)
    # when the rep taps "compute now" on the store page
    response = client.post(f"/visits/stores/{store.pk}/suggested-orders/")
    # then the order is there for today and the rep is back on the store page
    assert response.status_code == 302 and response["Location"] == f"/stores/{store.pk}/"
    assert SuggestedOrder.objects.get(store=store, date=timezone.localdate()).suggested_cases == 6
    # and another rep's store is out of reach
    assert client.post(f"/visits/stores/{StoreFactory().pk}/suggested-orders/").status_code == 404


def test_today_shows_each_store_latest_suggested_order(client):
    # given last night's order for a store the rep is visiting today, and an older one
    rep = make_user(Role.REP, username="rep_today")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    VisitFactory(rep=rep, store=store, checked_in_at=timezone.now())
    today = timezone.localdate()
    beer = ProductFactory(name="海川纯生啤酒", packs_per_case=12)
    SuggestedOrderFactory(store=store, product=beer, date=today - timedelta(days=3), suggested_cases=9)
    SuggestedOrderFactory(store=store, product=beer, date=today - timedelta(days=1), suggested_cases=6)
    SuggestedOrderFactory(store=store, date=today - timedelta(days=1), suggested_packs=0, suggested_cases=0)
    client.force_login(rep)
    # when the rep opens Today
    page = client.get("/visits/today/").content.decode()
    # then the stop shows the latest order only, in cases
    assert "海川纯生啤酒 6 箱" in page
    assert "9 箱" not in page


@pytest.mark.parametrize(
    ("language", "advice"),
    [("zh-hans", "请核对本次盘点，或有送货未录入"), ("en", "Check this count, or a delivery is missing.")],
)
def test_a_rep_is_told_what_to_do_about_negative_sales(client, language, advice):
    # given: the rep counted more than the last count plus the deliveries
    rep = make_user(Role.REP, username="rep_negative")
    SuggestedOrderFactory(
        store=StoreFactory(rep=rep), date=DAY, flag="negative_sales", actual_sales_packs=-4, suggested_cases=0
    )
    client.force_login(rep)
    # when: they read the suggested orders
    page = client.get("/visits/suggested-orders/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # then: the flag says what to check, not only that sales came out negative
    assert 'data-testid="order-flag-advice"' in page and advice in page


def test_a_first_count_is_said_plainly_and_negative_sales_in_red(client):
    # given: a product counted for the first time and one whose sales came out negative
    rep = make_user(Role.REP, username="rep_flags")
    store = StoreFactory(rep=rep)
    SuggestedOrderFactory(store=store, date=DAY, flag="no_previous_count", suggested_cases=0)
    SuggestedOrderFactory(store=store, date=DAY, flag="negative_sales", actual_sales_packs=-4, suggested_cases=0)
    client.force_login(rep)
    page = client.get("/visits/suggested-orders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then: the first count is not shown as an error (it is what a first count is); negative sales are
    flags = {
        flag: classes
        for classes, flag in re.findall(r'class="small ([^"]+)" data-testid="order-flag" data-flag="(\w+)"', page)
    }
    assert "text-danger" not in flags["no_previous_count"] and "text-danger" in flags["negative_sales"]
    assert "没有上次盘点" in page


@pytest.mark.parametrize(("language", "sold"), [("zh-hans", "-13 包"), ("en", "-13 packs")])
def test_negative_sales_read_as_packs_with_their_unit(client, language, sold):
    # given: sales came out 13 packs below zero for a product of 12 packs a case (rep finding 7)
    rep = make_user(Role.REP, username="rep_negative")
    SuggestedOrderFactory(
        store=StoreFactory(rep=rep),
        product=ProductFactory(packs_per_case=12),
        date=DAY,
        flag="negative_sales",
        actual_sales_packs=-13,
        suggested_cases=0,
    )
    client.force_login(rep)
    # when: they read the suggested orders
    page = client.get("/visits/suggested-orders/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # then: the packs, as the Excel export and the API give them, not "-(1/1)"
    assert f'<td class="num">{sold}</td>' in page and "-(" not in page


@pytest.mark.parametrize("query", ["", "?page=1", "?export=xlsx"])
def test_the_list_opened_without_a_filter_shows_only_the_orders_in_force(client, team, query):
    """The list as the menu opens it (no query string) reads the orders in force now, as with any filter and as the
    API does: a pair's superseded rows are its history, there with ?date= only."""
    sup, reps, _flagged = team
    store = StoreFactory(rep=reps[0], name="老店")
    product = ProductFactory(name="雪碧", packs_per_case=6)
    for week in (3, 2, 1):  # three weeks of history, each row superseded by the next
        SuggestedOrderFactory(
            store=store, product=product, date=DAY - timedelta(weeks=week),
            superseded_on=DAY - timedelta(weeks=week - 1), suggested_cases=40 + week,
        )  # fmt: skip
    SuggestedOrderFactory(store=store, product=product, date=DAY, suggested_cases=7)
    client.force_login(sup)
    response = client.get(f"/visits/suggested-orders/{query}")
    if query == "?export=xlsx":
        rows = list(openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)[1:]
        orders = [row for row in rows if "老店" in row]
        assert len(orders) == 1 and 7 in orders[0]
        assert len(rows) == 4  # the team's three orders in force and this one
        return
    listed = response.content.decode()
    listed = listed[listed.index("<table") :]
    assert listed.count("老店") == 1
    assert response.context["paginator"].count == 4
    assert [order.suggested_cases for order in response.context["object_list"] if order.store_id == store.pk] == [7]
    # a past day shows the row in force then
    page = client.get(f"/visits/suggested-orders/?date={DAY - timedelta(weeks=2)}")
    assert [order.suggested_cases for order in page.context["object_list"]] == [42]
