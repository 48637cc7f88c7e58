"""A retailer deduction for a display fee whose visit evidence was not met is left unsupported by deduction
matching, and the validation sheet says why and lists the agreements with their status (issue 13 item 2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Deduction
from evidence.agreements import agreements_evaluate
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import agreement, chain, checked
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.matching import deductions_match

pytestmark = pytest.mark.django_db
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="RTM")
    invoice = InvoiceFactory(account=account, date=SEP, amount=Decimal("100000.00"))
    matching_line(account, SEP, "4000.00", kind="end_cap")
    return account, store, rep, invoice


def test_a_tg_deduction_claiming_a_not_evidenced_end_cap_stays_unsupported(client, finance, world):
    account, store, rep, invoice = world
    deal = agreement(account, store=store, visits=4)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 8))
    agreements_evaluate(today=OCT.replace(day=5))

    deduction = matching_deduction(invoice, "4000.00", kind="tg", period_start=SEP, period_end=SEP)

    assert (deduction.state, deduction.matched_amount) == (Deduction.State.UNSUPPORTED, Decimal("0.00"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert f"Visit evidence: End cap / TG at {store.name} not evidenced — 1 of 4 visits with a photo" in page
    assert reverse("evidence:agreement-detail", args=[deal.pk]) in page and "Not evidenced" in page


def test_an_evidenced_end_cap_or_another_kind_is_matched_as_before(client, finance, world):
    account, store, rep, invoice = world
    deal = agreement(account, store=store)
    checked(deal, store=store, rep=rep, day=date(2026, 9, 8))
    agreement(account, store=store, kind="floor_stack")  # not evidenced, but a TG deduction does not claim it
    agreements_evaluate(today=OCT.replace(day=5))

    deduction = matching_deduction(invoice, "4000.00", kind="tg", period_start=SEP, period_end=SEP)

    assert deduction.state == Deduction.State.MATCHED
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert "Payable" in page and "not evidenced —" not in page


def test_months_not_claimed_are_not_flagged_and_one_query_serves_the_batch(world, django_assert_max_num_queries):
    account, store, _rep, invoice = world
    agreement(account, store=store, start=OCT, end=date(2026, 10, 31))
    agreements_evaluate(today=date(2026, 11, 5))
    deduction = matching_deduction(invoice, "4000.00", kind="tg", period_start=SEP, period_end=SEP)
    assert deduction.state == Deduction.State.MATCHED

    flagged = matching_deduction(invoice, "100.00", kind="tg", period_start=OCT, period_end=OCT)
    assert flagged.state == Deduction.State.UNSUPPORTED
    Deduction.objects.update(state=Deduction.State.UNSUPPORTED, matched_amount=0)
    with django_assert_max_num_queries(12):
        deductions_match(account_ids=[account.pk])
