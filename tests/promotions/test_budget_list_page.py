"""The budgets page (/promotions/budgets/): a list like the others (filters by account, month, a month's or a
quarter's budget and money left; pages of 25; the Excel of what the filters keep, with the page's figures; only the
user's accounts), and its form naming every bad field at once."""

import html as html_lib
import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from accounts.roles import Role
from ka_portal.formatting import account_name
from ka_portal.templatetags.ka import money as money_text
from promotions.models import Budget
from tests.factories import KeyAccountFactory, make_user

from .factories import BudgetFactory

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[list[str]]:
    """The page's budget rows as the reader sees them: account, period start, period end, budget, consumed, left."""
    rows = []
    for row in page.split('data-testid="budget-row"')[1:]:
        row = row.split("</tr>")[0]
        account = html_lib.unescape(re.search(r'calendar/">([^<]+)</a>', row).group(1))
        start, end = re.search(r'text-nowrap">([\d-]+)<br>([\d-]+)</td>', row).groups()
        amount, consumed = re.findall(r'class="money d-none d-\w+-table-cell">([\d,.\-]+)</td>', row)
        left = re.search(r'<span class="fw-semibold">([\d,.\-]+)</span>', row).group(1)
        rows.append([account, start, end, amount, consumed, left])
    return rows


@pytest.fixture
def budgets(world):
    """Beside the world's quarter (WMT, Jun–Aug 2026): a month with money left, a used-up month, another chain's."""
    july = BudgetFactory(account=world.account, period_start=date(2026, 9, 1), period_end=date(2026, 9, 30),
                         amount=Decimal("3000.00"), consumed=Decimal("1200.50"))  # fmt: skip
    used = BudgetFactory(account=world.account, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
                         amount=Decimal("2000.00"), consumed=Decimal("2000.00"))  # fmt: skip
    other_manager = make_user(Role.MANAGER, username="mgr_b")
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", owner=other_manager)
    theirs = BudgetFactory(account=carrefour, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                           amount=Decimal("8000.00"))  # fmt: skip
    return {"quarter": world.budget, "september": july, "october": used, "theirs": theirs, "mgr_b": other_manager}


def _page(client, user, query="", language="en") -> str:
    client.force_login(user)
    response = client.get(f"/promotions/budgets/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_filters_narrow_the_list(client, world, budgets):
    # Given three budgets of the manager's chain (a quarter, two months, one used up)
    # When the manager filters
    def periods(query):
        return [(row[1], row[2]) for row in _rows(_page(client, world.manager, query))]

    # Then each filter keeps what it says
    assert len(periods("")) == 3
    assert periods("?period=quarter") == [("2026-06-01", "2026-08-31")]
    assert periods("?period=month") == [("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30")]
    assert periods("?month=2026-07") == [("2026-06-01", "2026-08-31")]
    assert periods("?left=false") == [("2026-10-01", "2026-10-31")]
    assert periods("?left=true&period=month") == [("2026-09-01", "2026-09-30")]
    assert periods(f"?account={world.account.code}&month=2026-11") == []
    assert "No budgets match these filters." in _page(client, world.manager, "?month=2026-11")
    # and the filters' fields and the budget form's beside them do not share an id (both have an account)
    ids = re.findall(r' id="([^"]+)"', _page(client, world.manager))
    assert "id_account" in ids and "filter_account" in ids and len(ids) == len(set(ids))


def test_a_manager_sees_only_their_accounts_budgets_and_exports_only_them(client, world, budgets):
    # Given another manager's chain with a budget
    mine = {row[0] for row in _rows(_page(client, world.manager))}
    theirs = _rows(_page(client, budgets["mgr_b"]))
    # Then each lists only their own chains' budgets
    assert mine == {account_name(world.account)}
    assert [row[0] for row in theirs] == [account_name(budgets["theirs"].account)]
    # and naming another's chain in the filter finds nothing of it (refused as a code that does not exist)
    refused = _page(client, budgets["mgr_b"], f"?account={world.account.code}")
    assert 'data-testid="budget-row"' not in refused and "None of the choices here goes by this code." in refused
    # and the Excel holds only their own
    client.force_login(budgets["mgr_b"])
    sheet = _sheet(client.get("/promotions/budgets/?export=xlsx", HTTP_ACCEPT_LANGUAGE="en"))
    assert [row[0] for row in sheet[1:]] == [account_name(budgets["theirs"].account)]


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def test_the_export_holds_the_pages_figures_in_the_pages_columns(client, world, budgets):
    # Given the manager's list filtered to the months
    page = _rows(_page(client, world.manager, "?period=month"))
    # When it is exported
    sheet = _sheet(client.get("/promotions/budgets/?period=month&export=xlsx", HTTP_ACCEPT_LANGUAGE="en"))
    # Then the Excel has the page's columns and, row for row, its figures
    assert sheet[0] == ("Key account", "Period start", "Period end", "Budget", "Consumed", "Budget left")
    exported = [
        [account, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", *(money_text(Decimal(str(v))) for v in (amount, used, left))]
        for account, start, end, amount, used, left in sheet[1:]
    ]
    assert exported == page and len(page) == 2
    assert page[1][3:] == ["3,000.00", "1,200.50", "1,799.50"]


def test_the_export_speaks_the_readers_language(client, world, budgets):
    client.force_login(world.manager)
    sheet = _sheet(client.get("/promotions/budgets/?export=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        assert sheet[0][0] == gettext("Key account") and sheet[0][3] == gettext("Budget")
    assert len(sheet) == 4


def test_the_list_is_paged(client, world, django_assert_max_num_queries):
    # Given 27 monthly budgets of the manager's chain
    for month in range(27):
        year, index = 2027 + month // 12, month % 12 + 1
        start = date(year, index, 1)
        end = (date(year + index // 12, index % 12 + 1, 1)) - (date(2027, 1, 2) - date(2027, 1, 1))
        BudgetFactory(account=world.account, period_start=start, period_end=end, amount=Decimal("100.00"))
    # When the manager opens the list (in a fixed number of queries)
    with django_assert_max_num_queries(30):
        first = _page(client, world.manager)
    # Then it shows 25 of 28, and the rest on the next page
    assert len(_rows(first)) == 25 and "1–25 of 28" in first
    assert len(_rows(_page(client, world.manager, "?page=2"))) == 3


def test_editing_keeps_the_lists_filters(client, world, budgets):
    # Given the list filtered to the months, and one of them opened to change
    client.force_login(world.manager)
    edit = f"/promotions/budgets/{budgets['september'].pk}/?period=month"
    # When it is saved
    response = client.post(edit, {"account": world.account.code, "period_start": "2026-09-01",
                                  "period_end": "2026-09-30", "amount": "3500.00"})  # fmt: skip
    # Then it is saved and the list comes back as it was filtered
    assert response.status_code == 302 and response["Location"] == "/promotions/budgets/?period=month"
    assert Budget.objects.get(pk=budgets["september"].pk).amount == Decimal("3500.00")


def test_the_budget_form_names_every_bad_field_at_once(client, world):
    # Given a reversed period and a negative amount
    client.force_login(world.manager)
    sent = {"account": world.account.code, "period_start": "2027-06-30", "period_end": "2027-04-01", "amount": "-5000"}
    # When it is saved
    page = html_lib.unescape(client.post("/promotions/budgets/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    # Then both are said, each beside its field, and what was typed stays
    assert "Ensure this value is greater than or equal to 0." in page
    assert "The period ends before it starts." in page
    assert 'value="-5000"' in page and 'value="2027-06-30"' in page
    assert Budget.objects.count() == 1  # the world's only


def test_the_budget_form_names_an_odd_period_and_a_negative_amount_together(client, world):
    client.force_login(world.manager)
    sent = {"account": world.account.code, "period_start": "2027-04-01", "period_end": "2027-04-13", "amount": "-1"}
    page = html_lib.unescape(client.post("/promotions/budgets/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Ensure this value is greater than or equal to 0." in page
    assert "A budget is for a whole month or a whole quarter" in page


def test_a_change_below_what_is_consumed_and_over_another_budget_names_both(client, world, budgets):
    # Given September's budget (1,200.50 consumed) moved over the quarter and set below what it consumed
    client.force_login(world.manager)
    sent = {"account": world.account.code, "period_start": "2026-08-01", "period_end": "2026-08-31", "amount": "100"}
    page = client.post(f"/promotions/budgets/{budgets['september'].pk}/", sent, HTTP_ACCEPT_LANGUAGE="en")
    text = html_lib.unescape(page.content.decode())
    assert "already has a budget for 2026-06-01–2026-08-31." in text
    assert "Approved plans already use 1,200.50 of this budget; it cannot be lower." in text
    assert Budget.objects.get(pk=budgets["september"].pk).amount == Decimal("3000.00")


def test_the_admin_form_names_every_bad_field_at_once(client, world, admin_user):
    # Given the world's budget with 3,000.00 consumed
    Budget.objects.filter(pk=world.budget.pk).update(consumed=Decimal("3000.00"))
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    # When the admin reverses its period and sets it below what is consumed
    sent = {"account": world.account.pk, "period_start": "2026-06-01", "period_end": "2026-05-01", "amount": "100"}
    url = f"/admin/promotions/budget/{world.budget.pk}/change/"
    page = html_lib.unescape(client.post(url, sent, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    # Then both are said at once
    assert "The period ends before it starts." in page
    assert "Approved plans already use 3,000.00 of this budget; it cannot be lower." in page
    assert Budget.objects.get(pk=world.budget.pk).amount == Decimal("10000.00")
