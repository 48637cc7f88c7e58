"""A task's comment at a visit is kept whether or not Done is ticked (rep finding: it was thrown away unless Done
was ticked): a comment alone reports the task not done, the comment saying why; it is shown back on the visit page,
to the supervisor, and the API's visit save answers tasks the same way."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task, TaskTransition

from .factories import TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REASON = "采购今天不在，周二再确认DM档期"


@pytest.fixture
def people():
    supervisor = make_user(Role.SUPERVISOR, username="sup_tc")
    rep = make_user(Role.REP, username="rep_tc", supervisor=supervisor)
    return supervisor, rep


@pytest.fixture
def visit(people):
    supervisor, rep = people
    return VisitFactory(rep=rep, store=StoreFactory(rep=rep), checked_in_at=timezone.now() - timedelta(minutes=30))


@pytest.fixture
def task(people, visit):
    supervisor, _rep = people
    return TaskFactory(store=visit.store, title="确认下月DM档期", assigned_by=supervisor)


def log(task):
    return list(TaskTransition.objects.filter(task=task).order_by("id").values_list("from_status", "to_status", "note"))


def _save(client, visit, task, *, done=False, comment="", action="save", checkout_reason="", **headers):
    data = {"action": action, f"task_{task.pk}_comment": comment, "checkout_reason": checkout_reason}
    if done:
        data[f"task_{task.pk}_done"] = "on"
    return client.post(reverse("visits:visit-detail", args=[visit.pk]), data, **headers)


# --- the service -------------------------------------------------------------------------------


def test_a_comment_without_done_reports_the_task_not_done_once(visit, task):
    # when: the visit is saved with the comment only, twice (every save sends every answer again)
    services.visit_record(visit=visit, tasks={task.pk: services.TaskAnswer(done=False, comment=f" {REASON} ")})
    services.visit_record(visit=visit, tasks={task.pk: services.TaskAnswer(done=False, comment=REASON)})
    # then: not done, the comment kept as the reason, at this visit; logged once
    task.refresh_from_db()
    assert (task.status, task.done_comment, task.done_visit) == (Task.Status.NOT_DONE, REASON, visit)
    assert log(task) == [("open", "not_done", REASON)]


def test_no_answer_takes_back_the_one_given_at_this_visit_only(people, visit, task):
    _sup, rep = people
    services.visit_record(visit=visit, tasks={task.pk: services.TaskAnswer(done=True, comment="")})
    services.visit_record(visit=visit, tasks={task.pk: None})
    task.refresh_from_db()
    assert (task.status, task.done_comment, task.done_visit, task.done_at) == (Task.Status.OPEN, "", None, None)
    assert log(task) == [("open", "done", ""), ("done", "open", "")]
    # a task answered elsewhere (the task list) is not undone by a visit that does not answer it
    services.task_complete(task=task, visit=None, comment="店长不同意", done=False, by=rep)
    services.visit_record(visit=visit, tasks={task.pk: None})
    assert Task.objects.get(pk=task.pk).status == Task.Status.NOT_DONE


def test_a_task_of_another_store_is_refused(people, visit):
    supervisor, rep = people
    elsewhere = TaskFactory(store=StoreFactory(rep=rep), assigned_by=supervisor)
    with pytest.raises(services.DomainError) as refused:
        services.visit_record(visit=visit, tasks={elsewhere.pk: services.TaskAnswer(done=True)})
    assert refused.value.code == "task.other_store"
    assert Task.objects.get(pk=elsewhere.pk).status == Task.Status.OPEN


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_QUEUE": "1"}], ids=["save", "autosave"])
def test_the_page_keeps_a_comment_without_done_and_shows_it_back(client, people, visit, task, headers):
    supervisor, rep = people
    client.force_login(rep)
    # when: the rep types the reason, leaves Done unticked and saves (the Save button, or the page's autosave)
    saved = _save(client, visit, task, comment=REASON, **headers)
    assert saved.status_code in (200, 302)
    # then: the task is reported not done with the reason
    task.refresh_from_db()
    assert (task.status, task.done_comment, task.done_visit) == (Task.Status.NOT_DONE, REASON, visit)
    # and the page, reloaded, shows the comment in its box and the task as not done, Done still unticked
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert f'name="task_{task.pk}_comment" id="id_task_{task.pk}_comment" value="{REASON}"' in page
    assert 'data-testid="task-answer">Task not done<' in page
    (done_box,) = re.findall(rf'<input type="checkbox"[^>]*id="id_task_{task.pk}_done"[^>]*>', page)
    assert "checked" not in done_box
    # and the supervisor, on the visit page, reads the task not done and why
    client.force_login(supervisor)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert "Task not done" in page and REASON in page


def test_ticking_done_later_keeps_the_comment_and_clearing_both_takes_the_answer_back(client, people, visit, task):
    _sup, rep = people
    client.force_login(rep)
    _save(client, visit, task, comment=REASON)
    _save(client, visit, task, done=True, comment="已确认")
    task.refresh_from_db()
    assert (task.status, task.done_comment) == (Task.Status.DONE, "已确认")
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert 'data-testid="task-answer">Task done<' in page and 'value="已确认"' in page
    _save(client, visit, task)
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
    assert [to for _f, to, _n in log(task)] == ["not_done", "done", "open"]


def test_the_comment_is_kept_at_check_out_and_read_on_the_closed_visit(client, people, visit, task):
    supervisor, rep = people
    client.force_login(rep)
    _save(client, visit, task, comment=REASON, action="check_out", checkout_reason="只处理交办事项")
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    task.refresh_from_db()
    assert (task.status, task.done_comment) == (Task.Status.NOT_DONE, REASON)
    client.force_login(supervisor)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert 'data-testid="visit-task-status">Task not done<' in page and REASON in page


# --- the API -----------------------------------------------------------------------------------


def test_the_api_visit_save_answers_tasks_as_the_page_does(api_client, people, visit, task):
    supervisor, rep = people
    api_client.force_authenticate(rep)
    url = reverse("visit-detail", args=[visit.pk])
    # a not-done answer needs its reason, as everywhere: nothing written
    refused = api_client.patch(url, {"tasks": [{"task": task.pk, "done": False}]}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "task.reason_required"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and log(task) == []
    # the same task twice is refused naming the row
    rows = [{"task": task.pk, "done": True}, {"task": task.pk, "done": False, "comment": "x"}]
    twice = api_client.patch(url, {"tasks": rows}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "visit.task_twice"
    # a task of another of the rep's stores is refused
    elsewhere = TaskFactory(store=StoreFactory(rep=rep), assigned_by=supervisor)
    other = api_client.patch(url, {"tasks": [{"task": elsewhere.pk, "done": True}]}, format="json")
    assert other.status_code == 400 and other.json()["code"] == "task.other_store"

    saved = api_client.patch(url, {"tasks": [{"task": task.pk, "done": False, "comment": REASON}]}, format="json")
    assert saved.status_code == 200
    answer = api_client.get(reverse("task-detail", args=[task.pk])).json()
    assert (answer["status"], answer["done_comment"], answer["done_visit"]) == ("not_done", REASON, visit.pk)
    assert log(task) == [("open", "not_done", REASON)]
