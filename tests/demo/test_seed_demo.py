"""seed_demo: the demo company of SPEC §8, loaded once, identical the second time."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import F, Sum
from django.test import RequestFactory

from accounts.models import KeyAccount, SalesTarget
from demo.company import seed_demo
from ka_portal.scope import stores_for
from stores.models import Delivery, Listing, Store

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def _counts():
    return {m.__name__: m.objects.count() for m in (KeyAccount, Store, Listing, Delivery, SalesTarget)}


def test_second_run_changes_nothing(demo_company):
    before = _counts()
    assert seed_demo(today=TODAY) == 0
    assert _counts() == before


def test_demo_company_shape(demo_company):
    assert KeyAccount.objects.count() == 11
    assert 55 <= Store.objects.count() <= 65
    assert set(Store.objects.values_list("grade", flat=True)) == {"A", "B", "C"}
    rep1 = get_user_model().objects.get(username="rep1")
    grades = sorted(stores_for(rep1).values_list("grade", flat=True))
    assert grades == ["A"] * 5 + ["B"] * 5 + ["C"] * 5  # SPEC §4's 30-visit week
    rep2 = get_user_model().objects.get(username="rep2")
    assert not set(stores_for(rep1)) & set(stores_for(rep2))
    manager1 = get_user_model().objects.get(username="manager1")
    assert KeyAccount.objects.filter(owner=manager1).count() >= 9


@pytest.mark.parametrize(
    "code, target, actual, growth",
    [("WMT", "19.97", "32.03", "89.30"), ("LOTUS", "213.75", "134.70", "-25.64"), ("PNS", "4.57", "0.42", "-89.15")],
)
def test_january_to_may_matches_spec(demo_company, code, target, actual, growth):
    sell_in = Sum(F("quantity") * F("unit_price"))
    this = Delivery.objects.filter(store__account__code=code, date__year=2026, date__month__lte=5).aggregate(s=sell_in)[
        "s"
    ]
    last = Delivery.objects.filter(store__account__code=code, date__year=2025, date__month__lte=5).aggregate(s=sell_in)[
        "s"
    ]
    goal = SalesTarget.objects.filter(account__code=code, year=2026, month__lte=5).aggregate(s=Sum("amount"))["s"]
    assert goal == Decimal(target) * 10000
    assert this == Decimal(actual) * 10000
    assert round((this / last - 1) * 100, 2) == Decimal(growth)


def test_password_option_sets_every_demo_password(demo_company):
    sign_in = RequestFactory().post("/login/")  # django-axes counts sign-ins per request
    call_command("seed_demo", "--password", "s3cret-demo")
    assert authenticate(sign_in, username="rep1", password="s3cret-demo") is not None
    call_command("seed_demo", "--password", "another-one")
    assert authenticate(sign_in, username="finance1", password="another-one") is not None


def test_a_store_on_a_road_named_district_is_not_written_road_road():
    from demo.company import _road

    assert _road("五角场") == "五角场路"
    assert _road("控江路") == "控江路"  # "上海控江路路780号" read as a typo on every stop of rep1's day
