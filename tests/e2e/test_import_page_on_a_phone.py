"""The import page on a 375 px phone (QA walkthrough as finance1): the Template card's column list fits the screen,
each column's format under its name, where its Format column was cut off on the right (reached only by scrolling the
table sideways); a choice column names its choices as the sheet writes them."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import make_user

from .conftest import in_view, log_in

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = 375


@pytest.fixture
def clerk(db):
    return make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘", password="demo-pass-1")


def test_the_import_columns_fit_a_phone(phone, clerk):
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/imports/?kind=contract-terms")

    table = phone.get_by_test_id("import-columns")
    assert not table.evaluate(
        "el => el.closest('.table-responsive').scrollWidth > el.closest('.table-responsive').clientWidth"
    )
    hints = phone.get_by_test_id("column-hint-phone")
    assert hints.count() > 5
    for hint in hints.all():
        expect(hint).to_be_visible()
        in_view(hint, PHONE)
    expect(hints.nth(1)).to_contain_text("以下之一：进货返利（按开票额）、有条件返利")
    expect(table).not_to_contain_text("rebate_conditional")
    phone.screenshot(path="tests/e2e/artifacts/finance-import-phone.png", full_page=True)


def test_the_import_columns_keep_their_format_column_on_a_desktop(desktop, clerk):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/imports/?kind=contract-terms")
    table = desktop.get_by_test_id("import-columns")
    expect(table.locator("thead th")).to_have_count(2)
    expect(table.locator("thead th").nth(1)).to_be_visible()
    expect(desktop.get_by_test_id("column-hint-phone").first).to_be_hidden()
