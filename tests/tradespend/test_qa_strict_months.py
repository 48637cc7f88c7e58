"""QA (finance clerk): the trade-spend API's months. A remittance's deduction line took "2026/10" and "2026-1", said
"Ensure this field has no more than 7 characters." for "2026-10-15", dropped an unknown key ("period") without a word
— booking the line for the current month — and answered "2026-10-01" where /api/v1/deductions/ answers "2026-10".
An adjustment (accrual lines) took "2026-12-15" and "2026-1", and named 2030-01 as "2030-01-01". Now a month is sent
as YYYY-MM (contracts.api.YearMonthField: a wrong value named), a deduction line refuses a key it does not take,
naming it, a remittance answers its deductions' months as the deductions API does, and a month too far ahead is
named as typed (the adjustment's month also as its first day, the shape the ledger answered it in before; it
answers YYYY-MM now, as the deductions API does)."""

from datetime import date

import pytest
from django.urls import reverse

from contracts.models import Deduction
from tests.tradespend.remittance_world import REMITTANCES, crf, nothing_booked, remittance, today  # noqa: F401
from tradespend.models import AccrualLine

# ruff: noqa: F811 - the tests take the world's fixtures (the frozen day, the CRF chain with K-1) by their names
pytestmark = pytest.mark.django_db
LINES = "/api/v1/accrual-lines/"


def _remittance(**deduction):
    """K-1 paid 5,900.00 in cash and one deduction line of 100.00 (its months, or other keys, as given)."""
    return remittance(cash="5900.00", deductions=[{"kind": "tg", "amount": "100.00", **deduction}])


@pytest.mark.parametrize("sent", ["2026/10", "2026-1", "2026-10-15", "Oct 2026"])
def test_a_deduction_month_not_written_yyyy_mm_is_refused_naming_it(api_client, finance, crf, sent):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, _remittance(period_start=sent), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["errors"]["deductions"]["0"]["period_start"] == [
        f"“{sent}” is not a month: enter it as YYYY-MM, for example 2026-05."
    ]
    assert nothing_booked()


def test_a_key_a_deduction_line_does_not_take_is_refused_naming_it(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, _remittance(period="2026-10"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["errors"]["deductions"]["0"]["period"] == [
        "A deduction line takes no field “period”: it takes kind, period_start, period_end, amount, reference, "
        "reason, invoice."
    ]
    assert nothing_booked()  # not booked for the current month as if no month had been sent


def test_the_remittance_answers_its_deductions_months_as_the_deductions_api_does(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, _remittance(period_start="2026-10", period_end=" 2026-11 "), format="json")

    assert answer.status_code == 201, answer.json()
    line = answer.json()["deductions"][0]
    assert (line["period_start"], line["period_end"]) == ("2026-10", "2026-11")
    same = api_client.get(f"/api/v1/deductions/{line['id']}/").json()
    assert (same["period_start"], same["period_end"]) == (line["period_start"], line["period_end"])
    assert Deduction.objects.get().period_start == date(2026, 10, 1)


def test_a_deduction_month_left_blank_is_the_remittance_date_s(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, _remittance(period_start="", period_end=None), format="json")

    assert answer.status_code == 201, answer.json()
    line = answer.json()["deductions"][0]
    assert (line["period_start"], line["period_end"]) == ("2026-12", "2026-12")


def test_a_month_the_books_cannot_take_is_listed_under_the_field_sent(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(REMITTANCES, _remittance(period_start="2028-02"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    refusal = answer.json()
    assert refusal["code"] == "deduction.period_too_far_ahead"
    # the line's amount is not left out of a sum then said not to add up: the month is the one problem
    assert [(e["section"], e["row"], e["column"]) for e in refusal["errors"]] == [("deductions", 1, "period_start")]
    assert refusal["errors"][0]["message"].startswith("Period from: 2028-02 is after 2028-01")
    assert nothing_booked()


def _adjustment(month):
    return {"account": "CRF", "month": month, "kind": "dm", "amount": "120.00", "reason": "DM费少扣"}


@pytest.mark.parametrize("sent", ["2026-12-15", "2026-1", "2026/12"])
def test_an_adjustment_month_not_written_yyyy_mm_is_refused_naming_it(api_client, finance, crf, sent):
    api_client.force_authenticate(finance)

    answer = api_client.post(LINES, _adjustment(sent), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["errors"]["month"] == [f"“{sent}” is not a month: enter it as YYYY-MM, for example 2026-05."]
    assert not AccrualLine.objects.exists()


@pytest.mark.parametrize("sent", ["2026-12", "2026-12-01"])
def test_an_adjustment_takes_the_month_or_its_first_day_and_answers_the_month(api_client, finance, crf, sent):
    api_client.force_authenticate(finance)

    answer = api_client.post(LINES, _adjustment(sent), format="json")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["month"] == "2026-12"
    assert AccrualLine.objects.get().month == date(2026, 12, 1)


def test_an_adjustment_month_too_far_ahead_is_named_as_a_month(api_client, finance, crf):
    api_client.force_authenticate(finance)

    answer = api_client.post(LINES, _adjustment("2030-01"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    refusal = answer.json()
    assert (refusal["code"], refusal["field"]) == ("books.date_too_far_ahead", "month")
    assert refusal["detail"] == (
        "Month: 2030-01 is after 2027-01, the last month the books take (they take dates up to 2027-01-06, "
        "31 days after today)."
    )
    assert "2030-01-01" not in refusal["detail"]
    assert not AccrualLine.objects.exists()


@pytest.mark.english
def test_the_ledger_page_names_the_month_alike(client, finance, crf):
    client.force_login(finance)
    form = {**_adjustment("2030-01"), "contract": "", "plan": ""}

    page = client.post(reverse("tradespend:ledger-adjust"), form).content.decode()

    assert "Month: 2030-01 is after 2027-01, the last month the books take" in page
    assert not AccrualLine.objects.exists()
