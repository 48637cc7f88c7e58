"""What the review leaves behind (QA on a phone): a comment typed while another reviewed the visit is shown back, not
lost; the supervisor's home counts the visits gone past the review queue's days still not reviewed, linking the visit
list filtered to them; the rep's home lists the comments written on their visits of the last days."""

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
def test_a_comment_typed_while_the_manager_reviewed_is_shown_back_not_saved(client):
    t = team()
    visit = visit_of(t.rep, t.store, rating=Visit.Rating.RED)
    client.force_login(t.supervisor)
    assert 'data-testid="review-form"' in client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    services.visit_review(visit=visit, by=t.manager, comment="价签已换")  # meanwhile

    answer = post_review(client, t.supervisor, visit, "缺货 <3 请补货\n第二行")

    text = answer.content.decode()
    assert answer.status_code == 400
    assert "李敏 already reviewed this visit on 2026-11-25 15:00." in text
    assert 'data-testid="review-form"' not in text  # one review per visit: nothing to send it with
    box = text.split('data-testid="review-unsaved"')[1].split("</div>")[0]
    assert "李敏 reviewed this visit meanwhile, so your comment was not saved." in box
    assert "Your comment, not saved" in box
    assert "readonly" in box and "缺货 &lt;3 请补货\n第二行</textarea>" in box
    assert VisitReview.objects.get().comment == "价签已换"


@english
def test_nothing_typed_nothing_shown_back(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.manager)

    answer = post_review(client, t.supervisor, visit, "   ")

    assert answer.status_code == 400
    assert 'data-testid="review-unsaved"' not in answer.content.decode()


def test_in_chinese_the_refusal_and_the_typed_comment_both_show(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.manager)

    answer = post_review(client, t.supervisor, visit, "下次带新价签")

    text = answer.content.decode()
    assert answer.status_code == 400
    assert "李敏已于2026-11-25 15:00审阅过此拜访。" in text
    assert 'data-testid="review-unsaved-comment">下次带新价签</textarea>' in text


# --- 2. the older visits still not reviewed ----------------------------------------------------------------------


@english
def test_the_supervisors_home_counts_the_older_visits_still_not_reviewed(client):
    t = team()
    visit_of(t.rep, t.store, days_ago=6)  # the queue's first day: in the queue, not older
    last_week = visit_of(t.rep, t.store, days_ago=7, rating=Visit.Rating.RED)
    long_ago = visit_of(t.rep, t.store, days_ago=40)
    services.visit_review(visit=visit_of(t.rep, t.store, days_ago=9), by=t.supervisor)  # reviewed: done
    visit_of(t.rep, t.store, days_ago=10, closed=False)  # never checked out: nothing to review
    visit_of(t.other_rep, days_ago=8)  # another team's
    client.force_login(t.supervisor)

    board = dashboards.supervisor_dashboard(t.supervisor, today=NOW.date())
    home = client.get("/").content.decode()

    assert board.to_review.count == 1 and board.older_to_review.count == 2
    assert board.older_to_review.url == reverse("visits:visit-list") + "?open=false&reviewed=false&until=2026-11-18"
    assert shown_rows(client, board.older_to_review.url) == 2
    alert = home.split('data-testid="older-to-review"')[1].split("</a>")[0]
    said = 'data-testid="older-to-review-count">2</strong> older visits, before 2026-11-19, are still not reviewed.'
    assert said in alert
    assert f'href="{board.older_to_review.url.replace("&", "&amp;")}"' in home

    services.visit_review(visit=last_week, by=t.manager)
    services.visit_review(visit=long_ago, by=t.supervisor)
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
    assert f'href="{reverse("visits:visit-detail", args=[today.pk])}#visit-review"' in card
    assert "八天前的意见" not in home and "别人的" not in home
    assert "Written in the last 7 days." in card
    visit_page = client.get(reverse("visits:visit-detail", args=[today.pk])).content.decode()
    assert 'id="visit-review"' in visit_page and "价签问题下次带新价签" in visit_page

    # an old review whose comment was changed today is news again
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.visit_review_edit(visit=old, by=t.supervisor, comment="八天前的意见，已更新")
    card = client.get("/").content.decode().split('data-testid="review-comments"')[1].split("</ul>")[0]
    assert card.index("八天前的意见，已更新") < card.index("价签问题下次带新价签")
    assert "edited 2026-11-25 15:05" in card


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
