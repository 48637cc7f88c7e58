"""A task is due today or later (today in Shanghai): given a day already past, it was saved and at once overdue on
the home dashboard and in the export. Every door that writes a task refuses it naming the due date; an overdue task
still takes an edit that leaves its due date alone. (The doors one by one: tests/ka_portal/write_path_matrix.py.)"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Task

from .factories import TaskFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def team(time_machine):
    # 2026-12-06 03:45 in Shanghai is still 2026-12-05 in UTC: "today" is Shanghai's
    time_machine.move_to(datetime(2026, 12, 6, 3, 45, tzinfo=SHANGHAI), tick=False)
    sup = make_user(Role.SUPERVISOR, username="sup_due")
    rep = make_user(Role.REP, username="rep_due", supervisor=sup)
    store = StoreFactory(rep=rep, code="TIMES-002")
    return sup, store


def test_the_task_page_refuses_a_due_date_already_past_next_to_the_field_keeping_what_was_typed(client, team):
    sup, store = team
    client.force_login(sup)

    # the supervisor gives a task due 2026-12-05: yesterday in Shanghai, today in UTC
    response = client.post(
        reverse("visits:task-list"), {"store": store.code, "title": "检查堆头", "due_on": "2026-12-05"}, **EN
    )

    assert response.status_code == 400
    form = response.context["task_form"]
    assert form.errors["due_on"] == ["Due on 2026-12-05 is already past: give today (2026-12-06) or a later day."]
    page = response.content.decode()
    assert "is already past" in page and 'value="检查堆头"' in page and 'value="2026-12-05"' in page
    assert 'min="2026-12-06"' in str(form["due_on"])  # the picker offers no past day (Shanghai's today)
    assert not Task.objects.exists()

    # today is fine
    done = client.post(reverse("visits:task-list"), {"store": store.code, "title": "检查堆头", "due_on": "2026-12-06"})
    assert done.status_code == 302
    assert Task.objects.get().due_on == date(2026, 12, 6)


def test_the_api_refuses_a_due_date_already_past_with_the_code_and_the_field(client, team):
    sup, store = team
    client.force_login(sup)

    response = client.post(
        reverse("task-list"),
        {"store": store.code, "title": "检查堆头", "due_on": "2026-11-20"},
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "task.due_in_past" and body["field"] == "due_on"
    assert "2026-11-20 is already past" in body["detail"]
    assert not Task.objects.exists()


def test_an_overdue_task_keeps_its_due_date_when_its_note_is_edited_but_cannot_move_to_another_past_day(team):
    sup, store = team
    task = TaskFactory(store=store, title="检查堆头", due_on=date(2026, 11, 20), assigned_by=sup)

    edited = services.task_edit(
        task=task, title="检查堆头", description="店长周一在", due_on=date(2026, 11, 20), by=sup
    )
    assert edited.description == "店长周一在" and edited.due_on == date(2026, 11, 20)

    with pytest.raises(Exception) as refused:
        services.task_edit(task=task, title="检查堆头", description="", due_on=date(2026, 11, 25), by=sup)
    assert refused.value.code == "task.due_in_past"
    task.refresh_from_db()
    assert task.due_on == date(2026, 11, 20) and task.description == "店长周一在"

    moved = services.task_edit(task=task, title="检查堆头", description="", due_on=date(2026, 12, 10), by=sup)
    assert moved.due_on == date(2026, 12, 10)


def test_the_admin_edits_the_note_of_an_overdue_task_and_refuses_a_new_past_day(client, team):
    sup, store = team
    admin = make_user(Role.ADMIN, username="admin_due", is_staff=True, is_superuser=True)
    task = TaskFactory(store=store, title="检查堆头", due_on=date(2026, 11, 20), assigned_by=sup)
    client.force_login(admin)
    url = reverse("admin:visits_task_change", args=[task.pk])
    form = {
        "store": store.pk, "title": "检查堆头", "description": "换个说法", "status": "open", "done_comment": "",
        "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0,
    }  # fmt: skip

    kept = client.post(url, {**form, "due_on": "2026-11-20"}, **EN)
    assert kept.status_code == 302
    task.refresh_from_db()
    assert task.description == "换个说法"

    moved = client.post(url, {**form, "description": "再换", "due_on": "2026-11-21"}, **EN)
    assert moved.status_code == 200
    assert "Due on 2026-11-21 is already past" in moved.content.decode()
    task.refresh_from_db()
    assert task.due_on == date(2026, 11, 20) and task.description == "换个说法"
