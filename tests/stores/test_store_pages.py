"""Store, product, listing and delivery pages: filters in the URL, scope, exports."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


def test_rep_sees_only_own_stores_and_gets_404_for_another(client, rep):
    mine = StoreFactory(rep=rep, name="我的门店")
    theirs = StoreFactory(rep=make_user("rep", username="rep_b"), name="别人的门店")
    client.force_login(rep)

    html = client.get(reverse("stores:store-list")).content.decode()
    assert "我的门店" in html and "别人的门店" not in html
    assert 'name="rep"' not in html  # no filter offering only themself
    assert client.get(reverse("stores:store-detail", args=[mine.pk])).status_code == 200
    refused = client.get(reverse("stores:store-detail", args=[theirs.pk]))
    assert refused.status_code == 404
    # the portal's own page in the rep's language, with the menu to go on from; not a bare "Not Found"
    html = refused.content.decode()
    assert "未找到" in html and 'data-testid="main-nav"' in html and "别人的门店" not in html


def test_store_list_filters_by_account_grade_city_and_search(client, admin_user):
    a = StoreFactory(code="WMT-001", name="沃尔玛五角场店", grade="A", city="上海", account__code="WMT")
    StoreFactory(code="CRF-001", name="家乐福古北店", grade="B", city="上海", account__code="CRF")
    StoreFactory(code="WMT-002", name="沃尔玛滨江店", grade="A", city="杭州", account=a.account)
    client.force_login(admin_user)

    def names(**params):
        html = client.get(reverse("stores:store-list"), params).content.decode()
        return {n for n in ("沃尔玛五角场店", "家乐福古北店", "沃尔玛滨江店") if n in html}

    assert names(account="WMT") == {"沃尔玛五角场店", "沃尔玛滨江店"}
    assert names(grade="B") == {"家乐福古北店"}
    assert names(city="杭州") == {"沃尔玛滨江店"}
    assert names(q="五角场") == {"沃尔玛五角场店"}
    assert names(account="WMT", city="上海") == {"沃尔玛五角场店"}
    # a page kept in the URL past the narrowed list's end shows its last page; a page not a number, the first
    for page in ("2", "abc", "0"):
        answer = client.get(reverse("stores:store-list"), {"city": "杭州", "page": page})
        assert answer.status_code == 200 and "沃尔玛滨江店" in answer.content.decode()


def test_unknown_filter_value_is_named_not_ignored(client, admin_user):
    StoreFactory(name="某店")
    client.force_login(admin_user)
    html = client.get(reverse("stores:store-list"), {"grade": "Z"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Select a valid choice" in html and "某店" not in html
    assert 'name="rep"' in html  # the reps to choose from: not a rep's own list


def test_store_detail_shows_listings_and_deliveries_in_cases_and_packs(client, admin_user):
    listing = ListingFactory(product__name="冰红茶", product__packs_per_case=12, purchase_price=Decimal("3.20"))
    DeliveryFactory(store=listing.store, product=listing.product, quantity=13, unit_price=None, date=date(2026, 11, 2))
    client.force_login(admin_user)

    html = client.get(reverse("stores:store-detail", args=[listing.store.pk])).content.decode()

    assert "冰红茶" in html and "3.20" in html
    assert ">1/1<" in html  # 13 packs of 12 = 1 case 1 pack
    assert "41.60" in html  # 13 × 3.20, the listing's price


def test_delivery_export_opens_with_the_filtered_rows(client, admin_user):
    store = StoreFactory(code="S-1")
    DeliveryFactory(store=store, quantity=24, unit_price=Decimal("2.00"), date=date(2026, 1, 5), product__code="P-A")
    DeliveryFactory(quantity=10, unit_price=Decimal("1.00"), date=date(2026, 1, 6))
    client.force_login(admin_user)

    query = {"store": "S-1", "export": "xlsx"}
    response = client.get(reverse("stores:delivery-list"), query, HTTP_ACCEPT_LANGUAGE="zh-hans")

    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.active.title == "进货"  # the sheet is named in the reader's language
    rows = list(book.active.values)
    assert len(rows) == 2
    header, row = rows
    assert row[1] == "S-1" and row[3] == "P-A" and row[5] == 24 and row[6] == "2"
    assert Decimal(str(row[7])) == Decimal("2.00")  # its own price (empty: the listing's), as the import reads it
    assert Decimal(str(row[9])) == Decimal("48.00")


@pytest.mark.parametrize("name", ["stores:product-list", "stores:listing-list", "stores:delivery-list"])
def test_lists_show_an_empty_state(client, rep, name):
    client.force_login(rep)
    html = client.get(reverse(name)).content.decode()
    assert 'data-testid="empty"' in html


def test_product_list_search(client, rep):
    ProductFactory(name="冰红茶", code="P-TEA")
    ProductFactory(name="薯片", code="P-CHIP")
    client.force_login(rep)
    html = client.get(reverse("stores:product-list"), {"q": "tea"}).content.decode()
    assert "冰红茶" in html and "薯片" not in html


def test_supervisor_moves_a_store_to_another_rep_and_overrides_its_frequency(client, supervisor):
    rep_a = make_user("rep", username="rep_x", supervisor=supervisor)
    rep_b = make_user("rep", username="rep_y", supervisor=supervisor)
    store = StoreFactory(rep=rep_a, grade="C", code="S-9", name="老店")
    client.force_login(supervisor)
    data = {"account": store.account.pk, "code": "S-9", "name": "老店", "grade": "A", "rep": rep_b.pk,
            "visits_per_week_override": 2, "active": "on"}  # fmt: skip

    response = client.post(reverse("stores:store-edit", args=[store.pk]), data)

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.rep == rep_b and store.grade == "A" and store.visits_per_week == 2


def test_store_form_names_bad_values_and_keeps_them(client, manager):
    store = StoreFactory(account__owner=manager, name="老店")
    client.force_login(manager)
    data = {"account": store.account.pk, "code": store.code, "name": "新名字", "grade": "A",
            "visits_per_week_override": 9, "latitude": "31.2"}  # fmt: skip
    response = client.post(reverse("stores:store-edit", args=[store.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert "between 1 and 7" in html and "both latitude and longitude" in html and 'value="新名字"' in html
    store.refresh_from_db()
    assert store.name == "老店"


def test_rep_cannot_edit_stores(client, rep):
    store = StoreFactory(rep=rep)
    client.force_login(rep)
    refused = client.get(reverse("stores:store-edit", args=[store.pk]))
    assert refused.status_code == 403
    # said in the rep's language inside the portal's layout, not Django's bare English "403 Forbidden"
    html = refused.content.decode()
    assert "您的角色无权打开此页面" in html and 'data-testid="main-nav"' in html and "403 Forbidden" not in html


def test_store_page_shows_recent_visits_and_the_latest_suggested_order(client, rep):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from visits.models import SuggestedOrder, Visit

    listing = ListingFactory(store=StoreFactory(rep=rep), product__name="冰红茶", product__packs_per_case=12)
    Visit.objects.create(
        store=listing.store, rep=rep, checked_in_at=datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    for day, cases, until in ((date(2026, 11, 19), 9, date(2026, 11, 20)), (date(2026, 11, 20), 6, None)):
        SuggestedOrder.objects.create(
            store=listing.store, product=listing.product, date=day, superseded_on=until, current_packs=72,
            suggested_packs=cases * 12, suggested_cases=cases,
        )  # fmt: skip
    client.force_login(rep)

    html = client.get(reverse("stores:store-detail", args=[listing.store.pk])).content.decode()

    assert "2026-11-20 09:30" in html
    orders = html.split('data-testid="suggested-orders"')[1].split("</table>")[0]
    assert "冰红茶" in orders and ">6<" in orders and ">9<" not in orders and ">6<" in orders


def test_compute_now_on_the_store_page_gives_the_spec_example(client, rep):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from visits.models import StockCount, Visit

    listing = ListingFactory(store=StoreFactory(rep=rep), product__packs_per_case=12)
    tz = ZoneInfo("Asia/Shanghai")
    for day, cases in ((date(2026, 11, 16), 10), (date(2026, 11, 20), 6)):
        visit = Visit.objects.create(
            store=listing.store, rep=rep, checked_in_at=datetime(*day.timetuple()[:3], 10, tzinfo=tz)
        )
        StockCount.objects.create(visit=visit, product=listing.product, packs=cases * 12)
    DeliveryFactory(store=listing.store, product=listing.product, date=date(2026, 11, 18), quantity=4 * 12)
    client.force_login(rep)
    page = reverse("stores:store-detail", args=[listing.store.pk])
    assert 'data-testid="compute-suggested"' in client.get(page).content.decode()

    response = client.post(reverse("visits:store-suggested-orders", args=[listing.store.pk]), follow=True)

    orders = response.content.decode().split('data-testid="suggested-orders"')[1].split("</table>")[0]
    assert ">6<" in orders  # SPEC §4: 10 cases before, 4 delivered, 6 now → order 6 cases
