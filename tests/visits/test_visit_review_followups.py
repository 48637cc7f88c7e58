"""What the review leaves behind (QA on a phone): a comment typed while another reviewed the visit is saved as the
typist's own review beside the other's (each reviewer writes their own); the supervisor's home counts the visits gone
past the review queue's days still without their review, linking the visit list filtered to them; the rep's home
lists the comments written on their visits of the last days and links every visit of theirs with a comment."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from analytics import dashboards
from tests.factories import make_user
from tests.visits.review_world import NOW, team, visit_of
from visits import services
from visits.models import Visit, VisitReview

pytestmark = [pytest.mark.django_db]
english = pytest.mark.english


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def post_review(client, user, visit, comment: str):
    client.force_login(user)
    return client.post(reverse("visits:visit-review", args=[visit.pk]), {"comment": comment})


def shown_rows(client, url: str) -> int:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.context["paginator"].count


# --- 1. the comment typed while another reviewed ----------------------------------------------------------------


@english
def test_a_comment_typed_while_the_manager_reviewed_is_saved_as_the_supervisors_own_review(client):
    # given the supervisor on the visit's form while the account's manager reviews it
    t = team()
    visit = visit_of(t.rep, t.store, rating=Visit.Rating.RED)
    client.force_login(t.supervisor)
    assert 'data-testid="review-form"' in client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    services.visit_review(visit=visit, by=t.manager, comment="价签已换")  # meanwhile

    # when the supervisor sends their comment
    answer = post_review(client, t.supervisor, visit, "缺货 <3 请补货\n第二行")

    # then it is their own review, beside the manager's: nothing refused, nothing to copy
    shown = client.get(answer["Location"]).content.decode()
    assert answer.status_code == 302 and "Visit reviewed." in shown
    assert dict(VisitReview.objects.values_list("by__username", "comment")) == {
        "mgr_rv": "价签已换",
        "sup_rv": "缺货 <3 请补货\n第二行",
    }
    assert "缺货 &lt;3 请补货<br>第二行" in shown and "价签已换" in shown
    assert "You reviewed this visit." in shown


def test_in_chinese_both_reviews_show_each_with_its_reviewer(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.manager, comment="价签已换")

    answer = post_review(client, t.supervisor, visit, "下次带新价签")

    shown = client.get(answer["Location"]).content.decode()
    note = shown.split('data-testid="visit-review"')[1].split("</section>")[0]
    assert answer.status_code == 302
    assert "李敏，2026-11-25 15:00" in note and "王强，2026-11-25 15:00" in note
    assert note.index("价签已换") < note.index("下次带新价签")


# --- 2. the older visits still not reviewed ----------------------------------------------------------------------


@english
def test_the_supervisors_home_counts_the_older_visits_still_not_reviewed(client):
    t = team()
    visit_of(t.rep, t.store, days_ago=6)  # the queue's first day: in the queue, not older
    last_week = visit_of(t.rep, t.store, days_ago=7, rating=Visit.Rating.RED)
    long_ago = visit_of(t.rep, t.store, days_ago=40)
    services.visit_review(visit=visit_of(t.rep, t.store, days_ago=9), by=t.supervisor)  # reviewed: done
    by_manager = visit_of(t.rep, t.store, days_ago=11)
    services.visit_review(visit=by_manager, by=t.manager)  # the manager's review: still the supervisor's to do
    visit_of(t.rep, t.store, days_ago=10, closed=False)  # never checked out: nothing to review
    visit_of(t.other_rep, days_ago=8)  # another team's
    client.force_login(t.supervisor)

    board = dashboards.supervisor_dashboard(t.supervisor, today=NOW.date())
    home = client.get("/").content.decode()

    assert board.to_review.count == 1 and board.older_to_review.count == 3
    assert board.older_to_review.url == (
        reverse("visits:visit-list") + "?open=false&reviewed_by_me=false&until=2026-11-18"
    )
    assert shown_rows(client, board.older_to_review.url) == 3
    alert = home.split('data-testid="older-to-review"')[1].split("</a>")[0]
    said = 'data-testid="older-to-review-count">3</strong> older visits, before 2026-11-19, still wait for your review.'
    assert said in alert
    assert f'href="{board.older_to_review.url.replace("&", "&amp;")}"' in home

    services.visit_review(visit=last_week, by=t.manager)  # another's review: still waits for the supervisor's
    assert dashboards.supervisor_dashboard(t.supervisor, today=NOW.date()).older_to_review.count == 3
    for visit in (last_week, long_ago, by_manager):
        services.visit_review(visit=visit, by=t.supervisor)
    assert dashboards.supervisor_dashboard(t.supervisor, today=NOW.date()).older_to_review.count == 0
    assert 'data-testid="older-to-review"' not in client.get("/").content.decode()


def test_in_chinese_the_supervisors_home_links_the_older_visits(client):
    t = team()
    visit_of(t.rep, t.store, days_ago=12)
    client.force_login(t.supervisor)

    home = client.get("/").content.decode()

    assert 'data-testid="older-to-review-count">1</strong>' in home
    assert "until=2026-11-18" in home


# --- 3. the rep told of the comments ---------------------------------------------------------------------------


@english
def test_the_reps_home_lists_the_comments_on_their_visits_of_the_last_seven_days_newest_first(client):
    t = team()
    yesterday = visit_of(t.rep, t.store, days_ago=1)
    today = visit_of(t.rep, t.store)
    no_comment = visit_of(t.rep, t.store, days_ago=2)
    old = visit_of(t.rep, t.store, days_ago=20)
    with time_machine.travel(NOW - timedelta(days=8), tick=False):
        services.visit_review(visit=old, by=t.supervisor, comment="八天前的意见")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        services.visit_review(visit=yesterday, by=t.manager, comment="端架陈列不错")
    services.visit_review(visit=today, by=t.supervisor, comment="价签问题下次带新价签")
    services.visit_review(visit=no_comment, by=t.supervisor)
    services.visit_review(visit=visit_of(t.other_rep), by=t.other_supervisor, comment="别人的")
    client.force_login(t.rep)

    board = dashboards.rep_dashboard(t.rep, today=NOW.date())
    home = client.get("/").content.decode()

    assert [review.visit for review in board.review_comments] == [today, yesterday]
    card = home.split('data-testid="review-comments"')[1].split("</ul>")[0]
    assert card.index("价签问题下次带新价签") < card.index("端架陈列不错")
    assert "by 王强, 2026-11-25 15:00" in card and "by 李敏, 2026-11-24 15:00" in card
    todays_review = VisitReview.objects.get(visit=today)
    assert f'href="{reverse("visits:visit-detail", args=[today.pk])}#visit-review-{todays_review.pk}"' in card
    assert "八天前的意见" not in home and "别人的" not in home
    assert "Written in the last 7 days." in card
    visit_page = client.get(reverse("visits:visit-detail", args=[today.pk])).content.decode()
    assert f'id="visit-review-{todays_review.pk}"' in visit_page and "价签问题下次带新价签" in visit_page

    # an old review whose comment was changed today is news again
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.visit_review_edit(visit=old, by=t.supervisor, comment="八天前的意见，已更新")
    card = client.get("/").content.decode().split('data-testid="review-comments"')[1].split("</ul>")[0]
    assert card.index("八天前的意见，已更新") < card.index("价签问题下次带新价签")
    assert "edited 2026-11-25 15:05" in card


@english
def test_the_reps_home_links_every_visit_of_theirs_with_a_comment(client):
    # given a visit with a comment, one reviewed without any, one reviewed by two of whom one wrote, and one not yet
    t = team()
    commented = visit_of(t.rep, t.store)
    seen = visit_of(t.rep, t.store, days_ago=1)
    both = visit_of(t.rep, t.store, days_ago=2)
    visit_of(t.rep, t.store, days_ago=3)
    services.visit_review(visit=commented, by=t.supervisor, comment="请补货")
    services.visit_review(visit=seen, by=t.supervisor)
    services.visit_review(visit=both, by=t.supervisor)
    services.visit_review(visit=both, by=t.manager, comment="端架不错")
    client.force_login(t.rep)

    # when the rep follows their home's link beside the comments
    board = dashboards.rep_dashboard(t.rep, today=NOW.date())
    home = client.get("/").content.decode()
    listed = client.get(board.commented_url)

    # then the list holds the visits with a comment, and says which filter it is
    assert board.commented_url == reverse("visits:visit-list") + "?commented=true"
    link = home.split('data-testid="commented-visits"')[0].rsplit("<a", 1)[1]
    assert f'href="{board.commented_url}"' in link and "All commented visits" in home
    assert [visit.pk for visit in listed.context["object_list"]] == [commented.pk, both.pk]
    assert 'value="true" selected>With a comment<' in listed.content.decode()


@english
def test_a_rep_without_comments_sees_no_comment_card(client):
    t = team()
    services.visit_review(visit=visit_of(t.rep, t.store), by=t.supervisor)
    client.force_login(t.rep)

    assert 'data-testid="review-comments"' not in client.get("/").content.decode()


def test_in_chinese_the_rep_reads_the_comment_on_their_home(client):
    t = team()
    services.visit_review(visit=visit_of(t.rep, t.store), by=t.supervisor, comment="请补货")
    lonely = make_user(Role.REP, username="rep_rv_alone", supervisor=t.supervisor)
    client.force_login(t.rep)

    home = client.get("/").content.decode()

    assert 'data-testid="review-comment-text">请补货<' in home
    assert "五角场店" in home.split('data-testid="review-comments"')[1]
    assert dashboards.rep_dashboard(lonely, today=NOW.date()).review_comments == []
