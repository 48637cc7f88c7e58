"""The finance reports at size read the replica (issue 17 items 4 and 5): aging, account performance and the statement,
page, API and Excel — the statement's lines too, though a page reads them after its selector returned and the Excel
streams them while it writes. Under the tests "replica" is a mirror alias of the test database (ka_portal/settings.py),
so a query's alias is which connection ran it; the tests commit, as a real replica sees only what was committed."""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from contracts import services
from ka_portal.db_router import REPLICA
from tests.factories import KeyAccountFactory, SalesTargetFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

REPORT_TABLES = ("contracts_invoice", "contracts_payment", "contracts_deduction", "contracts_creditnote")


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = REPLICA
    return REPLICA


@contextmanager
def queries():
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        yield default, on_replica


def _touching(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if any(table in q["sql"] for table in REPORT_TABLES)]


@pytest.fixture
def books():
    finance = make_user(Role.FINANCE, username="fin_replica")
    account = KeyAccountFactory(code="WM")
    SalesTargetFactory(account=account, year=2026, month=3)
    for day in range(1, 13):
        services.invoice_create(account=account, number=f"R{day}", date=date(2026, 3, day), amount=Decimal("100.00"))
    services.payment_record(account=account, date=date(2026, 3, 20), amount=Decimal("450.00"), reference="HK")
    return account, finance


READS = [
    ("page", "contracts:statement", {"account": "WM", "date_from": "2026-03-01", "date_to": "2026-03-31"}),
    ("page", "contracts:statement", {"account": "WM", "date_from": "2026-03-01", "date_to": "2026-03-31", "page": 2}),
    (
        "page",
        "contracts:statement",
        {"account": "WM", "date_from": "2026-03-01", "date_to": "2026-03-31", "export": "xlsx"},
    ),
    ("api", "report-statement", {"account": "WM", "from": "2026-03-01", "to": "2026-03-31"}),
    ("page", "contracts:aging", {"as_of": "2026-06-30"}),
    ("page", "contracts:aging", {"as_of": "2026-06-30", "export": "xlsx"}),
    ("api", "report-aging", {"as_of": "2026-06-30"}),
    ("page", "accounts:performance", {"start": "2026-01", "end": "2026-12"}),
    ("page", "accounts:performance", {"start": "2026-01", "end": "2026-12", "export": "xlsx"}),
    ("api", "api-account-performance", {"from": "2026-01", "to": "2026-12"}),
]


def test_every_finance_report_reads_its_rows_from_the_replica(replica, books, client, api_client, monkeypatch):
    # a page of five lines, so the statement has pages to turn
    monkeypatch.setattr("contracts.views.STATEMENT_PAGE_SIZE", 5)
    account, finance = books
    client.force_login(finance)
    api_client.force_authenticate(finance)
    wrong = {}
    for kind, name, params in READS:
        reader = client if kind == "page" else api_client
        with queries() as (default, on_replica):
            response = reader.get(reverse(name), params)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (name, params)
        if _touching(default) or not _touching(on_replica):
            wrong[f"{name} {params}"] = _touching(default) or "no report read on the replica"
    assert wrong == {}
