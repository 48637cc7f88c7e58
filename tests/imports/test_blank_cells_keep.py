"""A blank cell on a row for an existing record leaves its field as it is (a dash empties it); a check says which
fields each updated row changes (old → new); other first-week findings of the imports: .xls/.csv files named as such,
a rep's username in other letters, a product's case size changed under its past records."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores.models import Listing, Product, Store
from tests.factories import DeliveryFactory, KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .xlsx import xlsx_upload

pytestmark = pytest.mark.django_db

STORE_HEADERS = ["Account code", "Store code", "Store name", "Address", "City", "Region", "Latitude", "Longitude",
                 "Grade", "Visits per week (override)", "Rep username", "Opened on", "Active"]  # fmt: skip
ZH_HEADERS = ["系统编码", "门店编码", "门店名称", "地址", "城市", "区域", "纬度", "经度", "等级",
              "每周拜访次数（自定义）", "业代账号", "开业日期", "有效"]  # fmt: skip


@pytest.fixture
def wmt_101():
    """A store with every field filled in, as the QA tester's WMT-101, set inactive."""
    rep = make_user(Role.REP, username="rep1", supervisor=make_user(Role.SUPERVISOR, username="sup1"))
    return StoreFactory(
        account=KeyAccountFactory(code="WMT"),
        code="WMT-101",
        name="沃尔玛新店一",
        address="浦东大道 1 号",
        city="上海",
        region="华东",
        latitude=Decimal("31.230416"),
        longitude=Decimal("121.473701"),
        grade="A",
        visits_per_week_override=4,
        rep=rep,
        opened_on=date(2024, 5, 1),
        active=False,
    )


def _store_row(**cells):
    row = dict.fromkeys(STORE_HEADERS)
    row.update({"Account code": "WMT", "Store code": "WMT-101", "Store name": "沃尔玛新店一"}, **cells)
    return [row[header] for header in STORE_HEADERS]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_row_changing_only_the_grade_keeps_every_other_field(wmt_101, admin_user, language):
    upload = xlsx_upload(STORE_HEADERS if language == "en" else ZH_HEADERS, [_store_row(Grade="B")])

    with translation.override(language):
        checked = run_import(kind=KINDS["stores"], source=upload, user=admin_user, check_only=True)
        result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    # the check says what the row changes, and only that
    assert (checked.created, checked.updated, checked.unchanged) == (0, 1, 0)
    [entry] = checked.changes
    [change] = entry["changes"]
    assert (entry["row"], change["column"]) == (2, "等级" if language == "zh-hans" else "Grade")
    assert change["old"].startswith("A") and change["new"].startswith("B")
    assert result.updated == 1
    store = Store.objects.get(pk=wmt_101.pk)
    assert store.grade == "B"
    assert (store.address, store.city, store.region) == ("浦东大道 1 号", "上海", "华东")
    assert (store.latitude, store.longitude) == (Decimal("31.230416"), Decimal("121.473701"))
    assert store.rep.username == "rep1"  # still on the rep's work
    assert store.opened_on == date(2024, 5, 1)
    assert store.visits_per_week_override == 4
    assert store.active is False  # an empty “Active” does not re-activate it


def test_a_dash_empties_a_field_and_the_check_names_the_change(wmt_101, admin_user):
    upload = xlsx_upload(STORE_HEADERS, [_store_row(Grade="A", Address="-", **{"Rep username": "－"})])

    checked = run_import(kind=KINDS["stores"], source=upload, user=admin_user, check_only=True)
    run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    changes = {change["column"]: (change["old"], change["new"]) for change in checked.changes[0]["changes"]}
    assert changes["Address"] == ("浦东大道 1 号", "")
    assert changes["Rep username"][1] == ""
    store = Store.objects.get(pk=wmt_101.pk)
    assert (store.address, store.rep, store.city) == ("", None, "上海")


def test_a_new_store_with_empty_cells_takes_the_defaults(admin_user):
    KeyAccountFactory(code="WMT")
    upload = xlsx_upload(STORE_HEADERS, [_store_row(**{"Store code": "WMT-900", "Grade": "C"})])

    result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    assert result.created == 1
    store = Store.objects.get(code="WMT-900")
    assert (store.address, store.rep, store.latitude, store.active) == ("", None, None, True)


def test_a_listing_row_with_empty_fee_and_date_keeps_them(admin_user):
    listing = ListingFactory(
        store=StoreFactory(code="WMT-101"),
        product=ProductFactory(code="P001"),
        listed_on=date(2026, 1, 15),
        listing_fee=Decimal("2000.00"),
        purchase_price=Decimal("4.50"),
        shelf_price=Decimal("5.00"),
        active=False,
    )
    headers = ["Store code", "Product code", "Listed on", "Listing fee", "Purchase price", "Shelf price", "Active"]
    upload = xlsx_upload(headers, [["WMT-101", "P001", None, None, 4.6, 5, None]])

    result = run_import(kind=KINDS["listings"], source=upload, user=admin_user)

    assert result.updated == 1
    listing = Listing.objects.get(pk=listing.pk)
    assert (listing.listing_fee, listing.listed_on) == (Decimal("2000.00"), date(2026, 1, 15))
    assert listing.purchase_price == Decimal("4.60")
    assert listing.active is False


def test_a_position_is_one_value_kept_or_given_whole(wmt_101, admin_user):
    # a file with the latitude column only, its cell empty: the position is kept whole
    upload = xlsx_upload(["Account code", "Store code", "Store name", "Grade", "Latitude"],
                         [["WMT", "WMT-101", "沃尔玛新店一", "A", None]])  # fmt: skip
    run_import(kind=KINDS["stores"], source=upload, user=admin_user)
    store = Store.objects.get(pk=wmt_101.pk)
    assert (store.latitude, store.longitude) == (Decimal("31.230416"), Decimal("121.473701"))

    # a row giving the longitude alone gives the position as its cells are: half a position is refused
    upload = xlsx_upload(STORE_HEADERS, [_store_row(Grade="A", Longitude=121.5)])
    with pytest.raises(ImportRejected):
        run_import(kind=KINDS["stores"], source=upload, user=admin_user)
    assert Store.objects.get(pk=wmt_101.pk).longitude == Decimal("121.473701")


def test_changing_a_products_case_size_under_its_deliveries_warns(admin_user):
    product = ProductFactory(code="P001", packs_per_case=12)
    DeliveryFactory(product=product)
    headers = ["Product code", "Product name", "Packs per case", "Suggested retail price", "Distributor price",
               "Wholesale price"]  # fmt: skip
    upload = xlsx_upload(headers, [["P001", product.name, 6, 5.5, 3.8, 4.1]])

    checked = run_import(kind=KINDS["products"], source=upload, user=admin_user, check_only=True)

    assert [warning["row"] for warning in checked.warnings] == [2]
    assert "from 12 to 6" in checked.warnings[0]["message"]
    assert "re-read with the new size" in checked.warnings[0]["message"]
    assert Product.objects.get(pk=product.pk).packs_per_case == 12  # a check writes nothing


def test_a_rep_username_in_other_letters_names_the_rep(wmt_101, admin_user):
    upload = xlsx_upload(STORE_HEADERS, [_store_row(Grade="A", **{"Rep username": "Rep1"})])

    result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    assert result.unchanged == 1
    assert Store.objects.get(pk=wmt_101.pk).rep.username == "rep1"


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("stores.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "xls", "old Excel (.xls)"),
        ("stores.csv", "门店编码,门店名称\nS1,一店\n".encode(), "csv", "CSV"),
        ("stores.xlsx", b"store code,store name\nS1,one\n", "csv", "CSV"),  # renamed: read by its bytes
    ],
)
def test_an_old_excel_or_a_csv_file_is_named_with_what_to_do(admin_user, name, content, code, words):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        run_import(kind=KINDS["stores"], source=SimpleUploadedFile(name, content), user=admin_user)
        assert False  # noqa: B011 (never reached)
    with translation.override("en"):
        assert (refused.value.code, refused.value.params["found"]) == ("import.not_a_spreadsheet", code)
        assert words in str(refused.value.detail) and "Save As .xlsx" in str(refused.value.detail)


def test_an_old_excel_file_is_named_in_chinese(admin_user):
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        run_import(
            kind=KINDS["stores"], source=BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), user=admin_user
        )
    assert refused.value.params["found"] == "xls"
    assert ".xlsx" in str(refused.value.detail)


@pytest.mark.parametrize(("language", "heading"), [("en", "What importing would change"), ("zh-hans", None)])
def test_the_checked_jobs_page_lists_each_updated_rows_changes(client, wmt_101, admin_user, commit, language, heading):
    client.force_login(admin_user)
    upload = xlsx_upload(STORE_HEADERS, [_store_row(Grade="B")])

    with commit(execute=True):
        response = client.post(
            "/imports/", {"kind": "stores", "file": upload, "check_only": "1"}, HTTP_ACCEPT_LANGUAGE=language
        )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert 'data-testid="import-changes"' in page
    assert page.count('data-testid="change-row"') == 1  # the grade only
    if heading:
        assert heading in page
    assert Store.objects.get(pk=wmt_101.pk).grade == "A"  # a check writes nothing
