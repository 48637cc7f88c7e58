"""The demo's promoters (demo/promoters.py): a fresh install shows every promoters page filled."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from accounts.roles import Role
from demo.company import seed_demo
from ka_portal.scope import user_role
from promoters.models import Promoter, PromoterTarget, SellOutLine, Shift

pytestmark = pytest.mark.django_db


def test_the_demo_has_promoters_shifts_attendance_sell_out_and_targets(demo_company):
    today = demo_company
    users = get_user_model().objects.in_bulk(["promoter1", "promoter2"], field_name="username")
    assert {user_role(user) for user in users.values()} == {Role.PROMOTER}
    assert users["promoter1"].check_password("demo1234")
    assert Promoter.objects.get(user=users["promoter1"]).supervisor.username == "supervisor1"
    assert Promoter.objects.get(user=users["promoter2"]).supervisor.username == "supervisor2"
    assert set(Promoter.objects.values_list("kind", flat=True)) == {"promoter", "merchandiser"}
    monday = today - timedelta(days=today.weekday())
    assert Shift.objects.filter(day__gte=monday - timedelta(days=7), day__lt=monday).exists()
    assert Shift.objects.filter(day__gte=monday, day__lt=monday + timedelta(days=7)).exists()
    past = Shift.objects.filter(day__lt=today)
    assert past.filter(checked_in_at__isnull=True).count() == 1  # the one absent
    assert past.filter(check_in_distance_m__gt=1000).count() == 1  # the one off site
    late = [s for s in past.exclude(checked_in_at=None) if s.checked_in_at.astimezone().time() > s.starts_at]
    assert len(late) >= 2
    # every check-in kept when it reached the server; one sent five hours after the phone's time, which the
    # supervisor's shifts list reads as sent late (and late from its arrival)
    from promoters import attendance

    assert not past.exclude(checked_in_at=None).filter(check_in_received_at=None).exists()
    sent_late = [s for s in past.exclude(checked_in_at=None) if attendance.reading(s).sent_late]
    assert len(sent_late) == 1 and attendance.reading(sent_late[0]).late_minutes > 240
    assert SellOutLine.objects.filter(shift__promoter__user=users["promoter1"]).exists()
    assert PromoterTarget.objects.filter(month=today.replace(day=1)).count() == 3


def test_seeding_again_changes_nothing(demo_company):
    assert seed_demo(today=demo_company) == 0
