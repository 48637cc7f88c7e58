"""A row naming a record outside the importer's scope is refused in the very words — and with the very code — of one
naming a record that does not exist (QA: gap 2), in every kind, as the pages and the API answer 404 for both: a file
never tells a manager that another manager's chain has the code WM2. The words help: "No store with the code “S9”
that you can reach."."""

from dataclasses import dataclass

import pytest

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Store
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory, make_user
from tests.promoters.factories import make_promoter
from tests.promotions.factories import PromotionPlanFactory

pytestmark = pytest.mark.django_db

PROMOTERS = ["code", "name", "supervisor username", "stores", "daily fee", "started on"]
SHIFTS = ["promoter code", "store code", "day", "from", "to", "plan id"]


@dataclass
class Case:
    kind: str
    user: str  # who imports: the manager or the supervisor of the scene
    headers: list
    row: object  # the code → a row naming it
    column: str
    theirs: object  # a record's code outside the importer's scope
    code: str


CASES = [
    Case("listings", "manager", ["store code", "product code", "purchase price", "shelf price"],
         lambda code: [code, "P1", 4.5, 5], "store code", "S-THEIRS", "import.store_not_found"),
    Case("deliveries", "manager", ["store code", "product code", "date", "quantity (packs)"],
         lambda code: [code, "P1", "2026-11-23", 24], "store code", "S-THEIRS", "import.store_not_found"),
    Case("store-targets", "manager", ["store code", "month", "target amount"], lambda code: [code, "2026-03", 100],
         "store code", "S-THEIRS", "import.store_not_found"),
    Case("stores", "manager", ["account code", "store code", "store name", "grade"],
         lambda code: [code, f"N-{code}", "新店", "A"], "account code", "KA-THEIRS", "import.account_not_found"),
    Case("targets", "manager", ["account code", "year", "month", "target amount"], lambda code: [code, 2026, 3, 100],
         "account code", "KA-THEIRS", "import.account_not_found"),
    Case("collection-targets", "manager", ["account code", "month", "collection target"],
         lambda code: [code, "2026-03", 100], "account code", "KA-THEIRS", "import.account_not_found"),
    Case("promoters", "supervisor", PROMOTERS, lambda code: [f"PN-{code}", "赵小燕", "sup_a", code, 180, "2026-11-01"],
         "stores", "S-THEIRS", "import.store_not_found"),
    Case("promoter-shifts", "supervisor", SHIFTS, lambda code: ["PA1", code, "2026-11-23", "09:00", "13:00", None],
         "store code", "S-THEIRS", "import.store_not_found"),
    Case("promoter-shifts", "supervisor", SHIFTS, lambda code: [code, "S-MINE", "2026-11-23", "09:00", "13:00", None],
         "promoter code", "PB1", "import.promoter_not_found"),
    Case("promoter-shifts", "supervisor", SHIFTS, lambda code: ["PA1", "S-MINE", "2026-11-23", "09:00", "13:00", code],
         "plan id", "THEIR PLAN", "import.plan_not_found"),
]  # fmt: skip


@pytest.fixture
def scene(db):
    """A manager's chain with a store and a supervisor's rep working there; another manager's chain, store, plan and
    a promoter at that store."""
    manager, other = make_user(Role.MANAGER, username="mgr_a"), make_user(Role.MANAGER, username="mgr_b")
    supervisor, other_supervisor = make_user(Role.SUPERVISOR, username="sup_a"), make_user(Role.SUPERVISOR)
    mine = StoreFactory(
        code="S-MINE",
        account=KeyAccountFactory(code="KA-MINE", owner=manager),
        rep=make_user(Role.REP, supervisor=supervisor),
    )
    theirs = StoreFactory(
        code="S-THEIRS",
        account=KeyAccountFactory(code="KA-THEIRS", owner=other),
        rep=make_user(Role.REP, supervisor=other_supervisor),
    )
    ProductFactory(code="P1")
    make_promoter(stores=[mine], supervisor=supervisor, code="PA1")
    make_promoter(stores=[theirs], supervisor=other_supervisor, code="PB1")
    plan = PromotionPlanFactory(account=theirs.account, owner=other)
    return {"manager": manager, "supervisor": supervisor, "THEIR PLAN": plan.pk}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.kind}-{case.column}")
def test_out_of_scope_reads_as_not_found(scene, case):
    # given a row naming a record of someone else's and a row naming one that does not exist
    theirs = scene.get(case.theirs, case.theirs)
    missing = 999_999 if isinstance(theirs, int) else "NOPE-404"
    upload = _upload(case.headers, [case.row(theirs), case.row(missing)])
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS[case.kind], source=upload, user=scene[case.user])
    # then both are refused in one wording, naming what was written, and with one code
    found = [(error.row, error.code, error.message) for error in excinfo.value.errors if error.column == case.column]
    assert [(row, code) for row, code, _message in found] == [(2, case.code), (3, case.code)]
    (_, _, first), (_, _, second) = found
    assert str(theirs) in first and str(missing) in second
    assert first.replace(str(theirs), "…") == second.replace(str(missing), "…")
    assert first.endswith("that you can reach.")


def test_an_unknown_contract_number_is_not_found(admin_user):
    # given (finance and administrators reach every contract) a terms file naming a contract that does not exist
    headers = ["contract number", "kind", "basis", "period", "rate %", "settlement"]
    upload = _upload(headers, [["HT-404", "返利", "percent", "year", 2, "deducted"]])
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["contract-terms"], source=upload, user=admin_user)
    # then
    ((row, code, message),) = [(e.row, e.code, e.message) for e in excinfo.value.errors if e.field == "contract_number"]
    assert (row, code, message) == (
        2,
        "import.contract_not_found",
        "No contract with the number “HT-404” that you can reach.",
    )


def test_a_rep_the_manager_does_not_reach_reads_as_no_such_rep(scene):
    # given a store file giving one store to finance's user (no one the manager reaches) and one to no one at all
    make_user(Role.FINANCE, username="fin_a")
    rows = [["KA-MINE", "S-N1", "一店", "A", "fin_a"], ["KA-MINE", "S-N2", "二店", "A", "nobody"]]
    upload = _upload(["account code", "store code", "store name", "grade", "rep username"], rows)
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["stores"], source=upload, user=scene["manager"])
    # then neither says who fin_a is
    assert [(e.row, e.code, e.message) for e in excinfo.value.errors] == [
        (2, "import.rep_not_found", "“fin_a” is not the username of a sales rep you may give stores to."),
        (3, "import.rep_not_found", "“nobody” is not the username of a sales rep you may give stores to."),
    ]
    assert not Store.objects.filter(code__startswith="S-N").exists()


def test_a_store_keeps_its_rep_as_stored_though_the_manager_no_longer_reaches_them(scene):
    # given a store whose rep has since been disabled (no longer one the manager gives stores to)
    store = Store.objects.get(code="S-MINE")
    store.rep.is_active = False
    store.rep.save()
    rows = [["KA-MINE", "S-MINE", "改名的店", "A", store.rep.username]]
    # when the sheet is imported again as it was exported
    run_import(
        kind=KINDS["stores"],
        source=_upload(["account code", "store code", "store name", "grade", "rep username"], rows),
        user=scene["manager"],
    )
    # then the store is renamed and keeps its rep
    store.refresh_from_db()
    assert (store.name, store.rep.is_active) == ("改名的店", False)


def _upload(headers, rows):
    from .xlsx import xlsx_upload

    return xlsx_upload(headers, rows)
