"""The task list as a rep reads it on a phone: what is still to do first, an open task past its date said so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import Task

from .factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_open_tasks_come_first_and_the_late_one_is_flagged_overdue(client):
    # given: a rep with a task done, one not done, one open due today and one open already late
    rep = make_user(Role.REP, username="rep_tl")
    store = StoreFactory(rep=rep)
    today = timezone.localdate()
    reported = {"due_on": today - timedelta(days=5), "done_at": timezone.now()}
    TaskFactory(store=store, title="已完成的", status=Task.Status.DONE, **reported)
    TaskFactory(store=store, title="没做成的", status=Task.Status.NOT_DONE, done_comment="店长不同意", **reported)
    TaskFactory(store=store, title="今天到期", due_on=today)
    TaskFactory(store=store, title="昨天到期", due_on=today - timedelta(days=1))
    client.force_login(rep)

    # when: the rep opens the task list in Chinese
    page = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    # then: the open tasks lead, earliest due first; only the late open one is marked overdue
    late, due_today, not_done, done = (page.index(title) for title in ("昨天到期", "今天到期", "没做成的", "已完成的"))
    assert late < due_today < min(not_done, done)
    assert page.count('data-testid="task-overdue"') == 1
    late_row = page[page.index("昨天到期") - 400 : page.index("昨天到期")]
    assert "逾期" in late_row
