"""A promotion type's name for the reader: a seeded type (known by its code) in English for an English reader,
its stored Chinese name for a Chinese one, and a type the company added by its own name in both."""

import io
import re

import openpyxl
import pytest

from promotions.models import PromotionType

from .factories import PromotionPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world):
    in_store = PromotionType.objects.create(code="INSTORE", kind="in_store", name="店促")
    member_day = PromotionType.objects.create(code="MEMBER", kind="in_store", name="会员日")
    PromotionPlanFactory(account=world.account, type=in_store, title="夏季店促", owner=world.manager)
    PromotionPlanFactory(account=world.account, type=member_day, title="会员日特价", owner=world.manager)
    return world


def test_the_plan_list_names_types_in_the_readers_language(client, plans):
    client.force_login(plans.manager)
    english = client.get("/promotions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/promotions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "In-store promotion" in english and "店促</td>" not in english
    assert "会员日</td>" in english  # the company's own type keeps its name
    assert "店促</td>" in chinese and "In-store promotion" not in chinese
    # the column headers are capitalised like the rest of the portal's
    head = english.split("<thead>")[1].split("</thead>")[0]
    assert [text.strip() for text in re.findall(r">([^<>]+)<", head) if text.strip()] == [
        "Plan name", "Dates", "Key account", "Type", "Dates", "Total cost (planned)", "Status",
    ]  # fmt: skip
    # on a phone the dates read under the plan's name, and so does their sort link (their column is hidden there)
    phone_dates = head.split("</th>")[0]
    assert '<span class="d-sm-none"><br><a href="?o=start_on" class="sort-link">Dates</a></span>' in phone_dates
    assert ">Key account</label>" in english and ">key account</label>" not in english  # and its filters' labels


def test_the_export_names_types_in_the_readers_language(client, plans):
    client.force_login(plans.manager)
    response = client.get("/promotions/?export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows, _total = list(sheet.iter_rows(values_only=True))
    column = header.index("Type")
    assert sorted(row[column] for row in rows) == ["In-store promotion", "会员日"]


def test_the_api_keeps_the_stored_name_and_adds_the_readers_one(api_client, plans):
    api_client.force_authenticate(plans.manager)
    types = api_client.get("/api/v1/promotion-types/", HTTP_ACCEPT_LANGUAGE="en").json()
    named = {t["code"]: (t["name"], t["display_name"]) for t in types}
    assert named["INSTORE"] == ("店促", "In-store promotion")
    assert named["MEMBER"] == ("会员日", "会员日")
    chinese = api_client.get("/api/v1/promotion-types/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {t["code"]: t["display_name"] for t in chinese}["INSTORE"] == "店促"
