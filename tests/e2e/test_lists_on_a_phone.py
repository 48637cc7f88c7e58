"""A KA manager reads the accounts, an account's year and the products on a phone: no table runs past the screen's
edge (each table keeps to the columns a phone holds, the rest reads under a cell), and what left a column is still
there — the KA manager under the account's name, the achievement under the month's actual, the packs per case under
the product's name."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import KeyAccountFactory, ProductFactory, SalesTargetFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _overflowing_tables(page) -> list[int]:
    """How far each visible table runs past its box, in px (a table-responsive box scrolls it sideways instead)."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('.table-responsive')).filter(box => box.offsetParent)
             .map(box => box.scrollWidth - box.clientWidth).filter(over => over > 1)"""
    )


def test_a_managers_lists_fit_a_phone(phone):
    manager = make_user(Role.MANAGER, username="manager1", first_name="静", last_name="陈", password="demo-pass-1")
    account = KeyAccountFactory(code="AUCHAN", name="欧尚", name_en="Auchan", owner=manager)
    KeyAccountFactory(code="TRUST", name="好又多", name_en="Trust-Mart", owner=manager)
    KeyAccountFactory(code="NGS", name="农工商", name_en="Nonggongshang", owner=manager)
    year = timezone.localdate().year
    for month in range(1, 13):
        SalesTargetFactory(account=account, year=year, month=month, amount=Decimal("1822720.00"))
    ProductFactory(code="P001", name="海川纯生啤酒 500ml", packs_per_case=12, suggested_retail_price=Decimal("1288.00"))
    log_in(phone, "manager1", "demo-pass-1")

    phone.goto("/accounts/")
    assert _overflowing_tables(phone) == []
    assert phone.get_by_test_id("account-manager-phone").first.inner_text() == "KA经理 陈静"

    phone.goto(f"/accounts/{account.pk}/")
    assert _overflowing_tables(phone) == []
    assert phone.get_by_test_id("achievement-phone").first.inner_text().startswith("达成率")

    phone.goto("/stores/products/")
    assert _overflowing_tables(phone) == []
    assert phone.get_by_test_id("packs-per-case-phone").inner_text() == "箱规（包/箱） 12"
    assert "1,288.00" in phone.get_by_test_id("product-table").inner_text()
