"""Store targets and collection targets (issue 15): the roll-up beside the account's own target, achievement, the
Excel import, the API's Idempotency-Key, and who reaches what.

The worked example, March 2026, chain WM (the manager's):
    WM's own sales target 10,000.00; store targets S1 4,000.00 + S2 5,000.00 = 9,000.00 → difference −1,000.00
    (S3 has no target). Deliveries in March: S1 1,100 × 4.00 = 4,400.00, S2 625 × 4.00 = 2,500.00,
    S3 150 × 4.00 = 600.00 → sell-in 7,500.00; achievement 7,500 ÷ 9,000 = 83.33 %.
    S1 4,400 ÷ 4,000 = 110 %; S2 2,500 ÷ 5,000 = 50 %; S3 no target.
    Collection target 20,000.00; payments in March 12,000.00 (and 3,000.00 reversed, 5,000.00 dated in February)
    → received 12,000.00, achievement 60 %.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from accounts.models import CollectionTarget, SalesTarget, StoreTarget
from accounts.roles import Role
from analytics.targets import targets_by_account, targets_by_store
from contracts.models import Payment
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from ka_portal.scope import finance_accounts_for, stores_for
from tests.factories import DeliveryFactory, KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.imports.xlsx import errors_of, read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def chain(manager, rep):
    account = KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    beer = ProductFactory()
    stores = [StoreFactory(account=account, code=code) for code in ("S1", "S2", "S3")]
    stores[0].rep = rep  # the rep works at S1 only
    stores[0].save()
    for store, packs in zip(stores, (1100, 625, 150), strict=True):
        ListingFactory(store=store, product=beer, purchase_price=D("4.00"))
        DeliveryFactory(store=store, product=beer, date=date(2026, 3, 15), quantity=packs)
    DeliveryFactory(store=stores[0], product=beer, date=date(2026, 4, 1), quantity=999)  # April's
    SalesTarget.objects.create(account=account, year=2026, month=3, amount=D("10000.00"))
    services.store_target_save(store=stores[0], month=MARCH, amount=D("4000.00"))
    services.store_target_save(store=stores[1], month=MARCH, amount=D("5000.00"))
    services.store_target_save(store=stores[1], month=date(2026, 4, 1), amount=D("7777.00"))
    services.collection_target_save(account=account, month=MARCH, amount=D("20000.00"))
    Payment.objects.create(account=account, date=date(2026, 3, 20), amount=D("12000.00"))
    Payment.objects.create(
        account=account, date=date(2026, 3, 21), amount=D("3000.00"), reversed_at=timezone.now(),
        reversed_on=date(2026, 3, 25), reversal_reason="退票",
    )  # fmt: skip
    Payment.objects.create(account=account, date=date(2026, 2, 27), amount=D("5000.00"))
    return account


def test_roll_up_and_achievement_by_hand(chain, manager):
    (row,), total = targets_by_account(accounts=finance_accounts_for(manager), month=MARCH)

    assert (row.sales_target, row.store_targets, row.roll_up_difference) == (D("10000.00"), D("9000.00"), D("-1000"))
    assert row.stores_with_target == 2
    assert row.sell_in == D("7500.00")
    assert round(row.achievement * 100, 2) == D("83.33")
    assert (row.collection_target, row.received, row.collection_achievement) == (D("20000"), D("12000"), D("0.6"))
    assert total.store_targets == D("9000.00") and total.received == D("12000.00")
    # the account's own target is kept as it was: the roll-up stands beside it
    assert SalesTarget.objects.get(account=chain).amount == D("10000.00")


def test_store_achievement_by_hand(chain, manager):
    lines = targets_by_store(stores=stores_for(manager).filter(account=chain), month=MARCH)

    assert [(x.store.code, x.target, x.sell_in, x.achievement) for x in lines] == [
        ("S1", D("4000.00"), D("4400.00"), D("1.1")),
        ("S2", D("5000.00"), D("2500.00"), D("0.5")),
        ("S3", None, D("600.00"), None),
    ]


def test_pages_show_the_roll_up_and_the_stores(client, chain, manager):
    client.force_login(manager)

    page = client.get(reverse("analytics:targets"), {"month": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    drill = client.get(
        reverse("analytics:targets-account", args=["WM"]), {"month": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = page.content.decode()
    assert page.status_code == 200
    row = html[html.index('data-account="WM"') :]
    assert 'data-col="sales_target">10,000.00<' in row
    assert 'data-col="store_targets">9,000.00<' in row
    assert 'data-col="difference">-1,000.00<' in row
    assert 'data-col="achievement">83.33 %<' in row
    assert 'data-col="received">12,000.00<' in row and 'data-col="collection_achievement">60.00 %<' in row
    assert drill.status_code == 200
    stores = drill.content.decode()
    s1 = stores[stores.index('data-store="S1"') :]
    assert 'data-col="achievement">110.00 %<' in s1[: s1.index("</tr>")]


def test_excel_export_has_the_figures(client, chain, finance):
    client.force_login(finance)

    response = client.get(reverse("analytics:targets"), {"month": "2026-03", "export": "xlsx"})

    (rows,) = read_xlsx(b"".join(response.streaming_content)).values()
    assert rows[1][0] == "WM"
    assert rows[1][2:11] == (10000, 9000, -1000, 2, 7500, pytest.approx(0.8333, abs=1e-4), 20000, 12000, 0.6)


def test_a_month_is_its_first_day_and_a_target_not_negative(chain):
    store = chain.stores.get(code="S3")

    with pytest.raises(DomainError) as day:
        services.store_target_save(store=store, month=date(2026, 3, 15), amount=D("1"))
    with pytest.raises(DomainError) as negative:
        services.collection_target_save(account=chain, month=date(2026, 5, 1), amount=D("-1"))
    with pytest.raises(DomainError) as twice:
        services.store_target_save(store=chain.stores.get(code="S1"), month=MARCH, amount=D("1"))

    assert (day.value.code, day.value.field) == ("target.month_day", "month")
    assert str(day.value.detail) == "Give the month as its first day (2026-03-01), not 2026-03-15."
    assert negative.value.code == "target.negative"
    assert twice.value.code == "target.duplicate"


STORE_HEADERS = ["store code", "month", "target amount"]


def test_import_sets_store_targets_by_month(chain, manager):
    result = run_import(
        kind=KINDS["store-targets"],
        source=xlsx_upload(STORE_HEADERS, [["S1", "2026-03", 4500], ["S3", date(2026, 4, 1), "800.50"]]),
        user=manager,
    )

    assert (result.created, result.updated) == (1, 1)
    assert StoreTarget.objects.get(store__code="S1", month=MARCH).amount == D("4500.00")
    assert StoreTarget.objects.get(store__code="S3", month=date(2026, 4, 1)).amount == D("800.50")


def test_import_names_a_bad_row_and_changes_nothing(chain, manager):
    KeyAccountFactory(code="CRF", owner=make_user(Role.MANAGER, username="mgr_b"))
    StoreFactory(account__code="OTHER", code="X1")
    before = list(StoreTarget.objects.values_list("store__code", "month", "amount").order_by("pk"))
    rows = [["S1", "2026-03", 4500], ["S2", "2026-05", -10], ["X1", "2026-05", 100], ["S3", "2026-13", 100]]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["store-targets"], source=xlsx_upload(STORE_HEADERS, rows), user=manager)

    assert errors_of(excinfo) == [
        (3, "target amount", "The target for month 2026-05 must not be negative."),
        (4, "store code", "No store with the code “X1” that you can reach."),
        (5, "month", "“2026-13” is not a month; write it as YYYY-MM."),
    ]
    assert list(StoreTarget.objects.values_list("store__code", "month", "amount").order_by("pk")) == before


def test_collection_target_import_and_its_bad_row(chain, manager):
    KeyAccountFactory(code="CRF", owner=make_user(Role.MANAGER, username="mgr_b"))
    headers = ["account code", "month", "collection target"]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["collection-targets"],
            source=xlsx_upload(headers, [["WM", "2026-04", 100], ["CRF", "2026-04", 100]]),
            user=manager,
        )
    assert errors_of(excinfo) == [(3, "account code", "No key account with the code “CRF” that you can reach.")]
    assert CollectionTarget.objects.count() == 1

    run_import(kind=KINDS["collection-targets"], source=xlsx_upload(headers, [["WM", "2026年4月", 100]]), user=manager)
    assert CollectionTarget.objects.get(month=date(2026, 4, 1)).amount == D("100.00")


def test_api_create_with_a_repeated_key_creates_one(api_client, chain, manager):
    api_client.force_authenticate(manager)
    body = {"store": "S3", "month": "2026-03-01", "amount": "1200.00"}

    first = api_client.post(reverse("store-target-list"), body, format="json", headers={"Idempotency-Key": "k-1"})
    again = api_client.post(reverse("store-target-list"), body, format="json", headers={"Idempotency-Key": "k-1"})

    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json() == {**body, "id": first.json()["id"], "account": "WM"}
    assert StoreTarget.objects.filter(store__code="S3").count() == 1


def test_api_collection_target_create_and_update(api_client, chain, manager):
    api_client.force_authenticate(manager)

    created = api_client.post(
        reverse("collection-target-list"), {"account": "WM", "month": "2026-04-01", "amount": "5000"}, format="json"
    )
    bad = api_client.patch(
        reverse("collection-target-detail", args=[created.json()["id"]]), {"month": "2026-04-02"}, format="json"
    )

    assert created.status_code == 201
    assert bad.status_code == 400 and bad.json()["code"] == "target.month_day"


def test_scope_another_chains_manager_is_answered_not_found(api_client, client, chain):
    other = make_user(Role.MANAGER, username="mgr_other")
    api_client.force_authenticate(other)
    client.force_login(other)
    target = StoreTarget.objects.get(store__code="S1", month=MARCH)
    collection = CollectionTarget.objects.get(account=chain)

    assert api_client.get(reverse("store-target-detail", args=[target.pk])).status_code == 404
    assert api_client.get(reverse("collection-target-detail", args=[collection.pk])).status_code == 404
    refused = api_client.post(
        reverse("store-target-list"),
        {"store": "S1", "month": "2026-05-01", "amount": "1"},
        format="json",
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400 and refused.json()["errors"] == {"store": ["Not found."]}
    assert client.get(reverse("analytics:targets-account", args=["WM"])).status_code == 404
    page = client.get(reverse("analytics:targets")).content.decode()
    assert 'data-account="WM"' not in page and "沃尔玛" not in page  # not "WM" anywhere: a token may hold it


def test_reps_read_their_own_stores_targets_only(api_client, client, chain, rep, supervisor):
    api_client.force_authenticate(rep)

    listed = api_client.get(reverse("store-target-list"))

    assert [row["store"] for row in listed.json()["results"]] == ["S1"]
    assert api_client.get(reverse("collection-target-list")).status_code == 403  # no receivables (SPEC §1)
    assert (
        api_client.post(
            reverse("store-target-list"), {"store": "S1", "month": "2026-05-01", "amount": "1"}, format="json"
        ).status_code
        == 403
    )
    for user in (rep, supervisor):
        client.force_login(user)
        assert client.get(reverse("analytics:targets")).status_code == 404


def test_the_manager_sets_a_months_targets_on_the_page(client, chain, manager, finance):
    client.force_login(manager)
    stores = {store.code: store.pk for store in chain.stores.all()}
    url = reverse("accounts:month-targets-edit", args=[chain.pk]) + "?month=2026-03"

    shown = client.get(url)
    saved = client.post(
        url, {f"amount_{stores['S1']}": "4200", f"amount_{stores['S2']}": "", f"amount_{stores['S3']}": "300.5",
              "collection": "9000"},
    )  # fmt: skip

    assert shown.status_code == 200 and 'value="4000.00"' in shown.content.decode()
    assert saved.status_code == 302 and saved["Location"].endswith("/analysis/targets/WM/?month=2026-03")
    assert dict(StoreTarget.objects.filter(month=MARCH).values_list("store__code", "amount")) == {
        "S1": D("4200.00"),
        "S3": D("300.50"),
    }
    assert CollectionTarget.objects.get(account=chain, month=MARCH).amount == D("9000.00")
    client.force_login(finance)  # finance reads targets, never sets them
    assert client.get(url).status_code == 403


def test_the_import_templates_name_the_columns(client, manager):
    client.force_login(manager)

    store = client.get("/imports/store-targets/template.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    collection = client.get("/imports/collection-targets/template.xlsx", HTTP_ACCEPT_LANGUAGE="en")

    assert store.status_code == collection.status_code == 200
    store_sheet = next(iter(read_xlsx(b"".join(store.streaming_content)).values()))
    collection_sheet = next(iter(read_xlsx(b"".join(collection.streaming_content)).values()))
    assert store_sheet[0][:3] == ("Store code", "Month", "Target amount")
    assert collection_sheet[0][:3] == ("Account code", "Month", "Collection target")


@pytest.mark.parametrize("chains", [1, 4])
def test_the_targets_page_reads_a_fixed_number_of_queries(chain, finance, chains, django_assert_num_queries):
    for n in range(chains - 1):
        store = StoreFactory(account=KeyAccountFactory())
        services.store_target_save(store=store, month=MARCH, amount=D(100 + n))

    with django_assert_num_queries(6):
        rows, _total = targets_by_account(accounts=finance_accounts_for(finance), month=MARCH)

    assert len(rows) == chains


def test_a_month_that_is_no_month_is_named_on_both_pages(client, chain, manager):
    client.force_login(manager)

    for url in (reverse("analytics:targets"), reverse("analytics:targets-account", args=["WM"])):
        response = client.get(url, {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 400
        assert "“2026-13” is not a month: enter it as YYYY-MM, for example 2026-05." in response.content.decode()
