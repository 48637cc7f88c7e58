"""Who is still in a store at 20:00: the visit list (page and API, one FilterSet) shows only the visits still open
(checked in, not checked out) with `open=true`, only those checked out with `open=false`; any other value is a 400
naming the filter. Each open visit says so in its row: in progress today, not checked out yet from an earlier day."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
EIGHT_PM = datetime(2026, 6, 3, 20, 0, tzinfo=SHANGHAI)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def at_eight_pm():
    with time_machine.travel(EIGHT_PM, tick=False):
        yield


@pytest.fixture
def team(supervisor):
    rep_a = make_user(Role.REP, username="rep_open_a", supervisor=supervisor)
    rep_b = make_user(Role.REP, username="rep_open_b", supervisor=supervisor)
    store_a = StoreFactory(rep=rep_a, name="联华四店")
    store_b = StoreFactory(rep=rep_b, name="家乐福曹杨店")
    still_in = VisitFactory(rep=rep_a, store=store_a, checked_in_at=EIGHT_PM - timedelta(minutes=40))
    done = VisitFactory(
        rep=rep_b,
        store=store_b,
        checked_in_at=EIGHT_PM - timedelta(hours=3),
        checked_out_at=EIGHT_PM - timedelta(hours=2, minutes=20),
    )
    forgotten = VisitFactory(rep=rep_b, store=store_b, checked_in_at=EIGHT_PM - timedelta(days=1, hours=2))
    return {"still_in": still_in, "done": done, "forgotten": forgotten}


@pytest.mark.parametrize(
    ("value", "shown"),
    [("true", {"still_in", "forgotten"}), ("yes", {"still_in", "forgotten"}), ("false", {"done"}), ("", None)],
)
def test_the_api_lists_the_visits_still_open(api_client, supervisor, team, value, shown):
    api_client.force_authenticate(supervisor)

    answer = api_client.get("/api/v1/visits/", {"open": value})

    assert answer.status_code == 200
    ids = {row["id"] for row in answer.json()["results"]}
    assert ids == {team[name].pk for name in (shown or team)}


def test_the_page_lists_the_visits_still_open_and_says_so_in_each_row(client, supervisor, team):
    client.force_login(supervisor)

    page = client.get(reverse("visits:visit-list"), {"open": "true"}, **EN)

    assert {visit.pk for visit in page.context["object_list"]} == {team["still_in"].pk, team["forgotten"].pk}
    text = page.content.decode()
    assert '<span class="badge text-bg-primary" data-testid="visit-open">In progress</span>' in text
    assert '<span class="badge text-bg-warning" data-testid="visit-open">Not checked out yet</span>' in text
    # the filter in the form: All, not checked out yet, checked out
    assert '<option value="true" selected>Still open</option>' in text
    assert '<option value="false">Checked out</option>' in text


def test_checked_out_visits_carry_no_open_badge(client, supervisor, team):
    client.force_login(supervisor)

    page = client.get(reverse("visits:visit-list"), {"open": "false"}, **EN)

    assert [visit.pk for visit in page.context["object_list"]] == [team["done"].pk]
    assert 'data-testid="visit-open"' not in page.content.decode()


@pytest.mark.parametrize("value", ["maybe", "open", "2"])
def test_a_value_that_is_no_yes_or_no_is_refused_naming_the_filter(api_client, client, supervisor, team, value):
    api_client.force_authenticate(supervisor)
    client.force_login(supervisor)

    answer = api_client.get("/api/v1/visits/", {"open": value}, **EN)
    page = client.get(reverse("visits:visit-list"), {"open": value}, **EN)

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and list(answer.json()["errors"]) == ["open"]
    assert "is not yes or no" in page.content.decode() and not page.context["object_list"]


def test_a_rep_sees_only_their_own_open_visits(api_client, team):
    rep_a = team["still_in"].rep
    api_client.force_authenticate(rep_a)

    answer = api_client.get("/api/v1/visits/", {"open": "true"})

    assert [row["id"] for row in answer.json()["results"]] == [team["still_in"].pk]
