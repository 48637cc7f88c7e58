"""Visit services: idempotent check-in, recording what was found, rating, suggested order, tasks, check-out."""

import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from visits import services
from visits.models import SuggestedOrder, Task, Visit

from .factories import StockCountFactory, TaskFactory, VisitFactory, complete_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_user(Role.REP, username="rep_v")


@pytest.fixture
def store(rep):
    return StoreFactory(rep=rep, latitude=Decimal("31.200000"), longitude=Decimal("121.400000"))


def test_same_client_uuid_twice_is_one_visit(rep, store):
    client_id = uuid.uuid4()
    first, created = services.visit_check_in(rep=rep, store=store, uuid=client_id)
    again, created_again = services.visit_check_in(rep=rep, store=store, uuid=str(client_id))
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Visit.objects.count() == 1


def test_another_reps_uuid_is_refused(rep, store):
    client_id = uuid.uuid4()
    services.visit_check_in(rep=rep, store=store, uuid=client_id)
    other = make_user(Role.REP, username="rep_x")
    with pytest.raises(DomainError) as refused:
        services.visit_check_in(rep=other, store=StoreFactory(rep=other), uuid=client_id)
    assert refused.value.code == "visit.uuid_taken"


@pytest.mark.parametrize(
    "latitude, far",
    [(Decimal("31.204000"), False), (Decimal("31.204600"), True), (None, False)],
)
def test_check_in_over_500_m_from_the_store_is_flagged(rep, store, latitude, far):
    # 0.004° of latitude ≈ 445 m, 0.0046° ≈ 512 m
    visit, _ = services.visit_check_in(
        rep=rep, store=store, latitude=latitude, longitude=Decimal("121.400000") if latitude else None
    )
    assert visit.far_from_store is far
    assert (visit.distance_m is None) is (latitude is None)


def test_check_in_at_someone_elses_store_is_refused_as_not_found_naming_nothing(rep):
    other = StoreFactory()
    with pytest.raises(DomainError) as refused:
        services.visit_check_in(rep=rep, store=other)
    assert refused.value.code == "not_found"
    assert other.name not in refused.value.detail and other.code not in refused.value.detail


def test_spec_example_suggests_six_cases_after_the_count(rep, store):
    # given a product of 12 packs a case, counted at 10 cases a week ago, 4 cases delivered since
    product = ProductFactory(packs_per_case=12)
    ListingFactory(store=store, product=product)
    week_ago = timezone.now() - timedelta(days=7)
    StockCountFactory(visit=VisitFactory(rep=rep, store=store, checked_in_at=week_ago), product=product, packs=120)
    DeliveryFactory(store=store, product=product, date=timezone.localdate() - timedelta(days=3), quantity=48)
    visit, _ = services.visit_check_in(rep=rep, store=store)

    # when the rep counts 6 cases now
    services.visit_record(visit=visit, stock={product.pk: 72})

    # then the suggested order is 6 cases
    order = SuggestedOrder.objects.get(store=store, product=product, date=timezone.localdate())
    assert (order.actual_sales_packs, order.safety_stock_packs, order.suggested_cases) == (96, 144, 6)
    assert order.delivered_packs == 48


def test_first_count_is_flagged_no_previous(rep, store):
    product = ProductFactory()
    ListingFactory(store=store, product=product)
    visit, _ = services.visit_check_in(rep=rep, store=store)
    services.visit_record(visit=visit, stock={product.pk: 5})
    order = SuggestedOrder.objects.get(store=store, product=product)
    assert (order.flag, order.suggested_cases) == ("no_previous_count", 0)


def _checked_out(visit, minutes: int = 30):
    """The visit checked out `minutes` after its check-in (not flagged short), complete or not (a reason given)."""
    at = min(visit.checked_in_at + timedelta(minutes=minutes), timezone.now())
    return services.visit_check_out(visit=visit, at=at, reason="店长不在，部分未查")


def test_rating_red_when_a_listed_product_is_out_of_stock(rep, store):
    product = ProductFactory()
    ListingFactory(store=store, product=product)
    visit, _ = services.visit_check_in(rep=rep, store=store, at=timezone.now() - timedelta(hours=1))
    visit = services.visit_record(visit=visit, checklist={"tidy": "pass"}, stock={product.pk: 0})
    assert visit.rating == "" and visit.rating_reasons == []  # open: rated at the check-out
    assert _checked_out(visit).rating == "red"


def test_rating_yellow_for_a_failed_item_green_when_fixed(rep, store):
    at = timezone.now() - timedelta(hours=1)
    failed, _ = services.visit_check_in(rep=rep, store=store, at=at, latitude=store.latitude, longitude=store.longitude)
    complete_visit(failed)
    services.visit_record(visit=failed, checklist={"tidy": "fail"})
    assert _checked_out(failed).rating == "yellow"
    fixed, _ = services.visit_check_in(
        rep=rep, store=StoreFactory(rep=rep), at=at, latitude=store.latitude, longitude=store.longitude
    )
    complete_visit(fixed, result="fail")
    services.visit_record(visit=fixed, checklist=dict.fromkeys(["together", "tidy", "price_tag"], "pass"))
    services.visit_record(visit=fixed, checklist={"promotion_display": "pass", "stock_level": "na"})
    assert _checked_out(fixed).rating == "green"


@pytest.mark.parametrize(
    "findings",
    [
        {},  # nothing checked yet
        {"problems": "端架被撤"},  # a problem written, nothing else
        {"checklist": {"tidy": "pass"}},
        {"checklist": {"tidy": "fail"}, "promotion_executed": False},
    ],
    ids=["nothing", "a-problem", "one-item-passed", "failed-and-promotion-not-executed"],
)
def test_an_open_visit_has_no_rating_whatever_was_recorded(rep, store, findings):
    """QA: a visit with nothing checked (0/5 items, no count, a photo) or with only a problem written read green (绿)
    beside 拜访中 on the daily report and the visit list. A visit is rated at its check-out (SPEC §4)."""
    visit, _ = services.visit_check_in(rep=rep, store=store, at=timezone.now() - timedelta(hours=1))
    services.visit_record(visit=visit, **findings)
    visit.refresh_from_db()
    assert (visit.rating, visit.rating_reasons) == ("", [])
    assert not Visit.objects.filter(rating=Visit.Rating.GREEN).exists()


def test_a_visit_checked_out_with_nothing_checked_is_not_green(rep, store):
    # given: an open visit with only a problem written, checked out under a reason
    visit, _ = services.visit_check_in(rep=rep, store=store, at=timezone.now() - timedelta(hours=1))
    services.visit_record(visit=visit, problems="端架被撤")
    # when: checked out
    visit = _checked_out(visit)
    # then: yellow, saying it was checked out with something missing
    assert visit.rating == "yellow"
    assert "checked_out_incomplete" in [reason["code"] for reason in visit.rating_reasons]


def test_a_check_in_with_findings_is_not_rated_before_its_check_out(rep, store):
    product = ProductFactory()
    ListingFactory(store=store, product=product)
    visit, _ = services.visit_check_in(
        rep=rep, store=store, findings={"checklist": {"tidy": "fail"}, "stock": {product.pk: 0}}
    )
    visit.refresh_from_db()
    assert (visit.rating, visit.rating_reasons) == ("", [])


def test_product_not_listed_is_refused(rep, store):
    visit, _ = services.visit_check_in(rep=rep, store=store)
    with pytest.raises(DomainError) as refused:
        services.visit_record(visit=visit, stock={ProductFactory().pk: 3})
    assert refused.value.code == "visit.not_listed"


def test_check_out_twice_keeps_the_first_time_and_closes_the_visit(rep, store, time_machine):
    # at noon: within half an hour after midnight the check-in fell on the day before (a later day's check-out has
    # no time in store), as a CI run found
    time_machine.move_to("2026-11-24 12:00 +0800", tick=False)
    visit, _ = services.visit_check_in(rep=rep, store=store, at=timezone.now() - timedelta(minutes=30))
    complete_visit(visit)
    first = services.visit_check_out(visit=visit)
    again = services.visit_check_out(visit=visit, at=timezone.now() + timedelta(hours=1))
    assert again.checked_out_at == first.checked_out_at
    assert first.minutes_in_store == 30
    with pytest.raises(DomainError) as refused:
        services.visit_record(visit=visit, problems="late")
    assert refused.value.code == "visit.closed"


def test_task_done_at_a_visit_with_comment(rep, store):
    task = TaskFactory(store=store)
    visit, _ = services.visit_check_in(rep=rep, store=store)
    services.visit_record(visit=visit, tasks={task.pk: services.TaskAnswer(done=True, comment="端架已整理")})
    task.refresh_from_db()
    assert (task.status, task.done_comment, task.done_visit) == (Task.Status.DONE, "端架已整理", visit)


@override_settings(KA=replace(services.settings.KA, upload_max_bytes=10))
def test_photo_over_the_size_limit_is_refused(rep, store):
    visit, _ = services.visit_check_in(rep=rep, store=store)
    with pytest.raises(DomainError) as refused:
        services.visit_photo_add(visit=visit, image=SimpleUploadedFile("a.jpg", b"x" * 11, "image/jpeg"))
    assert refused.value.code == "visit.photo_too_large"


def test_recording_one_part_keeps_the_others(rep, store):
    visit, _ = services.visit_check_in(rep=rep, store=store)
    services.visit_record(visit=visit, promotion_executed=False, problems="促销未执行")
    visit = services.visit_record(visit=visit, actions="已联系店长")
    assert (visit.promotion_executed, visit.problems, visit.actions) == (False, "促销未执行", "已联系店长")
    assert _checked_out(visit).rating == "red"  # rated at the check-out from what was recorded
