"""A finance clerk matches the statement to a chain's paperwork, on a phone and at a desk: the chain's two TG fees
taken from one remittance on one day each read by the chain's own reference (TG202610, TG202611)."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.contracts.test_statement_references import remit_two_tg_fees
from tests.factories import KeyAccountFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _books():
    clerk = make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    remit_two_tg_fees(KeyAccountFactory(code="CRF", name="家乐福"), clerk)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_each_tg_fee_shows_the_chains_reference(screen, request):
    page = request.getfixturevalue(screen)
    _books()

    log_in(page, "finance1", "demo-pass-1")
    page.goto("/contracts/statement/?account=CRF&date_from=2026-11-01&date_to=2026-11-30")

    statement = page.get_by_test_id("statement")
    for reference, amount in (("TG202610", "1,200.00"), ("TG202611", "800.00")):
        row = statement.locator("tbody tr").filter(has_text=reference)
        expect(row).to_have_count(1)
        expect(row.get_by_text(f"{reference} INV-1101 总部回款 HK1126 扣款").filter(visible=True)).to_be_visible()
        expect(row).to_contain_text(amount)
    page.screenshot(path=f"tests/e2e/artifacts/finance-statement-references-{screen}.png", full_page=True)
