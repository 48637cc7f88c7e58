"""The appraisal page, its Excel for payroll and the API: who sees which promoters (supervisor, manager, finance;
a promoter 404, a rep 403), the filters, the order, a bad month, both languages and a fixed number of queries."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from promoters.models import Promoter
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .factories_appraisal import D, promoter, shift, target

pytestmark = pytest.mark.django_db

URL = reverse("promoters:appraisal")
API = "/api/v1/reports/promoter-appraisal/"
MONTH = {"month": "2026-09"}


@pytest.fixture
def company():
    """Supervisor 1 leads P1 (daily, at chain A's store) and P2 (monthly, agency, at chain B's store); supervisor 2
    leads P3 (at chain B's other store). Manager A owns chain A; manager B chain B."""
    sup1, sup2 = make_user("supervisor", username="sup1"), make_user("supervisor", username="sup2")
    mgr_a, mgr_b = make_user("manager", username="mgr_a1"), make_user("manager", username="mgr_b1")
    a, b = KeyAccountFactory(code="A", owner=mgr_a), KeyAccountFactory(code="B", owner=mgr_b)
    sa, sb, sb2 = StoreFactory(account=a, code="SA"), StoreFactory(account=b, code="SB"), StoreFactory(account=b)
    p1 = promoter(supervisor=sup1, stores=[sa], daily_fee="150.00", code="P1", name="王芳")
    p2 = promoter(
        supervisor=sup1, stores=[sb], monthly_pay="3000.00", started_on=date(2026, 9, 1), code="P2", name="李娜",
        employer=Promoter.Employer.AGENCY, agency="好帮手人力",
    )  # fmt: skip
    p3 = promoter(supervisor=sup2, stores=[sb2], daily_fee="120.00", code="P3", name="赵敏")
    for n in (1, 2):
        shift(p1, sa, date(2026, 9, n), check_in="09:00", check_out="17:00")
    shift(p1, sa, date(2026, 9, 3), check_in="09:30", check_out="17:00")  # late
    shift(p2, sb, date(2026, 9, 4))  # absent
    shift(p3, sb2, date(2026, 9, 5), check_in="09:00", check_out="17:00")
    target(p1, date(2026, 9, 1), "1000.00")
    return {"sup1": sup1, "sup2": sup2, "mgr_a": mgr_a, "mgr_b": mgr_b, "p1": p1, "p2": p2, "p3": p3, "sa": sa}


def codes(response) -> list[str]:
    return [row.promoter.code for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("sup1", ["P1", "P2"]), ("sup2", ["P3"]), ("mgr_a", ["P1"]), ("mgr_b", ["P2", "P3"]), ("finance", None)],
)
def test_each_role_sees_its_promoters(company, client, who, expected):
    user = make_user("finance", username="fin1") if who == "finance" else company[who]
    client.force_login(user)

    response = client.get(URL, {**MONTH, "sort": "code"})

    assert response.status_code == 200
    assert codes(response) == (expected or ["P1", "P2", "P3"])


def test_a_promoter_is_not_found_and_a_rep_refused(company, client, api_client):
    login = make_user("promoter", username="promoter_x")
    Promoter.objects.filter(pk=company["p1"].pk).update(user=login)
    client.force_login(login)
    assert client.get(URL, MONTH).status_code == 404
    api_client.force_authenticate(login)
    assert api_client.get(API, MONTH).status_code == 404

    client.force_login(make_user("rep", username="rep_x"))
    assert client.get(URL, MONTH).status_code == 403


def test_the_page_in_both_languages_and_on_a_phone(company, client):
    client.force_login(company["sup1"])

    chinese = client.get(URL, MONTH).content.decode()
    english = client.get(URL, MONTH, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "促销员考核" in chinese and "Promoter appraisal" in english
    assert 'data-promoter="P1"' in english and "1 late" in english
    assert "450.00" in english and "3,000.00" in english  # 3 × 150; the monthly pay for the whole month
    # the shifts attended (a count) and the attendance score (points) are two columns with two names, as in the export
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", chinese)
    assert "出勤班次" in headers and "出勤得分" in headers and "陈列得分" in headers
    assert len(headers) == len(set(headers))


def test_filters_by_supervisor_agency_and_store(company, client):
    client.force_login(make_user("finance", username="fin2"))

    assert codes(client.get(URL, {**MONTH, "supervisor": "sup2"})) == ["P3"]
    assert codes(client.get(URL, {**MONTH, "agency": "好帮手人力"})) == ["P2"]
    assert codes(client.get(URL, {**MONTH, "store": "SA"})) == ["P1"]


def test_a_store_outside_the_scope_is_not_a_filter_and_a_bad_month_is_said(company, client):
    client.force_login(company["mgr_a"])

    refused = client.get(URL, {**MONTH, "store": "SB"})
    bad = client.get(URL, {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400 and codes(refused) == []
    assert bad.status_code == 400 and "“2026-13” is not a month: enter it as YYYY-MM" in bad.content.decode()


def test_sorted_by_score_by_default(company, client):
    client.force_login(company["sup1"])

    response = client.get(URL, MONTH)

    # P1: sell-out 0 of 1000 → 0, attendance 100, no display: (0.5 × 0 + 0.3 × 100) ÷ 0.8 = 37.5; P2: absent → 0.0
    assert codes(response) == ["P1", "P2"]
    assert [row.score for row in response.context["rows"]] == [D("37.5"), D("0.0")]


def test_the_payroll_export(company, client):
    client.force_login(company["sup1"])

    response = client.get(URL, {**MONTH, "export": "xlsx", "sort": "code"}, HTTP_ACCEPT_LANGUAGE="en")

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:13] == (
        "Code", "Name", "Employed by", "Agency", "Supervisor", "Shifts planned", "Shifts attended", "Days worked",
        "Late", "Left early", "Absent", "Checked in off site", "On leave",
    )  # fmt: skip
    assert header[13:] == (
        "Sell-out", "Target", "Achievement %", "Sell-out score", "Attendance score", "Display score", "Score",
        "Daily fee", "Monthly pay", "Pay",
    )  # fmt: skip
    p1, p2 = rows[1], rows[2]
    assert p1[:2] == ("P1", "王芳") and p1[5:11] == (3, 3, 3, 1, 0, 0) and p1[14] == 1000 and p1[-1] == 450
    assert p2[2:4] == ("Agency", "好帮手人力") and p2[5:11] == (1, 0, 0, 0, 0, 1) and p2[-1] == 3000


def test_the_api(company, api_client):
    api_client.force_authenticate(company["sup1"])

    response = api_client.get(API, {**MONTH, "sort": "code"})

    body = response.json()
    assert response.status_code == 200 and body["month"] == "2026-09" and body["count"] == 2
    first = body["results"][0]
    assert (first["promoter"], first["supervisor"], first["paid_by"], first["shifts_attended"], first["late"]) == (
        "P1",
        "sup1",
        "day",
        3,
        1,
    )
    figures = (first["pay"], first["target"], first["score"], first["sell_out_score"])
    assert figures == ("450.00", "1000.00", "37.5", "0.0")
    assert first["irregular"][0]["day"] == "2026-09-03"
    assert api_client.get(API, {"month": "nope"}).status_code == 400


def test_a_fixed_number_of_queries_however_many_promoters(company, client, django_assert_max_num_queries):
    client.force_login(make_user("finance", username="fin3"))
    with django_assert_max_num_queries(40) as few:
        client.get(URL, MONTH)
    for n in range(12):
        more = promoter(supervisor=company["sup1"], stores=[company["sa"]], code=f"M{n:02d}")
        shift(more, company["sa"], date(2026, 9, 10), check_in="09:00", check_out="17:00")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, MONTH)
    assert response.context["page_obj"].paginator.count == 15


def test_the_shifts_listed_name_only_stores_the_user_reaches(company, client, api_client):
    other_chain_store = Promoter.objects.get(code="P2").stores.get()
    shift(company["p1"], other_chain_store, date(2026, 9, 20), check_in="10:00", check_out="17:00")  # late, at B
    api_client.force_authenticate(company["mgr_a"])

    irregular = api_client.get(API, MONTH).json()["results"][0]["irregular"]

    assert [(shift_["day"], shift_["store"]) for shift_ in irregular] == [("2026-09-03", "SA"), ("2026-09-20", None)]


def test_the_month_field_shows_the_month_appraised(company, client, time_machine):
    """Finding: the field was empty while the title said the month."""
    time_machine.move_to(date(2026, 12, 4), tick=False)
    client.force_login(company["sup1"])

    page = client.get(URL).content.decode()
    chosen = client.get(URL, {**MONTH, "sort": "code"}).content.decode()
    sorted_only = client.get(URL, {"sort": "code"}).content.decode()

    assert "· 2026-12" in page and re.search(r'<input type="month" name="month" value="2026-12"', page)
    assert re.search(r'<input type="month" name="month" value="2026-09"', chosen)
    assert re.search(r'<input type="month" name="month" value="2026-12"', sorted_only)


def test_a_promoter_without_shifts_is_unscored_last_and_one_gone_before_the_month_left_out(company, client, api_client):
    """Finding: 陈佳 (ended 11-21, no shift in December) ranked first with 90.0 from the display part alone."""
    from .factories_appraisal import visit

    sa = company["sa"]
    visit(sa, date(2026, 9, 8), {"together": "pass", "tidy": "pass", "price_tag": "pass", "stock_level": "fail"})
    promoter(supervisor=company["sup1"], stores=[sa], code="P7", name="陈佳", ended_on=date(2026, 9, 21))
    promoter(supervisor=company["sup1"], stores=[sa], code="P8", name="离职", ended_on=date(2026, 8, 21))
    client.force_login(company["sup1"])
    api_client.force_authenticate(company["sup1"])

    page = client.get(URL, MONTH, HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(BytesIO(b"".join(client.get(URL, {**MONTH, "export": "xlsx"}).streaming_content))).active
    api = api_client.get(API, MONTH).json()["results"]

    assert codes(page) == ["P1", "P2", "P7"]
    row = page.content.decode().split('data-promoter="P7"')[1].split("</tr>")[0]
    assert re.search(r'data-col="score">—<', row) and re.search(r'data-col="display">—<', row)
    exported = {line[0]: line for line in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(exported) == ["P1", "P2", "P7"] and exported["P7"][18] is None
    # P1: 0.5 × 0 + 0.3 × 100 + 0.2 × 75 (3 of 4 checks passed at SA)
    assert [(r["promoter"], r["score"]) for r in api] == [("P1", "45.0"), ("P2", "0.0"), ("P7", None)]
