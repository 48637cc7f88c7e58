"""A list page written from values() rows (ka_portal/values_pages.py) is the page DRF's serializer writes, byte for
byte: every list endpoint whose view takes that path is read on the demo company by each role, in English and in
Chinese, as a first page, a page of 500 and a later page, both ways, and the answers compared."""

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

import ka_portal.values_pages as values_pages
from ka_portal.values_pages import ValuesPageMixin

from .test_api_list_queries import ENDPOINTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]

USERS = ("admin", "manager1", "supervisor1", "rep1", "finance1")
PAGES = ({}, {"page_size": 500}, {"page": 2, "page_size": 7})
# The lists issue 17 measures, which must take the path (a serializer change that sends one back to DRF's
# instance-by-instance path shows here, not only in bench/api.py).
TAKING = {
    "store-list",
    "visit-list",
    "account-list",
    "product-list",
    "listing-list",
    "delivery-list",
    "task-list",
    "invoice-list",
    "contract-list",
    "route-list",
    "payment-list",
    "promotion-list",
    "suggested-order-list",
}
VALUES_LISTS = [(name, path) for name, path in ENDPOINTS if issubclass(resolve(path).func.cls, ValuesPageMixin)]


@pytest.fixture(scope="module")
def people(demo_company, django_db_blocker):
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        return {user.username: user for user in get_user_model().objects.filter(username__in=USERS)}


def test_the_lists_issue_17_measures_take_the_values_path(people, monkeypatch):
    taken = set()
    plan_for = values_pages._plan_for

    def spy(serializer_class, queryset):
        plan = plan_for(serializer_class, queryset)
        if plan is not None:
            taken.add(serializer_class)
        return plan

    monkeypatch.setattr(values_pages, "_plan_for", spy)
    client = APIClient()
    client.force_authenticate(people["admin"])
    for name, path in VALUES_LISTS:
        if name in TAKING:
            taken.clear()
            assert client.get(path).status_code == 200
            assert taken, f"{name} no longer takes the values path"
    assert {name for name, _path in VALUES_LISTS} >= TAKING


@pytest.mark.parametrize(("name", "path"), VALUES_LISTS, ids=[name for name, _ in VALUES_LISTS])
def test_a_values_page_is_the_serializers_page_byte_for_byte(name, path, people, monkeypatch):
    client = APIClient()
    compared = 0
    for username in USERS:
        client.force_authenticate(people[username])
        for language in ("en", "zh-hans"):
            for params in PAGES:
                monkeypatch.setattr(ValuesPageMixin, "values_page", True)
                rows = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
                monkeypatch.setattr(ValuesPageMixin, "values_page", False)
                instances = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
                assert (rows.status_code, rows.content) == (instances.status_code, instances.content), (
                    f"{name} as {username} in {language} with {params}"
                )
                compared += rows.status_code == 200 and bool(rows.json().get("results"))
    assert compared, f"{name}: no user saw a row of it"


def _both_ways(client, path, params, monkeypatch):
    answers = []
    for values_page in (True, False):
        monkeypatch.setattr(ValuesPageMixin, "values_page", values_page)
        answer = client.get(path, params)
        answers.append((answer.status_code, answer.content))
    return answers


def test_the_rows_the_demo_lacks_are_written_the_same_both_ways(people, monkeypatch):
    """Deliveries, payments and route plans with what the demo holds few or none of: a delivery with no price at
    all (amount null), a priced one with many packs, a reversed payment with several allocations, a plan whose
    stops tie on day and position, the stops a manager sees of a plan (only those at their stores)."""
    import datetime
    from decimal import Decimal

    from contracts.models import Allocation, Invoice, Payment
    from stores.models import Delivery, Product, Store
    from visits.models import RoutePlan, RouteStop

    store = Store.objects.order_by("pk").first()
    unlisted = Product.objects.create(
        code="UNLISTED", name="Unlisted", packs_per_case=12, suggested_retail_price=Decimal("9.90"),
        distributor_price=Decimal("6"), wholesale_price=Decimal("7"),
    )  # fmt: skip
    newest = Delivery.objects.order_by("-date").values_list("date", flat=True).first() + datetime.timedelta(days=1)
    Delivery.objects.create(store=store, product=unlisted, date=newest, quantity=3, reference="no price")
    Delivery.objects.create(
        store=store, product=unlisted, date=newest, quantity=999_999, unit_price=Decimal("12345.67"), reference="x"
    )
    invoices = list(Invoice.objects.order_by("pk")[:3])
    payment = Payment.objects.create(
        account=invoices[0].account, date=newest, amount=Decimal("100.10"), allocated_amount=Decimal("60.05"),
        reversed_at=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC), reversed_on=newest,
        reversal_reason="返回 reversed", reference="EDGE-1",
    )  # fmt: skip
    for invoice, amount in zip(reversed(invoices), ("10.00", "20.05", "30"), strict=True):
        Allocation.objects.create(payment=payment, invoice=invoice, amount=Decimal(amount))
    plan = RoutePlan.objects.create(
        rep=people["rep1"], week_start=datetime.date(2030, 1, 7), status=RoutePlan.Status.PUBLISHED
    )
    stores = list(Store.objects.order_by("-pk")[:4])
    for day, position, at in ((2, 0, stores[0]), (1, 0, stores[1]), (1, 0, stores[2]), (0, 3, stores[3])):
        RouteStop.objects.create(plan=plan, day=day, position=position, store=at)

    client = APIClient()
    seen = set()
    for username in USERS:
        client.force_authenticate(people[username])
        for path in ("/api/v1/deliveries/", "/api/v1/payments/", "/api/v1/routes/"):
            for params in ({"page_size": 5}, {"search": "EDGE-1"}):
                rows, instances = _both_ways(client, path, params, monkeypatch)
                assert rows == instances, f"{path} as {username} with {params}"
                if rows[0] == 200:
                    seen.add(path)
    assert len(seen) == 3

    client.force_authenticate(people["admin"])
    deliveries = client.get("/api/v1/deliveries/", {"page_size": 2}).json()["results"]
    assert {row["reference"]: row["amount"] for row in deliveries} == {"no price": None, "x": "12345657654.33"}
    first = client.get("/api/v1/payments/", {"search": "EDGE-1"}).json()["results"][0]
    assert [a["amount"] for a in first["allocations"]] == ["10.00", "20.05", "30.00"]
    # reversed: nothing of it is allocated now, nor left to allocate (its allocations gave their amounts back)
    assert (first["unallocated_amount"], first["reversed_at"][:16]) == ("0.00", "2026-12-01T17:30")
    stops = client.get("/api/v1/routes/", {"page_size": 1}).json()["results"][0]["stops"]
    assert [stop["store"] for stop in stops] == [stores[3].code, stores[1].code, stores[2].code, stores[0].code]


def test_the_plans_the_demo_lacks_are_written_the_same_both_ways(people, monkeypatch):
    """Promotion plans with what the demo holds few or none of: a product without a normal price (cut null), a
    cut that does not end, products added out of their codes' order, chosen stores out of their codes' order, a
    plan reopened from another, a price floor overridden, a budget."""
    import datetime
    from decimal import Decimal

    from promotions.models import Budget, PromotionItem, PromotionPlan, PromotionType
    from stores.models import Product, Store

    stores = list(Store.objects.order_by("-code")[:3])
    products = list(Product.objects.order_by("-code")[:3])
    plan = PromotionPlan.objects.create(
        account=stores[0].account, type=PromotionType.objects.order_by("pk").first(), title="EDGE-1 促销",
        start_on=datetime.date(2030, 1, 7), end_on=datetime.date(2030, 1, 20), all_stores=False,
        owner=people["rep1"], status=PromotionPlan.Status.SUBMITTED, company_share=Decimal("0.3333"),
        reopened_from=PromotionPlan.objects.filter(reopened_as__isnull=True).order_by("pk").first(),
        price_floor_override_by=people["manager1"], price_floor_override_reason="清仓 clearance",
        budget=Budget.objects.order_by("pk").first(), dm_fee=Decimal("1234567.89"), total_cost=Decimal("0.01"),
    )  # fmt: skip
    plan.stores.set(stores)
    for product, normal, price in zip(products, ("0", "3.00", "9.99"), ("1.00", "1.00", "12.50"), strict=True):
        PromotionItem.objects.create(
            plan=plan, product=product, normal_price=Decimal(normal), promotion_price=Decimal(price), forecast_volume=7
        )

    client = APIClient()
    seen = set()
    for username in USERS:
        client.force_authenticate(people[username])
        for params in ({"page_size": 5}, {"search": "EDGE-1"}, {"ordering": "-total_cost"}):
            rows, instances = _both_ways(client, "/api/v1/promotions/", params, monkeypatch)
            assert rows == instances, f"promotions as {username} with {params}"
            if rows[0] == 200 and b"EDGE-1" in rows[1]:
                seen.add(username)
    assert {"admin", "rep1"} <= seen

    client.force_authenticate(people["admin"])
    first = client.get("/api/v1/promotions/", {"search": "EDGE-1"}).json()["results"][0]
    assert first["stores"] == sorted(store.code for store in stores)
    assert [(item["product"], item["cut"]) for item in first["items"]] == [
        (products[0].code, None),
        (products[1].code, "0.6667"),
        (products[2].code, "-0.2513"),
    ]
    assert (first["price_floor_override_by"], first["reopened_from"]) == ("manager1", plan.reopened_from_id)


def test_a_contract_page_writes_the_status_of_today_and_the_attachment_link_both_ways(people, monkeypatch):
    """What the demo lacks of contracts: one with an attachment (answered as the URL of its scoped download) and an
    active one past its end (answered expired today, whatever the nightly run last stored)."""
    import datetime
    import json

    from django.utils import timezone

    from accounts.models import KeyAccount
    from contracts.models import Contract

    account = KeyAccount.objects.order_by("pk").first()
    today = timezone.localdate()
    attached = Contract.objects.create(
        number="EDGE-ATTACHED", account=account, kind=Contract.Kind.ANNUAL, valid_from=today,
        valid_to=today + datetime.timedelta(days=300), status=Contract.Status.ACTIVE,
        attachment="contracts/edge.pdf",
    )  # fmt: skip
    ended = Contract.objects.create(
        number="EDGE-ENDED", account=account, kind=Contract.Kind.ANNUAL,
        valid_from=today - datetime.timedelta(days=400), valid_to=today - datetime.timedelta(days=10),
        status=Contract.Status.ACTIVE,
    )  # fmt: skip
    client = APIClient()
    client.force_authenticate(people["finance1"])
    rows, instances = _both_ways(client, "/api/v1/contracts/", {"search": "EDGE-"}, monkeypatch)
    assert rows == instances
    answered = {row["number"]: row for row in json.loads(rows[1])["results"]}
    assert answered[attached.number]["attachment"].endswith(f"/api/v1/contracts/{attached.pk}/attachment/")
    assert answered[attached.number]["attachment"].startswith("http")
    assert (answered[ended.number]["status"], answered[ended.number]["attachment"]) == ("expired", None)
