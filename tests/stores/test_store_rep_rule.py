"""A store's rep follows one rule at every door (QA onboarding report, item 1): a sales rep with an active account
whom the acting user may give stores to (an administrator or a KA manager any, a supervisor their team's) — never a
supervisor, a manager, finance or a promoter. The page offered reps only, the import took supervisors, the API and
the admin took anyone; then the store's page showed the rep as "none" and saving the city erased it."""

import pytest
from django.utils import translation

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores import services
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(db):
    supervisor = make_user(Role.SUPERVISOR, username="sup1", first_name="强", last_name="王")
    return {
        "supervisor": supervisor,
        "rep": make_user(Role.REP, username="rep1", supervisor=supervisor, first_name="伟", last_name="张"),
        "other_rep": make_user(Role.REP, username="rep3", supervisor=make_user(Role.SUPERVISOR, username="sup2")),
        "promoter": make_user(Role.PROMOTER, username="promoter1", first_name="小红", last_name="李"),
        "finance": make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘"),
        "manager": make_user(Role.MANAGER, username="manager2"),
    }


# --- the service: the rule itself -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["promoter", "finance", "manager", "supervisor"])
def test_only_a_sales_rep_may_be_a_stores_rep(people, who, admin_user):
    store = StoreFactory(rep=people["rep"])

    with pytest.raises(DomainError) as refused:
        services.store_save(store=store, rep=people[who], by=admin_user)

    assert (refused.value.code, refused.value.field) == ("store.rep_not_a_rep", "rep")
    assert people[who].username in refused.value.detail and "is not a sales rep" in refused.value.detail
    store.refresh_from_db()
    assert store.rep == people["rep"]


def test_a_supervisor_gives_stores_to_their_own_team_only(people):
    store = StoreFactory(rep=people["rep"])

    with pytest.raises(DomainError) as refused:
        services.store_save(store=store, rep=people["other_rep"], by=people["supervisor"])

    assert refused.value.code == "store.rep_out_of_scope" and "rep3" in refused.value.detail
    colleague = make_user(Role.REP, username="rep2", supervisor=people["supervisor"])
    assert services.store_save(store=store, rep=colleague, by=people["supervisor"]).rep == colleague


def test_a_manager_gives_a_new_chains_store_to_any_rep(people):
    account = KeyAccountFactory(code="HEMA", owner=people["manager"])

    store = services.store_save(account=account, code="HM001", name="盒马", grade="B", rep=people["other_rep"],
                                by=people["manager"])  # fmt: skip

    assert store.rep == people["other_rep"]


def test_a_disabled_account_is_not_given_a_store_but_the_store_keeps_it(people, admin_user):
    kept = StoreFactory(rep=people["rep"], city="上海")
    people["rep"].is_active = False
    people["rep"].save()

    with pytest.raises(DomainError) as refused:
        services.store_save(store=StoreFactory(), rep=people["rep"], by=admin_user)
    changed = services.store_save(store=kept, city="杭州", by=admin_user)

    assert refused.value.code == "store.rep_inactive"
    assert (changed.city, changed.rep) == ("杭州", people["rep"])


def test_a_stores_rep_who_is_no_rep_stays_on_an_edit_that_keeps_them_and_is_never_given_again(people, admin_user):
    """An old import gave stores to supervisors: the store's name or address is still edited (onboarding report,
    item 3), while picking anyone but a sales rep stays refused."""
    store = StoreFactory(rep=people["supervisor"], city="上海")  # written before the rule (the QA's store 68)
    other = StoreFactory(rep=people["rep"])

    edited = services.store_save(store=store, city="杭州", name="新名字", by=admin_user)
    with pytest.raises(DomainError) as refused:
        services.store_save(store=other, rep=people["supervisor"], by=admin_user)

    assert (edited.city, edited.name, edited.rep) == ("杭州", "新名字", people["supervisor"])
    assert refused.value.code == "store.rep_not_a_rep"
    assert services.store_rep_warning(store).code == "store.rep_not_a_rep"  # the store's page says so
    assert services.store_save(store=store, rep=people["rep"], by=admin_user).rep == people["rep"]
    assert services.store_rep_warning(store) is None


# --- the API: create and update ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["promoter", "finance", "manager"])
def test_the_api_refuses_a_rep_who_is_no_sales_rep(api_client, admin_user, people, who):
    store = StoreFactory(rep=people["rep"])
    api_client.force_authenticate(admin_user)

    response = api_client.patch(f"/api/v1/stores/{store.pk}/", {"rep": people[who].username}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "store.rep_not_a_rep"
    store.refresh_from_db()
    assert store.rep == people["rep"]


def test_the_api_renames_a_store_whose_rep_is_a_supervisor_and_refuses_giving_it_to_another(
    api_client, admin_user, people
):
    store = StoreFactory(rep=people["supervisor"], name="旧名")  # an old import's
    api_client.force_authenticate(admin_user)

    renamed = api_client.patch(f"/api/v1/stores/{store.pk}/", {"name": "新名", "rep": "sup1"}, format="json")
    refused = api_client.patch(f"/api/v1/stores/{store.pk}/", {"rep": "manager2"}, format="json")

    assert renamed.status_code == 200 and renamed.json()["rep"] == "sup1"
    assert refused.status_code == 400 and refused.json()["code"] == "store.rep_not_a_rep"
    store.refresh_from_db()
    assert (store.name, store.rep) == ("新名", people["supervisor"])


def test_the_api_creates_with_a_rep_by_the_same_rule(api_client, people):
    KeyAccountFactory(code="HEMA", owner=people["manager"])
    api_client.force_authenticate(people["manager"])
    store = {"account": "HEMA", "name": "盒马", "grade": "B"}

    refused = api_client.post("/api/v1/stores/", {**store, "code": "HM001", "rep": "finance1"}, format="json")
    created = api_client.post("/api/v1/stores/", {**store, "code": "HM002", "rep": "rep3"}, format="json")

    assert refused.status_code == 400  # finance is no one a manager reaches: "Not found.", as any such name
    assert created.status_code == 201 and created.json()["rep"] == "rep3"
    assert list(Store.objects.values_list("code", "rep__username")) == [("HM002", "rep3")]


def test_the_api_refuses_a_supervisor_another_teams_rep(api_client, people):
    store = StoreFactory(rep=people["rep"])
    api_client.force_authenticate(people["supervisor"])

    response = api_client.patch(f"/api/v1/stores/{store.pk}/", {"rep": "sup1"}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "store.rep_not_a_rep"


# --- the page: offers the rule's reps and never drops the store's own ----------------------------------------------


def _page_form(store, **changes):
    form = {"account": store.account.pk, "code": store.code, "name": store.name, "grade": store.grade,
            "city": store.city, "rep": store.rep_id or "", "active": "on"}  # fmt: skip
    return {**form, **changes}


def test_the_page_shows_a_stored_rep_it_would_not_offer_and_keeps_them_on_an_address_edit(client, admin_user, people):
    store = StoreFactory(rep=people["promoter"], city="上海")
    client.force_login(admin_user)
    url = f"/stores/{store.pk}/edit/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    saved = client.post(url, _page_form(store, city="杭州", address="淮海中路1号"), HTTP_ACCEPT_LANGUAGE="en")
    warned = client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'<option value="{people["promoter"].pk}" selected>' in page  # shown as the store's rep, not "none"
    assert "李小红 (promoter1) is not a sales rep (Promoter)" in page  # said beside the field
    assert saved.status_code == 302
    store.refresh_from_db()
    assert (store.city, store.address, store.rep) == ("杭州", "淮海中路1号", people["promoter"])  # nothing erased
    assert 'data-testid="store-rep-warning"' in warned and "李小红 (promoter1) is not a sales rep" in warned
    # another person who is no sales rep is still refused, beside the field
    refused = client.post(url, _page_form(store, rep=people["finance"].pk), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    cleared = client.post(url, _page_form(store, rep=people["rep"].pk))
    assert cleared.status_code == 302
    store.refresh_from_db()
    assert store.rep == people["rep"]
    assert 'data-testid="store-rep-warning"' not in client.get(f"/stores/{store.pk}/").content.decode()


def test_the_page_keeps_a_rep_whose_account_was_disabled(client, manager, people):
    store = StoreFactory(account__owner=manager, rep=people["rep"], city="上海")
    people["rep"].is_active = False
    people["rep"].save()
    client.force_login(manager)

    response = client.post(f"/stores/{store.pk}/edit/", _page_form(store, city="杭州"))

    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.city, store.rep) == ("杭州", people["rep"])


def test_the_page_offers_a_manager_every_active_rep_and_a_supervisor_their_team(client, manager, people):
    account = KeyAccountFactory(owner=manager)
    client.force_login(manager)
    offered = client.get("/stores/new/").content.decode()
    client.force_login(people["supervisor"])
    theirs = client.get(f"/stores/{StoreFactory(account=account, rep=people['rep']).pk}/edit/").content.decode()

    for username in ("rep1", "rep3"):
        assert f"({username})</option>" in offered
    for username in ("promoter1", "finance1", "manager2", "sup1"):
        assert f"({username})</option>" not in offered
    assert "(rep1)</option>" in theirs and "(rep3)</option>" not in theirs


# --- the admin ----------------------------------------------------------------------------------------------------


def test_the_admin_offers_and_takes_only_sales_reps(client, admin_user, people):
    store = StoreFactory(rep=people["rep"])
    client.force_login(admin_user)
    url = f"/admin/stores/store/{store.pk}/change/"
    form = {"account": store.account.pk, "code": store.code, "name": store.name, "grade": "B", "address": "",
            "city": "", "region": "", "latitude": "", "longitude": "", "visits_per_week_override": "",
            "opened_on": "", "active": "on"}  # fmt: skip

    page = client.get(url).content.decode()
    refused = client.post(url, {**form, "rep": people["finance"].pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert "(rep1)</option>" in page and "(finance1)</option>" not in page and "(promoter1)</option>" not in page
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    store.refresh_from_db()
    assert store.rep == people["rep"]


def test_the_admin_keeps_a_stored_rep_who_is_no_rep_on_an_edit_of_the_city(client, admin_user, people):
    store = StoreFactory(rep=people["finance"])
    client.force_login(admin_user)
    form = {"account": store.account.pk, "code": store.code, "name": store.name, "grade": "B", "address": "",
            "city": "杭州", "region": "", "latitude": "", "longitude": "", "visits_per_week_override": "",
            "opened_on": "", "active": "on", "rep": people["finance"].pk}  # fmt: skip

    page = client.get(f"/admin/stores/store/{store.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(f"/admin/stores/store/{store.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert "刘洋 (finance1) is not a sales rep (Finance)" in page  # said beside the field
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.city, store.rep) == ("杭州", people["finance"])


# --- the import ---------------------------------------------------------------------------------------------------

HEADERS = ["系统编码", "门店编码", "门店名称", "等级", "业代账号"]


@pytest.mark.parametrize("who", ["promoter1", "sup1", "finance1"])
def test_the_import_refuses_who_is_no_sales_rep_in_the_rules_words(admin_user, people, who):
    KeyAccountFactory(code="HEMA")
    upload = xlsx_upload(HEADERS, [["HEMA", "HM001", "盒马", "B", who]])

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    (row, column, message), = errors_of(rejected)  # fmt: skip
    assert (row, column) == (2, "业代账号") and f"({who}) is not a sales rep" in message
    assert not Store.objects.exists()


def test_the_import_gives_stores_to_reps_and_keeps_a_disabled_ones(admin_user, people):
    account = KeyAccountFactory(code="HEMA")
    StoreFactory(account=account, code="HM001", rep=people["rep"])
    people["rep"].is_active = False
    people["rep"].save()
    rows = [["HEMA", "HM001", "盒马一店", "B", "rep1"], ["HEMA", "HM002", "盒马二店", "B", "rep3"]]
    upload = xlsx_upload(HEADERS, rows)

    result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    assert (result.created, result.updated) == (1, 1)
    assert dict(Store.objects.values_list("code", "rep__username")) == {"HM001": "rep1", "HM002": "rep3"}
    refused = xlsx_upload(HEADERS, [["HEMA", "HM003", "盒马三店", "B", "rep1"]])
    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["stores"], source=refused, user=admin_user)
    assert "account is disabled" in errors_of(rejected)[0][2]
