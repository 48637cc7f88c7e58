"""Home page per role, login, and the language switch."""

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_with_wrong_password_keeps_username_and_says_why(client):
    make_user(Role.REP, username="rep9", password="secret-pass-1")
    response = client.post("/login/", {"username": "rep9", "password": "bad"}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert 'value="rep9"' in page
    assert "Please enter a correct username and password" in page


def test_rep_home_shows_own_stores_not_others(client):
    rep = make_user(Role.REP, username="rep9", first_name="伟", last_name="张")
    other = make_user(Role.REP, username="rep8")
    StoreFactory(rep=rep, name="沃尔玛五角场店", grade="A")
    StoreFactory(rep=other, name="家乐福古北店")
    client.force_login(rep)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "张伟" in page
    assert "沃尔玛五角场店" in page
    assert "家乐福古北店" not in page
    assert "每周 3 次" in page or "3 次" in page


def test_manager_home_lists_owned_accounts(client):
    manager = make_user(Role.MANAGER, username="mgr9")
    KeyAccountFactory(owner=manager, name="大润发")
    KeyAccountFactory(name="欧尚")
    client.force_login(manager)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "大润发" in page
    assert "欧尚" not in page


def test_english_when_chosen(client):
    rep = make_user(Role.REP, username="rep9")
    client.force_login(rep)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "My stores" in page
    assert timezone.localdate().strftime("%Y") in page


def test_chinese_is_the_default(client):
    rep = make_user(Role.REP, username="rep9")
    client.force_login(rep)
    page = client.get("/").content.decode()
    assert "我的门店" in page


def test_rep_home_leads_to_todays_route(client, demo_company):
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.get(username="rep1")
    client.force_login(rep)
    with time_machine.travel("2026-11-23 09:00 +0800", tick=False):  # the demo's Monday
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = html.split('data-testid="today-card"')[1].split("</a>")[0]
    assert 'href="/visits/today/"' in html
    assert "0 of 5 stops visited" in card  # SPEC §4: five stops a day
