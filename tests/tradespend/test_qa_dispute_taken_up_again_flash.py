"""QA (finance clerk): a dispute closed as supported, then opened again once its deduction was unsupported again,
flashed "Dispute opened, due on …" while its History read "Dispute taken up again". The deduction sheet now says it
was taken up again; a first dispute still says it was opened."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_close
from tradespend.matching import deduction_match_add, deduction_match_remove
from tradespend.models import Dispute, DisputeStep

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


def _flashes(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_opening_a_dispute_again_says_it_was_taken_up_again(client, finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "600.00")
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)

    # a first dispute: opened
    first = client.post(
        url, {"action": "dispute_open", "dispute-reason": "无TG协议", "dispute-due_on": "2027-01-05"}, follow=True
    )
    assert "Dispute opened, due on 2027-01-05." in _flashes(first)

    # matched by hand, closed as supported, the match removed: unsupported again
    dispute = Dispute.objects.get()
    line = matching_line(matching_account, date(2026, 9, 1), "600.00")
    match = deduction_match_add(deduction=deduction, line=line, amount=Decimal("600.00"), by=finance)
    dispute_close(dispute=dispute, note="补录TG费用后已支持", by=finance)
    deduction_match_remove(match=match, by=finance)

    # when the clerk opens the dispute again on the sheet
    again = client.post(
        url, {"action": "dispute_open", "dispute-reason": "TG费用记错门店", "dispute-due_on": "2027-01-05"}, follow=True
    )

    # then the flash says what the History says
    assert _flashes(again) == ["Dispute taken up again, due on 2027-01-05."]
    newest = DisputeStep.objects.filter(dispute=dispute).order_by("-pk").first()
    assert newest.action == DisputeStep.Action.TAKEN_UP_AGAIN
    assert "Dispute taken up again" in again.content.decode()
    assert Dispute.objects.get().status == Dispute.Status.OPEN
