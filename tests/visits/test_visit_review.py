"""A supervisor reviews visit reports (SPEC §1): the service's rules (visits.services.visit_review, visit_review_edit,
visit_review_save) and the review queue that "Review next" and the supervisor's home read (visits.selectors).

Set on Wednesday 25 November 2026, 15:00 (Asia/Shanghai)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from ka_portal.errors import DomainError
from ka_portal.scope import visits_for
from tests.concurrency import at_once
from tests.factories import KeyAccountFactory, StoreFactory
from tests.visits.review_world import NOW, team, visit_of
from visits import selectors, services
from visits.models import Visit, VisitReview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    # refusals read in English here (the site's default is Chinese)
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- reviewing -------------------------------------------------------------------------------------------------


def test_a_supervisor_reviews_their_teams_checked_out_visit_with_a_comment():
    t = team()
    visit = visit_of(t.rep, t.store, rating=Visit.Rating.YELLOW)

    review = services.visit_review(visit=visit, by=t.supervisor, comment="  价签问题下次带新价签 \n")

    review.refresh_from_db()
    assert (review.visit, review.by, review.comment) == (visit, t.supervisor, "价签问题下次带新价签")
    assert review.reviewed_at == NOW and review.edited_at is None


@pytest.mark.parametrize("reviewer", ["manager", "admin"])
def test_the_accounts_manager_and_an_administrator_review_too(reviewer):
    t = team()
    visit = visit_of(t.rep, t.store)

    review = services.visit_review(visit=visit, by=getattr(t, reviewer))

    assert VisitReview.objects.get(visit=visit).by == getattr(t, reviewer) == review.by
    assert review.comment == ""


def test_an_open_visit_is_not_reviewed_yet():
    t = team()
    visit = visit_of(t.rep, t.store, closed=False)

    error = refused(lambda: services.visit_review(visit=visit, by=t.supervisor, comment="太早了"))

    assert (error.code, error.status_code) == ("visit.review_open", 409)
    assert "once the rep has checked out" in error.detail
    assert not VisitReview.objects.exists()


@pytest.mark.parametrize("reviewer", ["other_supervisor", "other_manager"])
def test_a_visit_outside_the_reviewers_scope_is_not_found(reviewer):
    t = team()
    visit = visit_of(t.rep, t.store)

    error = refused(lambda: services.visit_review(visit=visit, by=getattr(t, reviewer)))

    assert (error.code, error.detail) == ("not_found", "Not found.")
    assert not VisitReview.objects.exists()


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_a_sales_rep_and_finance_never_review(who):
    # the rep's own visit is in their scope all the same: it is the role that is refused
    t = team()
    visit = visit_of(t.rep, t.store)

    error = refused(lambda: services.visit_review(visit=visit, by=getattr(t, who), comment="自己审自己"))

    assert error.code == "visit.review_not_allowed"
    assert "KA supervisor" in error.detail
    assert not VisitReview.objects.exists()


def test_each_reviewer_writes_their_own_review_and_a_second_of_theirs_is_refused():
    # given the supervisor's review
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="不错")

    # when the account's manager reviews it too, and the supervisor once more
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        by_manager = services.visit_review(visit=visit, by=t.manager, comment="我也看看")
        again = refused(lambda: services.visit_review(visit=visit, by=t.supervisor, comment="再审一次"))

    # then both reviews stand, each its reviewer's; the supervisor is told when they wrote theirs
    assert (by_manager.by, by_manager.reviewed_at) == (t.manager, NOW + timedelta(minutes=20))
    assert sorted(VisitReview.objects.values_list("by__username", "comment")) == [
        ("mgr_rv", "我也看看"),
        ("sup_rv", "不错"),
    ]
    assert (again.code, again.status_code) == ("visit.already_reviewed", 409)
    assert again.params["reviewed_by"] == "sup_rv" and again.params["when"] == "2026-11-25 15:00"
    assert again.detail == "You already reviewed this visit on 2026-11-25 15:00: change your review instead."


@pytest.mark.parametrize(("length", "kept"), [(1000, True), (1001, False)])
def test_a_comment_is_at_most_a_thousand_characters(length, kept):
    t = team()
    visit = visit_of(t.rep, t.store)

    if kept:
        assert len(services.visit_review(visit=visit, by=t.supervisor, comment="价" * length).comment) == length
        return
    error = refused(lambda: services.visit_review(visit=visit, by=t.supervisor, comment="价" * length))
    assert (error.code, error.field, error.params) == (
        "visit.review_comment_too_long",
        "comment",
        {"length": 1001, "max": 1000},
    )
    assert not VisitReview.objects.exists()


# --- amending ---------------------------------------------------------------------------------------------------


def test_the_writer_amends_the_comment_who_and_when_stay_and_it_reads_edited():
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题")

    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        services.visit_review_edit(visit=visit, by=t.supervisor, comment="价签问题下次带新价签")

    review = VisitReview.objects.get(visit=visit)
    assert (review.by, review.comment, review.reviewed_at) == (t.supervisor, "价签问题下次带新价签", NOW)
    assert review.edited_at == NOW + timedelta(minutes=30)


def test_the_same_comment_again_is_no_edit():
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题")

    services.visit_review_edit(visit=visit, by=t.supervisor, comment=" 价签问题 ")

    assert VisitReview.objects.get(visit=visit).edited_at is None


def test_a_reviewer_amends_only_their_own_review():
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题")

    # the manager has not reviewed it: the supervisor's review is not theirs to change
    error = refused(lambda: services.visit_review_edit(visit=visit, by=t.manager, comment="改掉"))
    services.visit_review(visit=visit, by=t.manager, comment="经理意见")
    services.visit_review_edit(visit=visit, by=t.manager, comment="经理改过的意见")

    assert (error.code, error.status_code) == ("visit.not_reviewed", 409)
    assert error.detail == "You have not reviewed this visit yet: review it first."
    assert dict(VisitReview.objects.values_list("by__username", "comment")) == {
        "sup_rv": "价签问题",
        "mgr_rv": "经理改过的意见",
    }
    assert VisitReview.objects.get(by=t.supervisor).edited_at is None


def test_a_review_not_written_yet_is_not_amended():
    t = team()
    visit = visit_of(t.rep, t.store)

    error = refused(lambda: services.visit_review_edit(visit=visit, by=t.supervisor, comment="改"))

    assert (error.code, error.status_code) == ("visit.not_reviewed", 409)
    assert not VisitReview.objects.exists()


def test_the_pages_save_reviews_then_amends_and_another_reviewer_adds_their_own():
    t = team()
    visit = visit_of(t.rep, t.store)

    first, created = services.visit_review_save(visit=visit, by=t.supervisor, comment="")
    again, created_again = services.visit_review_save(visit=visit, by=t.supervisor, comment="下次带新价签")
    managers, by_manager = services.visit_review_save(visit=visit, by=t.manager, comment="我来")

    assert (created, created_again, by_manager) == (True, False, True) and first.pk == again.pk != managers.pk
    assert dict(VisitReview.objects.values_list("by__username", "comment")) == {
        "sup_rv": "下次带新价签",
        "mgr_rv": "我来",
    }


# --- the queue ----------------------------------------------------------------------------------------------------


def test_the_queue_is_the_teams_checked_out_unreviewed_visits_of_seven_days_worst_first():
    t = team()
    green = visit_of(t.rep, t.store, hour=11)
    red_old = visit_of(t.rep, t.store, days_ago=6, rating=Visit.Rating.RED)  # the 7th day back: still in
    yellow = visit_of(t.rep, t.store, days_ago=1, rating=Visit.Rating.YELLOW)
    red_new = visit_of(t.rep, t.store, days_ago=1, hour=16, rating=Visit.Rating.RED)
    visit_of(t.rep, t.store, days_ago=7, rating=Visit.Rating.RED)  # too old
    visit_of(t.rep, t.store, hour=14, closed=False)  # still open
    by_manager = visit_of(t.rep, t.store, days_ago=2, rating=Visit.Rating.RED)
    services.visit_review(visit=by_manager, by=t.manager)  # the manager's review: still the supervisor's to review
    reviewed = visit_of(t.rep, t.store, days_ago=3, rating=Visit.Rating.RED)
    services.visit_review(visit=reviewed, by=t.supervisor)  # theirs: done
    visit_of(t.other_rep, rating=Visit.Rating.RED)  # another team's

    queue = selectors.review_queue(t.supervisor, visits_for(t.supervisor), today=NOW.date())

    assert list(queue) == [red_new, by_manager, red_old, yellow, green]
    assert selectors.next_to_review(t.supervisor, besides=red_new) == by_manager
    services.visit_review(visit=red_new, by=t.supervisor)
    assert selectors.next_to_review(t.supervisor, besides=red_new) == by_manager
    for visit in (by_manager, red_old, yellow, green):
        services.visit_review(visit=visit, by=t.supervisor)
    assert selectors.next_to_review(t.supervisor) is None
    # the manager's own queue still holds what only the supervisor reviewed
    assert selectors.next_to_review(t.manager) == red_new


def test_the_managers_queue_holds_only_visits_at_their_accounts_stores():
    t = team()
    mine = visit_of(t.rep, t.store)
    visit_of(t.rep, StoreFactory(rep=t.rep, account=KeyAccountFactory(owner=t.other_manager)))

    assert selectors.next_to_review(t.manager) == mine
    assert selectors.next_to_review(t.manager, besides=mine) is None


# --- at once ----------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_and_the_manager_reviewing_at_once_make_a_review_each():
    t = team()
    visit = visit_of(t.rep, t.store)

    results, errors = at_once(
        lambda: services.visit_review(visit=visit, by=t.supervisor, comment="主管"),
        lambda: services.visit_review(visit=visit, by=t.manager, comment="经理"),
    )

    assert (len(results), errors) == (2, [])
    assert sorted(VisitReview.objects.values_list("by__username", "comment")) == [
        ("mgr_rv", "经理"),
        ("sup_rv", "主管"),
    ]
    assert all(timezone.is_aware(review.reviewed_at) for review in VisitReview.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_reviewer_reviewing_twice_at_once_makes_one_review_and_the_second_is_told_so():
    t = team()
    visit = visit_of(t.rep, t.store)

    results, errors = at_once(
        lambda: services.visit_review(visit=visit, by=t.supervisor, comment="第一次"),
        lambda: services.visit_review(visit=visit, by=t.supervisor, comment="第二次"),
    )

    assert len(results) == 1 and [(error.code, error.status_code) for error in errors] == [
        ("visit.already_reviewed", 409)
    ]
    assert list(VisitReview.objects.values_list("by__username", "comment")) == [("sup_rv", results[0].comment)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_pages_form_sent_twice_at_once_reviews_once():
    t = team()
    visit = visit_of(t.rep, t.store)

    results, errors = at_once(
        lambda: services.visit_review_save(visit=visit, by=t.supervisor, comment="价签问题"),
        lambda: services.visit_review_save(visit=visit, by=t.supervisor, comment="价签问题"),
    )

    assert errors == [] and sorted(created for _review, created in results) == [False, True]
    review = VisitReview.objects.get()
    assert (review.by, review.comment, review.edited_at) == (t.supervisor, "价签问题", None)
