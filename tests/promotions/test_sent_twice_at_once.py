"""A double click that sends a plan page's form twice at the same moment (PostgreSQL: SQLite serialises writers): the
second send waits for the first and is answered as it was, never "that step is not possible now", never twice."""

import pytest
from django.test import Client

from promotions.models import PromotionPlan
from promotions.services import promotion_save_draft
from tests.concurrency import at_once

from .conftest import plan_input
from .test_views import form_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
KEY = "5a0c2f1e-7d3b-4c9a-8e6f-1b2c3d4e5f60"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_submit_clicked_twice_at_once_submits_once_and_both_say_so(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    clients = [_client(world.supervisor), _client(world.supervisor)]  # the rep's draft, submitted by the supervisor

    def click(client):
        return lambda: client.post(f"/promotions/{plan.pk}/submit/", {"request_key": KEY}, follow=True)

    results, errors = at_once(*(click(client) for client in clients))

    assert errors == []
    assert [_said(response) for response in results] == [["Plan submitted."], ["Plan submitted."]]
    assert plan.transitions.filter(to_status=PromotionPlan.Status.SUBMITTED).count() == 1


def test_a_new_plan_saved_twice_at_once_is_one_draft(world):
    clients = [_client(world.rep), _client(world.rep)]

    def save(client):
        return lambda: client.post("/promotions/new/", form_data(world, form_token=KEY), follow=True)

    results, errors = at_once(*(save(client) for client in clients))

    assert errors == []
    plan = PromotionPlan.objects.get()
    assert [response.redirect_chain[-1][0] for response in results] == [f"/promotions/{plan.pk}/"] * 2
    assert [_said(response) for response in results] == [["Draft saved."], ["Draft saved."]]
