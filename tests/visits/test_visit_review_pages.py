"""The review on the pages (SPEC §1: a KA supervisor reviews visit reports): the supervisor marks a checked-out visit
reviewed on its page, with a comment for the rep, and is offered the next one of their queue; the rep reads the
review on the visit's page and sees a badge in their visit list; the list filters reviewed and not reviewed."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.visits.review_world import NOW, team, visit_of
from visits import services
from visits.models import Visit, VisitReview

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client, user, visit) -> str:
    client.force_login(user)
    answer = client.get(reverse("visits:visit-detail", args=[visit.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def review(client, user, visit, comment: str = ""):
    client.force_login(user)
    return client.post(reverse("visits:visit-review", args=[visit.pk]), {"comment": comment})


def test_the_supervisor_reviews_a_visit_from_its_page_and_is_offered_the_next(client):
    t = team()
    visit = visit_of(t.rep, t.store, rating=Visit.Rating.YELLOW)
    waiting = visit_of(t.rep, t.store, days_ago=1, rating=Visit.Rating.RED)

    before = page(client, t.supervisor, visit)
    answer = review(client, t.supervisor, visit, "价签问题下次带新价签")
    after = client.get(answer["Location"]).content.decode()

    assert 'data-testid="visit-not-reviewed"' in before and 'data-testid="review-form"' in before
    assert "Mark reviewed" in before
    assert answer.status_code == 302 and answer["Location"].endswith(f"/visits/{visit.pk}/#review")
    assert VisitReview.objects.get(visit=visit).comment == "价签问题下次带新价签"
    assert "Visit reviewed." in after
    assert 'data-testid="review-comment">价签问题下次带新价签<' in after
    assert "You reviewed this visit." in after
    # the next of the queue: the red visit of yesterday, with its store named
    assert f'href="/visits/{waiting.pk}/" data-testid="review-next"' in after
    assert f"Review next: {waiting.store.name}" in after  # label_value: the language's colon
    # the form stays, to change the comment (no second review)
    assert "Save comment" in after and "Mark reviewed" not in after


def test_the_writer_changes_the_comment_and_the_page_says_it_was_edited(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题")

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        answer = review(client, t.supervisor, visit, "价签问题下次带新价签")
        shown = client.get(answer["Location"]).content.decode()

    assert answer.status_code == 302
    assert "Your review is saved." in shown
    assert 'data-testid="review-edited">edited 2026-11-25 15:05<' in shown
    assert "by 王强, 2026-11-25 15:00" in shown  # who reviewed and when stay
    assert VisitReview.objects.count() == 1


def test_the_rep_reads_the_review_on_the_visit_and_a_badge_in_their_list(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    other = visit_of(t.rep, t.store, days_ago=1)
    services.visit_review(visit=visit, by=t.supervisor, comment="价签问题下次带新价签")

    shown = page(client, t.rep, visit)
    listed = client.get(reverse("visits:visit-list")).content.decode()

    assert 'data-testid="visit-review"' in shown and "价签问题下次带新价签" in shown
    assert 'data-testid="review-form"' not in shown and 'data-testid="review-next"' not in shown
    rows = listed.split("<tr>")[2:]
    reviewed_row = next(row for row in rows if f"/visits/{visit.pk}/" in row)
    other_row = next(row for row in rows if f"/visits/{other.pk}/" in row)
    assert 'data-testid="review-badge">Reviewed<' in reviewed_row and "价签问题下次带新价签" in reviewed_row
    assert "review-badge" not in other_row
    # the visit not reviewed says so on its page, to the rep too, without a form
    not_yet = page(client, t.rep, other)
    assert "Not reviewed yet." in not_yet and 'data-testid="review-jump"' not in not_yet


def test_a_rep_cannot_review_even_their_own_visit(client):
    t = team()
    visit = visit_of(t.rep, t.store)

    answer = review(client, t.rep, visit, "我自己审")

    assert answer.status_code == 403  # a role's refusal, as the API answers it
    assert "Visits are reviewed by the rep&#x27;s KA supervisor" in answer.content.decode()
    assert not VisitReview.objects.exists()


def test_another_teams_supervisor_finds_no_such_visit_and_finance_is_refused(client):
    t = team()
    visit = visit_of(t.rep, t.store)

    assert review(client, t.other_supervisor, visit).status_code == 404
    assert review(client, t.finance, visit).status_code == 403
    assert not VisitReview.objects.exists()


def test_an_open_visit_has_no_review_form_and_a_post_is_refused(client):
    t = team()
    visit = visit_of(t.rep, t.store, closed=False)

    shown = page(client, t.supervisor, visit)
    answer = review(client, t.supervisor, visit)

    assert 'data-testid="review-form"' not in shown and "Not reviewed yet." not in shown
    assert answer.status_code == 400 and "once the rep has checked out" in answer.content.decode()
    assert not VisitReview.objects.exists()


def test_the_manager_adds_their_review_beside_the_supervisors_and_the_page_shows_both_with_their_names(client):
    # given the supervisor's review
    t = team()
    visit = visit_of(t.rep, t.store)
    services.visit_review(visit=visit, by=t.supervisor, comment="不错")

    # when the account's manager opens the visit and reviews it too
    shown = page(client, t.manager, visit)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        answer = review(client, t.manager, visit, "端架陈列很好")
    after = client.get(answer["Location"]).content.decode()

    # then the manager was offered their own review beside the supervisor's, and now both show, each with its name
    assert "by 王强, 2026-11-25 15:00" in shown and 'data-testid="review-form"' in shown
    assert "Reviewed by others already: your review is added beside theirs." in shown and "Mark reviewed" in shown
    assert answer.status_code == 302 and "Visit reviewed." in after
    assert "You reviewed this visit." in after and "Save comment" in after
    assert 'data-testid="review-queue-empty"' in after and "No other visit of the last 7 days waits" in after
    assert dict(VisitReview.objects.values_list("by__username", "comment")) == {
        "sup_rv": "不错",
        "mgr_rv": "端架陈列很好",
    }
    # the rep reads both, the first first
    for_rep = page(client, t.rep, visit)
    note = for_rep.split('data-testid="visit-review"')[1].split("</section>")[0]
    assert note.count('data-testid="review-item"') == 2
    assert note.index("by 王强, 2026-11-25 15:00") < note.index("不错") < note.index("by 李敏, 2026-11-25 15:10")
    assert note.index("by 李敏, 2026-11-25 15:10") < note.index("端架陈列很好")


def test_a_comment_too_long_is_refused_next_to_it_and_kept_as_typed(client):
    t = team()
    visit = visit_of(t.rep, t.store)

    answer = review(client, t.supervisor, visit, "价" * 1001)

    text = answer.content.decode()
    assert answer.status_code == 400
    assert 'data-testid="review-error">The comment has 1001 characters' in text
    assert "价" * 1001 in text
    assert not VisitReview.objects.exists()


def test_the_visit_list_filters_reviewed_and_not_reviewed_and_exports_the_reviews(client):
    t = team()
    reviewed = visit_of(t.rep, t.store)
    waiting = visit_of(t.rep, t.store, days_ago=1)
    services.visit_review(visit=reviewed, by=t.supervisor, comment="价签问题下次带新价签")
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        services.visit_review(visit=reviewed, by=t.manager, comment="同意")
    client.force_login(t.supervisor)

    def listed(value):
        answer = client.get(reverse("visits:visit-list"), {"reviewed": value})
        return [visit.pk for visit in answer.context["object_list"]], answer.content.decode()

    assert listed("true")[0] == [reviewed.pk]
    assert listed("false")[0] == [waiting.pk]
    rows, text = listed("maybe")
    assert rows == [] and "is not yes or no" in text  # refused naming the filter, no rows
    exported = client.get(reverse("visits:visit-list"), {"export": "xlsx", "reviewed": "true"})
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    # one row a visit: its reviewers, when it was first reviewed, and each reviewer's comment on a line of its own
    assert row["Reviewed by"] == "王强, 李敏"
    assert row["Review comment"] == "王强: 价签问题下次带新价签\n李敏: 同意"
    assert row["Reviewed at"] is not None
    assert sheet.max_row == 2


def test_the_list_shows_each_reviewers_comment_and_offers_your_review_queue_to_reviewers_only(client):
    t = team()
    visit = visit_of(t.rep, t.store)
    waiting = visit_of(t.rep, t.store, days_ago=1)
    services.visit_review(visit=visit, by=t.manager, comment="价签已换")
    services.visit_review(visit=visit, by=t.supervisor, comment="下次带新价签")
    services.visit_review(visit=waiting, by=t.manager)

    client.force_login(t.supervisor)
    supervisor_list = client.get(reverse("visits:visit-list"), {"reviewed_by_me": "false"})
    client.force_login(t.rep)
    rep_list = client.get(reverse("visits:visit-list")).content.decode()

    assert [row.pk for row in supervisor_list.context["object_list"]] == [waiting.pk]  # the manager's: still theirs
    assert "Not reviewed by you" in supervisor_list.content.decode()
    row = next(row for row in rep_list.split("<tr>")[2:] if f"/visits/{visit.pk}/" in row)
    assert row.count('data-testid="review-badge"') == 1 and row.count('data-testid="review-comment"') == 2
    assert "李敏" in row and "价签已换" in row and "王强" in row and "下次带新价签" in row
    assert "Not reviewed by you" not in rep_list  # a rep never reviews: no such filter on their page


def test_the_review_address_opened_leads_to_the_visits_review_in_scope_only(client):
    """QA: a refused review left the browser at /visits/<pk>/review/; reloading it, sharing it or coming back to it
    gave a blank "HTTP ERROR 405". Opened, it leads to the visit's review; out of the user's scope it is not found."""
    t = team()
    visit = visit_of(t.rep, t.store)

    client.force_login(t.supervisor)
    opened = client.get(reverse("visits:visit-review", args=[visit.pk]))
    client.force_login(t.other_supervisor)
    elsewhere = client.get(reverse("visits:visit-review", args=[visit.pk]))

    assert opened.status_code == 302 and opened["Location"].endswith(f"/visits/{visit.pk}/#review")
    assert elsewhere.status_code == 404


def test_the_language_switch_on_a_refused_review_comes_back_to_the_visit(client):
    """The page drawn for a refused review is at the form's address; its language switch brings the user back to
    the visit page the form was sent from, not to the form's address."""
    t = team()
    visit = visit_of(t.rep, t.store)
    visit_url = f"http://testserver/visits/{visit.pk}/"

    client.force_login(t.supervisor)
    refused = client.post(
        reverse("visits:visit-review", args=[visit.pk]), {"comment": "很" * 1001}, HTTP_REFERER=visit_url
    )

    html = refused.content.decode()
    assert refused.status_code == 400 and "at most 1000" in html
    assert f'<input name="next" type="hidden" value="{visit_url}">' in html
    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": visit_url})
    assert switched.status_code == 302 and switched["Location"] == visit_url
