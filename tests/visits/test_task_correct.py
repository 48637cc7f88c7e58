"""Who assigns tasks corrects a task they got wrong (QA, as supervisor1: a task assigned twice could only be marked
"not done", recorded as a failure): Edit on the task list changes what an open task asks and by when, and deletes
one assigned by mistake; the API's task endpoint does the same (PATCH, DELETE). A task already reported done or not
done stays as it is (task.reported), at every door (the write-path matrix); a rep reports tasks, never rewrites them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task, TaskTransition

from .factories import TaskFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def team():
    supervisor = make_user(Role.SUPERVISOR, username="sup_fix")
    rep = make_user(Role.REP, username="rep_fix", supervisor=supervisor)
    store = StoreFactory(rep=rep, code="FIX-1", name="五角场店")
    return supervisor, rep, store


def reported(task: Task) -> Task:
    services.task_complete(task=task, visit=None, comment="", done=True, by=task.store.rep)
    return Task.objects.get(pk=task.pk)


def test_an_open_task_is_corrected_or_deleted_and_a_reported_one_stays(team):
    supervisor, _rep, store = team
    later = timezone.localdate() + timedelta(days=3)
    task = TaskFactory(store=store, title="检查端价陈列", assigned_by=supervisor)
    # an open task: its typo corrected, then deleted
    fixed = services.task_edit(task=task, title="检查端架陈列", description="拍照", due_on=later, by=supervisor)
    assert (fixed.title, fixed.description, fixed.due_on, fixed.store) == ("检查端架陈列", "拍照", later, store)
    services.task_delete(task=fixed, by=supervisor)
    assert not Task.objects.filter(pk=task.pk).exists()
    # a reported one: neither changed nor deleted, its report kept
    done = reported(TaskFactory(store=store, title="补价签", assigned_by=supervisor))
    for attempt in (
        lambda: services.task_edit(task=done, title="补价签并拍照", description="", due_on=later, by=supervisor),
        lambda: services.task_delete(task=done, by=supervisor),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "task.reported" and refused.value.params["status"] == "done"
    kept = Task.objects.get(pk=done.pk)
    assert (kept.title, kept.status) == ("补价签", Task.Status.DONE)
    assert TaskTransition.objects.filter(task=kept).count() == 1


def test_the_supervisor_edits_an_open_task_from_the_list(client, team):
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端价陈列", assigned_by=supervisor)
    done = reported(TaskFactory(store=store, title="补价签", assigned_by=supervisor))
    client.force_login(supervisor)
    # the list offers Edit on the open task only
    page = client.get(reverse("visits:task-list"), **EN).content.decode()
    assert reverse("visits:task-edit", args=[task.pk]) in page
    assert reverse("visits:task-edit", args=[done.pk]) not in page
    # an empty title: refused under its box, the rest kept as typed, nothing changed
    edit = reverse("visits:task-edit", args=[task.pk])
    later = (timezone.localdate() + timedelta(days=2)).isoformat()
    refused = client.post(edit, {"title": " ", "description": "拍照", "due_on": later}, **EN)
    assert refused.status_code == 400
    assert f'value="{later}"' in refused.content.decode() and "拍照</textarea>" in refused.content.decode()
    assert Task.objects.get(pk=task.pk).title == "检查端价陈列"
    # corrected: saved, back on the list saying so
    saved = client.post(edit, {"title": "检查端架陈列", "description": "拍照", "due_on": later}, follow=True, **EN)
    assert saved.redirect_chain == [(reverse("visits:task-list"), 302)]
    assert "Task “检查端架陈列” saved." in saved.content.decode()
    task.refresh_from_db()
    assert (task.title, task.description, task.due_on.isoformat(), task.store) == ("检查端架陈列", "拍照", later, store)
    # a reported task's page shows it and why it stays, with nothing to save
    shown = client.get(reverse("visits:task-edit", args=[done.pk]), **EN).content.decode()
    assert "has already been reported done or not done: what it asks can no longer be changed." in shown
    assert 'data-testid="task-edit-form"' not in shown


def test_the_supervisor_deletes_a_task_assigned_twice_after_confirming(client, team):
    supervisor, _rep, store = team
    kept, twice = (TaskFactory(store=store, title="检查端架陈列", assigned_by=supervisor) for _ in range(2))
    client.force_login(supervisor)
    edit = client.get(reverse("visits:task-edit", args=[twice.pk]), **EN).content.decode()
    delete = reverse("visits:task-delete", args=[twice.pk])
    assert delete in edit
    # asked first: what would go, and a button
    asked = client.get(delete, **EN).content.decode()
    assert "Delete this task?" in asked and "五角场店" in asked and 'data-testid="task-delete-confirm"' in asked
    assert Task.objects.filter(pk=twice.pk).exists()
    answer = client.post(delete, follow=True, **EN)
    assert answer.redirect_chain == [(reverse("visits:task-list"), 302)]
    assert "Task “检查端架陈列” deleted: 五角场店 no longer has it." in answer.content.decode()
    assert list(Task.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_rep_reports_tasks_but_neither_edits_nor_deletes_them(client, team):
    supervisor, rep, store = team
    task = TaskFactory(store=store, title="检查端架陈列", assigned_by=supervisor)
    client.force_login(rep)
    assert 'data-testid="task-edit"' not in client.get(reverse("visits:task-list")).content.decode()
    later = (timezone.localdate() + timedelta(days=2)).isoformat()
    edit = reverse("visits:task-edit", args=[task.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "不用做了", "due_on": later}).status_code == 403
    assert client.post(reverse("visits:task-delete", args=[task.pk])).status_code == 403
    assert Task.objects.get(pk=task.pk).title == "检查端架陈列"


def test_the_api_corrects_and_deletes_an_open_task_as_the_page_does(api_client, team):
    supervisor, rep, store = team
    task = TaskFactory(store=store, title="检查端价陈列", assigned_by=supervisor)
    url = reverse("task-detail", args=[task.pk])
    # a rep may report it (POST complete) but not rewrite it
    api_client.force_authenticate(rep)
    assert api_client.patch(url, {"title": "不用做了"}, format="json").status_code == 403
    assert api_client.delete(url).status_code == 403
    # the supervisor corrects what it asks; its store stays
    api_client.force_authenticate(supervisor)
    other = StoreFactory(rep=rep, code="FIX-2")
    answer = api_client.patch(url, {"title": "检查端架陈列", "store": other.code}, format="json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["title"], answer.json()["store"]) == ("检查端架陈列", "FIX-1")
    assert Task.objects.get(pk=task.pk).store == store
    # a past day: refused as on the page
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = api_client.patch(url, {"due_on": past}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "task.due_in_past")
    # deleted while open; a reported one stays
    assert api_client.delete(url).status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()
    done = reported(TaskFactory(store=store, title="补价签", assigned_by=supervisor))
    kept = api_client.delete(reverse("task-detail", args=[done.pk]))
    assert (kept.status_code, kept.json()["code"]) == (400, "task.reported")
    assert Task.objects.filter(pk=done.pk).exists()
