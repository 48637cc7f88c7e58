"""The key-account performance report's Excel, asked with a period or tier it cannot take, answers the page with the
error next to its box, a 400 — never a sheet of the default period or of every tier passing for what was asked (as a
list's export does: ka_portal.lists.FilteredListView). A sort it does not offer is dropped and said, as on a list."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.english]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"month_from": "2026-13"}, "From month: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."),
        ({"month_from": "1999-01"}, "From month: 1999-01 is outside the months the portal holds"),
        ({"month_from": "2026-06", "month_to": "2026-03"}, "To month: 2026-03 is before the first month, 2026-06."),
        ({"tier": "XXX"}, "“XXX” is not a tier: give one of GKA, NKA, LKA."),
    ],
)
def test_the_export_of_a_wrong_period_or_tier_is_the_page_with_its_error(client, admin_user, query, error):
    client.force_login(admin_user)

    answer = client.get(reverse("accounts:performance"), {**query, "export": "xlsx"})

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert error in page
    assert 'data-testid="export-xlsx"' not in page
    assert "Nothing was exported: a value above is not valid. Correct it, then export again." in page


def test_asked_right_it_is_a_sheet(client, admin_user):
    client.force_login(admin_user)

    answer = client.get(
        reverse("accounts:performance"), {"month_from": "2026-01", "month_to": "2026-03", "export": "xlsx"}
    )

    assert answer.status_code == 200 and answer["Content-Type"] == XLSX
