"""The admin writes routes, visits and tasks only through visits/services.py, refused with the same words as
the pages and the API; the database refuses what must never be stored."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import ChecklistResult, RoutePlan, SuggestedOrder, Task, TaskTransition

from .factories import RoutePlanFactory, RouteStopFactory, SuggestedOrderFactory, TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _task_form(task, **fields):
    return {
        "store": task.store_id,
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on.isoformat(),
        "status": task.status,
        "done_comment": task.done_comment,
        "transitions-TOTAL_FORMS": 0,
        "transitions-INITIAL_FORMS": 0,
        **fields,
    }


def _days_on(days: int) -> str:
    """A due day to come (a task due in the past is refused: visits.rules.task_due_on)."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_an_admin_task_is_created_by_the_service_and_assigned_by_the_admin(admin_client, admin_user):
    store = StoreFactory()
    form = {"store": store.pk, "title": "  检查堆头 ", "description": "", "due_on": _days_on(7)}
    form |= {"transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0}

    response = admin_client.post(reverse("admin:visits_task_add"), form)

    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.title, task.assigned_by, task.status) == ("检查堆头", admin_user, Task.Status.OPEN)


def test_an_admin_task_without_a_title_is_refused_and_nothing_is_written(admin_client):
    store = StoreFactory()
    form = {"store": store.pk, "title": "   ", "due_on": _days_on(7)}
    form |= {"transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0}

    response = admin_client.post(reverse("admin:visits_task_add"), form, **EN)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()  # blank once trimmed, as on the task page
    assert not Task.objects.exists()


def test_marking_a_task_not_done_in_the_admin_needs_the_reason_like_the_page_and_the_api(admin_client, admin_user):
    task = TaskFactory()
    url = reverse("admin:visits_task_change", args=[task.pk])

    refused = admin_client.post(url, _task_form(task, status="not_done", done_comment=" "), **EN)
    task.refresh_from_db()
    assert refused.status_code == 200 and "Say why the task was not done." in refused.content.decode()
    assert task.status == Task.Status.OPEN and not TaskTransition.objects.exists()

    done = admin_client.post(url, _task_form(task, status="not_done", done_comment="堆头位被竞品占用"))
    task.refresh_from_db()
    assert done.status_code == 302
    assert (task.status, task.done_comment) == (Task.Status.NOT_DONE, "堆头位被竞品占用")
    assert task.done_at is not None
    log = TaskTransition.objects.get()
    assert (log.from_status, log.to_status, log.by) == (Task.Status.OPEN, Task.Status.NOT_DONE, admin_user)


def test_the_task_admin_page_shows_the_log(admin_client):
    task = TaskFactory()
    TaskTransition.objects.create(task=task, from_status="open", to_status="open", note="看过")

    page = admin_client.get(reverse("admin:visits_task_change", args=[task.pk]), **EN)

    assert page.status_code == 200 and "看过" in page.content.decode()


def test_a_visit_is_read_only_in_the_admin_so_its_checklist_cannot_change_behind_the_rating(admin_client):
    visit = VisitFactory(checked_out_at=timezone.now() + timedelta(minutes=20))
    ChecklistResult.objects.create(visit=visit, item=ChecklistResult.Item.values[0], result="fail")
    url = reverse("admin:visits_visit_change", args=[visit.pk])

    page = admin_client.get(url, **EN).content.decode()
    changed = admin_client.post(url, {"checklist-0-result": "pass", "problems": "改了"})

    assert 'name="checklist-0-result"' not in page and 'name="problems"' not in page
    assert changed.status_code == 403
    assert ChecklistResult.objects.get(visit=visit).result == "fail"
    assert admin_client.get(reverse("admin:visits_visit_add")).status_code == 403


def test_route_plans_are_published_in_the_admin_through_the_service(admin_client):
    rep = make_user(Role.REP, username="rep_admin_routes")
    empty = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    full = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT, week_start=empty.week_start + timedelta(days=7))
    RouteStopFactory(plan=full, store=StoreFactory(rep=rep))
    changelist = reverse("admin:visits_routeplan_changelist")

    response = admin_client.post(
        changelist, {"action": "publish_plans", "_selected_action": [empty.pk, full.pk]}, follow=True, **EN
    )

    empty.refresh_from_db()
    full.refresh_from_db()
    assert "An empty route plan cannot be published." in response.content.decode()
    assert empty.status == RoutePlan.Status.DRAFT
    assert full.status == RoutePlan.Status.PUBLISHED and full.published_at is not None
    assert admin_client.post(reverse("admin:visits_routeplan_change", args=[full.pk]), {}).status_code == 403

    back = admin_client.post(
        changelist, {"action": "unpublish_plans", "_selected_action": [full.pk]}, follow=True, **EN
    )
    full.refresh_from_db()
    assert "1 route plan back to draft." in back.content.decode()
    assert (full.status, full.published_at) == (RoutePlan.Status.DRAFT, None)


def test_suggested_orders_are_computed_never_typed_in_the_admin(admin_client):
    order = SuggestedOrderFactory()
    assert admin_client.post(reverse("admin:visits_suggestedorder_change", args=[order.pk]), {}).status_code == 403


def test_the_database_refuses_a_task_not_done_without_a_reason_and_a_negative_order():
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=Task.Status.NOT_DONE, done_comment="", done_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)  # reported without a time
    order = SuggestedOrderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestedOrder.objects.filter(pk=order.pk).update(suggested_packs=-1)
