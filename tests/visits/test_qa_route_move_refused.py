"""A move refused on the plan's page says which store it was about and keeps what was typed at that stop, with why
beside it: on a day of 30 stops the supervisor found the # box back at the stop's place and a message naming no
store. And a rep opening a week over capacity sees its numbers, not the advice meant for who plans it."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ADVICE = "Nothing was cut: move or remove stops, or change store frequencies."


@pytest.fixture
def week():
    sup = make_user(Role.SUPERVISOR, username="sup_qa_move")
    rep = make_user(Role.REP, username="rep_qa_move", supervisor=sup)
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    names = ["沃尔玛五角场店", "家乐福古北店", "大润发杨浦店"]
    stops = [
        RouteStopFactory(plan=plan, store=StoreFactory(rep=rep, name=name), day=3, position=i)
        for i, name in enumerate(names)
    ]
    return sup, rep, plan, stops


def _order(plan):
    return list(plan.stops.filter(day=3).order_by("position").values_list("pk", flat=True))


def _box(page: str, stop) -> str:
    return re.search(rf'<input[^>]*id="position-{stop.pk}"[^>]*>', page).group(0)


@pytest.mark.parametrize("typed", ["0", "40000", "-1", "1.5"])
def test_a_place_out_of_range_names_the_store_and_keeps_what_was_typed_beside_why(client, week, typed):
    # given: the supervisor on a draft week of three stops on Thursday
    sup, _rep, plan, stops = week
    before = _order(plan)
    client.force_login(sup)

    # when: the second stop is moved to a place that is no place
    refused = client.post(reverse("visits:route-stop-move", args=[stops[1].pk]), {"day": 3, "position": typed}, **EN)

    # then: the page is drawn again (not left for a redirect), the message at the top names the store
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "家乐福古北店: give its place in the day as a number from 1 to 32767." in page
    # and that stop's box holds what was typed, marked wrong, with why beside it; the other boxes are as they were
    box = _box(page, stops[1])
    assert f'value="{typed}"' in box and 'aria-invalid="true"' in box
    beside = re.search(r'data-testid="move-error">([^<]*)<', page).group(1)
    assert beside == "Give the place in the day as a number from 1 to 32767."
    assert page.count('data-testid="move-error"') == 1
    assert 'value="1"' in _box(page, stops[0]) and "aria-invalid" not in _box(page, stops[0])
    # and its day is still the one chosen
    assert re.search(rf'<select[^>]*id="move-{stops[1].pk}".*?<option value="3" selected>', page, re.S)
    assert _order(plan) == before


def test_in_chinese_the_alert_at_the_top_names_the_store_and_the_box_keeps_the_typed_place(client, week):
    sup, _rep, plan, stops = week
    client.force_login(sup)

    refused = client.post(reverse("visits:route-stop-move", args=[stops[0].pk]), {"day": 3, "position": "0"}, **ZH)

    page = refused.content.decode()
    alert = re.search(r'<div class="alert alert-danger[^>]*>\s*([^<]*)<', page).group(1)
    assert alert.startswith("沃尔玛五角场店")
    assert "当天的顺序请填 1 到 32767 之间的数。" in re.search(r'data-testid="move-error">([^<]*)<', page).group(1)
    assert 'value="0"' in _box(page, stops[0])


def test_a_move_the_service_refuses_is_shown_at_the_stop_with_the_day_as_chosen(client, week):
    # given: a store already on Friday, and also on Thursday
    sup, rep, plan, stops = week
    RouteStopFactory(plan=plan, store=stops[0].store, day=4, position=0)
    before = list(plan.stops.order_by("day", "position").values_list("pk", "day", "position"))
    client.force_login(sup)

    # when: its Thursday stop is moved to Friday
    refused = client.post(reverse("visits:route-stop-move", args=[stops[0].pk]), {"day": 4, "position": "2"}, **EN)

    # then: refused, the store named, the chosen day and place kept at that stop with why beside them
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "沃尔玛五角场店 is already on this day." in page
    assert re.search(r'data-testid="move-error">([^<]*)<', page).group(1) == "沃尔玛五角场店 is already on this day."
    assert re.search(
        rf'<select[^>]*id="move-{stops[0].pk}"[^>]*aria-invalid="true".*?<option value="4" selected>', page, re.S
    )
    assert 'value="2"' in _box(page, stops[0])
    assert list(plan.stops.order_by("day", "position").values_list("pk", "day", "position")) == before


def test_a_good_move_still_goes_back_to_the_plan(client, week):
    sup, _rep, plan, stops = week
    client.force_login(sup)

    moved = client.post(reverse("visits:route-stop-move", args=[stops[2].pk]), {"day": 3, "position": "1"})

    assert moved.status_code == 302 and moved["Location"] == reverse("visits:route-detail", args=[plan.pk])
    assert _order(plan) == [stops[2].pk, stops[0].pk, stops[1].pk]


def test_the_refused_moves_address_opened_again_leads_to_the_plan_and_moves_nothing(client, week):
    # given: a refused move drawn at the move's address (what the phone's address bar then shows)
    sup, rep, plan, stops = week
    before = _order(plan)
    client.force_login(sup)
    move = reverse("visits:route-stop-move", args=[stops[1].pk])
    assert client.post(move, {"day": 3, "position": "0"}).status_code == 400

    # when: that address is opened again (a reload from the address bar, a tab brought back)
    again = client.get(move, **EN)

    # then: the week's plan, not "method not allowed"; nothing moved
    assert again.status_code == 302 and again["Location"] == reverse("visits:route-detail", args=[plan.pk])
    assert _order(plan) == before
    # and a stop outside the user's routes is still not found
    client.force_login(make_user(Role.SUPERVISOR, username="sup_qa_other"))
    assert client.get(move).status_code == 404


@pytest.fixture
def over_week():
    """A published week with six stops on Tuesday, a day of five."""
    sup = make_user(Role.SUPERVISOR, username="sup_qa_over")
    rep = make_user(Role.REP, username="rep_qa_over", supervisor=sup)
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.PUBLISHED)
    for i in range(6):
        RouteStopFactory(plan=plan, store=StoreFactory(rep=rep), day=1, position=i)
    return sup, rep, plan


def _over_alert(page: str) -> str:
    return re.search(r'data-testid="over-capacity">([^<]*)</div>', page).group(1)


def test_the_rep_sees_his_weeks_numbers_without_the_planners_advice(client, over_week):
    _sup, rep, plan = over_week
    client.force_login(rep)

    page = client.get(reverse("visits:route-detail", args=[plan.pk]), **EN).content.decode()

    assert _over_alert(page).strip() == "Tuesday has 6 stops for a day of 5."
    assert ADVICE not in page


def test_the_supervisor_still_gets_the_advice(client, over_week):
    sup, _rep, plan = over_week
    client.force_login(sup)

    page = client.get(reverse("visits:route-detail", args=[plan.pk]), **EN).content.decode()

    assert _over_alert(page) == f"Tuesday has 6 stops for a day of 5. {ADVICE}"
