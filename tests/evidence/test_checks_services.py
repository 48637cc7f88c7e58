"""Recording prices and displays at a visit: execution computed and persisted, the rating follows, refusals."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from evidence import visit_checks as checks
from evidence.models import DisplayCheck, PromotionCheck, PromotionExecution
from ka_portal.errors import DomainError
from visits import services as visit_services

from . import checks_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the photos taken in these tests
    return checks_world.build()


def _record(w, beer="10.10", chips="5.00", present=True, image=True):
    return checks.promotion_checks_record(
        visit=w.visit,
        plan=w.plan,
        prices={w.beer.pk: D(beer) if beer else None, w.chips.pk: D(chips)},
        displays={"end_cap": checks.DisplayAnswer(present, checks_world.photo() if image else None)},
    )


def test_running_promotions_are_the_chains_plans_covering_the_store_and_day(w):
    plans = checks.running_promotions(w.store, timezone.localdate())
    assert [p.title for p in plans] == ["端架特价"] and plans[0].displays == ["end_cap"]
    assert checks.running_promotions(w.store, timezone.localdate() + timedelta(days=30)) == []
    assert list(checks.agreements_to_check(w.store, timezone.localdate())) == [w.agreement]


def test_prices_within_tolerance_and_the_display_with_a_photo_execute_the_plan_and_rate_green(w):
    execution = _record(w)
    w.visit.refresh_from_db()
    assert execution.executed and execution.reasons == []
    assert w.visit.promotion_executed is True
    assert {"code": "plan_not_executed"} not in [{"code": r["code"]} for r in w.visit.rating_reasons]
    assert DisplayCheck.objects.get().photo.visit == w.visit


def test_a_price_off_makes_the_visit_red_naming_the_plan(w):
    execution = _record(w, beer="12.00")
    w.visit.refresh_from_db()
    assert not execution.executed and execution.reasons[0]["code"] == "price_off"
    assert w.visit.rating == "" and w.visit.promotion_executed is False  # open: rated at its check-out
    visit = visit_services.visit_check_out(visit=w.visit, reason="店长不在")
    assert visit.rating == "red"
    with translation.override("en"):
        assert "Promotion not executed: 端架特价" in visit.rating_reason_texts


def test_a_display_missing_or_without_photo_is_not_executed(w):
    assert [r["code"] for r in _record(w, present=False, image=False).reasons] == ["display_missing"]
    assert [r["code"] for r in _record(w, present=True, image=False).reasons] == ["display_no_photo"]


def test_a_half_checked_plan_is_not_yet_a_failure_and_the_check_out_asks_for_it(w):
    checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("10.00"))
    w.visit.refresh_from_db()
    assert w.visit.promotion_executed is None and w.visit.rating != "red"
    missing = visit_services.visit_missing(w.visit)
    assert missing.promotions == (w.plan.pk,)
    with translation.override("en"), pytest.raises(visit_services.VisitIncomplete) as refused:
        visit_services.visit_check_out(visit=w.visit)
    assert "1 running promotion not checked" in refused.value.detail


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda w: checks.promotion_check_record(visit=w.visit, item=w.other_item, shelf_price=D("1")), "not_found"),
        (
            lambda w: checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("-1")),
            "evidence.negative_price",
        ),
        (
            lambda w: checks.display_check_record(visit=w.visit, plan=w.other_plan, kind="end_cap", present=True),
            "not_found",
        ),
        (
            lambda w: checks.display_check_record(visit=w.visit, plan=w.plan, kind="floor_stack", present=True),
            "not_found",
        ),
        (
            lambda w: checks.display_check_record(visit=w.visit, agreement=w.agreement, present=True, facings=501),
            "evidence.bad_facings",
        ),
    ],
)
def test_refusals_leave_nothing_written(w, call, code):
    with pytest.raises(DomainError) as refused:
        call(w)
    assert refused.value.code == code
    assert not PromotionCheck.objects.exists() and not DisplayCheck.objects.exists()


def test_a_closed_visit_is_not_changed(w):
    w.visit.checked_out_at = timezone.now()
    w.visit.save()
    with pytest.raises(DomainError) as refused:
        checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("10"))
    assert refused.value.code == "visit.closed"


def test_an_agreement_check_records_facings_and_the_photo(w):
    check = checks.display_check_record(
        visit=w.visit, agreement=w.agreement, present=True, facings=6, image=checks_world.photo()
    )
    assert (check.kind, check.facings, check.photo.visit_id) == ("facings", 6, w.visit.pk)
    assert not PromotionExecution.objects.exists()
