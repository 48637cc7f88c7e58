"""The evidence quota of a display agreement (issue 13 item 2): the fee is payable only when enough visits on site
saw the display in place with a photo taken during the visit; otherwise, once the period is over, not evidenced."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from evidence import agreement_rules as rules
from evidence.agreements import agreement_evaluate, agreement_evidence, agreements_evaluate
from evidence.models import DisplayAgreement
from tests.evidence.agreement_data import SEP1, SEP30, agreement, at, chain, checked
from tests.factories import StoreFactory
from visits import services as visit_services
from visits.models import Visit

pytestmark = pytest.mark.django_db

AFTER = date(2026, 10, 5)  # the period is over
DURING = date(2026, 9, 20)
Status = DisplayAgreement.Status


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, stores = chain(manager, rep)
    return account, stores[0], rep


def test_two_visits_on_site_with_photos_release_the_fee(world):
    account, store, rep = world
    deal = agreement(account, store=store, visits=2)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 3))
    checked(deal, store=store, rep=rep, day=date(2026, 9, 17), photo="uploaded")  # no camera time: upload time

    deal = agreement_evaluate(deal, today=DURING)

    assert (deal.status, deal.evidenced_visits) == (Status.PAYABLE, 2)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ({"far": True}, "far"),
        ({"position": False}, "no_position"),
        ({"photo": "before"}, "photo_outside_visit"),
        ({"photo": None}, "no_photo"),
        ({"present": False}, "not_present"),
        ({"checked_out": False}, "not_checked_out"),
    ],
)
def test_a_visit_that_proves_nothing_leaves_the_fee_not_evidenced(world, how, reason):
    account, store, rep = world
    deal = agreement(account, store=store)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 10), **how)

    deal = agreement_evaluate(deal, today=AFTER)

    assert (deal.status, deal.evidenced_visits) == (Status.NOT_EVIDENCED, 0)
    [row] = agreement_evidence(deal)[0].rows
    assert row.problem == reason and str(rules.REASONS[reason]) == row.reason


def test_a_visit_closed_the_next_morning_without_a_time_counts_no_photo_taken_then(world):
    """A check-out forgotten overnight and closed next morning with no time of leaving: the visit ended by midnight
    as far as anyone knows, so a photo taken at 08:00 the next day is outside it (its window ran to the morning)."""
    account, store, rep = world
    deal = agreement(account, store=store)
    check = checked(deal, store=store, rep=rep, day=date(2026, 9, 10))
    visit, morning = check.visit, at(date(2026, 9, 11), 8, 0)
    Visit.objects.filter(pk=visit.pk).update(checked_out_at=morning, checkout_entered_at=morning)  # "none"
    check.photo.taken_at = morning - timedelta(minutes=5)
    check.photo.save(update_fields=["taken_at"])

    deal = agreement_evaluate(deal, today=AFTER)

    [row] = agreement_evidence(deal)[0].rows
    assert (deal.evidenced_visits, row.problem) == (0, "photo_outside_visit")


def test_too_few_visits_is_open_during_the_period_and_not_evidenced_after(world):
    account, store, rep = world
    deal = agreement(account, store=store, visits=4)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 3))
    checked(deal, store=store, rep=rep, day=date(2026, 9, 3))  # the same day twice counts once

    assert agreement_evaluate(deal, today=DURING).status == Status.OPEN
    deal = agreement_evaluate(deal, today=AFTER)
    assert (deal.status, deal.evidenced_visits) == (Status.NOT_EVIDENCED, 1)


def test_a_visit_outside_the_period_does_not_count(world):
    account, store, rep = world
    deal = agreement(account, store=store)
    checked(deal, store=store, rep=rep, day=SEP1 - timedelta(days=1))
    checked(deal, store=store, rep=rep, day=SEP30 + timedelta(days=1))

    assert agreement_evaluate(deal, today=AFTER).status == Status.NOT_EVIDENCED


def test_facings_short_of_the_agreed_count_do_not_count(world):
    account, store, rep = world
    deal = agreement(account, store=store, kind="facings", facings=6)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 5), facings=4)
    assert agreement_evaluate(deal, today=AFTER).status == Status.NOT_EVIDENCED

    checked(deal, store=store, rep=rep, day=date(2026, 9, 6), facings=6)
    assert agreement_evaluate(deal, today=AFTER).status == Status.PAYABLE


def test_a_chain_wide_agreement_needs_every_active_store(world, rep):
    account, store, _rep = world
    second = StoreFactory(account=account, rep=rep, code="AGR2")
    StoreFactory(account=account, code="AGR-CLOSED", active=False)  # a closed store is not asked
    deal = agreement(account, store=None)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 5))

    deal = agreement_evaluate(deal, today=AFTER)
    assert (deal.status, deal.evidenced_visits) == (Status.NOT_EVIDENCED, 0)

    checked(deal, store=second, rep=rep, day=date(2026, 9, 8))
    assert agreement_evaluate(deal, today=AFTER).status == Status.PAYABLE


def test_the_set_based_run_agrees_with_one_by_one(world, manager, rep):
    account, store, _rep = world
    other_account, [other_store] = chain(manager, rep, code="OTH")
    payable = agreement(account, store=store)
    checked(payable, store=store, rep=rep, day=date(2026, 9, 5))
    short = agreement(other_account, store=other_store, visits=2)
    checked(short, store=other_store, rep=rep, day=date(2026, 9, 5))

    agreements_evaluate(account_ids=[account.pk, other_account.pk], today=AFTER)

    statuses = dict(DisplayAgreement.objects.values_list("pk", "status"))
    assert statuses == {payable.pk: Status.PAYABLE, short.pk: Status.NOT_EVIDENCED}


def test_checking_out_evaluates_the_agreements_the_visit_checked(world):
    account, store, rep = world
    today = timezone.localdate()
    deal = agreement(account, store=store, start=today - timedelta(days=3), end=today + timedelta(days=3))
    check = checked(deal, store=store, rep=rep, day=today, checked_out=False, photo="uploaded")
    visit, photo = check.visit, check.photo
    visit.checked_in_at = timezone.now() - timedelta(minutes=10)
    visit.save(update_fields=["checked_in_at"])
    photo.uploaded_at = timezone.now() - timedelta(minutes=5)
    photo.save(update_fields=["uploaded_at"])

    visit_services.visit_check_out(visit=visit, reason="demo")

    deal.refresh_from_db()
    assert (deal.status, deal.evidenced_visits) == (Status.PAYABLE, 1)


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("month", [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))]),
        ("quarter", [(date(2026, 1, 15), date(2026, 2, 28))]),
        ("once", [(date(2026, 1, 15), date(2026, 2, 28))]),
    ],
)
def test_term_periods(period, months):
    assert rules.term_periods(date(2026, 1, 15), date(2026, 2, 28), period) == months


def test_a_fee_split_over_stores_adds_up():
    from decimal import Decimal

    shares = rules.split_fee(Decimal("100.00"), 3)
    assert sum(shares) == Decimal("100.00") and shares[0] == Decimal("33.34")


def test_the_set_based_run_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    account, store, rep = world
    for n in range(12):
        deal = agreement(account, store=store if n % 2 else None, visits=1 + n % 3)
        checked(deal, store=store, rep=rep, day=date(2026, 9, 1 + n))

    with django_assert_max_num_queries(8):  # agreements, checks, chain stores, an UPDATE per outcome, savepoints
        agreements_evaluate(today=AFTER, ledger=False)  # the nightly run (the ledger follows it for every chain)

    assert DisplayAgreement.objects.filter(evaluated_at__isnull=True).count() == 0
