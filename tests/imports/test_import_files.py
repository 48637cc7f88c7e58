"""What the runner says about the file itself: not a workbook, empty, headers missing or doubled, too large."""

import io
import zipfile
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores.models import Product

from .xlsx import xlsx_bytes, xlsx_upload

pytestmark = pytest.mark.django_db

PRODUCT_HEADERS = [
    "product code", "product name", "packs per case", "suggested retail price", "distributor price", "wholesale price",
]  # fmt: skip


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", "门店编码,门店名称\nS1,店\n".encode()),
        ("stores.xlsx", b"code,name\nS1,shop\n"),  # a CSV renamed
        ("broken.xlsx", xlsx_bytes(["a"], [["b"]])[:300]),  # a zip cut short
        ("letter.xlsx", _zip_without_workbook()),  # a zip, but not a workbook
        ("empty.xlsx", b""),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),  # the old binary format
    ],
    ids=["text", "csv-renamed", "corrupt-zip", "other-zip", "zero-bytes", "xls"],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_error(admin_user, name, content):
    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=SimpleUploadedFile(name, content), user=admin_user)

    assert excinfo.value.code == "import.not_a_spreadsheet"
    if name.endswith(".xls"):  # named as what it is, with what to do
        assert "an old Excel (.xls) file: open it in Excel and Save As .xlsx" in excinfo.value.detail
    else:
        assert "not an Excel workbook" in excinfo.value.detail
    if content.startswith(b"\xd0\xcf") or b"," in content[:40]:
        assert "Save As .xlsx" in excinfo.value.detail


def test_an_empty_sheet_says_row_1_must_hold_the_headers(admin_user):
    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload([], []), user=admin_user)

    assert excinfo.value.code == "import.empty"


def test_headers_without_rows_say_so(admin_user):
    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, [[None] * 6]), user=admin_user)

    assert excinfo.value.code == "import.no_rows"


def test_missing_required_columns_are_named_in_both_languages(admin_user):
    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["products"],
            source=xlsx_upload(["product code", "product name"], [["P1", "啤酒"]]),
            user=admin_user,
        )

    assert excinfo.value.detail == (
        "The column headers in row 1 have problems. Nothing was imported; fix them and upload again."
    )
    messages = [(e.row, e.column, e.message) for e in excinfo.value.errors]
    assert messages[0] == (1, "Packs per case", "Required column missing: “箱规” or “Packs per case”.")
    assert [m[1] for m in messages] == [
        "Packs per case",
        "Suggested retail price",
        "Distributor price",
        "Wholesale price",
    ]


def test_a_column_given_twice_is_refused(admin_user):
    headers = [*PRODUCT_HEADERS, "产品名称"]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["products"], source=xlsx_upload(headers, [["P1", "啤酒", 12, 5, 4, 4, "啤酒"]]), user=admin_user
        )

    assert [(e.row, e.message) for e in excinfo.value.errors] == [(1, "This column appears twice.")]


def test_headers_in_both_languages_mixed_or_combined_are_accepted(admin_user):
    # given one header per language, one carrying both, and case and spaces that differ
    headers = ["产品编码 / product code", "Product  Name", "箱规*", "建议零售价", "distributor price", "二批价", "备注"]

    result = run_import(
        kind=KINDS["products"], source=xlsx_upload(headers, [["P1", "啤酒", 12, 5, 4, 4, "x"]]), user=admin_user
    )

    assert result.created == 1
    assert result.ignored_columns == ("备注",)
    assert Product.objects.get().name == "啤酒"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(admin_user):
    rows = [["P1", "啤酒", 12, 5, 4, 4], [None] * 6, ["P2", "薯片", 0, 5, 4, 4]]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(4, "packs per case")]


def test_a_file_over_the_size_limit_is_refused(admin_user, settings):
    settings.KA = replace(settings.KA, upload_max_bytes=1024 * 1024)
    upload = SimpleUploadedFile("big.xlsx", b"0" * (1024 * 1024 + 1))

    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["products"], source=upload, user=admin_user)

    assert excinfo.value.code == "import.too_large"
    assert excinfo.value.detail == "The file is larger than 1 MB."


def test_a_sheet_with_a_wrong_size_record_is_still_read_whole(admin_user):
    # given a workbook whose sheet claims to be one cell big (some programs write that)
    content = xlsx_bytes(PRODUCT_HEADERS, [["P1", "啤酒", 12, 5, 4, 4], ["P2", "薯片", 24, 5, 4, 4]])
    source, target = io.BytesIO(content), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as rewritten:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:F3" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            rewritten.writestr(item, data)
    # when
    result = run_import(kind=KINDS["products"], source=SimpleUploadedFile("p.xlsx", target.getvalue()), user=admin_user)
    # then
    assert result.created == 2
