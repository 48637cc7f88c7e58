"""The demo company's store and collection targets: the stores' roll-up sits a little under each account's own
target, so the targets page shows a believable difference, and the store P&L of a chain ranks its stores."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_demo_rolls_up_under_each_account_and_the_pages_answer(client, demo_company):
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    month = demo_company.replace(day=1)

    page = client.get(reverse("analytics:targets"), {"month": f"{month:%Y-%m}"})
    rows = page.context["rows"]

    assert page.status_code == 200 and len(rows) == 11
    for row in rows:
        assert row.stores_with_target > 0 and row.collection_target
        assert row.sales_target * 90 / 100 < row.store_targets < row.sales_target  # 95 % to the hundred
    code = rows[0].account.code
    pnl = client.get(
        reverse("analytics:store-pnl"), {"account": code, "from": f"{date(month.year, 1, 1)}", "to": f"{month}"}
    )
    assert pnl.status_code == 200 and pnl.context["report"].rows
