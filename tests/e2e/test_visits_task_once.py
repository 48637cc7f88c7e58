"""A supervisor's task list and route page in the browser (QA, as supervisor1): a double click on 交办 and 交办 again
after Back added the task two and three times, with no way to take one back; the route page's place box (#) was a
type=number box that refused 0 in the browser's words. Now one form assigns one task, a task assigned by mistake is
deleted, and the place box says what is wrong in the page's words."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory
from visits.models import RoutePlan, Task

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(db):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", first_name="伟", last_name="张", supervisor=supervisor)
    store = StoreFactory(rep=rep, code="WJC-01", name="沃尔玛五角场店")
    return rep, store


def test_a_double_click_and_back_assign_one_task_which_the_supervisor_then_deletes(desktop, team):
    log_in(desktop, "supervisor1", "demo-pass-1")
    desktop.goto("/visits/tasks/")
    desktop.select_option("#task_store", "WJC-01")
    desktop.fill("#task_title", "检查端架陈列")
    posts = []
    desktop.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/visits/tasks/") else 0)
    # a double click: the second press while the first is on its way
    desktop.evaluate(
        """() => { const assign = document.querySelector('[data-testid=task-form] button[type=submit]');
        assign.click(); setTimeout(() => assign.click(), 40); }"""
    )
    expect(desktop.locator(".alert-info")).to_contain_text("检查端架陈列")  # the second post's answer
    expect(desktop.get_by_test_id("task-title")).to_have_count(1)
    assert len(posts) == 2 and Task.objects.count() == 1

    # Back to the form, and 交办 again: nothing is added (the form comes back empty, or answered as the first)
    desktop.go_back()
    desktop.get_by_role("button", name="交办").click()
    desktop.goto("/visits/tasks/")
    expect(desktop.get_by_test_id("task-title")).to_have_count(1)
    assert Task.objects.count() == 1
    desktop.screenshot(path="tests/e2e/artifacts/visits-task-list-desktop.png", full_page=True)

    # a task assigned by mistake is deleted from its Edit page, after saying yes
    desktop.get_by_test_id("task-edit").click()
    desktop.get_by_test_id("task-delete").click()
    expect(desktop.get_by_test_id("task-delete-what")).to_contain_text("沃尔玛五角场店")
    desktop.get_by_test_id("task-delete-confirm").click()
    expect(desktop.locator(".alert-success")).to_contain_text("检查端架陈列")
    expect(desktop.get_by_test_id("task-title")).to_have_count(0)
    assert not Task.objects.exists()


def test_the_place_box_takes_a_chinese_keyboards_digits_and_refuses_0_in_the_pages_words(phone, team):
    rep, store = team
    today = timezone.localdate()
    plan = RoutePlanFactory(
        rep=rep, week_start=today - timedelta(days=today.weekday()) + timedelta(weeks=1), status=RoutePlan.Status.DRAFT
    )
    others = [StoreFactory(rep=rep, name=name) for name in ("家乐福古北店", "大润发徐家汇店")]
    stops = [RouteStopFactory(plan=plan, store=s, day=1, position=i) for i, s in enumerate([store, *others])]
    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto(f"/visits/routes/{plan.pk}/")
    place = phone.get_by_label("大润发徐家汇店在当天的顺序")
    assert (place.get_attribute("type"), place.get_attribute("inputmode")) == ("text", "numeric")

    # 0: sent, and refused in the page's words (no browser tooltip), nothing moved
    place.fill("0")
    phone.get_by_test_id("move-stop").nth(2).get_by_role("button", name="移动").click()
    expect(phone.locator(".alert-danger")).to_contain_text("当天的顺序请填 1 到 32767 之间的数。")
    assert list(plan.stops.filter(day=1).order_by("position").values_list("pk", flat=True)) == [s.pk for s in stops]

    # a full-width １ (a Chinese keyboard): first of the day
    phone.get_by_label("大润发徐家汇店在当天的顺序").fill("１")
    phone.get_by_test_id("move-stop").nth(2).get_by_role("button", name="移动").click()
    expect(phone.get_by_test_id("route-day").nth(1).locator("li").first).to_contain_text("大润发徐家汇店")
    phone.screenshot(path="tests/e2e/artifacts/visits-route-place-phone.png", full_page=True)
