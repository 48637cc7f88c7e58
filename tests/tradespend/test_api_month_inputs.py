"""The trade-spend API reads months as every other door does: the ledger's adjustment takes a typed YYYY-MM (or the
month's first day, the shape it answered before; it answers YYYY-MM; any other day is refused:
test_qa_strict_months.py), and gross to net takes
month_from / month_to, the names its answer and the pages use, as well as from / to — two different months for one end
are refused, never one silently taken."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import KeyAccountFactory
from tradespend.models import AccrualLine

from .g2n_helpers import invoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/gross-to-net/"


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.mark.parametrize("month", ["2027-01", "2027-01-01"])
def test_an_adjustment_takes_a_typed_month(api_client, finance, today, month):
    KeyAccountFactory(code="WMT")
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "month": month, "kind": "dm", "amount": "120.00", "reason": "DM费少扣"}

    response = api_client.post("/api/v1/accrual-lines/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["month"] == "2027-01"  # answered as every month of the API (README): YYYY-MM
    assert AccrualLine.objects.get().month == date(2027, 1, 1)


def test_an_adjustment_with_no_month_in_it_is_refused_saying_how_to_write_one(api_client, finance, today):
    KeyAccountFactory(code="WMT")
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "month": "2027-13", "kind": "dm", "amount": "120.00", "reason": "x"}

    response = api_client.post("/api/v1/accrual-lines/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"]["month"] == ["“2027-13” is not a month: enter it as YYYY-MM, for example 2026-05."]
    assert not AccrualLine.objects.exists()


def test_gross_to_net_reads_the_pages_month_names_too(api_client, finance, today):
    invoice(KeyAccountFactory(code="WMT"), date(2026, 11, 5), "1000.00")
    api_client.force_authenticate(finance)

    by_page_names = api_client.get(URL, {"month_from": "2026-11", "month_to": "2026-11"}).json()
    by_short_names = api_client.get(URL, {"from": "2026-11", "to": "2026-11"}).json()

    assert (by_page_names["month_from"], by_page_names["month_to"]) == ("2026-11", "2026-11")  # not this month
    assert by_page_names["total"]["gross"] == "1000.00"
    assert by_page_names == by_short_names


def test_gross_to_net_refuses_two_different_months_for_one_end(api_client, finance, today):
    api_client.force_authenticate(finance)

    response = api_client.get(URL, {"from": "2026-10", "month_from": "2026-11"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"]["from"] == ["from and month_from name different months: give the month once."]
