"""A code taken by a record the user cannot see is refused without naming that record (QA: a KA manager of another
chain importing a stores file with WMT-001, check only, read "编码 WMT-001 已是门店 WMT-001 的编码"). SPEC §1: an
out-of-scope record reads like a missing one; a uniqueness refusal cannot hide that the code is taken, but says only
that it is in use, as typed — at the import, the page and the API alike. Whoever sees the record keeps the precise
message naming it."""

import pytest

from accounts.models import KeyAccount
from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

IN_USE = "The code {code} is already in use: choose another (codes are compared without case)."
HEADERS = ["account code", "store code", "store name", "city", "grade"]


@pytest.fixture
def world(db):
    walmart_manager = make_user(Role.MANAGER, username="mgr_wmt")
    other_manager = make_user(Role.MANAGER, username="mgr_pns")
    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", owner=walmart_manager)
    StoreFactory(account=walmart, code="WMT-001", name="沃尔玛五角场店")
    KeyAccountFactory(code="PNS", name="百佳", owner=other_manager)
    return {"walmart_manager": walmart_manager, "other_manager": other_manager}


def _said_nothing_of_the_store(text: str) -> bool:
    return not any(word in text for word in ("WMT-001's", "沃尔玛", "五角场", "store WMT"))


@pytest.mark.parametrize("typed", ["WMT-001", "wmt-001"])
def test_the_import_says_the_code_is_in_use_as_typed_never_whose(world, typed):
    rows = [["PNS", typed, "百佳新店", "上海", "A"]]

    with pytest.raises(ImportRejected) as rejected:
        run_import(
            kind=KINDS["stores"], source=xlsx_upload(HEADERS, rows), user=world["other_manager"], check_only=True
        )

    assert errors_of(rejected) == [(2, "store code", IN_USE.format(code=typed))]
    assert rejected.value.errors[0].code == "store.code_taken"
    assert _said_nothing_of_the_store(rejected.value.errors[0].message)
    assert Store.objects.get(code="WMT-001").name == "沃尔玛五角场店"


def test_the_page_and_the_api_say_the_same_to_a_manager_of_another_chain(client, api_client, world):
    client.force_login(world["other_manager"])
    api_client.force_authenticate(world["other_manager"])
    pns = KeyAccount.objects.get(code="PNS")

    page = client.post(
        "/stores/new/", {"account": pns.pk, "code": "wmt-001", "name": "百佳新店", "grade": "A", "active": "on"}
    )
    api = api_client.post(
        "/api/v1/stores/", {"account": "PNS", "code": "wmt-001", "name": "百佳新店", "grade": "A"}, format="json"
    )

    assert page.status_code == 400 and page.context["form"].errors["code"] == [IN_USE.format(code="wmt-001")]
    assert _said_nothing_of_the_store(page.content.decode())
    assert api.status_code == 409
    assert (api.json()["code"], api.json()["detail"]) == ("store.code_taken", IN_USE.format(code="wmt-001"))
    assert api.json()["params"] == {"value": "wmt-001"}  # the stored spelling is not given either
    assert Store.objects.count() == 1


def test_whoever_sees_the_store_keeps_the_precise_message(client, api_client, admin_user, world):
    api_client.force_authenticate(world["walmart_manager"])
    client.force_login(admin_user)
    walmart = KeyAccount.objects.get(code="WMT")

    api = api_client.post(
        "/api/v1/stores/", {"account": "WMT", "code": "wmt-001", "name": "新店", "grade": "A"}, format="json"
    )
    admin = client.post(
        "/admin/stores/store/add/", {"account": walmart.pk, "code": "wmt-001", "name": "新店", "grade": "A"}
    )
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            kind=KINDS["stores"],
            source=xlsx_upload(HEADERS, [["WMT", "WMT 001", "新店", "上海", "A"]]),
            user=world["walmart_manager"],
            check_only=True,
        )

    precise = "The code wmt-001 is already store WMT-001's (codes are compared without case)."
    assert api.status_code == 409 and api.json()["detail"] == precise
    assert api.json()["params"] == {"value": "wmt-001", "taken": "WMT-001"}
    assert admin.context["adminform"].form.errors["code"] == [precise]
    # and the manager's own store in the file is theirs to update, as before (a space inside is its own refusal)
    assert [code for _row, code, _message in errors_of(rejected)] == ["store code"]
    assert Store.objects.count() == 1


def test_a_key_account_code_of_another_managers_chain_is_said_in_use(client, api_client, admin_user, world):
    mine = KeyAccount.objects.get(code="PNS")
    client.force_login(world["other_manager"])
    api_client.force_authenticate(world["other_manager"])
    form = {"code": "wmt", "name": "百佳", "name_en": "", "tier": "NKA", "format": "supermarket",
            "purchasing_mode": "central", "margin_model": "back", "region": "", "active": "on"}  # fmt: skip

    page = client.post(f"/accounts/{mine.pk}/edit/", form)
    api = api_client.patch(f"/api/v1/accounts/{mine.pk}/", {"code": "wmt"}, format="json")
    api_client.force_authenticate(admin_user)
    by_admin = api_client.patch(f"/api/v1/accounts/{mine.pk}/", {"code": "wmt"}, format="json")

    assert page.status_code == 400 and page.context["form"].errors["code"] == [IN_USE.format(code="wmt")]
    assert "沃尔玛" not in page.content.decode() and "account WMT" not in page.content.decode()
    assert api.status_code == 409 and api.json()["detail"] == IN_USE.format(code="wmt")
    assert by_admin.status_code == 409
    assert by_admin.json()["detail"] == "The code wmt is already key account WMT's (codes are compared without case)."
    mine.refresh_from_db()
    assert mine.code == "PNS"
