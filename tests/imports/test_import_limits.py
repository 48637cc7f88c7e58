"""Imports that stay small (issue 10, defect 9): a sheet of bad rows answers its first problems and their
count, a file over the size cap is refused before it is opened, too many rows are refused, a refused file
writes nothing, and the memory a refused file costs does not grow with its bad rows."""

import io
import json
import tracemalloc
import zipfile
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import Client
from django.utils import translation

from imports import runner
from imports.registry import KINDS
from imports.runner import CHECK_CHUNK, ImportRejected, run_import
from ka_portal.errors import DomainError
from stores.models import Product, Store
from tests.factories import KeyAccountFactory

from .xlsx import api_import, page_import, read_xlsx, xlsx_bytes, xlsx_upload

pytestmark = pytest.mark.django_db

PAGE = "/imports/"
API = "/api/v1/imports/products/"
PRODUCT_HEADERS = [
    "product code", "product name", "packs per case", "suggested retail price", "distributor price", "wholesale price",
]  # fmt: skip


def _product(number: int, *, packs=12, price=5) -> list:
    return [f"P{number:06d}", f"产品{number}", packs, price, 4, 4]


def _bad_products(count: int) -> list[list]:
    """Rows each with two problems: no packs per case is below 1, and the price is not a number."""
    return [_product(number, packs=0, price="five") for number in range(count)]


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if the runner opens the workbook at all."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(runner, "load_workbook", refuse)


# --- thousands of bad rows: the first 100 problems and the count of all ---


def test_the_api_lists_the_first_100_problems_and_counts_them_all(api_client, admin_user, commit):
    # given a sheet with 3,000 bad rows, two problems each
    api_client.force_authenticate(admin_user)
    upload = xlsx_upload(PRODUCT_HEADERS, _bad_products(3000))
    # when
    body = api_import(api_client, "products", upload, commit=commit, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert (body["status"], body["code"], body["problems_total"]) == ("refused", "import.invalid_rows", 6000)
    assert body["params"] == {"bad_rows": 3000, "rows": 3000, "problems": 6000, "shown": 100}
    assert body["detail"] == (
        "Rows with problems: 3000 of 3000. Showing the first 100 of 6000 problems. "
        "Nothing was imported; fix them and upload again."
    )
    # the first ones by row and column, each named by row, column and reason
    assert len(body["errors"]) == 100
    assert body["errors"][:2] == [
        {"row": 2, "column": "packs per case", "field": "packs_per_case",
         "code": "product.packs_per_case_out_of_range",
         "message": "Packs per case must be between 1 and 10000; 0 is not."},
        {"row": 2, "column": "suggested retail price", "field": "suggested_retail_price", "code": "import.bad_number",
         "message": "“five” is not a number."},
    ]  # fmt: skip
    assert [error["row"] for error in body["errors"]] == [row for row in range(2, 52) for _ in range(2)]
    assert len(json.dumps(body)) < 20_000
    assert not Product.objects.exists()


def test_the_count_comes_in_chinese_for_a_chinese_client(api_client, admin_user, commit):
    api_client.force_authenticate(admin_user)
    upload = xlsx_upload(PRODUCT_HEADERS, _bad_products(120))

    body = api_import(api_client, "products", upload, commit=commit, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert body["detail"] == (
        "有问题的行：120 / 120。共 240 个问题，仅显示前 100 个。未导入任何数据，请修改后重新上传。"
    )


def test_the_number_listed_is_a_setting(api_client, admin_user, settings, commit):
    settings.KA = replace(settings.KA, import_max_errors=5)
    api_client.force_authenticate(admin_user)

    response = api_import(api_client, "products", xlsx_upload(PRODUCT_HEADERS, _bad_products(40)), commit=commit)

    assert (len(response["errors"]), response["params"]["problems"], response["params"]["shown"]) == (5, 80, 5)


def test_a_few_problems_are_all_listed_without_a_count_line(api_client, admin_user, commit):
    api_client.force_authenticate(admin_user)
    rows = [_product(1), _product(2, packs=0)]

    body = api_import(
        api_client, "products", xlsx_upload(PRODUCT_HEADERS, rows), commit=commit, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert body["detail"] == "Rows with problems: 1 of 2. Nothing was imported; fix them and upload again."
    assert body["params"] == {"bad_rows": 1, "rows": 2, "problems": 1, "shown": 1}


def test_the_page_shows_the_first_100_problems_and_the_count(client, manager, commit):
    # given
    client.force_login(manager)
    upload = xlsx_upload(PRODUCT_HEADERS, _bad_products(3000))
    # when
    response = page_import(client, "products", upload, commit=commit, HTTP_ACCEPT_LANGUAGE="en")
    # then
    page = response.content.decode()
    assert page.count("Packs per case must be between 1 and 10000; 0 is not.") == 50
    assert page.count("is not a number.") == 50
    assert '<td class="num">51</td><td class="text-nowrap">suggested retail price</td>' in page
    assert '<td class="num">52</td>' not in page
    assert "Showing the first 100 of 6000 problems." in page
    assert len(response.content) < 100_000
    # and the download holds what was shown, no more
    download = client.get(f"/imports/jobs/{response.context['job'].pk}/problems.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(download.streaming_content)).values()
    assert len(rows) == 1 + 100
    assert rows[1] == (
        2,
        "packs per case",
        "Packs per case must be between 1 and 10000; 0 is not.",
        "product.packs_per_case_out_of_range",
    )
    assert not Product.objects.exists()


def test_the_page_says_the_count_in_chinese(client, manager, commit):
    client.force_login(manager)
    upload = xlsx_upload(PRODUCT_HEADERS, _bad_products(60))

    page = page_import(client, "products", upload, commit=commit, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "共 120 个问题，仅显示前 100 个。" in page
    assert "下载所列问题（Excel）" in page


# --- the size cap, before the file is opened ---


def test_the_api_refuses_a_file_over_the_cap_with_413_naming_the_limit(api_client, admin_user, settings, no_parsing):
    settings.KA = replace(settings.KA, upload_max_bytes=1024 * 1024)
    api_client.force_authenticate(admin_user)
    upload = SimpleUploadedFile("big.xlsx", b"0" * (1024 * 1024 + 1))

    response = api_client.post(API, {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 413
    assert response.json() == {
        "code": "import.too_large",
        "detail": "The file is larger than 1 MB.",
        "params": {"limit_mb": 1, "limit_bytes": 1024 * 1024},
        "field": "file",
    }


def test_the_page_names_the_limit_next_to_the_file_field_in_chinese(client, manager, settings, no_parsing):
    settings.KA = replace(settings.KA, upload_max_bytes=512 * 1024)
    client.force_login(manager)
    upload = SimpleUploadedFile("big.xlsx", b"0" * (512 * 1024 + 1))

    response = client.post(PAGE, {"kind": "products", "file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert '<div class="invalid-feedback d-block" data-testid="file-error">文件超过 0.5 MB。</div>' in (
        response.content.decode()
    )


class CountingHandler(MemoryFileUploadHandler):
    """Stands for where an upload is stored: counts the bytes of files that reach it."""

    received = 0

    def handle_raw_input(self, *args, **kwargs):
        self.activated = True  # keep every file in memory, whatever its announced size

    def receive_data_chunk(self, raw_data, start):
        CountingHandler.received += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


@pytest.mark.parametrize("door", ["api", "page"])
def test_an_upload_over_the_cap_is_dropped_as_it_arrives(client, api_client, manager, settings, no_parsing, door):
    # given a 1 MB cap and a 5 MB upload
    settings.KA = replace(settings.KA, upload_max_bytes=1024 * 1024)
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.CountingHandler"]
    CountingHandler.received = 0
    upload = SimpleUploadedFile("big.xlsx", b"0" * (5 * 1024 * 1024))
    # when
    if door == "api":
        api_client.force_authenticate(manager)
        response = api_client.post(API, {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
        assert (response.status_code, response.json()["detail"]) == (413, "The file is larger than 1 MB.")
    else:
        client.force_login(manager)
        response = client.post(PAGE, {"kind": "products", "file": upload}, HTTP_ACCEPT_LANGUAGE="en")
        assert "The file is larger than 1 MB." in response.content.decode()
        assert 'name="kind" value="products"' in response.content.decode()
    # then no more than the cap (and one chunk) was ever stored
    assert CountingHandler.received <= 1024 * 1024 + 64 * 1024


def test_the_page_still_checks_the_csrf_token(manager, commit):
    # the page installs its size limit before Django's CSRF check reads the body, then checks the token itself
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager)
    upload = xlsx_upload(PRODUCT_HEADERS, [_product(1)])

    refused = csrf_client.post(PAGE, {"kind": "products", "file": upload})

    assert refused.status_code == 403
    token = csrf_client.get(PAGE).context["csrf_token"]
    upload.seek(0)
    with commit(execute=True):
        accepted = csrf_client.post(PAGE, {"kind": "products", "file": upload, "csrfmiddlewaretoken": str(token)})
    assert accepted.status_code == 302
    assert Product.objects.count() == 1


def test_a_file_at_the_cap_is_read(admin_user, settings):
    content = xlsx_bytes(PRODUCT_HEADERS, [_product(1)])
    settings.KA = replace(settings.KA, upload_max_bytes=len(content))

    result = run_import(kind=KINDS["products"], source=SimpleUploadedFile("p.xlsx", content), user=admin_user)

    assert result.created == 1


def test_an_open_file_is_measured_too(admin_user, settings, no_parsing):
    # the runner also takes a plain file object (the benchmark, a management command)
    settings.KA = replace(settings.KA, upload_max_bytes=100)

    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=io.BytesIO(b"0" * 101), user=admin_user)

    assert excinfo.value.code == "import.too_large"


# --- the row cap ---


def test_more_rows_than_the_setting_allows_are_refused(admin_user, settings):
    settings.KA = replace(settings.KA, import_max_rows=30)

    with pytest.raises(DomainError) as excinfo:
        run_import(
            kind=KINDS["products"],
            source=xlsx_upload(PRODUCT_HEADERS, [_product(n) for n in range(31)]),
            user=admin_user,
        )

    assert excinfo.value.code == "import.too_many_rows"
    assert excinfo.value.detail == "The sheet has more than 30 rows below the headers; split it into smaller files."
    with translation.override("zh-hans"):
        assert excinfo.value.detail == "工作表标题行以下超过 30 行，请拆分为多个较小的文件。"
    assert not Product.objects.exists()


def test_rows_up_to_the_cap_and_blank_rows_after_it_import(admin_user, settings):
    settings.KA = replace(settings.KA, import_max_rows=30)
    rows = [*[_product(n) for n in range(30)], *[[None] * 6] * 5]

    result = run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert result.created == 30


def test_data_far_below_the_cap_is_refused_not_dropped(admin_user, settings):
    # given a sheet whose second data row sits at row 5,000, past a cap of 100 rows
    settings.KA = replace(settings.KA, import_max_rows=100)
    content = _with_extra_cell(xlsx_bytes(PRODUCT_HEADERS, [_product(1)]), row=5000, column="A", text="P9")

    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=SimpleUploadedFile("p.xlsx", content), user=admin_user)

    assert excinfo.value.code == "import.too_many_rows"


def test_a_cell_far_to_the_right_does_not_widen_what_is_read(admin_user):
    # a value in column XFD (16,384) of a data row: only the matched columns are read
    content = _with_extra_cell(xlsx_bytes(PRODUCT_HEADERS, [_product(1)]), row=2, column="XFD", text="x", append=True)

    result = run_import(kind=KINDS["products"], source=SimpleUploadedFile("p.xlsx", content), user=admin_user)

    assert result.created == 1


def _with_extra_cell(content: bytes, *, row: int, column: str, text: str, append: bool = False) -> bytes:
    """The workbook with one more text cell: a new row at the end, or (append) at the end of that row."""
    cell = f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
    source, target = io.BytesIO(content), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as rewritten:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if append:
                    head, tail = data.split(f'<row r="{row}"'.encode(), 1)
                    cells, rest = tail.split(b"</row>", 1)
                    data = head + f'<row r="{row}"'.encode() + cells + cell + b"</row>" + rest
                else:
                    data = data.replace(b"</sheetData>", f'<row r="{row}">'.encode() + cell + b"</row></sheetData>")
            rewritten.writestr(item, data)
    return target.getvalue()


# --- all or nothing across chunks ---


def test_one_bad_row_after_thousands_of_good_ones_writes_nothing(admin_user):
    # given good rows over more than two chunks, and one bad row at the end
    rows = [*[_product(n) for n in range(2 * CHECK_CHUNK + 10)], _product(99999, packs=0)]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(len(rows) + 1, "packs per case")]
    assert excinfo.value.params["rows"] == len(rows)
    assert not Product.objects.exists()


def test_a_bad_row_first_then_thousands_of_good_ones_writes_nothing(admin_user):
    rows = [_product(99999, packs=0), *[_product(n) for n in range(2 * CHECK_CHUNK + 10)]]

    with pytest.raises(ImportRejected):
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert not Product.objects.exists()


def test_a_duplicate_in_a_later_chunk_is_found_and_named(admin_user):
    rows = [_product(n) for n in range(CHECK_CHUNK + 500)]
    rows.append(_product(7))

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert [(e.row, e.message) for e in excinfo.value.errors] == [
        (len(rows) + 1, "Same “product code” as row 9 of this file: only one of the two rows can stay.")
    ]
    assert not Product.objects.exists()


def test_duplicates_after_the_file_is_refused_are_still_counted(admin_user):
    # given a bad row first (the file is refused from then on), then a code given twice in later chunks
    rows = [_product(0, packs=0), *[_product(n) for n in range(1, CHECK_CHUNK + 50)], _product(5)]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert excinfo.value.params["problems"] == 2
    assert (
        excinfo.value.errors[-1].message
        == "Same “product code” as row 7 of this file: only one of the two rows can stay."
    )


def test_a_good_file_over_several_chunks_writes_every_row_once(admin_user):
    rows = [_product(n) for n in range(2 * CHECK_CHUNK + 10)]

    result = run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert (result.rows, result.created) == (len(rows), len(rows))
    assert Product.objects.count() == len(rows)


def test_codes_out_of_scope_are_checked_in_every_chunk(client, manager, commit):
    # given a manager's account and a store code of another manager's account far down the file
    KeyAccountFactory(code="MINE", owner=manager)
    KeyAccountFactory(code="THEIRS")
    headers = ["account code", "store code", "store name", "grade"]
    rows = [["MINE", f"S{n:05d}", "店", "A"] for n in range(CHECK_CHUNK + 100)]
    rows.append(["THEIRS", "X1", "店", "A"])
    client.force_login(manager)
    # when
    response = page_import(client, "stores", xlsx_upload(headers, rows), commit=commit, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert f'<td class="num">{len(rows) + 1}</td><td class="text-nowrap">account code</td>' in response.content.decode()
    assert not Store.objects.exists()


# --- memory ---


@pytest.mark.one_leg  # the runner's memory: the same on either engine
def test_memory_of_a_refused_file_stays_flat(admin_user):
    # given 10,000 target rows with four problems each (unknown account, year, month, amount): 40,000
    # problems; before the fix the runner held them all, a peak of about 35 MB here (70 MB at twice the rows)
    rows = [[f"KA{number:05d}", 1999, 13, -1] for number in range(10_000)]
    content = xlsx_bytes(["account code", "year", "month", "target amount"], rows)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        # when
        with pytest.raises(ImportRejected) as excinfo:
            run_import(kind=KINDS["targets"], source=SimpleUploadedFile("bad.xlsx", content), user=admin_user)
        body = json.dumps([error.as_dict() for error in excinfo.value.errors], ensure_ascii=False)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    # then (a few MB now)
    assert excinfo.value.params["problems"] == 40_000
    assert peak < 15 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert len(body.encode()) < 20_000
