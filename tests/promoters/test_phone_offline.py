"""A promoter's steps kept on the phone without a network (QA: 保存销量, 签退 and 到店签到 with no network gave Chrome's
ERR_INTERNET_DISCONNECTED and what was typed was lost): the service worker keeps My day and the shifts' pages, and
keeps the steps' posts in the rep's outbox (ka_portal/pwa.py); uploaded later (`X-Queue: 1` and `X-Queue-Replay: 1`,
with their Idempotency-Key and the phone's time) each is answered in JSON, recorded once at the phone's time, or
refused with its reasons."""

import json
import re
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from ka_portal.models import IdempotencyKey
from promoters.models import SellOutLine, Shift
from tests.factories import make_user

from .factories_phone import NEAR, ShiftFactory
from .test_phone_pages import at, w  # noqa: F401 - the phone pages' promoter, signed in at 08:55 on 2026-06-01

# ruff: noqa: F811 - the tests take the page tests' fixture `w` by its name

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def uploaded(key: str) -> dict:
    """The outbox's headers for a step it kept and uploads later (visits/static/visits/outbox.js send, from drain: a
    replay, whose `at` is the phone's time)."""
    return {
        "HTTP_X_QUEUE": "1",
        "HTTP_X_QUEUE_REPLAY": "1",
        "HTTP_IDEMPOTENCY_KEY": key,
        "HTTP_ACCEPT": "application/json",
    }


def sell_out_body(w, **values) -> dict:
    s = f"s{w.shift.pk}-"
    body = {"offline_next": "/promoters/my/", "title": "store · Save sell-out"}
    for product in (w.beer, w.chips):
        body.update({f"{s}p{product.pk}_{name}": "" for name in ("units_cases", "units_packs", "price_seen")})
    body.update({f"{s}{name}": value for name, value in values.items()})
    return body


def _settings(client) -> dict:
    script = client.get(reverse("service-worker")).content.decode()
    return json.loads(re.search(r"const SETTINGS = (\{.*?\});\n", script).group(1))


def test_the_worker_keeps_a_promoters_pages_and_queues_their_steps_and_its_offline_page_leads_to_my_day(w, client):
    settings = _settings(client)
    kept = [re.compile(pattern) for pattern in settings["pages"]]
    queued = [re.compile(pattern) for pattern in settings["queued"]]
    for path in ("/promoters/my/", f"/promoters/my/shifts/{w.shift.pk}/"):
        assert any(pattern.search(path) for pattern in kept), path
    for step in ("check-in", "check-out", "sell-out"):
        assert any(pattern.search(f"/promoters/my/shifts/{w.shift.pk}/{step}/") for pattern in queued), step
    # the offline page's way back is the promoter's own day where the phone keeps it, not a rep's Today (403 for
    # them): the worker picks it from the pages it keeps (sw.js `landing`), so its script is the same for everyone
    # and a sign-in needs no new one
    landings = {one["home"]: one for one in settings["landings"]}
    assert settings["landings"][0]["home"] == "/visits/today/"  # where the phone keeps neither
    assert landings["/promoters/my/"]["link"] == "My day" and "My day" in landings["/promoters/my/"]["text"]
    assert landings["/visits/today/"]["link"] == "Today" and "was not opened" in landings["/visits/today/"]["text"]
    client.force_login(make_user(Role.REP, username="rep_offline"))
    assert _settings(client) == settings
    client.logout()
    assert _settings(client) == settings


def test_a_check_in_kept_offline_goes_up_at_the_phones_time_once_however_often_it_is_sent(w, client, time_machine):
    # checked in at 08:58 on the phone with no network; the network is back at 09:40
    body = {"latitude": NEAR[0], "longitude": NEAR[1], "at": at(8, 58).isoformat(), "offline_next": "/promoters/my/"}
    time_machine.move_to(at(9, 40), tick=False)
    url = reverse("promoters:my-check-in", args=[w.shift.pk])
    first = client.post(url, body, **uploaded("k-in"))
    again = client.post(url, body, **uploaded("k-in"))  # its answer lost on the way: sent again
    assert first.status_code == again.status_code == 200
    assert first.json()["url"] == "/promoters/my/" and again.json() == first.json()
    shift = Shift.objects.get(pk=w.shift.pk)
    assert shift.checked_in_at == at(8, 58) and shift.check_in_received_at == at(9, 40)


def test_a_step_refused_on_upload_says_why_in_json_and_keeps_no_key(w, client):
    url = reverse("promoters:my-check-out", args=[w.shift.pk])
    refused = client.post(url, {"at": at(8, 56).isoformat()}, **uploaded("k-out"))
    assert refused.status_code == 400 and refused.json()["message"] == "Check in first: this shift has no check-in yet."
    assert not IdempotencyKey.objects.exists()


def test_an_early_check_out_uploaded_is_refused_with_its_question(w, client, time_machine):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    time_machine.move_to(at(12, 0), tick=False)
    refused = client.post(reverse("promoters:my-check-out", args=[w.shift.pk]), {}, **uploaded("k-early"))
    assert refused.status_code == 400 and "Confirm that you are leaving early." in refused.json()["message"]
    assert Shift.objects.get(pk=w.shift.pk).checked_out_at is None
    done = client.post(reverse("promoters:my-check-out", args=[w.shift.pk]), {"leave_early": "true"},
                       **uploaded("k-early-2"))  # fmt: skip
    assert done.status_code == 200 and Shift.objects.get(pk=w.shift.pk).checked_out_at == at(12, 0)


def test_a_sell_out_kept_offline_goes_up_once_at_the_phones_time(w, client, time_machine):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    body = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "7", f"p{w.beer.pk}_price_seen": "¥5.50",
                               "at": at(15, 10).isoformat()})  # fmt: skip
    time_machine.move_to(at(16, 2), tick=False)
    url = reverse("promoters:my-sell-out", args=[w.shift.pk])
    first = client.post(url, body, **uploaded("k-sell"))
    again = client.post(url, body, **uploaded("k-sell"))
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    line = SellOutLine.objects.get()
    assert (line.units, line.price_seen, line.reported_at) == (7, Decimal("5.50"), at(15, 10))


def test_a_sell_out_refused_on_upload_names_each_product_and_field(w, client):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    body = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "3", f"p{w.beer.pk}_price_seen": "1e1",
                               f"p{w.chips.pk}_units_packs": "-2"})  # fmt: skip
    refused = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), body, **uploaded("k-bad"))
    answer = refused.json()
    assert refused.status_code == 400 and answer["message"] == "2 fields need fixing"
    assert f"{w.beer.name}: Write the number in digits, e.g. 12000.50." in answer["said"]
    assert f"{w.chips.name}: Packs sold cannot be negative." in answer["said"]
    assert not SellOutLine.objects.exists() and not IdempotencyKey.objects.exists()


def test_a_sell_out_uploaded_after_the_day_was_confirmed_is_refused_as_a_conflict(w, client):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    Shift.objects.filter(pk=w.shift.pk).update(confirmed_attendance="attended", confirmed_at=at(8, 56))
    body = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "3"})
    refused = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), body, **uploaded("k-closed"))
    assert refused.status_code == 409 and "can no longer be changed" in refused.json()["message"]


def test_a_sell_out_posted_offline_then_sent_by_the_worker_with_its_key_is_recorded_once(w, client):
    """The service worker sends a form's post with the key it would keep it under (templates/pwa/sw.js); the same
    post uploaded from the outbox later is answered as the first."""
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    body = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "4"})
    url = reverse("promoters:my-sell-out", args=[w.shift.pk])
    navigated = client.post(url, body, HTTP_IDEMPOTENCY_KEY="k-sw")
    assert navigated.status_code == 302 and navigated.url.startswith("/promoters/my/?saved=")
    SellOutLine.objects.update(units=9)  # changed since (another report): the late upload must not undo it
    again = client.post(url, body, **uploaded("k-sw"))
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert SellOutLine.objects.get().units == 9


def test_the_sell_out_form_keeps_what_is_typed_on_the_phone_and_sends_the_phones_time(w, client):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    page = client.get(reverse("promoters:my-day")).content.decode()
    form = page.split('data-testid="sell-out-form"')[1].split(">")[0]
    assert f'data-draft="promoter-sell-out-{w.shift.pk}"' in form and "data-draft-bound" not in form
    assert f'name="s{w.shift.pk}-at"' in page and "data-client-time" in page
    assert 'data-testid="upload-queue"' in page and 'data-testid="draft-banner"' in page
    # a refused post's page shows what was posted: the draft is left as it is there
    body = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "-3"})
    refused = client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), body).content.decode()
    assert "data-draft-bound" in refused.split('data-testid="sell-out-form"')[1].split(">")[0]


def test_a_shift_on_another_day_leads_to_its_own_page(w, client):
    # yesterday's shift, checked in and never checked out: its own page offers the check-out
    yesterday = timezone.make_aware(datetime(2026, 5, 31, 9))
    past = ShiftFactory(promoter=w.promoter, store=w.store, day=yesterday.date(), starts_at=time(9), ends_at=time(17),
                        checked_in_at=yesterday)  # fmt: skip
    page = client.get(reverse("promoters:my-shift", args=[past.pk])).content.decode()
    assert f'name="offline_next" value="/promoters/my/shifts/{past.pk}/"' in page


def test_before_the_check_in_my_day_holds_the_sell_out_and_check_out_for_the_phone_to_open(w, client):
    """QA: after a check-in kept offline, My day (the phone's copy from before it) had no sell-out form: the day's
    sell-out could not be entered until the network came back. The copy holds them, hidden until the phone sees its
    check-in waiting (promoters/static/promoters/shift_card.js)."""
    page = client.get(reverse("promoters:my-day")).content.decode()
    form = page.split('data-testid="sell-out-form"')[1].split(">")[0]
    assert " hidden data-after-check-in" in form and f'data-draft="promoter-sell-out-{w.shift.pk}"' in form
    check_out = re.search(r"<form [^>]*data-check-out[^>]*>", page).group(0)
    assert " hidden data-after-check-in" in check_out and 'data-early-ends="2026-06-01T17:00:00+08:00"' in check_out
    assert 'data-early-after="10"' in check_out
    assert re.search(r'<p [^>]*hidden data-checked-in-here[^>]*data-testid="checked-in-waiting"', page)
    # once checked in, the server draws them as open as ever
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    page = client.get(reverse("promoters:my-day")).content.decode()
    assert "data-after-check-in" not in page and 'data-testid="checked-in-waiting"' not in page
    assert " hidden" not in page.split('data-testid="sell-out-form"')[1].split(">")[0]


def test_the_phone_asks_the_early_check_out_in_the_rules_words(w, client):
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    question = re.search(r"<p [^>]*data-early-text[^>]*>", client.get(reverse("promoters:my-day")).content.decode())
    asked = "The shift ends at 17:00: checking out at {at} is {time} early. Confirm that you are leaving early."
    assert f'data-question="{asked}"' in question.group(0)
    assert 'data-minute="{m} minute"' in question.group(0) and 'data-hours="{h} h {m} min"' in question.group(0)
    chinese = client.get(reverse("promoters:my-day"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-question="本班次 17:00 结束：{at} 签退是早退 {time}。请确认您要提前离开。"' in chinese


def test_a_day_kept_offline_goes_up_in_order_check_in_sell_out_then_early_check_out(w, client, time_machine):
    """The outbox sends what waits oldest first: the check-in made offline, the sell-out entered right after it, and
    the early check-out with the answer the phone asked for (leave_early), each at the phone's time."""
    time_machine.move_to(at(12, 40), tick=False)  # the network is back
    check_in = {
        "latitude": NEAR[0],
        "longitude": NEAR[1],
        "at": at(8, 52).isoformat(),
        "offline_next": "/promoters/my/",
    }
    sold = sell_out_body(w, **{f"p{w.beer.pk}_units_packs": "9", "at": at(10, 5).isoformat()})
    check_out = {"latitude": NEAR[0], "longitude": NEAR[1], "at": at(11, 30).isoformat(), "leave_early": "true"}
    answers = [
        client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), check_in, **uploaded("k-1")),
        client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), sold, **uploaded("k-2")),
        client.post(reverse("promoters:my-check-out", args=[w.shift.pk]), check_out, **uploaded("k-3")),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200], [a.content for a in answers]
    shift = Shift.objects.get(pk=w.shift.pk)
    assert (shift.checked_in_at, shift.checked_out_at) == (at(8, 52), at(11, 30))
    assert SellOutLine.objects.get().reported_at == at(10, 5)
    page = client.get(reverse("promoters:my-day")).content.decode()
    # the check-out as made, early (the check-in, received hours after the phone's time, reads late: by its arrival)
    assert "Checked out at 11:30" in page and "5 h 30 min early" in page and "left early</span>" in page
