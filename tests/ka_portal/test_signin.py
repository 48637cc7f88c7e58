"""Sign-in throttling (issue 10, defect 10): failed sign-ins are limited per user and per address on both doors.

The doors are the login page and POST /api/v1/auth/token/; the limits are the defaults (5 failures per
username, 20 per address, 15 minutes' cool-off). django-axes is on here as in production.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from accounts.roles import Role
from ka_portal.signin import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-1"
COOL_OFF = 15 * 60


@pytest.fixture
def rep9(db):
    return make_user(Role.REP, username="rep9", password=PASSWORD)


def _page(client, username, password, address="10.0.0.1", language="en"):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language
    )


def _api(client, username, password, address="10.0.0.1", language="en"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _signed_in(door, response) -> bool:
    if door is _page:
        # a rep's day starts on Today (ka_portal.views.SignInView); other roles land on the home page
        return response.status_code == 302 and response["Location"] in ("/", "/visits/today/")
    return response.status_code == 200 and len(response.json()["token"]) == 64


DOORS = pytest.mark.parametrize("door", [_page, _api], ids=["login-page", "token-endpoint"])


def _assert_locked(door, response, *, at_most=COOL_OFF):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= at_most
    if door is _api:
        body = response.json()
        assert body["code"] == "throttled"
        assert body["params"]["retry_after"] == retry_after
        assert "Try again in" in body["detail"]
    else:
        page = response.content.decode()
        assert "Too many failed sign-ins. Try again in" in page
        assert 'name="password"' in page  # the form is still there for when the time has come
    return retry_after


@DOORS
def test_fifty_wrong_passwords_for_one_user_are_refused_after_the_fifth(client, rep9, door):
    statuses = [door(client, "rep9", f"guess-{n}").status_code for n in range(50)]

    normal_refusal = 200 if door is _page else 400
    assert statuses == [normal_refusal] * 4 + [429] * 46
    locked = door(client, "rep9", "guess-final")
    assert _assert_locked(door, locked) > COOL_OFF - 60


@DOORS
def test_the_right_password_is_refused_while_locked_and_works_after_the_cool_off(client, rep9, door):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(5):
            door(client, "rep9", f"guess-{n}")

        clock.shift(timedelta(minutes=10))
        refused = door(client, "rep9", PASSWORD)
        # Ten minutes in, five remain: the retry time is the lockout's end, and trying does not move it.
        assert 240 < _assert_locked(door, refused) <= 300

        clock.shift(timedelta(minutes=5, seconds=1))
        assert _signed_in(door, door(client, "rep9", PASSWORD))


@DOORS
def test_the_user_is_locked_whatever_address_the_guesses_come_from(client, rep9, door):
    for n in range(5):
        door(client, "rep9", f"guess-{n}", address=f"10.0.1.{n + 1}")

    _assert_locked(door, door(client, "rep9", PASSWORD, address="10.0.2.1"))
    # The addresses themselves are not locked: one failure each is far below their limit.
    make_user(Role.REP, username="rep8", password=PASSWORD)
    assert _signed_in(door, door(client, "rep8", PASSWORD, address="10.0.1.1"))


@DOORS
def test_an_address_spraying_usernames_is_locked_after_twenty(client, rep9, door):
    statuses = [door(client, f"someone{n}", "guess", address="10.0.3.3").status_code for n in range(50)]

    assert statuses.index(429) == 19 and set(statuses[19:]) == {429}
    # Every user is refused from that address, even with the right password; elsewhere rep9 signs in.
    _assert_locked(door, door(client, "rep9", PASSWORD, address="10.0.3.3"))
    assert _signed_in(door, door(client, "rep9", PASSWORD, address="10.0.4.4"))


def test_both_doors_share_one_count(client, api_client, rep9):
    for n in range(3):
        _page(client, "rep9", f"guess-{n}")
    for n in range(2):
        _api(api_client, "rep9", f"guess-{n}")

    _assert_locked(_page, _page(client, "rep9", PASSWORD))
    _assert_locked(_api, _api(api_client, "rep9", PASSWORD))


@DOORS
def test_successful_sign_ins_are_not_throttled(client, rep9, door):
    for _ in range(30):
        assert _signed_in(door, door(client, "rep9", PASSWORD))
        client.logout()


def test_the_lockout_page_says_when_in_the_users_language(client, rep9):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 23, 9, 0)), tick=False):
        for n in range(5):
            response = _page(client, "rep9", f"guess-{n}", language="zh-hans")

    page = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多，请在 15 分钟后（09:15）再试。" in page
    assert 'value="rep9"' in page


def test_the_api_lockout_says_when_in_english(api_client, rep9):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 23, 9, 0)), tick=False):
        for n in range(5):
            response = _api(api_client, "rep9", f"guess-{n}")

    assert (
        response.json()["detail"] == "Too many failed sign-ins. Try again in 15 minutes (at 09:15)."
    )  # a 24-hour clock in English too
    assert response.json()["params"]["until"] == "2026-11-23T09:15:00+08:00"  # Shanghai time, as the sentence


def test_admin_login_is_throttled_too(client, rep9):
    for n in range(5):
        response = client.post("/admin/login/", {"username": "rep9", "password": f"guess-{n}"}, REMOTE_ADDR="10.0.5.5")
    assert response.status_code == 429
    assert response["Retry-After"]


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.9", "10.9.9.9"),  # no proxy trusted: X-Forwarded-For is the client's own claim
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy: the address it saw
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left changes nothing
        (2, "203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.9.9.9"),  # fewer entries than proxies: the connection's address
        (1, "not-an-address", None),
    ],
)
def test_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_each_client_has_its_own_count(client, settings, rep9):
    settings.TRUSTED_PROXIES = 1

    def through_proxy(username, password, client_address, forged="192.0.2.1"):
        # Every request reaches the app from the proxy; the proxy appends the client's address to what came in.
        return client.post(
            "/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}",
        )

    for n in range(25):
        through_proxy(f"someone{n}", "guess", "198.51.100.7", forged=f"192.0.2.{n}")

    assert through_proxy("rep9", PASSWORD, "198.51.100.7").status_code == 429
    assert through_proxy("rep9", PASSWORD, "198.51.100.8").status_code == 302


def test_a_rep_lands_on_today_and_a_manager_on_the_home_page(client, rep9):
    make_user(Role.MANAGER, username="mgr9", password="secret-pass-1")

    rep = _page(client, "rep9", "secret-pass-1")
    client.logout()
    manager = _page(client, "mgr9", "secret-pass-1")
    client.logout()
    asked = client.post("/login/?next=/stores/", {"username": "rep9", "password": "secret-pass-1"})

    assert rep["Location"] == "/visits/today/"  # a rep's day starts there: one page load fewer on a slow network
    assert manager["Location"] == "/"
    assert asked["Location"] == "/stores/"  # where the rep was going stays first
