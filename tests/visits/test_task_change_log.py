"""A task corrected or deleted leaves a record of who did it and when, whatever the door (page, API, admin): the
task's page and the task list say what changed (title, due day, description: before → after), and the task list
names the tasks deleted at its stores, by whom and when, after the task itself is gone."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.roles import Role
from ka_portal.formatting import display_name
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task, TaskChange

from .factories import TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def team():
    supervisor = make_user(Role.SUPERVISOR, username="sup_log", first_name="Min", last_name="Li")
    rep = make_user(Role.REP, username="rep_log", supervisor=supervisor, first_name="Wei", last_name="Zhang")
    store = StoreFactory(rep=rep, code="LOG-1", name="五角场店")
    return supervisor, rep, store


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _short(day: date) -> str:
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


def _task_list(client, **query) -> str:
    return client.get(reverse("visits:task-list"), query).content.decode()


def _section(page: str, testid: str) -> str:
    """The element marked with the test id, up to the end of its list: what a reader sees there."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</ul>", start)]


def test_a_supervisors_edit_on_the_task_page_is_shown_there_and_to_the_rep_on_the_list(client, team):
    # given: an open task due in three days
    supervisor, rep, store = team
    task = TaskFactory(store=store, title="检查端价陈列", description="", due_on=_day(3), assigned_by=supervisor)
    client.force_login(supervisor)

    # when: the supervisor corrects its title and moves its due day on the task's page
    client.post(
        reverse("visits:task-edit", args=[task.pk]), {"title": "检查端架陈列", "description": "", "due_on": _day(5)}
    )

    # then: the task's page lists the change, who made it, and each field before → after
    page = client.get(reverse("visits:task-edit", args=[task.pk])).content.decode()
    changes = _section(page, "task-changes")
    assert "Li" in changes and "Min" in changes and "Edited" in changes
    assert "Title: 检查端价陈列 → 检查端架陈列" in changes
    assert f"Due on: {_short(_day(3))} → {_short(_day(5))}" in changes
    assert "Description" not in changes  # unchanged: not listed
    # and the rep reads on the task list that the task changed, and how
    client.force_login(rep)
    assert "Title: 检查端价陈列 → 检查端架陈列" in _section(_task_list(client), "task-changes")


def test_a_save_that_changes_nothing_logs_nothing_and_a_refused_edit_logs_nothing(client, team):
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="补价签", description="拍照", due_on=_day(2), assigned_by=supervisor)
    client.force_login(supervisor)
    edit = reverse("visits:task-edit", args=[task.pk])

    client.post(edit, {"title": "补价签", "description": "拍照", "due_on": _day(2)})  # Save pressed, nothing changed
    refused = client.post(edit, {"title": "补价签", "description": "拍照", "due_on": _day(-1)})  # a past day

    assert refused.status_code == 400
    assert not TaskChange.objects.exists()
    assert 'data-testid="task-changes"' not in client.get(edit).content.decode()


def test_a_task_deleted_on_its_page_is_named_on_the_stores_task_list_with_who_and_when(client, team):
    # given: two open tasks at the supervisor's store, and a task at another supervisor's store deleted there
    supervisor, rep, store = team
    duplicate = TaskFactory(store=store, title="检查堆头", due_on=_day(4), assigned_by=supervisor)
    TaskFactory(store=store, title="检查堆头 (保留)", due_on=_day(4), assigned_by=supervisor)
    other_sup = make_user(Role.SUPERVISOR, username="sup_other")
    elsewhere = StoreFactory(rep=make_user(Role.REP, username="rep_other", supervisor=other_sup), name="别人的店")
    services.task_delete(task=TaskFactory(store=elsewhere, title="别人删的", assigned_by=other_sup), by=other_sup)
    client.force_login(supervisor)

    # when: the supervisor deletes the duplicate on its page
    client.post(reverse("visits:task-delete", args=[duplicate.pk]))

    # then: the store's task list names it among the deleted tasks, with who deleted it and when
    assert not Task.objects.filter(pk=duplicate.pk).exists()
    deleted = _section(_task_list(client, store="LOG-1"), "task-deletions")
    assert "检查堆头" in deleted and "五角场店" in deleted
    assert f"Was due on {_short(_day(4))}." in deleted
    when = timezone.localtime(TaskChange.objects.get(store=store).at)
    assert f"Deleted by Min Li on {_short(when.date())}" in deleted
    # a deletion at a store out of reach is not shown; nor on another store's list
    assert "别人删的" not in _task_list(client)
    assert 'data-testid="task-deletions"' not in _task_list(client, store=StoreFactory(rep=rep).code)
    # the rep whose store it was reads it too
    client.force_login(rep)
    assert "Deleted by Min Li" in _section(_task_list(client), "task-deletions")


def test_the_api_edits_and_deletes_are_logged_with_the_api_user(client, api_client, team):
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端价陈列", description="", due_on=_day(3), assigned_by=supervisor)
    gone = TaskFactory(store=store, title="重复的任务", due_on=_day(6), assigned_by=supervisor)
    api_client.force_authenticate(supervisor)

    patched = api_client.patch(reverse("task-detail", args=[task.pk]), {"description": "店长周一在"}, format="json")
    put = api_client.put(
        reverse("task-detail", args=[task.pk]),
        {"store": "LOG-1", "title": "检查端架陈列", "description": "店长周一在", "due_on": _day(3).isoformat()},
        format="json",
    )
    deleted = api_client.delete(reverse("task-detail", args=[gone.pk]))

    assert (patched.status_code, put.status_code, deleted.status_code) == (200, 200, 204)
    edits = list(TaskChange.objects.filter(task=task).order_by("id"))
    assert [(e.kind, e.by, e.params) for e in edits] == [
        (TaskChange.Kind.EDITED, supervisor, {"description": ["", "店长周一在"]}),
        (TaskChange.Kind.EDITED, supervisor, {"title": ["检查端价陈列", "检查端架陈列"]}),
    ]
    client.force_login(supervisor)
    page = client.get(reverse("visits:task-edit", args=[task.pk])).content.decode()
    assert "Description: — → 店长周一在" in page and "Title: 检查端价陈列 → 检查端架陈列" in page
    assert "重复的任务" in _section(_task_list(client), "task-deletions")
    assert TaskChange.objects.get(kind=TaskChange.Kind.DELETED).by == supervisor


def test_the_admins_edit_and_delete_are_logged_and_listed_in_the_admin(client, team, admin_user):
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端价陈列", due_on=_day(3), assigned_by=supervisor)
    client.force_login(admin_user)
    change_url = reverse("admin:visits_task_change", args=[task.pk])
    form = {
        "store": store.pk, "title": "检查端架陈列", "description": "", "due_on": _day(3).isoformat(),
        "status": "open", "done_comment": "", "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0,
    }  # fmt: skip

    assert client.post(change_url, form).status_code == 302
    shown = client.get(change_url).content.decode()
    assert "Title: 检查端价陈列 → 检查端架陈列" in shown and display_name(admin_user) in shown

    assert client.post(reverse("admin:visits_task_delete", args=[task.pk]), {"post": "yes"}).status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    log = client.get(reverse("admin:visits_taskchange_changelist")).content.decode()
    assert log.count("检查端架陈列") >= 2 and "Deleted" in log and "Edited" in log
    assert [(c.kind, c.by) for c in TaskChange.objects.order_by("id")] == [
        (TaskChange.Kind.EDITED, admin_user),
        (TaskChange.Kind.DELETED, admin_user),
    ]
    # the log is kept as written: the admin neither adds, changes nor deletes its lines
    line = TaskChange.objects.first()
    assert client.get(reverse("admin:visits_taskchange_add")).status_code == 403
    assert client.post(reverse("admin:visits_taskchange_delete", args=[line.pk]), {"post": "yes"}).status_code == 403
    assert TaskChange.objects.count() == 2


def test_the_task_list_reads_its_changes_and_deletions_in_a_fixed_number_of_queries(client, team):
    supervisor, _rep, store = team

    def add_edited_and_deleted(n):
        for i in range(n):
            task = TaskFactory(store=store, title=f"任务{i}", due_on=_day(3), assigned_by=supervisor)
            services.task_edit(task=task, title=f"任务{i}!", description="", due_on=_day(4), by=supervisor)
            gone = TaskFactory(store=store, title=f"删{i}", due_on=_day(3), assigned_by=supervisor)
            services.task_delete(task=gone, by=supervisor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = _task_list(client)
        assert "任务0!" in page and "删0" in page
        return len(queries)

    client.force_login(supervisor)
    add_edited_and_deleted(2)
    _task_list(client)  # the session's first page also loads the user's profile
    few = count()
    add_edited_and_deleted(6)
    assert count() == few
