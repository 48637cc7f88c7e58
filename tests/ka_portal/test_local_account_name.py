"""A chain's name in the reader's language on pages and in Excel: 沃尔玛 is Walmart to an English reader, and a
chain without an English name keeps its Chinese name."""

import io

import openpyxl
import pytest

from accounts.roles import Role
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chains():
    manager = make_user(Role.MANAGER, username="mgr1")
    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", owner=manager)
    hualian = KeyAccountFactory(code="HL", name="华联", name_en="", owner=manager)
    return manager, walmart, hualian


def _page(client, user, url, language):
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_account_list_shows_the_english_name_to_an_english_reader(client, chains):
    manager, _walmart, _hualian = chains
    english = _page(client, manager, "/accounts/", "en")
    chinese = _page(client, manager, "/accounts/", "zh-hans")
    row = english.split("WMT")[1].split("</tr>")[0]
    assert ">Walmart</a>" in row and "沃尔玛" in row  # the other language's name stays beside it, small
    assert ">华联</a>" in english  # no English name: the Chinese one
    assert ">沃尔玛</a>" in chinese.split("WMT")[1].split("</tr>")[0]


def test_a_store_page_names_its_chain_in_english(client, chains):
    manager, walmart, hualian = chains
    store = StoreFactory(account=walmart, name="沃尔玛五角场店")
    other = StoreFactory(account=hualian, name="华联徐汇店")
    assert ">Walmart</a>" in _page(client, manager, f"/stores/{store.pk}/", "en")
    assert ">华联</a>" in _page(client, manager, f"/stores/{other.pk}/", "en")
    assert ">沃尔玛</a>" in _page(client, manager, f"/stores/{store.pk}/", "zh-hans")


def test_the_contract_ledger_and_its_export_name_the_chain_for_the_reader(client, chains):
    _manager, walmart, hualian = chains
    finance = make_user(Role.FINANCE, username="fin1")
    ContractFactory(account=walmart, number="HT-1")
    ContractFactory(account=hualian, number="HT-2")

    page = _page(client, finance, "/contracts/ledger/", "en")
    assert ">Walmart</td>" in page  # the desk's column (a phone reads it under the number)
    assert ">华联</td>" in page
    assert ">沃尔玛</td>" in _page(client, finance, "/contracts/ledger/", "zh-hans")

    response = client.get("/contracts/ledger/?export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == {"HT-1": "Walmart", "HT-2": "华联"}


def test_the_api_keeps_both_names(client, chains):
    manager, walmart, _hualian = chains
    client.force_login(manager)
    account = client.get(f"/api/v1/accounts/{walmart.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (account["name"], account["name_en"]) == ("沃尔玛", "Walmart")
