"""A day no calendar has is said in one wording on every finance page and API (QA: the store P&L and the remittance
list filter said "Enter a valid date.", the lists "“2026-02-30” is not a date…", the recovery API "Date has wrong
format"): the lists' words come from ka_portal.days (NOT_A_DAY, IsoDayField), and the pages' day fields are
IsoDayField too (the store P&L, the statement, the recovery and dispute sheets, the payment, invoice, deduction and
contract forms), so none says Django's "Enter a valid date." any more."""

import html

import pytest
from django.urls import reverse

from tests.tradespend.matching_data import matching_deduction
from tradespend.disputes import dispute_open

pytestmark = [pytest.mark.django_db, pytest.mark.english]
NO_DAY = "“2026-02-30” is not a date: give it as YYYY-MM-DD, e.g. 2026-05-31."


def _page(client, finance, name, query, *args):
    client.force_login(finance)
    answer = client.get(reverse(name, args=args), query)
    return answer.status_code, html.unescape(answer.content.decode())


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("analytics:store-pnl", {"account": "RTM", "from": "2026-02-30"}),
        ("contracts:statement", {"account": "RTM", "date_from": "2026-02-30", "date_to": "2026-03-31"}),
        ("tradespend:remittances", {"date_from": "2026-02-30"}),
        ("tradespend:deductions", {"date_from": "2026-02-30"}),
    ],
)
def test_a_page_names_a_day_that_is_no_date_in_the_lists_words(client, finance, matching_account, name, query):
    _status, page = _page(client, finance, name, query)  # a report answers 400; a list, its page with the refusal

    assert NO_DAY in page
    assert "Enter a valid date." not in page


def test_the_recovery_api_and_its_sheet_say_it_so_too(client, api_client, finance, matching_invoice):
    deduction = matching_deduction(matching_invoice, "800.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    api_client.force_authenticate(finance)

    answer = api_client.post(
        reverse("dispute-recover", args=[dispute.pk]), {"amount": "100.00", "on": "2026-02-30"}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    client.force_login(finance)
    sheet = client.post(
        reverse("tradespend:deduction-sheet", args=[deduction.pk]),
        {"action": "recover", "recover-amount": "100.00", "recover-on": "2026-02-30", "recover-note": ""},
    )

    assert answer.status_code == 400
    assert answer.json()["errors"]["on"] == [NO_DAY]
    assert NO_DAY in html.unescape(sheet.content.decode())
    assert "Enter a valid date." not in sheet.content.decode()
