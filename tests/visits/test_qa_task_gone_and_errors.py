"""Back to a task's page after deleting it goes to the task list saying who deleted it and when (a task out of
reach, or never there, is still not found); and the task's form says every problem at once (a cleared title and a
past due day), the due-day rule being the one the service checks."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task, TaskChange

from .factories import TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def team():
    supervisor = make_user(Role.SUPERVISOR, username="sup_qa_task", first_name="Min", last_name="Li")
    rep = make_user(Role.REP, username="rep_qa_task", supervisor=supervisor)
    store = StoreFactory(rep=rep, name="五角场店")
    return supervisor, rep, store


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("page", ["visits:task-edit", "visits:task-delete"])
def test_back_to_a_deleted_tasks_page_goes_to_the_list_saying_who_deleted_it(client, team, page):
    # given: the supervisor deleted an open task from its page
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端架陈列", due_on=_day(2), assigned_by=supervisor)
    pk = task.pk
    client.force_login(supervisor)
    client.post(reverse("visits:task-delete", args=[pk]))
    deletion = TaskChange.objects.get(kind=TaskChange.Kind.DELETED)

    # when: Back brings the browser to the task's page again
    response = client.get(reverse(page, args=[pk]), follow=True)

    # then: the task list, saying the task was deleted, by whom and when
    assert response.redirect_chain == [(reverse("visits:task-list"), 302)]
    with translation.override("en"):
        when = date_format(timezone.localtime(deletion.at), "SHORT_DATETIME_FORMAT")
    assert f"This task, “检查端架陈列”, was deleted by Min Li on {when}." in _messages(response)
    assert not Task.objects.filter(pk=pk).exists()


def test_a_task_deleted_at_a_store_out_of_reach_is_still_not_found(client, team):
    # given: a task deleted at another team's store
    supervisor, _rep, _store = team
    other_sup = make_user(Role.SUPERVISOR, username="sup_qa_other")
    other_store = StoreFactory(rep=make_user(Role.REP, username="rep_qa_other", supervisor=other_sup))
    task = TaskFactory(store=other_store, title="别人的任务", due_on=_day(1), assigned_by=other_sup)
    pk = task.pk
    services.task_delete(task=task, by=other_sup)
    client.force_login(supervisor)

    # when / then: its page is not found, and nothing names it
    for page in ("visits:task-edit", "visits:task-delete"):
        response = client.get(reverse(page, args=[pk]))
        assert response.status_code == 404
        assert "别人的任务" not in response.content.decode()


def test_a_task_that_never_was_is_not_found(client, team):
    supervisor, _rep, _store = team
    client.force_login(supervisor)

    assert client.get(reverse("visits:task-edit", args=[987654])).status_code == 404


def test_the_edit_form_says_a_cleared_title_and_a_past_due_day_at_once(client, team):
    # given: an open task due in three days
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端架陈列", due_on=_day(3), assigned_by=supervisor)
    client.force_login(supervisor)

    # when: its title is cleared and its due day set to yesterday
    response = client.post(
        reverse("visits:task-edit", args=[task.pk]), {"title": "", "description": "", "due_on": _day(-1)}
    )

    # then: both are said, each beside its field, and nothing changed
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["title"] == ["This field is required."]
    yesterday, today = _day(-1).isoformat(), _day(0).isoformat()
    assert errors["due_on"] == [f"Due on {yesterday} is already past: give today ({today}) or a later day."]
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("检查端架陈列", _day(3))


def test_an_overdue_task_keeps_its_day_while_its_title_is_corrected(client, team):
    supervisor, _rep, store = team
    task = TaskFactory(store=store, title="检查端架陈列", due_on=_day(-2), assigned_by=supervisor)
    client.force_login(supervisor)

    response = client.post(
        reverse("visits:task-edit", args=[task.pk]), {"title": "检查端架", "description": "", "due_on": _day(-2)}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("检查端架", _day(-2))


def test_the_assign_form_says_a_missing_title_and_a_past_due_day_at_once(client, team):
    supervisor, _rep, store = team
    client.force_login(supervisor)

    response = client.post(reverse("visits:task-list"), {"store": store.pk, "title": "", "due_on": _day(-1)})

    assert response.status_code == 400
    errors = response.context["task_form"].errors
    assert errors["title"] == ["This field is required."]
    assert "is already past" in errors["due_on"][0]
    assert not Task.objects.exists()
