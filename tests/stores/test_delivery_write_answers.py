"""A delivery written through the API is answered as a GET reads it (QA: a create answered "price": null, "amount":
null, a PATCH the old quantity's amount), and its date lies between the portal's first day and the days ahead the
books take, at every door (API create and update, Excel import, admin)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Delivery
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = [pytest.mark.django_db, pytest.mark.english]  # api_client asks for English: the refusals are read in it


@pytest.fixture
def listing(manager):
    store = StoreFactory(code="WMT-001", account=KeyAccountFactory(code="WMT", owner=manager))
    return ListingFactory(store=store, product=ProductFactory(code="P001"), purchase_price=Decimal("4.10"))


def _body(**more):
    return {"store": "WMT-001", "product": "P001", "date": "2026-12-04", "quantity": 12, "unit_price": "4.00",
            "reference": "ERP-QA-1", **more}  # fmt: skip


def _money(body):
    return body["unit_price"], body["price"], body["amount"]


def test_a_create_its_replay_and_each_patch_answer_what_a_get_reads(api_client, manager, listing):
    api_client.force_authenticate(manager)
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}

    created = api_client.post("/api/v1/deliveries/", _body(), format="json", **key)
    replayed = api_client.post("/api/v1/deliveries/", _body(), format="json", **key)

    assert created.status_code == 201, created.json()
    url = f"/api/v1/deliveries/{created.json()['id']}/"
    assert _money(created.json()) == ("4.00", "4.00", "48.00") == _money(replayed.json())
    assert created.json() == api_client.get(url).json()

    more = api_client.patch(url, {"quantity": 24}, format="json").json()
    assert _money(more) == ("4.00", "4.00", "96.00") and more == api_client.get(url).json()

    dearer = api_client.patch(url, {"unit_price": "5.00"}, format="json").json()
    assert _money(dearer) == ("5.00", "5.00", "120.00") and dearer == api_client.get(url).json()

    listed = api_client.patch(url, {"unit_price": None}, format="json").json()  # valued at the listing's price
    assert _money(listed) == (None, "4.10", "98.40") and listed == api_client.get(url).json()


def test_the_schema_says_what_unit_price_and_price_are(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Delivery"]["properties"]
    assert "listing" in fields["unit_price"]["description"] and fields["price"]["readOnly"]
    assert "its own unit_price, else" in fields["price"]["description"]


def _latest():
    return timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2099, 1, 1), "delivery.date_too_far_ahead"),
        (date(1900, 1, 1), "delivery.date_before_start"),
        (date(1999, 12, 31), "delivery.date_before_start"),
        (None, None),  # the last day taken
        (date(2000, 1, 1), None),
    ],
)
def test_the_api_takes_a_date_from_the_first_day_to_the_days_ahead(api_client, manager, listing, day, code):
    day = day or _latest()
    api_client.force_authenticate(manager)
    with translation.override("en"):
        created = api_client.post("/api/v1/deliveries/", _body(date=day.isoformat()), format="json")
    if code is None:
        assert created.status_code == 201 and created.json()["date"] == day.isoformat()
        return
    assert created.status_code == 400
    assert created.json()["code"] == code and created.json()["field"] == "date"
    assert created.json()["detail"].startswith(f"Delivery date: {day.isoformat()} is ")
    assert not Delivery.objects.exists()


def test_a_patch_cannot_move_a_delivery_out_of_range(api_client, manager, listing):
    api_client.force_authenticate(manager)
    made = api_client.post("/api/v1/deliveries/", _body(), format="json").json()
    too_late = (_latest() + timedelta(days=1)).isoformat()
    with translation.override("en"):
        moved = api_client.patch(f"/api/v1/deliveries/{made['id']}/", {"date": too_late}, format="json")
    assert moved.status_code == 400 and moved.json()["code"] == "delivery.date_too_far_ahead"
    assert Delivery.objects.get().date == date(2026, 12, 4)


def test_the_import_refuses_the_row_of_a_wrong_year(admin_user, listing):
    headers = ["store code", "product code", "date", "quantity (packs)", "reference"]
    rows = [["WMT-001", "P001", "2026-12-01", 24, "DN-1"], ["WMT-001", "P001", "2099-01-01", 24, "DN-2"]]
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(headers, rows), user=admin_user)
    [(row, column, message)] = errors_of(rejected)
    assert (row, column) == (3, "date") and message.startswith("Delivery date: 2099-01-01 is more than")
    assert not Delivery.objects.exists()


def test_the_admin_refuses_it_too(client, admin_user, listing):
    client.force_login(admin_user)
    add = {"store": listing.store.pk, "product": listing.product.pk, "date": "1900-01-01", "quantity": 24,
           "reference": "DN-9"}  # fmt: skip
    with translation.override("en"):
        response = client.post(reverse("admin:stores_delivery_add"), add, HTTP_ACCEPT_LANGUAGE="en")
    assert "is before 2000-01-01, the first day the portal takes." in response.content.decode()
    assert not Delivery.objects.exists()
