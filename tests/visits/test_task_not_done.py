"""A task can be marked not done, with the reason, from the task list as through the API (issue 11, item 7):
one service (visits.services.task_complete), each report logged (TaskTransition), scope and status codes."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task, TaskTransition, Visit

from .factories import TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    supervisor = make_user(Role.SUPERVISOR, username="sup_t")
    rep = make_user(Role.REP, username="rep_t", supervisor=supervisor)
    other = make_user(Role.REP, username="rep_t_other")
    return supervisor, rep, other


@pytest.fixture
def task(people):
    supervisor, rep, _other = people
    return TaskFactory(store=StoreFactory(rep=rep), title="检查堆头", assigned_by=supervisor)


def log(task):
    return [(t.from_status, t.to_status, t.by, t.note) for t in TaskTransition.objects.filter(task=task)]


def test_not_done_needs_a_reason_and_is_logged(people, task):
    _sup, rep, _other = people
    with pytest.raises(DomainError) as refused:
        services.task_complete(task=task, visit=None, comment="  ", done=False, by=rep)
    assert refused.value.code == "task.reason_required"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and log(task) == []

    services.task_complete(task=task, visit=None, comment="店长不同意", done=False, by=rep)
    task.refresh_from_db()
    assert (task.status, task.done_comment) == (Task.Status.NOT_DONE, "店长不同意")
    assert log(task) == [("open", "not_done", rep, "店长不同意")]


def test_a_task_marked_done_by_mistake_can_be_marked_not_done(people, task):
    _sup, rep, _other = people
    visit = VisitFactory(rep=rep, store=task.store)
    services.task_complete(task=task, visit=visit, comment="")  # ticked at the visit: logged as the visit's rep
    services.task_complete(task=task, visit=None, comment="误点完成，其实缺货", done=False, by=rep)
    assert Task.objects.get(pk=task.pk).status == Task.Status.NOT_DONE
    assert log(task) == [("open", "done", rep, ""), ("done", "not_done", rep, "误点完成，其实缺货")]


def test_the_page_marks_a_task_not_done_with_the_reason(client, people, task):
    _sup, rep, _other = people
    client.force_login(rep)
    page = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="task-not-done"' in page and "Mark not done" in page
    page = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "标记为未完成" in page

    response = client.post(reverse("visits:task-not-done", args=[task.pk]), {"reason": "店长不同意"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("visits:task-list")
    page = response.content.decode()
    assert "店长不同意" in page
    assert 'data-testid="task-not-done"' not in page  # already not done: no button
    assert log(task) == [("open", "not_done", rep, "店长不同意")]


def test_the_page_refuses_no_reason_with_the_message_and_nothing_written(client, people, task):
    _sup, rep, _other = people
    client.force_login(rep)
    response = client.post(
        reverse("visits:task-not-done", args=[task.pk]), {"reason": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert any("Say why the task was not done." in str(m) for m in response.context["messages"])
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and log(task) == []


def test_who_may_not(client, people, task, finance):
    _sup, _rep, other = people
    client.force_login(other)  # a rep of other stores: the task is not there
    assert client.post(reverse("visits:task-not-done", args=[task.pk]), {"reason": "x"}).status_code == 404
    client.force_login(finance)  # no say on tasks at all
    assert client.post(reverse("visits:task-not-done", args=[task.pk]), {"reason": "x"}).status_code == 403
    client.force_login(other)
    assert client.get(reverse("visits:task-not-done", args=[task.pk])).status_code == 405
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and log(task) == []


def test_the_supervisor_sees_no_button_for_a_task_already_not_done(client, people, task):
    supervisor, rep, _other = people
    services.task_complete(task=task, visit=None, comment="缺货", done=False, by=rep)
    client.force_login(supervisor)
    page = client.get(reverse("visits:task-list")).content.decode()
    assert "缺货" in page and 'data-testid="task-not-done"' not in page


def test_api_not_done_needs_a_reason_and_is_logged(api_client, people, task):
    _sup, rep, other = people
    api_client.force_authenticate(rep)
    url = f"/api/v1/tasks/{task.pk}/complete/"
    refused = api_client.post(url, {"done": False}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "task.reason_required"
    done = api_client.post(url, {"done": False, "comment": "店长不同意"}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["done_comment"]) == ("not_done", "店长不同意")
    assert log(task) == [("open", "not_done", rep, "店长不同意")]
    api_client.force_authenticate(other)
    assert api_client.post(url, {"done": False, "comment": "x"}, format="json").status_code == 404


def test_a_task_done_at_a_visit_then_marked_not_done_reads_not_done_on_the_visit(client, people, task):
    # given: the rep ticked the task done at a visit, with a comment, and checked out (rep finding 2)
    supervisor, rep, _other = people
    visit = VisitFactory(rep=rep, store=task.store)
    services.task_complete(task=task, visit=visit, comment="已和店长确认")
    visit_url = reverse("visits:visit-detail", args=[visit.pk])
    from django.utils import timezone

    Visit.objects.filter(pk=visit.pk).update(checked_out_at=timezone.now())
    client.force_login(supervisor)
    page = client.get(visit_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "事项已完成" in page and "已和店长确认" in page and 'data-testid="visit-task-log"' not in page
    # when: it is marked not done from the task list, which says where it was answered
    client.force_login(rep)
    listed = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{visit_url}" data-testid="task-visit">Answered at the visit of' in listed
    client.post(reverse("visits:task-not-done", args=[task.pk]), {"reason": "店长改口，下月再议"})
    # then: the visit the supervisor reads says not done, with the reason and what was said in the store
    client.force_login(supervisor)
    page = client.get(visit_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "事项已完成" not in page
    assert 'data-testid="visit-task-status">事项未完成</span> 检查堆头：店长改口，下月再议' in page
    log_html = page[page.index('data-testid="visit-task-log"') :]
    assert log_html.index("已完成 — 已和店长确认") < log_html.index("未完成 — 店长改口，下月再议")
    page = client.get(visit_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="visit-task-status">Task not done</span>' in page


def test_a_task_marked_not_done_is_marked_done_again_from_the_list_and_its_reports_stay(client, people, task):
    # given: the rep marked the task not done from the list (the shelf was empty that day)
    supervisor, rep, _other = people
    client.force_login(rep)
    client.post(reverse("visits:task-not-done", args=[task.pk]), {"reason": "缺货，下次再做"})
    page = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="task-done"' in page and "Done after all…" in page and "Mark done" in page
    zh = client.get(reverse("visits:task-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "其实已完成…" in zh and "标记为已完成" in zh

    # when: it is done after all, with a comment
    response = client.post(
        reverse("visits:task-done", args=[task.pk]),
        {"comment": "补货后已做好堆头"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then: done, said so, and the list keeps both reports: who, when, what
    assert response.redirect_chain[-1][0] == reverse("visits:task-list")
    assert any("Task 检查堆头 marked done." in str(m) for m in response.context["messages"])
    task.refresh_from_db()
    assert (task.status, task.done_comment) == (Task.Status.DONE, "补货后已做好堆头")
    assert log(task) == [("open", "not_done", rep, "缺货，下次再做"), ("not_done", "done", rep, "补货后已做好堆头")]
    page = response.content.decode()
    assert 'data-testid="task-done"' not in page  # done now: no "done after all"
    assert 'data-testid="task-not-done"' in page  # and it may be taken back again
    history = page[page.index('data-testid="task-log"') :].split("</ul>")[0]
    assert history.index("Not done — 缺货，下次再做") < history.index("Done — 补货后已做好堆头")
    assert history.count(f" · {display_name(rep)}: ") == 2  # who made each report
    # the supervisor reads the same history
    client.force_login(supervisor)
    assert "缺货，下次再做" in client.get(reverse("visits:task-list")).content.decode()


def test_an_open_task_offers_no_done_from_the_list_and_who_may_not(client, people, task, finance):
    _sup, rep, other = people
    client.force_login(rep)
    page = client.get(reverse("visits:task-list")).content.decode()
    assert 'data-testid="task-done"' not in page  # an open task is done at the visit
    client.force_login(other)
    assert client.post(reverse("visits:task-done", args=[task.pk])).status_code == 404
    client.force_login(finance)
    assert client.post(reverse("visits:task-done", args=[task.pk])).status_code == 403
    client.force_login(rep)
    assert client.get(reverse("visits:task-done", args=[task.pk])).status_code == 405
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN and log(task) == []
