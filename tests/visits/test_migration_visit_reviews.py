"""visits 0031: a visit's review became one per reviewer (VisitReview.visit a foreign key, unique with its reviewer).
The reviews written before carry over as they were, a second reviewer's review can be written beside one, and a
reviewer's second review of a visit is stopped by the database too.

Only visits 0031 is undone and redone (nothing depends on it), so the rest of the project stays migrated."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from ka_portal import table_revisions
from tests.visits.review_world import team, visit_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

BEFORE = [("visits", "0030_visit_review")]
AFTER = [("visits", "0031_visit_review_per_reviewer")]
WHEN = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    table_revisions.install(connection)  # `migrate` does it after post_migrate; the executor alone does not


def test_the_reviews_carry_over_and_a_second_reviewer_may_add_theirs(old_apps):
    # given a visit reviewed by its supervisor, and edited, under the old one-review-a-visit table
    t = team()
    visit = visit_of(t.rep, t.store)
    old_review = old_apps.get_model("visits", "VisitReview").objects.create(
        visit_id=visit.pk, by_id=t.supervisor.pk, comment="价签问题", reviewed_at=WHEN, edited_at=WHEN
    )

    # when visits 0031 runs
    new_apps = _migrate(AFTER)

    # then the review is as it was, the manager's review goes beside it, and the supervisor's second does not
    VisitReview = new_apps.get_model("visits", "VisitReview")
    kept = VisitReview.objects.get()
    assert (kept.pk, kept.visit_id, kept.by_id, kept.comment) == (old_review.pk, visit.pk, t.supervisor.pk, "价签问题")
    assert (kept.reviewed_at, kept.edited_at) == (WHEN, WHEN)
    VisitReview.objects.create(visit_id=visit.pk, by_id=t.manager.pk, reviewed_at=WHEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitReview.objects.create(visit_id=visit.pk, by_id=t.supervisor.pk, reviewed_at=WHEN)
    assert VisitReview.objects.filter(visit_id=visit.pk).count() == 2
