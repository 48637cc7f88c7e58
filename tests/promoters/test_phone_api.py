"""The promoter's day through the API: check-in/out, sell-out (units or cases/packs), a flaky phone's repeats
(Idempotency-Key), the refusals with their codes, confirm, the report, and a promoter's scope."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from promoters.models import SellOutLine, Shift

from .factories_phone import NEAR, phone_world

pytestmark = pytest.mark.django_db


def at(hh, mm, day=1):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm))


@pytest.fixture
def w(time_machine):
    time_machine.move_to(at(8, 55), tick=False)
    return phone_world()


@pytest.fixture
def api(w):
    client = APIClient()
    client.force_authenticate(w.user)
    return client


def post(api, url, body=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(url, body or {}, format="json", **headers)


def check_in(w, api, key=None):
    return post(api, reverse("shift-check-in", args=[w.shift.pk]),
                {"latitude": str(NEAR[0]), "longitude": str(NEAR[1])}, key)  # fmt: skip


def test_check_in_answers_the_shift_with_its_reading(w, api):
    response = check_in(w, api)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["store"] == "PH01" and body["attendance"]["status"] == "planned" or body["checked_in_at"]
    assert body["check_in_distance_m"] < 60


def test_a_second_check_in_is_refused_but_the_same_request_again_is_one(w, api):
    first = check_in(w, api, key="tap-1")
    again = check_in(w, api, key="tap-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    second = check_in(w, api, key="tap-2")
    assert second.status_code == 409 and second.json()["code"] == "shift.already_checked_in"
    assert check_in(w, api).json()["code"] == "shift.already_checked_in"


def report(w, api, lines, key=None, shift=None):
    return post(api, reverse("shift-sell-out", args=[(shift or w.shift).pk]), {"lines": lines}, key)


def test_sell_out_in_units_and_cases_packs(w, api):
    check_in(w, api)
    response = report(w, api, [{"product": "PHB", "quantity": "2/3", "shelf_stock": 30, "price_seen": "5.90"},
                               {"product": "PHC", "units": 4}])  # fmt: skip
    assert response.status_code == 200, response.json()
    lines = {line["product"]: line for line in response.json()["sell_out"]}
    assert lines["PHB"]["units"] == 27 and lines["PHB"]["quantity"] == "2/3" and lines["PHB"]["price_seen"] == "5.90"
    assert lines["PHC"]["units"] == 4


def test_a_quantity_without_a_slash_is_cases_as_everywhere_else(w, api):
    """Finding: `quantity` "1" was stored as one pack, while the notation (the visits API, every screen) reads it as
    one case: a phone sending whole cases as "5" under-reported the sell-out twelvefold. `units` stays packs."""
    check_in(w, api)
    response = report(w, api, [{"product": "PHB", "quantity": "1"}, {"product": "PHC", "units": "1"}])
    assert response.status_code == 200, response.json()
    lines = {line["product"]: line for line in response.json()["sell_out"]}
    assert (lines["PHB"]["units"], lines["PHB"]["quantity"]) == (12, "1")
    assert lines["PHC"]["units"] == 1
    # eleven digits of cases: refused in the cases sent
    refused = report(w, api, [{"product": "PHB", "quantity": "12345678901"}]).json()
    assert refused["field"] == "lines.0.quantity" and refused["detail"].startswith("12,345,678,901 箱")


def test_a_repeated_report_is_one_report(w, api):
    check_in(w, api)
    body = [{"product": "PHB", "units": 5}]
    assert report(w, api, body, key="r1").status_code == 200
    assert report(w, api, body, key="r1").headers.get("Idempotent-Replayed") == "true"
    assert report(w, api, body, key="r2").status_code == 200  # a new key: the same line updated
    assert SellOutLine.objects.filter(shift=w.shift).count() == 1
    other = report(w, api, [{"product": "PHB", "units": 6}], key="r1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"product": "PHB", "units": -1}, "sell_out.negative"),
        ({"product": "PHB", "units": 2.5}, "sell_out.not_whole"),
        ({"product": "PHB", "units": "x"}, "sell_out.not_whole"),
        ({"product": "PHB", "quantity": "-1/2"}, "sell_out.negative"),
        ({"product": "PHB", "units": 3, "shelf_stock": -1}, "sell_out.negative"),
        ({"product": "PHB"}, "sell_out.units_missing"),
    ],
)
def test_a_bad_line_is_refused_with_its_code_and_nothing_written(w, api, line, code):
    check_in(w, api)
    response = report(w, api, [{"product": "PHC", "units": 1}, line])
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["field"].startswith("lines.1.")
    assert not SellOutLine.objects.exists()


def test_a_product_not_listed_at_the_store(w, api):
    check_in(w, api)
    # listed at the other store only: not one of this promoter's products at all, so not found
    response = report(w, api, [{"product": "PHX", "units": 1}])
    assert response.status_code == 400
    assert not SellOutLine.objects.exists()


def test_a_report_before_check_in_and_for_a_day_without_a_shift(w, api):
    assert report(w, api, [{"product": "PHB", "units": 1}]).json()["code"] == "sell_out.before_check_in"
    response = post(api, reverse("sell-out-report"), {"store": "PH01", "day": "2026-06-02",
                                                      "lines": [{"product": "PHB", "units": 1}]})  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "sell_out.no_shift"
    check_in(w, api)
    response = post(api, reverse("sell-out-report"), {"store": "PH01", "lines": [{"product": "PHB", "units": 1}]})
    assert response.status_code == 200 and response.json()["id"] == w.shift.pk


def test_confirm_closes_the_day(w, api, time_machine):
    check_in(w, api)
    report(w, api, [{"product": "PHB", "units": 1}])
    supervisor = APIClient()
    supervisor.force_authenticate(w.supervisor)
    url = reverse("shift-confirm", args=[w.shift.pk])
    assert supervisor.post(url, {}, format="json").json()["code"] == "attendance.not_ended"
    time_machine.move_to(at(17, 30), tick=False)
    response = supervisor.post(url, {"attendance": "absent"}, format="json")
    assert response.json()["code"] == "attendance.reason_needed"
    response = supervisor.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="c1")
    assert response.status_code == 200 and response.json()["closed"] and response.json()["confirmed_attendance"]
    refused = report(w, api, [{"product": "PHB", "units": 2}])
    assert refused.status_code == 409 and refused.json()["code"] == "sell_out.day_closed"
    assert SellOutLine.objects.get().units == 1
    # the promoter does not confirm
    assert post(api, url, {}).status_code == 403


def test_check_out(w, api, time_machine):
    assert post(api, reverse("shift-check-out", args=[w.shift.pk])).json()["code"] == "shift.not_checked_in"
    check_in(w, api)
    time_machine.move_to(at(17, 1), tick=False)
    near = {"latitude": "31.2308", "longitude": "121.4739"}
    response = post(api, reverse("shift-check-out", args=[w.shift.pk]), near)
    assert response.status_code == 200
    assert response.json()["attendance"]["status"] == "attended"


def test_the_promoters_scope(w, api):
    # another promoter's shift: not found, at every step
    for name in ("shift-check-in", "shift-check-out", "shift-sell-out"):
        assert post(api, reverse(name, args=[w.other_shift.pk])).status_code == 404
    assert Shift.objects.get(pk=w.other_shift.pk).checked_in_at is None
    # a store outside their schedule
    response = post(api, reverse("sell-out-report"), {"store": "PH02", "lines": [{"product": "PHB", "units": 1}]})
    assert response.status_code == 400 and "store" in response.json()["errors"]
    # their own shifts only
    shifts = api.get(reverse("my-shifts")).json()["results"]
    assert [s["id"] for s in shifts] == [w.shift.pk]
    assert api.get(reverse("sell-out-line-list")).json()["count"] == 0
    # nothing of finance, stores or accounts
    for url in ("/api/v1/invoices/", "/api/v1/payments/", "/api/v1/deductions/", "/api/v1/accrual-lines/",
                "/api/v1/remittances/", "/api/v1/stores/", "/api/v1/accounts/",
                "/api/v1/reports/promoter-attendance/"):  # fmt: skip
        assert api.get(url).status_code in (403, 404), url


def test_the_promoters_pages_outside_their_day(w, client):
    client.force_login(w.user)
    for name in ("promoters:attendance", "promoters:attendance-shifts", "promoters:sell-out"):
        assert client.get(reverse(name)).status_code == 403, name
    for name in ("contracts:contract-list", "contracts:aging-invoices", "tradespend:ledger", "stores:store-list",
                 "accounts:account-list", "visits:visit-list"):  # fmt: skip
        assert client.get(reverse(name)).status_code in (403, 404), name


def test_the_attendance_report(w, api, time_machine):
    check_in(w, api)
    time_machine.move_to(at(20, 0), tick=False)
    supervisor = APIClient()
    supervisor.force_authenticate(w.supervisor)
    body = supervisor.get(reverse("promoter-attendance-report") + "?month=2026-06").json()
    rows = {row["promoter"]: row for row in body["by_promoter"]}
    assert rows["PH-P1"]["attended"] == 1 and rows["PH-P2"]["absent"] == 1
    assert body["total"]["planned"] == 2
    refused = supervisor.get(reverse("promoter-attendance-report") + "?month=x").json()
    assert refused["code"] == "attendance.month_invalid"


def test_lists_run_a_fixed_number_of_queries(w, api, django_assert_max_num_queries):
    from .factories_phone import SellOutLineFactory, ShiftFactory

    for day in range(2, 12):
        shift = ShiftFactory(promoter=w.promoter, store=w.store, day=w.shift.day.replace(day=day))
        SellOutLineFactory(shift=shift, product=w.beer)
        SellOutLineFactory(shift=shift, product=w.chips)
    with django_assert_max_num_queries(8):
        assert len(api.get(reverse("my-shifts")).json()["results"]) == 11
    with django_assert_max_num_queries(8):
        assert api.get(reverse("sell-out-line-list")).json()["count"] == 20
    supervisor = APIClient()
    supervisor.force_authenticate(w.supervisor)
    with django_assert_max_num_queries(8):
        assert supervisor.get(reverse("promoter-attendance-report") + "?month=2026-06").json()["total"]["planned"] == 12


def test_a_bad_quantity_is_named_as_sent(w, api):
    """Finding: a bad `quantity` was reported against lines.0.units."""
    check_in(w, api)
    assert report(w, api, [{"product": "PHB", "quantity": "1/30"}]).json()["field"] == "lines.0.quantity"
    assert report(w, api, [{"product": "PHB", "quantity": "9999/0"}]).json()["field"] == "lines.0.quantity"
    assert report(w, api, [{"product": "PHB", "units": -1}]).json()["field"] == "lines.0.units"


def test_implausible_price_and_count_are_refused_as_on_the_page(w, api):
    check_in(w, api)
    response = report(w, api, [{"product": "PHB", "units": 3, "price_seen": "100000"}])
    assert response.status_code == 400 and response.json()["code"] == "sell_out.price_implausible"
    assert response.json()["field"] == "lines.0.price_seen"
    response = report(w, api, [{"product": "PHB", "units": 99999 * 12}])
    assert response.json()["code"] == "sell_out.implausible_quantity" and response.json()["params"]["max"] == 6000
    assert not SellOutLine.objects.exists()


def test_an_early_check_out_needs_leave_early(w, api, time_machine):
    check_in(w, api)
    time_machine.move_to(at(12, 0), tick=False)
    url = reverse("shift-check-out", args=[w.shift.pk])
    refused = post(api, url, {}, key="out-1")
    assert refused.status_code == 400 and refused.json()["code"] == "shift.check_out_early"
    assert refused.json()["params"]["minutes"] == 300 and refused.json()["field"] == "leave_early"
    response = post(api, url, {"leave_early": True}, key="out-1")  # a refusal keeps no key: the same key again
    assert response.status_code == 200 and response.json()["attendance"]["early_minutes"] == 300
