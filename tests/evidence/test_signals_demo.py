"""The demo company holds fraud signals of every kind, some reviewed, so a supervisor's queue is not empty on a
fresh install; seeding again adds none."""

import pytest
from django.urls import reverse

from demo.evidence import seed_signals
from evidence.models import FraudSignal, PhotoHash
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_kind_of_signal_some_reviewed(demo_company, client):
    kinds = set(FraudSignal.objects.values_list("kind", flat=True))
    statuses = set(FraudSignal.objects.values_list("status", flat=True))

    assert kinds == set(FraudSignal.Kind.values)
    assert statuses == {"open", "confirmed", "dismissed"}
    photos = VisitPhoto.objects.filter(caption="端架陈列")
    assert photos.exists() and all(photo.thumbnail for photo in photos)
    assert PhotoHash.objects.count() == VisitPhoto.objects.count()
    assert seed_signals(today=demo_company) == 0
    client.force_login(FraudSignal.objects.filter(rep__username="rep1").first().rep.profile.supervisor)
    page = client.get(reverse("evidence:signal-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-testid="signal"') >= 3
