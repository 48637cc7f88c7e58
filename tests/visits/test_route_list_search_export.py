"""The route plans' list searches (the rep by name or username, a store among the plan's stops) and exports to
.xlsx as every list does: the page's columns, in the reader's language, the rows the filters select, within the
user's scope (a supervisor exports their team's plans only)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]

HEADERS = {
    "en": ["Week starting", "Sales rep", "Status", "Stores", "Visits planned"],
    "zh-hans": ["周起始日", "业务代表", "状态", "门店", "计划拜访"],
}


@pytest.fixture
def plans(on_this_monday):
    sup = make_user(Role.SUPERVISOR, username="sup_rse")
    zhang = make_user(Role.REP, username="rep_rse1", supervisor=sup, first_name="伟", last_name="张")
    li = make_user(Role.REP, username="rep_rse2", supervisor=sup, first_name="Na", last_name="Li")
    outsider = make_user(Role.REP, username="rep_rse_out", supervisor=make_user(Role.SUPERVISOR, username="sup_rse2"))
    times = StoreFactory(rep=zhang, code="TIMES-002", name="时代超市二店")
    other = StoreFactory(rep=li, code="OLE-001", name="Ole 精品超市")
    far = StoreFactory(rep=outsider, code="TIMES-009", name="时代超市九店")
    for week in (0, 7):
        monday = on_this_monday + timedelta(days=week)
        plan = RoutePlanFactory(rep=zhang, week_start=monday, status=RoutePlan.Status.PUBLISHED)
        RouteStopFactory(plan=plan, store=times, day=0)
        RouteStopFactory(plan=plan, store=times, day=3)
        RouteStopFactory(plan=RoutePlanFactory(rep=li, week_start=monday), store=other, day=1)
        RouteStopFactory(plan=RoutePlanFactory(rep=outsider, week_start=monday), store=far, day=2)
    return sup


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _page_rows(response) -> list[list]:
    """What the page shows of each plan, in the export's terms."""
    from ka_portal.formatting import display_name

    return [
        [plan.week_start.isoformat(), display_name(plan.rep), plan.get_status_display(), plan.store_count,
         plan.stop_count]
        for plan in response.context["object_list"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "reps"),
    [
        ("张伟", {"rep_rse1"}),  # the name as the list shows it
        ("rep_rse2", {"rep_rse2"}),  # the username, as the rep filter takes it
        ("Na Li", {"rep_rse2"}),
        ("TIMES", {"rep_rse1"}),  # a store's code among the plan's stops: the other team's TIMES-009 stays out
        ("精品", {"rep_rse2"}),  # a store's name
    ],
)
def test_the_search_finds_plans_by_rep_or_store_within_the_team(plans, text, reps):
    response = _client(plans).get("/visits/routes/", {"q": text})

    assert response.status_code == 200
    assert {plan.rep.username for plan in response.context["object_list"]} == reps
    assert 'name="q"' in response.content.decode()  # the search box on the page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_export_holds_the_pages_columns_and_rows(plans, language):
    client = _client(plans, language)
    query = {"q": "时代", "week_start": ""}

    page = client.get("/visits/routes/", query)
    rows = _sheet(client.get("/visits/routes/", {**query, "export": "xlsx"}))

    assert 'data-testid="export-xlsx"' in page.content.decode()
    assert rows[0] == HEADERS[language]
    exported = [[row[0].date().isoformat() if hasattr(row[0], "date") else row[0], *row[1:]] for row in rows[1:]]
    assert exported == _page_rows(page)
    assert len(exported) == 2 and {row[3:] for row in map(tuple, exported)} == {(1, 2)}


def test_a_supervisor_exports_only_their_teams_plans(plans):
    rows = _sheet(_client(plans).get("/visits/routes/", {"export": "xlsx"}))

    reps = {row[1] for row in rows[1:]}
    assert reps == {"张伟", "Na Li"} and len(rows) == 1 + 4
    assert "rep_rse_out" not in reps
