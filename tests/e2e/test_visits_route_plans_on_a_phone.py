"""A supervisor reads the route plans on a phone in English: every column, the visits planned last, on the screen
without scrolling the table sideways; each plan's status under its week. A draft's stop is moved with boxes that
name it (its day, its place in the day), all on the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory
from visits.models import RoutePlan

from .conftest import in_view, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_route_plans_fit_a_phone_in_english(phone, live_server):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", first_name="Wei", last_name="Zhang", supervisor=supervisor)
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    RoutePlanFactory(rep=rep, week_start=this_monday)
    log_in(phone, "supervisor1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto("/visits/routes/")

    last_column = phone.locator("table thead th").last
    expect(last_column).to_have_text("Visits planned")
    in_view(last_column, 375)
    expect(phone.locator("table tbody td").first).to_contain_text("Published")  # under the week
    phone.screenshot(path="tests/e2e/artifacts/route-plans-phone-en.png", full_page=True)

    # next week's: its days are all to come, so its stops may move (a day passed is the week's record)
    draft = RoutePlanFactory(rep=rep, week_start=this_monday + timedelta(weeks=1), status=RoutePlan.Status.DRAFT)
    stop = RouteStopFactory(plan=draft, store=StoreFactory(rep=rep, name="沃尔玛五角场店"), day=0)
    phone.goto(f"/visits/routes/{draft.pk}/")
    expect(phone.get_by_test_id("move-hint")).to_contain_text("choose its day and its place in the day (#)")
    day = phone.get_by_label("Day to move 沃尔玛五角场店 to")
    place = phone.get_by_label("Place of 沃尔玛五角场店 in the day")
    move = phone.get_by_test_id("move-stop").get_by_role("button", name="Move")
    for box in (day, place, move):
        in_view(box, 375)
    day.select_option(label="Wednesday")
    move.click()
    expect(phone.get_by_test_id("route-day").nth(2)).to_contain_text("沃尔玛五角场店")
    phone.screenshot(path="tests/e2e/artifacts/route-plan-edit-phone-en.png", full_page=True)
    stop.refresh_from_db()
    assert stop.day == 2
