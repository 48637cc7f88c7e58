"""A list's export with a filter it cannot read answers the page with the filter's errors, a 400 (QA): the ledger's
"Export to Excel" beside "上方筛选条件有误" downloaded a sheet of headers only, passing for the filters' rows. One place
serves every list's export (ka_portal.lists.FilteredListView): the ledger, the deductions, the budgets, the term
lines alike."""

import pytest
from django.urls import reverse

from tests.factories import KeyAccountFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("route", "who", "query", "error"),
    [
        ("tradespend:ledger", "finance", {"month_from": "2026-13"}, "“2026-13” is not a month: enter it as YYYY-MM"),
        ("tradespend:deductions", "finance", {"period": "2026-13"}, "“2026-13” is not a month: enter it as YYYY-MM"),
        ("tradespend:deductions", "finance", {"date_from": "2026-05-31", "date_to": "2026-05-01"},
         "The period ends before it starts."),
        ("promotions:budget-list", "manager", {"month": "2026-13"}, "“2026-13” is not a month: enter it as YYYY-MM"),
        ("contracts:term-list", "finance", {"kind": "nothing"}, "Select a valid choice"),
    ],
)  # fmt: skip
def test_the_export_of_a_refused_filter_is_the_page_with_its_errors(client, request, route, who, query, error):
    client.force_login(request.getfixturevalue(who))
    answer = client.get(reverse(route), {**query, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html") and XLSX not in answer["Content-Type"]
    page = answer.content.decode()
    assert error in page and 'data-testid="export-refused"' in page
    assert "Nothing was exported: correct the filters marked below, then export again." in page
    assert 'data-testid="export-xlsx"' not in page  # no link to the same refusal
    # the page itself, asked without the export, shows the same errors and no export link
    shown = client.get(reverse(route), query, HTTP_ACCEPT_LANGUAGE="en")
    assert shown.status_code == 200 and error in shown.content.decode()
    assert 'data-testid="export-xlsx"' not in shown.content.decode()


def test_filters_read_export_as_before(client, finance):
    KeyAccountFactory(code="WMT")
    client.force_login(finance)
    for query in ({"month_from": "2026-05"}, {"account": "WMT", "o": "nonsense"}):  # a sort it lacks is dropped
        answer = client.get(reverse("tradespend:ledger"), {**query, "export": "xlsx"})
        assert answer.status_code == 200 and answer["Content-Type"] == XLSX, query
