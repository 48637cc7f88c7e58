"""A manager uploads a bad store file on a Chinese page, then switches the portal to English: the job's problems now
read in English, the cell's own values as they were; back in Chinese they read in Chinese again."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import KeyAccountFactory, make_user

from .conftest import log_in
from .test_stores_import import _upload

pytestmark = pytest.mark.django_db(transaction=True)


def _problems(page) -> list[list[str]]:
    return [
        row.locator("td").all_inner_texts() for row in page.get_by_test_id("import-errors").locator("tbody tr").all()
    ]


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_problems_follow_the_language_the_reader_chooses(screen, request, live_server, tmp_path):
    page = request.getfixturevalue(screen)
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    log_in(page, "mgr1", "demo-pass-1")
    page.goto("/imports/?kind=stores")
    _upload(page, tmp_path, "bad.xlsx", [["WM", "S2", "徐汇店", "上海", "E"], ["XX", "S3", "浦东店", "上海", "B"]])
    assert _problems(page) == [
        ["2", "等级", "“E”不是 A, B, C 之一。"],
        ["3", "系统编码", "在您可访问的系统中，没有编码为“XX”的系统。"],
    ]

    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    assert _problems(page) == [
        ["2", "等级", "“E” is not one of A, B, C."],
        ["3", "系统编码", "No key account with the code “XX” that you can reach."],
    ]
    page.screenshot(path=f"tests/e2e/artifacts/import-problems-english-{screen}.png", full_page=True)
    page.select_option("#language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert _problems(page)[0] == ["2", "等级", "“E”不是 A, B, C 之一。"]
