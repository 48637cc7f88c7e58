"""A visit checked out long after its check-in (left open, checked out the next day) is a fraud signal for the
supervisor: more than KA_VISIT_LONG_HOURS (12) between check-in and check-out, found at the check-out whatever the
door, worded in both languages and listed in the supervisor's queue like the other signals."""

import dataclasses
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from evidence import signals
from evidence.models import FraudSignal
from tests.evidence.signal_world import at, check_in, check_out, media_fixture, world_fixture  # noqa: F401
from visits.models import Visit

pytestmark = pytest.mark.django_db
Kind = FraudSignal.Kind
NEXT_DAY = (2026, 11, 21)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def long_signals(visit) -> list[FraudSignal]:
    return list(FraudSignal.objects.filter(visit=visit, kind=Kind.LONG_VISIT))


def test_a_visit_checked_out_the_next_day_is_flagged_with_the_hours(world):
    # given: a check-in at 09:00; when: checked out at 10:30 the next day
    visit = check_out(check_in(world.rep, world.store_a, at(9)), at(10, 30, day=NEXT_DAY))

    # then: one open signal of the rep's, with the hours measured
    [signal] = long_signals(visit)
    assert (signal.status, signal.rep) == (FraudSignal.Status.OPEN, world.rep)
    assert signal.evidence["hours"] == 25.5 and signal.evidence["limit_hours"] == 12
    with translation.override("en"):
        assert signal.get_kind_display() == "Checked out long after the check-in"
        assert signals.describe(signal) == (
            "Checked in at 2026-11-20 09:00 and checked out 2026-11-21 10:30, 25.5 hours later (limit 12 h)."
        )
    with translation.override("zh-hans"):
        assert signal.get_kind_display() == "签退距签到过久"
        assert "相隔 25.5 小时（上限 12 小时）" in signals.describe(signal)


@pytest.mark.parametrize(
    ("length", "flagged"), [(timedelta(hours=12), False), (timedelta(hours=12, minutes=1), True)], ids=["12h", "12h01"]
)
def test_the_flag_starts_after_the_settings_hours(world, length, flagged):
    visit = check_out(check_in(world.rep, world.store_a, at(8)), at(8) + length)

    assert bool(long_signals(visit)) is flagged


def test_the_hours_are_a_setting(world, monkeypatch):
    monkeypatch.setattr(settings, "KA", dataclasses.replace(settings.KA, visit_long_hours=2))

    visit = check_out(check_in(world.rep, world.store_a, at(9)), at(11, 30))

    assert long_signals(visit)[0].evidence["limit_hours"] == 2


def test_an_ordinary_visit_is_not_flagged(world):
    visit = check_out(check_in(world.rep, world.store_a, at(9)), at(9, 40))

    assert long_signals(visit) == []


def test_the_page_check_out_the_next_morning_reaches_the_supervisors_queue(client, world):
    # given: the rep checked in at 17:00 and left the visit open
    visit = check_in(world.rep, world.store_a, at(17))
    client.force_login(world.rep)
    # when: the rep checks out from the visit page the next morning
    with time_machine.travel(at(9, 15, day=NEXT_DAY), tick=False):
        answer = client.post(
            reverse("visits:visit-detail", args=[visit.pk]),
            {"action": "check_out", "checkout_reason": "昨天忘了签退"},
        )
    assert answer.status_code == 302
    assert Visit.objects.get(pk=visit.pk).checked_out_at == at(9, 15, day=NEXT_DAY)
    # then: the supervisor's queue lists it among the signals to review, in words, in either language
    client.force_login(world.supervisor)
    english = client.get(reverse("evidence:signal-list"), **EN).content.decode()
    signal = FraudSignal.objects.get(visit=visit, kind=Kind.LONG_VISIT)
    card = f'<a href="{reverse("evidence:signal-detail", args=[signal.pk])}">Checked out long after the check-in</a>'
    assert card in english
    assert "checked out 2026-11-21 09:15, 16.2 hours later (limit 12 h)." in english
    chinese = client.get(reverse("evidence:signal-list"), {"kind": "long_visit"}, **ZH).content.decode()
    assert card.replace("Checked out long after the check-in", "签退距签到过久") in chinese
    assert "相隔 16.2 小时（上限 12 小时）" in chinese
    # and another team's supervisor does not see it
    client.force_login(world.other_supervisor)
    assert "hours later (limit 12 h)" not in client.get(reverse("evidence:signal-list"), **EN).content.decode()


def test_the_api_check_out_is_flagged_and_listed_by_kind(api_client, world):
    visit = check_in(world.rep, world.store_b, at(9))
    api_client.force_authenticate(world.rep)
    with time_machine.travel(at(8, day=NEXT_DAY), tick=False):
        answer = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", {"reason": "忘了签退"}, format="json")
    assert answer.status_code == 200, answer.content

    api_client.force_authenticate(world.supervisor)
    listed = api_client.get(reverse("fraud-signal-list"), {"kind": "long_visit"}, **EN).json()["results"]
    assert [(row["visit"], row["kind"]) for row in listed] == [(visit.pk, "long_visit")]
    assert listed[0]["evidence"]["hours"] == 23.0
    assert "23.0 hours later (limit 12 h)" in listed[0]["text"]
