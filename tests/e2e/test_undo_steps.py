"""Undoing a step on a phone (issue 11, item 7): the supervisor who submitted a rep's plan withdraws it to draft (the
rep's page says who withdraws it instead of the button, SPEC §1), the rep reopens a rejected one as a new draft and
marks a task not done with the reason, all at 375 px wide without sideways scrolling."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from promotions.models import PromotionPlan
from promotions.services import ItemInput, PlanInput, promotion_reject, promotion_save_draft, promotion_submit
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import BudgetFactory, promotion_type
from tests.visits.factories import TaskFactory
from visits.models import Task

from .conftest import log_in, text_lines

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(db):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    supervisor = make_user(Role.SUPERVISOR, username="sup1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor, password="demo-pass-1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(code="P001", name="海川纯生啤酒")
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    today = timezone.localdate()
    BudgetFactory(account=account, period_start=today, period_end=today + timedelta(days=90), amount=Decimal("10000"))
    start = today + timedelta(days=7)
    data = PlanInput(
        account=account,
        type=promotion_type("in_store"),
        title="夏季啤酒店促",
        start_on=start,
        end_on=start + timedelta(days=13),
        all_stores=False,
        stores=[store],
        items=[ItemInput(beer, Decimal("4.50"), 1000)],
        dm_fee=Decimal("500"),
    )
    plan = promotion_submit(plan=promotion_save_draft(user=rep, data=data), by=supervisor)
    task = TaskFactory(store=store, title="检查端架堆头陈列并拍照", assigned_by=supervisor)
    return {"manager": manager, "supervisor": supervisor, "rep": rep, "plan": plan, "task": task}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_plan_is_withdrawn_and_reopened_and_a_task_marked_not_done_on_a_phone(phone, scene):
    plan = scene["plan"]
    log_in(phone, "rep1", "demo-pass-1")

    # the rep's submitted request: no withdraw button, but who withdraws it
    phone.goto(f"/promotions/{plan.pk}/")
    _no_sideways_scroll(phone)
    expect(phone.get_by_role("button", name="撤回为草稿")).to_have_count(0)
    expect(phone.get_by_test_id("withdrawn-by-others")).to_be_visible()

    # the supervisor who submitted it withdraws it to draft
    phone.context.clear_cookies()
    log_in(phone, "sup1", "demo-pass-1")
    phone.goto(f"/promotions/{plan.pk}/")
    _no_sideways_scroll(phone)
    phone.get_by_label("原因（选填）").fill("价格再议")
    phone.get_by_role("button", name="撤回为草稿").click()
    expect(phone.get_by_test_id("status")).to_have_text("草稿")
    expect(phone.get_by_test_id("transitions")).to_contain_text("价格再议")
    phone.screenshot(path="tests/e2e/artifacts/promotions-withdrawn.png", full_page=True)

    # submitted again and rejected by the manager: the rep reopens it as a new draft
    promotion_reject(plan=promotion_submit(plan=plan, by=scene["manager"]), by=scene["manager"], reason="档期冲突")
    phone.context.clear_cookies()
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/promotions/{plan.pk}/")
    phone.get_by_role("button", name="重新打开为新草稿").click()
    expect(phone.get_by_test_id("reopened-from")).to_be_visible()
    expect(phone.get_by_test_id("transitions")).to_contain_text("档期冲突")
    _no_sideways_scroll(phone)
    assert PromotionPlan.objects.get(reopened_from=plan).status == PromotionPlan.Status.DRAFT

    # the task list: not done, with the reason
    phone.goto("/visits/tasks/")
    _no_sideways_scroll(phone)
    # the task reads on one line, its store under it; not squeezed a word a line between four other columns
    assert text_lines(phone.get_by_text("检查端架堆头陈列并拍照")) == 1
    assert text_lines(phone.get_by_text("沃尔玛五角场店", exact=True)) == 1
    phone.get_by_test_id("task-not-done").locator("summary").click()
    phone.get_by_label("为什么没有完成？").fill("店长不同意")
    phone.get_by_role("button", name="标记为未完成").click()
    expect(phone.get_by_test_id("task-status")).to_have_text("未完成")
    phone.screenshot(path="tests/e2e/artifacts/visits-task-not-done.png", full_page=True)
    assert Task.objects.get(pk=scene["task"].pk).done_comment == "店长不同意"
