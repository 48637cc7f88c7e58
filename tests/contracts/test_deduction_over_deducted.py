"""A deduction's matches in the contracts API say whether their ledger line is over-deducted by the trade-spend
ledger's one rule (tradespend.matching.lines_with_matches: matches above 0 exceeding what the line holds), never a
copy of it (contracts.selectors.deduction_matches_prefetch): a line lowered under its matches is; one matched in
part is not, and a negative adjustment beside it — spend taken back, nothing matched to it — makes nothing read
over-deducted."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from contracts import services
from tradespend.matching import deduction_match_add, lines_with_matches
from tradespend.models import AccrualLine

from .factories import InvoiceFactory

pytestmark = pytest.mark.django_db
D = Decimal
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def _line(account, month, amount) -> AccrualLine:
    """A TG-fee line of the ledger, made directly (its computation is the trade-spend ledger's)."""
    return AccrualLine.objects.create(
        account=account, month=month, kind="end_cap", category="fixed_fee", stage="adjustment", amount=D(amount),
        source="adjustment", source_key=f"adjustment:{uuid.uuid4()}",
    )  # fmt: skip


def _deduction(invoice, amount, month, reference):
    return services.deduction_record(
        invoice=invoice, date=date(2026, 10, 20), kind="tg", amount=D(amount), reason="堆头费", reference=reference,
        period_start=month, period_end=month,
    )  # fmt: skip


def _lowered(line, amount) -> None:
    """The ledger lowers a line after finance matched deductions to it (its display not evidenced, a fee cut)."""
    AccrualLine.objects.filter(pk=line.pk).update(amount=D(amount))


@pytest.fixture
def deductions(account, finance):
    """Four deductions, each matched by hand to its own line, then the ledger moved under some of them."""
    invoice = InvoiceFactory(account=account, date=date(2026, 9, 1), amount=D("100000.00"))
    made = {
        "part": _deduction(invoice, "600.00", SEP, "PART"),  # a 1,000 line, 600 of it matched
        "lowered": _deduction(invoice, "1000.00", SEP, "LOWERED"),  # its 1,000 line lowered to 600
        "to_zero": _deduction(invoice, "100.00", OCT, "ZERO"),  # its line lowered to 0
        "below_zero": _deduction(invoice, "40.00", OCT, "BELOW"),  # its line lowered to −50
    }
    lines = {name: _line(account, SEP if name in ("part", "lowered") else OCT, "1000.00") for name in made}
    for name, deduction in made.items():
        deduction_match_add(deduction=deduction, line=lines[name], amount=deduction.amount, by=finance)
    _lowered(lines["lowered"], "600.00")
    _lowered(lines["to_zero"], "0.00")
    _lowered(lines["below_zero"], "-50.00")
    # and a negative adjustment in September, nothing matched to it: spend taken back
    _line(account, SEP, "-150.00")
    return made


def test_the_api_says_a_line_is_over_deducted_as_the_ledger_s_rule_does(api_client, finance, deductions):
    # when finance reads the deductions through the contracts API
    api_client.force_authenticate(finance)
    listed = api_client.get("/api/v1/deductions/", {"page_size": 50}).json()["results"]
    # then each match's line reads over-deducted exactly when the ledger's rule says so
    rule = dict(lines_with_matches(AccrualLine.objects.all()).values_list("pk", "over_deducted"))
    marks = {row["reference"]: [match["line_over_deducted"] for match in row["matches"]] for row in listed}
    for row in listed:
        for match in row["matches"]:
            assert match["line_over_deducted"] is rule[match["line"]], (row["reference"], match)
    # a line lowered under its matches — to 600, to 0, below 0 — is; the line matched in part is not
    assert marks == {"PART": [False], "LOWERED": [True], "ZERO": [True], "BELOW": [True]}
    # and the deduction's own mark (tradespend.matching.over_deducted_q) agrees with its matches'
    assert {row["reference"]: row["over_deducted"] for row in listed} == {
        reference: any(lines) for reference, lines in marks.items()
    }


def test_a_negative_adjustment_makes_no_deduction_read_over_deducted(api_client, finance, account):
    # given a TG fee of 1,000 matched in full to September's line, and spend taken back by an adjustment of −150
    invoice = InvoiceFactory(account=account, date=date(2026, 9, 1), amount=D("100000.00"))
    deduction = _deduction(invoice, "1000.00", SEP, "FULL")
    line = _line(account, SEP, "1000.00")
    deduction_match_add(deduction=deduction, line=line, amount=D("1000.00"), by=finance)
    _line(account, SEP, "-150.00")
    # when finance reads it
    api_client.force_authenticate(finance)
    row = api_client.get(f"/api/v1/deductions/{deduction.pk}/").json()
    # then neither it nor its match reads over-deducted
    assert row["over_deducted"] is False
    assert [(match["line"], match["line_over_deducted"]) for match in row["matches"]] == [(line.pk, False)]
