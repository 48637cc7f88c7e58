"""The browser's Back on a rep's phone shows the day as it now stands (rep finding 2): back to Today after a check-in
the store is in progress, after the check-out it is done — never the copy from before, which offered to check in
again or to continue a finished visit. With the service worker on, as on the rep's phone."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import Visit

from .conftest import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 15_000  # ms: the live server answers slowly on a busy CI machine


@pytest.fixture
def store():
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    return StoreFactory(rep=rep, name="沃尔玛五角场店")


def test_back_after_check_in_and_after_check_out_shows_the_visit_as_it_stands(phone, live_server, store):
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto("/visits/today/")
    # given: the rep checks in at the store from Today (not on a route: any day of the week)
    phone.locator("#other-store").select_option(str(store.pk))
    with phone.expect_navigation(url="**/visits/*/"):
        phone.locator("form.check-in-form:has(#other-store) button[type=submit]").click()
    visit = Visit.objects.get(store=store)
    # when: Back
    phone.go_back()
    # then: Today shows the store in progress, with Continue visit, not a second Check in
    card = phone.get_by_test_id("stop").filter(has_text="沃尔玛五角场店")
    expect(card).to_contain_text("拜访中", timeout=WAIT)
    expect(card.get_by_role("link", name="继续拜访")).to_be_visible()
    expect(phone.locator("#other-store option", has_text="沃尔玛五角场店")).to_have_count(0)

    # given: the visit continued and checked out (with a reason: nothing answered)
    card.get_by_role("link", name="继续拜访").click()
    phone.wait_for_url(f"**/visits/{visit.pk}/")
    phone.get_by_label("按现状签退的原因").fill("店长要求提前离店")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_be_visible(timeout=WAIT)
    assert Visit.objects.get(pk=visit.pk).checked_out_at is not None
    # when: Back
    phone.go_back()
    # then: Today shows the store done, with no Continue visit
    card = phone.get_by_test_id("stop").filter(has_text="沃尔玛五角场店")
    expect(card.get_by_role("link", name="查看拜访")).to_be_visible(timeout=WAIT)
    expect(card.get_by_role("link", name="继续拜访")).to_have_count(0)
    expect(card).not_to_contain_text("拜访中")
