"""The read replica (ka_portal/db_router.py): inside `reads_from_replica()` — the report selectors — reads go to the
"replica" alias when one is configured; writes never do; a transaction, or a write in the scope, keeps the reads on
the primary; with no replica configured everything reads the primary.

Under the tests "replica" is a second alias on the test database (TEST MIRROR, ka_portal/settings.py), so these run
on SQLite and PostgreSQL alike: a query's alias is which connection ran it. The tests commit (transactional), as a
real replica sees only what the primary committed."""

import os
from contextlib import contextmanager
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.db_router import REPLICA, ReplicaRouter, connection_for_reads, reads_from_replica
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

AS_OF = date(2026, 11, 15)
MONTH = date(2026, 11, 1)


@pytest.fixture
def replica(settings):
    """A replica configured (as DATABASE_REPLICA_URL does in production)."""
    settings.READ_REPLICA = REPLICA
    return REPLICA


@pytest.fixture
def no_replica(settings):
    settings.READ_REPLICA = None


class Queries:
    def __init__(self, default: CaptureQueriesContext, replica: CaptureQueriesContext):
        self.default, self.replica = default, replica

    @staticmethod
    def _sql(context) -> list[str]:
        return [query["sql"] for query in context.captured_queries]

    @property
    def on_default(self) -> list[str]:
        return self._sql(self.default)

    @property
    def on_replica(self) -> list[str]:
        return self._sql(self.replica)


@contextmanager
def queries():
    """The queries run on each alias inside the block."""
    with CaptureQueriesContext(connections["default"]) as default, CaptureQueriesContext(connections[REPLICA]) as rep:
        yield Queries(default, rep)


def _writes(sql: list[str]) -> list[str]:
    return [q for q in sql if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_replica_alias_is_a_test_mirror_of_the_primary_and_unused_unless_configured():
    assert django_settings.DATABASES[REPLICA]["TEST"]["MIRROR"] == "default"
    expected = REPLICA if os.environ.get("DATABASE_REPLICA_URL") else None
    assert expected == django_settings.READ_REPLICA
    assert "ka_portal.db_router.ReplicaRouter" in django_settings.DATABASE_ROUTERS


def test_reads_inside_the_scope_go_to_the_replica(replica):
    KeyAccountFactory(code="WM")  # committed: the replica sees it
    with queries() as q, reads_from_replica():
        found = list(KeyAccount.objects.values_list("code", flat=True))
        assert connection_for_reads() is connections[REPLICA]
    assert found == ["WM"]
    assert len(q.on_replica) == 1 and q.on_default == []


def test_reads_outside_the_scope_go_to_the_primary(replica):
    KeyAccountFactory()
    with queries() as q:
        list(KeyAccount.objects.all())
        assert connection_for_reads() is connections["default"]
    assert q.on_replica == [] and len(q.on_default) == 1


def test_with_no_replica_configured_the_scope_reads_the_primary(no_replica):
    KeyAccountFactory()
    with queries() as q, reads_from_replica():
        list(KeyAccount.objects.all())
        assert connection_for_reads() is connections["default"]
    assert q.on_replica == [] and len(q.on_default) == 1


def test_a_write_inside_the_scope_goes_to_the_primary_and_keeps_the_later_reads_there(replica):
    account = KeyAccountFactory(code="WM")
    with queries() as q, reads_from_replica():
        assert KeyAccount.objects.count() == 1  # replica
        KeyAccountFactory(code="CRV")  # a write: primary
        KeyAccount.objects.filter(pk=account.pk).update(name="沃尔玛")  # primary
        # read-your-writes: the replica may not have the commit yet, so the scope reads the primary from now on
        assert sorted(KeyAccount.objects.values_list("code", flat=True)) == ["CRV", "WM"]
    assert len(q.on_replica) == 1 and _writes(q.on_replica) == []
    assert len(_writes(q.on_default)) == 2
    assert "SELECT" in q.on_default[-1]


def test_inside_a_transaction_reads_stay_on_the_primary(replica):
    finance = make_user(Role.FINANCE, username="fin_tx")
    account = KeyAccountFactory()
    # a service that writes in a transaction and then reads a report sees its own rows
    with queries() as q, transaction.atomic():
        InvoiceFactory(account=account, date=date(2026, 9, 1))
        report = _aging(finance)  # aging_report is a report selector: @reads_from_replica()
    assert report.total.total > 0
    assert q.on_replica == []
    # and a report opened inside a transaction that has not written yet reads the primary too: one snapshot
    with queries() as q, transaction.atomic(), reads_from_replica():
        list(KeyAccount.objects.all())
    assert q.on_replica == []


def test_a_row_read_from_the_replica_is_saved_to_the_primary(replica):
    KeyAccountFactory(code="WM")
    with reads_from_replica():
        account = KeyAccount.objects.get(code="WM")
    assert account._state.db == REPLICA
    with queries() as q:
        account.name = "沃尔玛"
        account.save()
        list(account.stores.all())  # its relations, outside the scope: the primary
    assert q.on_replica == []
    assert len(_writes(q.on_default)) == 1
    assert KeyAccount.objects.get(code="WM").name == "沃尔玛"


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.allow_migrate("default", "accounts") is None


# --- every report selector reads the replica -------------------------------------------------------------------


@pytest.fixture
def company():
    account = KeyAccountFactory(code="WM")
    StoreFactory(account=account)
    InvoiceFactory(account=account, date=date(2026, 9, 1))
    InvoiceFactory(account=account, date=date(2026, 11, 3))
    SalesTargetFactory(account=account, year=2026, month=11)
    users = {role: make_user(role, username=f"u_{role}") for role in (Role.FINANCE, Role.SUPERVISOR, Role.ADMIN)}
    manager = make_user(Role.MANAGER, username="u_manager")
    KeyAccount.objects.filter(pk=account.pk).update(owner=manager)
    account.refresh_from_db()
    users[Role.MANAGER] = manager
    return account, users


def _aging(user):
    from contracts.selectors import aging_report

    return aging_report(user, as_of=AS_OF)


def _reports():
    """(name, call(account, users)) for each report selector."""
    from accounts.selectors import Period, account_performance, account_year_by_month
    from analytics.chain import chain_overview
    from analytics.channel_mix import channel_mix
    from analytics.dashboards import admin_dashboard, finance_dashboard, manager_dashboard, supervisor_dashboard
    from analytics.promotion_expense import promotion_expense
    from analytics.store_pnl import store_pnl
    from analytics.targets import targets_by_account, targets_by_store
    from contracts.selectors import aging_invoices, receivables_overview, statement
    from stores.models import Store
    from tradespend.reports import contract_execution, gross_to_net

    year = {"month_from": date(2026, 1, 1), "month_to": MONTH}
    accounts = KeyAccount.objects.all
    return {
        "aging": lambda a, u: _aging(u[Role.FINANCE]),
        "aging invoices": lambda a, u: aging_invoices(u[Role.FINANCE], as_of=AS_OF),
        "receivables": lambda a, u: receivables_overview(u[Role.FINANCE], as_of=AS_OF),
        "statement": lambda a, u: statement(a, date_from=date(2026, 1, 1), date_to=AS_OF),
        "account performance": lambda a, u: account_performance(user=u[Role.MANAGER], period=Period(MONTH, MONTH)),
        "account year": lambda a, u: account_year_by_month(account=a, year=2026, today=AS_OF),
        "gross to net": lambda a, u: gross_to_net(accounts=accounts(), **year),
        "contract execution": lambda a, u: contract_execution(accounts=accounts(), **year),
        "chain page": lambda a, u: chain_overview(user=u[Role.FINANCE], account=a, today=AS_OF, **year),
        "channel mix": lambda a, u: channel_mix(accounts=accounts(), **year),
        "store P&L": lambda a, u: store_pnl(account=a, start=date(2026, 1, 1), end=AS_OF),
        "promotion expense": lambda a, u: promotion_expense(accounts=accounts(), **year),
        "targets by account": lambda a, u: targets_by_account(accounts=accounts(), month=MONTH),
        "targets by store": lambda a, u: targets_by_store(stores=Store.objects.all(), month=MONTH),
        "dashboard: supervisor": lambda a, u: supervisor_dashboard(u[Role.SUPERVISOR], today=AS_OF),
        "dashboard: manager": lambda a, u: manager_dashboard(u[Role.MANAGER], today=AS_OF),
        "dashboard: finance": lambda a, u: finance_dashboard(u[Role.FINANCE], today=AS_OF),
        "dashboard: admin": lambda a, u: admin_dashboard(u[Role.ADMIN], today=AS_OF),
    }


REPORTS = [
    "aging", "aging invoices", "receivables", "statement", "account performance", "account year", "gross to net",
    "contract execution", "chain page", "channel mix", "store P&L", "promotion expense", "targets by account",
    "targets by store", "dashboard: supervisor", "dashboard: manager", "dashboard: finance", "dashboard: admin",
]  # fmt: skip


def test_the_list_of_reports_is_complete():
    assert sorted(_reports()) == sorted(REPORTS)


def test_every_report_reads_the_replica_only(replica, company):
    # one company for all of them: each transactional test empties the database after it, which costs seconds
    account, users = company
    wrong = {}
    for name, report in _reports().items():
        with queries() as q:
            report(account, users)
        report_reads = [sql for sql in q.on_default if not _request_own(sql)]
        if not q.on_replica or report_reads:
            wrong[name] = report_reads or "no read on the replica"
    assert wrong == {}


def _request_own(sql: str) -> bool:
    """A read of the user's own permissions (their revision, ka_portal/auth_backends.py) is the request's, as its
    session and user are: the primary answers it, never a report's rows."""
    return "ka_portal_tablerevision" in sql and "auth_permission" in sql


def test_with_no_replica_the_reports_read_the_primary(no_replica, company):
    account, users = company
    for name, report in _reports().items():
        with queries() as q:
            report(account, users)
        assert (q.on_replica, bool(q.on_default)) == ([], True), name


def test_the_aging_page_reads_the_invoices_from_the_replica(replica, company, client):
    account, users = company
    client.force_login(users[Role.FINANCE])
    with queries() as q:
        response = client.get(reverse("contracts:aging"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert "WM" in response.content.decode()
    assert any("contracts_invoice" in sql for sql in q.on_replica)
    # the primary answers the request's own reads (session, user), not the report's
    assert not [sql for sql in q.on_default if "contracts_invoice" in sql]
    assert _writes(q.on_replica) == []
