"""A display or TG deduction claims the agreements whose fee is payable in a month it claims (the month an agreement's
period starts: the month the ledger holds the fee in, and the only month whose lines the deduction is matched to),
not every agreement whose period touches one of its months. QA: an end cap from August 31 to September 30, not
evidenced, held up September's TG deduction, which pays September's fees (its own line in the ledger was there);
August's deduction, which pays it, is the one its evidence holds up."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contracts.models import Deduction
from evidence.agreements import agreements_evaluate, claimed_by, deductions_claiming
from evidence.models import DisplayAgreement
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import agreement, chain
from tests.tradespend.matching_data import matching_deduction, matching_line

pytestmark = pytest.mark.django_db
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _in_october(time_machine):
    time_machine.move_to(datetime(2026, 10, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def world(manager, rep):
    """An end cap from August 31 to September 30 (payable in August) not evidenced, and the ledger's end-cap lines of
    August (its fee, as a contract's line would hold it) and of September (another end cap's)."""
    account, [store] = chain(manager, rep, code="M31")
    invoice = InvoiceFactory(account=account, date=SEP, amount=Decimal("100000.00"))
    deal = agreement(account, store=store, start=date(2026, 8, 31), end=date(2026, 9, 30), fee="3000.00")
    agreements_evaluate(ids=[deal.pk])
    deal.refresh_from_db()
    assert deal.status == DisplayAgreement.Status.NOT_EVIDENCED
    matching_line(account, AUG, "3000.00", kind="end_cap")
    matching_line(account, SEP, "4000.00", kind="end_cap")
    return account, deal, invoice


def test_the_next_months_deduction_is_not_held_up_and_the_payable_months_is(client, finance, world):
    _account, deal, invoice = world

    september = matching_deduction(invoice, "4000.00", kind="tg", period_start=SEP, period_end=SEP)
    august = matching_deduction(invoice, "3000.00", kind="tg", period_start=AUG, period_end=AUG)

    assert (september.state, september.matched_amount) == (Deduction.State.MATCHED, Decimal("4000.00"))
    assert (august.state, august.matched_amount) == (Deduction.State.UNSUPPORTED, Decimal("0.00"))
    client.force_login(finance)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[september.pk])).content.decode()
    assert "not evidenced —" not in sheet and reverse("evidence:agreement-detail", args=[deal.pk]) not in sheet
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[august.pk])).content.decode()
    assert "Visit evidence: End cap / TG at M31门店1 not evidenced — 0 of 1 visit with a photo" in sheet
    card = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
    claiming = card.split('data-testid="ledger-claiming"')[1]
    assert reverse("tradespend:deduction-sheet", args=[august.pk]) in claiming
    assert reverse("tradespend:deduction-sheet", args=[september.pk]) not in claiming


@pytest.mark.parametrize(
    ("start", "end", "deduction", "claims"),
    [
        ((8, 31), (9, 30), {"period_start": SEP, "period_end": SEP}, False),  # running in September, paid in August
        ((8, 31), (9, 30), {"period_start": AUG, "period_end": AUG}, True),
        ((8, 31), (9, 30), {"period_start": AUG, "period_end": OCT}, True),  # several months, its among them
        ((9, 1), (9, 30), {"on": date(2026, 9, 20)}, True),  # no period: its date's month
        ((9, 1), (9, 30), {"on": date(2026, 10, 3)}, False),
        ((9, 30), (10, 30), {"period_start": OCT, "period_end": OCT}, False),
        ((10, 1), (12, 31), {"period_start": OCT, "period_end": OCT}, True),  # a quarter, paid in its first month
        ((10, 1), (12, 31), {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 1)}, False),
    ],
)
def test_claimed_by_and_the_query_of_deductions_claiming_agree(world, start, end, deduction, claims):
    account, _deal, invoice = world
    deal = agreement(account, start=date(2026, *start), end=date(2026, *end), fee="100.00")
    claiming = matching_deduction(invoice, "100.00", kind="tg", **deduction)

    assert bool(claimed_by(claiming, [deal])) is claims
    assert Deduction.objects.filter(deductions_claiming(deal)).filter(pk=claiming.pk).exists() is claims


def test_a_deduction_of_another_kind_claims_nothing(world):
    account, deal, invoice = world
    listing = matching_deduction(invoice, "100.00", kind="listing", period_start=AUG, period_end=AUG)
    assert claimed_by(listing, [deal]) == []
    assert not Deduction.objects.filter(deductions_claiming(deal)).filter(pk=listing.pk).exists()
