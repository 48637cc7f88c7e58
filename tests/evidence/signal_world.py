"""A small world for the fraud-signal tests: a supervisor's team (two reps), another supervisor's rep, a KA
manager, stores with positions, and helpers that check in, add photos and check out through the services.
Imported by the test_signals_* modules (fixtures by name)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits import services

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A day in the past: detection compares times. Each check-in and check-out is sent at the time it gives (the clock
# moved there), as a phone online sends it: a time far behind the server's is refused or flagged as sent late.
DAY = (2026, 11, 20)


def at(hour: int, minute: int = 0, day: tuple = DAY) -> datetime:
    return datetime(*day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(name="world")
def world_fixture(media):
    manager = make_user(Role.MANAGER, username="mgr_sig")
    supervisor = make_user(Role.SUPERVISOR, username="sup_sig")
    rep = make_user(Role.REP, username="rep_sig", supervisor=supervisor, first_name="小王")
    teammate = make_user(Role.REP, username="rep_mate", supervisor=supervisor)
    other_supervisor = make_user(Role.SUPERVISOR, username="sup_else")
    other_rep = make_user(Role.REP, username="rep_else", supervisor=other_supervisor)
    account = KeyAccountFactory(owner=manager)
    # Two stores in Shanghai 9.6 km apart (People's Square, Wujiaochang), one in Hangzhou (~165 km away).
    store_a = StoreFactory(
        rep=rep, account=account, name="人民广场店", latitude=Decimal("31.230400"), longitude=Decimal("121.473700")
    )
    store_b = StoreFactory(
        rep=rep, account=account, name="五角场店", latitude=Decimal("31.299200"), longitude=Decimal("121.514800")
    )
    store_far = StoreFactory(
        rep=rep, account=account, name="杭州西湖店", latitude=Decimal("30.274100"), longitude=Decimal("120.155100")
    )
    mate_store = StoreFactory(
        rep=teammate, account=account, name="徐家汇店", latitude=Decimal("31.195300"), longitude=Decimal("121.436600")
    )
    else_store = StoreFactory(
        rep=other_rep, name="别家店", latitude=Decimal("31.230400"), longitude=Decimal("121.473700")
    )
    return type("World", (), locals())


def check_in(rep, store, when, *, position="store"):
    """Check in at `store` at `when`, standing at the store (position="store"), nowhere (None) or at (lat, lng)."""
    if position == "store":
        latitude, longitude = store.latitude, store.longitude
    elif position is None:
        latitude = longitude = None
    else:
        latitude, longitude = (Decimal(str(value)) for value in position)
    with time_machine.travel(when, tick=False):
        visit, _created = services.visit_check_in(rep=rep, store=store, at=when, latitude=latitude, longitude=longitude)
    return visit


def add_photo(visit, data: bytes, name="IMG_0001.JPG", caption=""):
    return services.visit_photo_add(
        visit=visit, image=SimpleUploadedFile(name, data, content_type="image/jpeg"), caption=caption
    )


def check_out(visit, when):
    with time_machine.travel(when, tick=False):
        return services.visit_check_out(visit=visit, at=when, reason="test: nothing to count")
