"""A store's or product's code has no spaces inside (QA onboarding report, item 5b: "HM 010" was taken at every door,
and a listings or deliveries sheet typing HM010 then never found it). A new or changed code with a space is refused
in the same words at every door (code.has_spaces); spaces around it are trimmed; a code stored before with a space
still names its record (a sheet updating it is not refused) until someone changes it."""

import pytest
from django.utils import translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores import services
from stores.models import Product, Store
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

REFUSED = "A code may not contain spaces: write “HM010”, not “HM 010”"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("code", ["HM 010", "HM\u3000010", "HM\t010"])  # a space, a full-width one, a tab
def test_the_service_refuses_a_code_with_a_space_inside(code):
    account = KeyAccountFactory()

    with pytest.raises(DomainError) as refused:
        services.store_save(account=account, code=code, name="盒马", grade="B")

    assert (refused.value.code, refused.value.field) == ("code.has_spaces", "code")
    assert "HM010" in refused.value.detail
    assert not Store.objects.exists()


def test_a_code_stored_with_a_space_stays_until_it_is_changed():
    store = StoreFactory(code="HM 010", city="上海")  # written before the rule

    assert services.store_save(store=store, city="杭州").city == "杭州"
    assert services.store_save(store=store, code="HM010").code == "HM010"


def test_the_api_refuses_it_and_trims_spaces_around_a_code(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    product = {"name": "x", "packs_per_case": 6, "suggested_retail_price": "1.00", "distributor_price": "1.00",
               "wholesale_price": "1.00"}  # fmt: skip

    refused = api_client.post("/api/v1/products/", {**product, "code": "HM 010"}, format="json")
    trimmed = api_client.post("/api/v1/products/", {**product, "code": "  P010 "}, format="json")

    assert refused.status_code == 400 and refused.json()["code"] == "code.has_spaces"
    assert trimmed.status_code == 201 and trimmed.json()["code"] == "P010"
    assert list(Product.objects.values_list("code", flat=True)) == ["P010"]


def test_the_page_refuses_it_next_to_the_code(client, admin_user):
    account = KeyAccountFactory()
    client.force_login(admin_user)
    form = {"account": account.pk, "code": "HM 010", "name": "盒马", "grade": "B", "active": "on"}

    response = client.post("/stores/new/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not Store.objects.exists()


def test_the_admin_refuses_it(client, admin_user):
    client.force_login(admin_user)
    form = {"code": "HM 010", "barcode": "", "name": "x", "brand": "", "category": "", "packs_per_case": "6",
            "suggested_retail_price": "1", "distributor_price": "1", "wholesale_price": "1",
            "active": "on"}  # fmt: skip

    response = client.post("/admin/stores/product/add/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert not Product.objects.exists()


def test_the_import_refuses_a_new_code_with_a_space_and_updates_one_stored_so(admin_user):
    KeyAccountFactory(code="HEMA")
    StoreFactory(code="HM 001", name="旧名")
    headers = ["系统编码", "门店编码", "门店名称", "等级"]

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["stores"], source=xlsx_upload(headers, [["HEMA", "HM 010", "盒马", "B"]]),
                   user=admin_user)  # fmt: skip
    result = run_import(kind=KINDS["stores"], source=xlsx_upload(headers, [["HEMA", "HM 001", "新名", "B"]]),
                        user=admin_user)  # fmt: skip

    (row, column, message), = errors_of(rejected)  # fmt: skip
    assert (row, column) == (2, "门店编码") and message.startswith(REFUSED)
    assert result.updated == 1 and Store.objects.get(code="HM 001").name == "新名"


def test_the_products_import_refuses_it_too(admin_user):
    headers = ["产品编码", "产品名称", "箱规", "建议零售价", "经销商进价", "二批价"]
    upload = xlsx_upload(headers, [["P 001", "啤酒", 12, 5, 3.8, 4.1]])

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["products"], source=upload, user=admin_user)

    assert "“P001”, not “P 001”" in errors_of(rejected)[0][2]
    assert not ProductFactory._meta.model.objects.exists()
