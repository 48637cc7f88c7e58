"""The reviews through the API (SPEC §1): POST /api/v1/visits/{id}/review/ marks a visit reviewed by the caller (an
Idempotency-Key makes it safe to repeat), PATCH changes the caller's own comment; each reviewer writes their own
review. A visit's detail and the list carry `reviews`, and the list filters `reviewed`, `reviewed_by_me` and
`commented`. The same service as the page's, so the same refusals."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.visits.review_world import NOW, team, visit_of
from visits import services
from visits.models import Visit, VisitReview

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(visit) -> str:
    return f"/api/v1/visits/{visit.pk}/review/"


def test_a_supervisor_posts_a_review_and_is_told_the_next_visit_to_review():
    t = team()
    visit = visit_of(t.rep, t.store, rating=Visit.Rating.YELLOW)
    waiting = visit_of(t.rep, t.store, days_ago=2, rating=Visit.Rating.RED)

    answer = as_user(t.supervisor).post(url(visit), {"comment": "价签问题下次带新价签"}, format="json")

    assert answer.status_code == 201, answer.json()
    assert answer.json() == {
        "visit": visit.pk,
        "reviewed_by": "sup_rv",
        "reviewed_at": "2026-11-25T15:00:00+08:00",
        "comment": "价签问题下次带新价签",
        "edited_at": None,
        "next_to_review": waiting.pk,
    }
    assert VisitReview.objects.get(visit=visit).by == t.supervisor


def test_the_visit_detail_and_list_carry_every_review_and_the_list_filters_them():
    t = team()
    reviewed = visit_of(t.rep, t.store)
    waiting = visit_of(t.rep, t.store, days_ago=1)
    services.visit_review(visit=reviewed, by=t.supervisor, comment="不错")
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        services.visit_review(visit=reviewed, by=t.manager)  # the account's manager: their own, without a comment
    rep = as_user(t.rep)  # the rep reads the reviews of their visit

    detail = rep.get(f"/api/v1/visits/{reviewed.pk}/").json()
    listed = {row["id"]: row["reviews"] for row in rep.get("/api/v1/visits/").json()["results"]}
    only_reviewed = [row["id"] for row in rep.get("/api/v1/visits/", {"reviewed": "true"}).json()["results"]]
    not_reviewed = [row["id"] for row in rep.get("/api/v1/visits/", {"reviewed": "false"}).json()["results"]]
    refused = rep.get("/api/v1/visits/", {"reviewed": "maybe"}, **EN)

    expected = [
        {"reviewed_by": "sup_rv", "reviewed_at": "2026-11-25T15:00:00+08:00", "comment": "不错", "edited_at": None},
        {"reviewed_by": "mgr_rv", "reviewed_at": "2026-11-25T15:30:00+08:00", "comment": "", "edited_at": None},
    ]
    assert "review" not in detail
    assert detail["reviews"] == expected
    assert listed == {reviewed.pk: expected, waiting.pk: []}  # listed once, with both reviews
    assert (only_reviewed, not_reviewed) == ([reviewed.pk], [waiting.pk])
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["reviewed"]


def test_the_list_filters_the_callers_own_reviews_and_the_visits_with_a_comment():
    t = team()
    by_manager = visit_of(t.rep, t.store)
    by_both = visit_of(t.rep, t.store, days_ago=1)
    waiting = visit_of(t.rep, t.store, days_ago=2)
    services.visit_review(visit=by_manager, by=t.manager, comment="价签已换")
    services.visit_review(visit=by_both, by=t.manager)
    services.visit_review(visit=by_both, by=t.supervisor)

    def ids(user, **filters) -> set[int]:
        return {row["id"] for row in as_user(user).get("/api/v1/visits/", filters).json()["results"]}

    assert ids(t.supervisor, reviewed_by_me="true") == {by_both.pk}
    assert ids(t.supervisor, reviewed_by_me="false") == {by_manager.pk, waiting.pk}  # the manager's leaves it waiting
    assert ids(t.manager, reviewed_by_me="false") == {waiting.pk}
    assert ids(t.rep, commented="true") == {by_manager.pk}  # reviews without a comment only say "seen"
    assert ids(t.rep, commented="false") == {by_both.pk, waiting.pk}


def test_the_writer_patches_the_comment_and_the_answer_says_when_it_was_edited():
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题")

    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        answer = as_user(t.supervisor).patch(url(visit), {"comment": "价签问题下次带新价签"}, format="json")

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["reviewed_by"], body["reviewed_at"]) == ("sup_rv", "2026-11-25T15:00:00+08:00")
    assert (body["comment"], body["edited_at"]) == ("价签问题下次带新价签", "2026-11-25T15:10:00+08:00")
    assert body["next_to_review"] is None


@pytest.mark.parametrize(
    ("who", "method", "status", "code"),
    [
        ("rep", "post", 403, "visit.review_not_allowed"),  # the rep's own visit: the role is refused (403)
        ("manager", "patch", 409, "visit.not_reviewed"),  # the supervisor's review is not the manager's to change
        ("supervisor", "post", 409, "visit.already_reviewed"),  # theirs: PATCH it instead
    ],
)
def test_refusals_carry_their_code_and_write_nothing(who, method, status, code):
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="原意见")

    answer = getattr(as_user(getattr(t, who)), method)(url(visit), {"comment": "新意见"}, format="json", **EN)

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert list(VisitReview.objects.values_list("by__username", "comment", "edited_at")) == [("sup_rv", "原意见", None)]


def test_the_manager_posts_their_own_review_beside_the_supervisors():
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="原意见")

    answer = as_user(t.manager).post(url(visit), {"comment": "端架很好"}, format="json")

    assert answer.status_code == 201, answer.json()
    assert (answer.json()["reviewed_by"], answer.json()["comment"]) == ("mgr_rv", "端架很好")
    shown = as_user(t.rep).get(f"/api/v1/visits/{visit.pk}/").json()["reviews"]
    assert [(review["reviewed_by"], review["comment"]) for review in shown] == [
        ("sup_rv", "原意见"),
        ("mgr_rv", "端架很好"),
    ]


def test_an_open_visit_and_one_without_a_review_are_refused():
    t = team()
    still_open = visit_of(t.rep, t.store, closed=False)
    done = visit_of(t.rep, t.store, days_ago=1)
    supervisor = as_user(t.supervisor)

    posted = supervisor.post(url(still_open), {}, format="json")
    patched = supervisor.patch(url(done), {"comment": "改"}, format="json")

    assert (posted.status_code, posted.json()["code"]) == (409, "visit.review_open")
    assert (patched.status_code, patched.json()["code"]) == (409, "visit.not_reviewed")
    assert not VisitReview.objects.exists()


def test_out_of_scope_is_not_found_and_finance_is_forbidden():
    t = team()
    visit = visit_of(t.rep, t.store)

    for who in ("other_supervisor", "other_manager", "other_rep"):
        assert as_user(getattr(t, who)).post(url(visit), {}, format="json").status_code == 404, who
    assert as_user(t.finance).post(url(visit), {}, format="json").status_code == 403
    assert not VisitReview.objects.exists()


def test_an_idempotency_key_makes_a_repeated_post_answer_the_first_time():
    t = team()
    visit = visit_of(t.rep, t.store)
    supervisor = as_user(t.supervisor)
    key = {"HTTP_IDEMPOTENCY_KEY": "6a0f5b3e-review-1"}

    first = supervisor.post(url(visit), {"comment": "不错"}, format="json", **key)
    again = supervisor.post(url(visit), {"comment": "不错"}, format="json", **key)
    changed = supervisor.post(url(visit), {"comment": "另一句"}, format="json", **key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert (changed.status_code, changed.json()["code"], changed.json()["differs"]) == (
        422,
        "idempotency.key_reused",
        ["comment"],
    )
    assert VisitReview.objects.count() == 1


def test_the_schema_documents_the_review_with_its_key_and_the_lists_filter():
    answer = as_user(team().admin).get("/api/schema/", {"format": "json"})

    schema = answer.json()
    operations = schema["paths"]["/api/v1/visits/{id}/review/"]
    assert set(operations) >= {"post", "patch"}
    post = operations["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in post["parameters"]]
    assert {"201", "400", "404", "409", "422"} <= set(post["responses"])
    assert {"200", "400", "404", "409"} <= set(operations["patch"]["responses"])
    listing = schema["paths"]["/api/v1/visits/"]["get"]["parameters"]
    assert {"reviewed", "reviewed_by_me", "commented"} <= {parameter["name"] for parameter in listing}
    properties = schema["components"]["schemas"]["Visit"]["properties"]
    assert "reviews" in properties and "review" not in properties


def test_a_page_of_visits_reads_its_reviews_in_one_query(lists_read_afresh):
    t = team()
    supervisor = as_user(t.supervisor)

    def queries(reviewed: int) -> int:
        for days_ago in range(reviewed):
            visit = visit_of(t.rep, t.store, days_ago=days_ago, hour=8 + reviewed)
            services.visit_review(visit=visit, by=t.supervisor, comment=f"第{days_ago}次")
            services.visit_review(visit=visit, by=t.manager, comment=f"经理第{days_ago}次")
        with CaptureQueriesContext(connection) as captured:
            answer = supervisor.get("/api/v1/visits/")
        assert answer.status_code == 200
        assert sum(len(row["reviews"]) for row in answer.json()["results"]) == VisitReview.objects.count()
        return len(captured)

    supervisor.get("/api/v1/visits/")  # the user's permissions read once, as on every later request
    assert queries(1) == queries(4)
