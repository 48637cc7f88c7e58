"""The route generator keeps what was typed when it refuses (QA, as supervisor1): a week starting on a Wednesday was
said above the list while the rep went back to "choose" and the week to next Monday. Now the route plans come back
with the form as it was sent and the reason under the box it is about. And the route page's place box (#) is text
with a numeric keypad, read as a Chinese keyboard types it, refused in the page's words (no type=number)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory, this_monday

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def team(client):
    supervisor = make_user(Role.SUPERVISOR, username="sup_gen")
    rep = make_user(Role.REP, username="rep_gen", supervisor=supervisor, first_name="伟", last_name="张")
    other = make_user(Role.REP, username="rep_gen2", supervisor=supervisor, first_name="娜", last_name="李")
    client.force_login(supervisor)
    return rep, other


def generate_form(page: str) -> str:
    return re.search(r'<form[^>]*data-testid="generate-form".*?</form>', page, re.S).group(0)


def test_a_week_refused_comes_back_with_the_rep_and_the_day_typed_and_the_reason_under_the_week(client, team):
    rep, _other = team
    StoreFactory(rep=rep)
    wednesday = this_monday() + timedelta(days=9)
    # when a Wednesday is asked for
    answer = client.post(reverse("visits:route-generate"), {"rep": rep.pk, "week_start": wednesday.isoformat()}, **ZH)
    # then nothing is generated; the form shows the rep and the day sent, the reason under the week's box
    assert answer.status_code == 400 and not RoutePlan.objects.exists()
    form = generate_form(answer.content.decode())
    assert f'<option value="{rep.pk}" selected>张伟</option>' in form
    assert f'value="{wednesday.isoformat()}"' in form
    week_box = form[form.index('id="generate_week_start"') :]
    assert week_box.index("路线周必须从周一开始。") < week_box.index("</div>")


def test_a_rep_without_stores_to_plan_is_said_under_the_rep(client, team):
    _rep, other = team  # no stores
    monday = this_monday() + timedelta(days=7)
    answer = client.post(reverse("visits:route-generate"), {"rep": other.pk, "week_start": monday.isoformat()})
    form = generate_form(answer.content.decode())
    assert answer.status_code == 400
    rep_box = form[form.index('id="generate_rep"') : form.index('id="generate_week_start"')]
    assert 'data-testid="generate-error"' in rep_box and f'<option value="{other.pk}" selected>' in rep_box
    assert f'value="{monday.isoformat()}"' in form


def test_the_list_drawn_at_the_generators_address_keeps_working(client, team):
    # a filter or a page of the list drawn after a refusal asks the generator's address: the route plans, as asked
    opened = client.get(reverse("visits:route-generate"), {"status": "draft", "page": "2"})
    assert opened.status_code == 302
    assert opened["Location"] == reverse("visits:route-list") + "?status=draft&page=2"


@pytest.fixture
def day_of_three(team, on_this_monday):
    rep, _other = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    stores = [StoreFactory(rep=rep) for _ in range(3)]
    stops = [RouteStopFactory(plan=plan, store=store, day=3, position=i) for i, store in enumerate(stores)]
    return plan, stores, stops


def order(plan) -> list[int]:
    return list(plan.stops.filter(day=3).order_by("position").values_list("store", flat=True))


def test_the_place_box_is_text_with_a_numeric_keypad(client, day_of_three):
    plan, _stores, stops = day_of_three
    page = client.get(reverse("visits:route-detail", args=[plan.pk])).content.decode()
    box = re.search(rf'<input[^>]*id="position-{stops[0].pk}"[^>]*>', page).group(0)
    assert 'type="text"' in box and 'inputmode="numeric"' in box
    assert 'type="number"' not in page and "min=" not in box


@pytest.mark.parametrize("typed", ["0", "-1", "二", "1.5"])
def test_a_place_that_is_no_place_is_refused_in_the_apps_words(client, day_of_three, typed):
    plan, _stores, stops = day_of_three
    before = order(plan)
    move = reverse("visits:route-stop-move", args=[stops[0].pk])
    answer = client.post(move, {"day": 3, "position": typed}, follow=True, **ZH)
    assert "顺序请填 1 到 32767 之间的数。" in answer.content.decode()
    assert order(plan) == before


@pytest.mark.parametrize("typed", ["１", "1。", " 1 "])
def test_a_place_typed_on_a_chinese_keyboard_is_read_as_meant(client, day_of_three, typed):
    plan, stores, stops = day_of_three
    client.post(reverse("visits:route-stop-move", args=[stops[2].pk]), {"day": 3, "position": typed})
    assert order(plan) == [stores[2].pk, stores[0].pk, stores[1].pk]
