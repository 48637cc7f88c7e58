"""A weekday's name in Chinese is written one way all week (QA: Today read 周一 … 周六, but 星期日 on Sunday): the
project's catalogue writes every weekday 周X, Sunday included (ka_portal/formats/__init__.py names all seven)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format

from accounts.roles import Role
from ka_portal.formats import WEEKDAY_NAMES
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-06-01 is a Monday
WEEK = [("周一", 1), ("周二", 2), ("周三", 3), ("周四", 4), ("周五", 5), ("周六", 6), ("周日", 7)]


def test_the_seven_day_names_are_the_projects():
    assert WEEKDAY_NAMES == ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@pytest.mark.parametrize(("name", "day"), WEEK, ids=[str(day) for _name, day in WEEK])
def test_every_day_of_the_week_reads_zhou_in_chinese(name, day):
    with translation.override("zh-hans"):
        assert date_format(datetime(2026, 6, day), "l") == name


def test_today_says_sunday_as_it_says_the_other_days(client):
    rep = make_user(Role.REP, username="rep_sunday")
    client.force_login(rep)
    for day, name in ((7, "周日"), (1, "周一")):
        with time_machine.travel(datetime(2026, 6, day, 9, 0, tzinfo=SHANGHAI), tick=False):
            page = client.get(reverse("visits:today"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        shown = page.split('data-testid="today-date">', 1)[1].split("</div>", 1)[0]
        assert shown.endswith(f" · {name}") and "星期" not in shown
