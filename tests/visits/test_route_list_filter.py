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
