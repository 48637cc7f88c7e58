"""A task's comment typed on the visit page, Done left unticked, is kept (rep finding 1): the page saves it by itself,
a reload shows it back with the task reported not done, and the database has the reason."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from tests.visits.factories import TaskFactory, VisitFactory
from visits.models import Task

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15_000  # ms
REASON = "采购今天不在，周二再确认DM档期"


def test_a_task_comment_without_done_is_kept_and_shown_back(phone, live_server):
    supervisor = make_user(Role.SUPERVISOR, username="sup1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1", supervisor=supervisor)
    visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep, name="沃尔玛五角场店"))
    task = TaskFactory(store=visit.store, title="确认下月DM档期", assigned_by=supervisor)
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    # when: the rep types why and leaves the box (Done stays unticked): the page saves by itself
    comment = phone.get_by_test_id("task").get_by_test_id("task-comment")
    comment.fill(REASON)
    comment.press("Tab")
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存", timeout=WAIT)
    # then: kept as the reason the task was not done
    task.refresh_from_db()
    assert (task.status, task.done_comment) == (Task.Status.NOT_DONE, REASON)
    # and a reload shows it back, Done unticked
    phone.reload()
    card = phone.get_by_test_id("task")
    expect(card.get_by_test_id("task-comment")).to_have_value(REASON)
    expect(card.get_by_test_id("task-answer")).to_be_visible()
    expect(card.locator("input[type=checkbox]")).not_to_be_checked()
