"""The finance reports, lists and pages run a fixed number of queries however many rows they show:
the same page over N and over 3N accounts, invoices, payments and deductions costs the same."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import services
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]
D = Decimal


def _books(account, n: int, *, finance, start: int) -> None:
    """n invoices over five months, a contract each, payments (one reversed), deductions and a write-off."""
    today = timezone.localdate()
    for i in range(start, start + n):
        contract = ContractFactory(
            account=account, valid_from=today - timedelta(days=400), valid_to=today + timedelta(i)
        )
        invoice = services.invoice_create(
            account=account,
            contract=contract,
            number=f"{account.code}-{i}",
            date=today - timedelta(days=30 * (i % 5) + 50),
            amount=D("100.00"),
        )
        services.deduction_record(invoice=invoice, date=today, kind="dm", amount=D("5.00"), reason="DM")
        payment = services.payment_record(
            account=account, date=today, amount=D("30.00"), reference=f"HK{i}", by=finance
        )
        if i % 3 == 0:
            services.payment_reverse(payment=payment, by=finance, reason="退票")
        if i % 4 == 3:
            services.invoice_write_off(invoice=invoice, reason="坏账", by=finance)


def _grow(account, finance, n: int, state: dict) -> None:
    """Add n more rows to the main account and n more accounts with rows of their own."""
    _books(account, n, finance=finance, start=state["rows"])
    for k in range(state["rows"], state["rows"] + n):
        _books(KeyAccountFactory(code=f"K{k:03d}", name=f"客户{k}"), 1, finance=finance, start=k)
    state["rows"] += n
    services.receivables_nightly_run(today=timezone.localdate() + timedelta(days=state["rows"]))


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(captured)


def _statement_params(account):
    today = timezone.localdate()
    return {"account": account.code, "from": (today - timedelta(days=200)).isoformat(), "to": today.isoformat()}


def _page_statement_params(account):
    params = _statement_params(account)
    return {"account": params["account"], "date_from": params["from"], "date_to": params["to"]}


READS = [
    ("api", "/api/v1/reports/aging/", lambda account: {}),
    ("api", "/api/v1/reports/statement/", _statement_params),
    ("api", "/api/v1/invoices/", lambda account: {}),
    ("api", "/api/v1/invoices/", lambda account: {"account": account.code, "overdue": "true"}),
    ("api", "/api/v1/payments/", lambda account: {}),
    ("api", "/api/v1/deductions/", lambda account: {}),
    ("api", "/api/v1/deductions/", lambda account: {"search": "DM"}),  # the search reads the system reasons too
    ("api", "/api/v1/contracts/", lambda account: {}),
    ("page", "contracts:aging", lambda account: {}),
    ("page", "contracts:aging-invoices", lambda account: {"account": account.code}),
    ("page", "contracts:statement", _page_statement_params),
    ("page", "contracts:aging", lambda account: {"export": "xlsx"}),
    ("page", "contracts:statement", lambda account: {**_page_statement_params(account), "export": "xlsx"}),
    ("page", "contracts:receivables", lambda account: {}),
    ("page", "contracts:receivables-account", lambda account: {}),
    ("page", "contracts:contract-list", lambda account: {}),
]


@pytest.mark.parametrize("kind, url, params", READS, ids=[f"{k}:{u}:{i}" for i, (k, u, _p) in enumerate(READS)])
def test_the_query_count_does_not_grow_with_the_rows(client, api_client, finance, account, kind, url, params):
    state = {"rows": 0}
    if kind == "page":
        client.force_login(finance)
        reader = client
        url = reverse(url, args=[account.pk]) if url == "contracts:receivables-account" else reverse(url)
    else:
        api_client.force_authenticate(finance)
        reader = api_client

    _grow(account, finance, 2, state)
    _queries(reader, url, params(account))  # the first request loads what the user object then keeps (role, perms)
    small = _queries(reader, url, params(account))
    _grow(account, finance, 4, state)
    large = _queries(reader, url, params(account))

    assert large == small, f"{url}: {small} queries over 2 rows, {large} over 6"
