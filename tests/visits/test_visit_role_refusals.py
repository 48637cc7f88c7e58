"""A role refused is a 403 in this API (QA of the mobile API): a sales rep reviewing their own visit was answered 400
`visit.review_not_allowed`, while every other role refusal (a role without the model permission, a step of another
role) is a 403. It is now a 403 too, keeping its code and the sentence naming who reviews; the page answers 403 with
the same sentence. And a method a resource does not offer (PUT where only PATCH is) is a 405 for every role, not a
403 for the roles that could not write there anyway."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.visits.review_world import NOW, team, visit_of
from visits.models import VisitReview

pytestmark = pytest.mark.django_db

NAMED = {
    "en": "Visits are reviewed by the rep's KA supervisor, the account's KA manager or an administrator.",
    "zh-hans": "拜访由业代的KA主管、该系统的KA经理或管理员审阅。",
}


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rep_reviewing_their_own_visit_is_a_403_with_the_rules_code_and_sentence(language):
    t = team()
    visit = visit_of(t.rep, t.store)

    with translation.override(language):
        answer = as_user(t.rep).post(f"/api/v1/visits/{visit.pk}/review/", {"comment": "自己看过"}, format="json",
                                     HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert answer.status_code == 403
        assert answer.json()["code"] == "visit.review_not_allowed"
        assert answer.json()["detail"] == NAMED[language]
    assert not VisitReview.objects.exists()


def test_it_answers_as_the_apis_other_role_refusals_do():
    """A rep taking a step of another role (confirming a promoter's attendance needs a supervisor) is a 403 too."""
    t = team()
    visit = visit_of(t.rep, t.store)
    rep = as_user(t.rep)

    review = rep.post(f"/api/v1/visits/{visit.pk}/review/", {}, format="json")
    writes_a_task = rep.post("/api/v1/tasks/", {"store": t.store.code, "title": "补货", "due_on": "2026-11-30"},
                             format="json")  # fmt: skip

    assert review.status_code == writes_a_task.status_code == 403
    assert set(review.json()) >= {"code", "detail"} and set(writes_a_task.json()) >= {"code", "detail"}


def test_the_page_refuses_a_rep_with_403_and_the_same_sentence(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    client.force_login(t.rep)

    with translation.override("en"):
        response = client.post(reverse("visits:visit-review", args=[visit.pk]), {"comment": "自己看过"},
                               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 403
        assert NAMED["en"] in response.content.decode().replace("&#x27;", "'")
    assert not VisitReview.objects.exists()


@pytest.mark.parametrize("who", ["manager", "supervisor", "rep", "finance", "admin"])
def test_put_on_a_visit_is_not_offered_to_anyone(who):
    t = team()
    visit = visit_of(t.rep, t.store, closed=False)

    answer = as_user(getattr(t, who)).put(f"/api/v1/visits/{visit.pk}/", {"problems": "改"}, format="json")

    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
    assert "PATCH" in answer["Allow"] and "PUT" not in answer["Allow"]


def test_patch_is_offered_so_a_role_that_may_not_write_a_visit_is_refused_403():
    t = team()
    visit = visit_of(t.rep, t.store, closed=False)

    assert as_user(t.manager).patch(f"/api/v1/visits/{visit.pk}/", {"problems": "改"}, format="json").status_code == 403
    assert APIClient().put(f"/api/v1/visits/{visit.pk}/", {}, format="json").status_code == 401  # signed out: 401
