"""A visit is named by its store and its check-in in Shanghai time wherever Django names it (the admin's lists, its
choices, a delete page listing what goes with a store): it read 03:34 for a check-in at 11:34, the UTC it is kept in."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from .factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_a_visit_is_named_by_its_shanghai_check_in_in_the_admin(client, admin_user):
    # given: a visit checked in at 11:34 in Shanghai (03:34 UTC), late enough in the evening to cross a day too
    morning = VisitFactory(store__code="WMT-001", checked_in_at=datetime(2026, 12, 4, 3, 34, tzinfo=UTC))
    evening = VisitFactory(store=morning.store, rep=morning.rep, checked_in_at=datetime(2026, 12, 4, 16, 5, tzinfo=UTC))
    client.force_login(admin_user)

    # when: the admin opens the visit
    page = client.get(reverse("admin:visits_visit_change", args=[morning.pk])).content.decode()

    # then: the visit reads as the rep saw it
    assert str(morning) == "WMT-001 2026-12-04 11:34" and "WMT-001 2026-12-04 11:34" in page
    assert str(evening) == "WMT-001 2026-12-05 00:05"
