"""A visit save sent again (issue 14 item 1): the phone's upload queue resends a save whose answer was lost with
the network, so the visit page's POST must leave the same visit however often the same body arrives. It needs
no Idempotency-Key for that (a form posted twice carries none): a save writes values, not increments. (With the key
the service worker sends a form's post under, the repeat is answered as the first: test_page_uploads_once.py.)"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import ChecklistResult, Task, TaskTransition

from .factories import TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _state(visit) -> dict:
    visit.refresh_from_db()
    return {
        "counts": sorted(visit.stock_counts.values_list("product_id", "packs")),
        "checklist": sorted(visit.checklist.values_list("item", "result")),
        "problems": visit.problems,
        "checked_out_at": visit.checked_out_at,
        "suggested": sorted(visit.store.suggested_orders.values_list("product_id", "suggested_cases")),
        "task_reports": TaskTransition.objects.count(),
    }


def test_the_same_save_and_check_out_sent_twice_leave_one_visit(client):
    rep = make_user(Role.REP)
    store = StoreFactory(rep=rep)
    beer = ProductFactory(packs_per_case=12)
    ListingFactory(store=store, product=beer)
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    task = TaskFactory(store=store)
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    save = {
        f"stock_{beer.pk}": "6",
        "check_tidy": "fail",
        "problems": "端架有破损包装",
        f"task_{task.pk}_done": "on",
        f"task_{task.pk}_comment": "价签已补",
        "action": "save",
    }

    first = client.post(url, save)
    after_first = _state(visit)
    again = client.post(url, save)

    assert first.status_code == again.status_code == 302
    assert _state(visit) == after_first
    assert after_first["counts"] == [(beer.pk, 72)]
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    assert after_first["task_reports"] == 1  # the task is no longer open: the repeat does not report it again

    check_out = {f"stock_{beer.pk}": "6", **{f"check_{i}": "pass" for i in ChecklistResult.Item.values}}
    closed = client.post(url, {**check_out, "action": "check_out"})
    after_check_out = _state(visit)
    repeated = client.post(url, {**check_out, "action": "check_out"})

    assert closed["Location"] == reverse("visits:today")
    assert after_check_out["checked_out_at"] is not None
    assert repeated["Location"] == url  # the visit page, read-only: queue.js counts it sent
    assert _state(visit) == after_check_out
