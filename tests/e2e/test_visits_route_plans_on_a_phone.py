"""A supervisor reads the route plans on a phone in English: every column, the visits planned last, on the screen
without scrolling the table sideways; each plan's status under its week."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import make_user
from tests.visits.factories import RoutePlanFactory

from .conftest import in_view, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_route_plans_fit_a_phone_in_english(phone, live_server):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", first_name="Wei", last_name="Zhang", supervisor=supervisor)
    RoutePlanFactory(rep=rep, week_start=date(2026, 11, 30))
    log_in(phone, "supervisor1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto("/visits/routes/")

    last_column = phone.locator("table thead th").last
    expect(last_column).to_have_text("Visits planned")
    in_view(last_column, 375)
    expect(phone.locator("table tbody td").first).to_contain_text("Published")  # under the week
    phone.screenshot(path="tests/e2e/artifacts/route-plans-phone-en.png", full_page=True)
