"""The route plans' list filters the weeks the reps cannot see yet (routes item 2): "Not published (draft)" beside
"Published", in both languages, on the page and in the API (one FilterSet)."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]


@pytest.fixture
def plans(on_this_monday):
    sup = make_user(Role.SUPERVISOR, username="sup_flt")
    rep = make_user(Role.REP, username="rep_flt", supervisor=sup)
    store = StoreFactory(rep=rep)
    made = {}
    for status, week in ((RoutePlan.Status.PUBLISHED, 0), (RoutePlan.Status.DRAFT, 7)):
        plan = RoutePlanFactory(rep=rep, week_start=on_this_monday + timedelta(days=week), status=status)
        RouteStopFactory(plan=plan, store=store, day=1)
        made[status] = plan
    return sup, made


@pytest.mark.parametrize(("language", "option"), [("en", "Not published (draft)"), ("zh-hans", "未发布(草稿)")])
def test_the_page_filters_the_weeks_not_published(plans, language, option):
    sup, made = plans
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(sup)

    page = html.unescape(client.get("/visits/routes/", {"status": "draft"}).content.decode())

    assert f'<option value="draft" selected>{option}</option>' in page
    weeks = [row.split("</a>")[0].rsplit(">", 1)[1] for row in page.split('data-testid="plan-week"')[1:]]
    assert weeks == [made[RoutePlan.Status.DRAFT].week_start.isoformat()]


def test_the_api_filters_the_weeks_not_published(plans):
    sup, made = plans
    client = APIClient()
    client.force_authenticate(sup)

    drafts = client.get("/api/v1/routes/", {"status": "draft"}).json()["results"]
    published = client.get("/api/v1/routes/", {"status": "published"}).json()["results"]

    assert [plan["id"] for plan in drafts] == [made[RoutePlan.Status.DRAFT].pk]
    assert [plan["id"] for plan in published] == [made[RoutePlan.Status.PUBLISHED].pk]


@pytest.mark.parametrize(
    ("language", "said", "clear"),
    [("en", "No route plans match these filters.", "Clear"), ("zh-hans", "没有符合筛选条件的路线表。", "清除")],
)
def test_a_filter_matching_no_plan_says_so_with_a_clear_link(plans, language, said, clear):
    """Finding: a week with no plan read "No route plans yet." (暂无路线表) though the supervisor has plans: the
    filter matched none. It says so, with a link that clears the filters, as the other lists do."""
    sup, made = plans
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(sup)

    page = client.get("/visits/routes/", {"week_start": "2020-01-06"}).content.decode()
    empty = page.split('data-testid="no-route-plans">')[1].split("</p>")[0]
    assert said in empty and f'<a href="/visits/routes/">{clear}</a>' in empty

    fresh = make_user(Role.SUPERVISOR, username="sup_new")
    client.force_login(fresh)
    page = client.get("/visits/routes/").content.decode()
    assert "No route plans yet." in page or "暂无路线表" in page
    assert "match these filters" not in page and "没有符合筛选条件" not in page
