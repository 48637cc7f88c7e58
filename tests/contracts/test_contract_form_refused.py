"""The contract's page (new and edit) refused answers 400, as the project's other forms do, drawn again with every
value as finance typed it and the problem named next to its field; nothing is saved."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from contracts.models import Contract

from .factories import ContractFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]


class _Boxes(HTMLParser):
    """The form's boxes as the browser shows them: name → what its box holds, and the messages under the boxes."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.errors: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._in = attrs["name"]
            self.values[self._in] = ""
        elif tag == "div" and "invalid-feedback" in (attrs.get("class") or ""):
            self._in = "error"
            self.errors.append("")

    def handle_endtag(self, tag):
        if tag == "textarea" and self.values[self._in].startswith("\n"):
            self.values[self._in] = self.values[self._in][1:]  # the browser drops the newline after <textarea>
        if tag in ("textarea", "div"):
            self._in = None

    def handle_data(self, data):
        if self._in == "error":
            self.errors[-1] += data
        elif self._in is not None:
            self.values[self._in] += data


def _boxes(response) -> _Boxes:
    boxes = _Boxes()
    boxes.feed(response.content.decode())
    return boxes


def _form(account, **fields) -> dict:
    return {
        "number": "HT-FORM-1", "account": account.pk, "kind": "annual", "status": "active", "signed_on": "2026-01-05",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "total_amount": "100000.00", "rebate_percent": "2",
        "listing_fee": "0", "payment_terms_days": "60", "execution_notes": "", **fields,
    }  # fmt: skip


def test_an_edit_refused_answers_400_keeping_what_was_typed(client, finance, account):
    # given a contract in the ledger
    contract = ContractFactory(account=account, number="HT-FORM-1", execution_notes="")
    client.force_login(finance)
    # when finance types an end before the start, an amount that is no number and a note, and saves
    typed = {"valid_to": "2025-12-31", "total_amount": "12万", "execution_notes": "续签谈判中，6 月前签回"}
    page = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(account, **typed))
    # then the page is refused, each problem named next to its box, and every box holds what was typed
    assert page.status_code == 400
    boxes = _boxes(page)
    assert "The contract ends on 2025-12-31, before it starts on 2026-01-01." in boxes.errors
    assert "Enter a number." in boxes.errors
    assert page.context["form"].errors.keys() == {"valid_to", "total_amount"}
    for name, value in typed.items():
        assert boxes.values[name] == value, name
    assert boxes.values["number"] == "HT-FORM-1" and boxes.values["valid_from"] == "2026-01-01"
    # and nothing is saved
    contract.refresh_from_db()
    assert (str(contract.valid_to), contract.total_amount, contract.execution_notes) == (
        "2026-12-31",
        Decimal("1200000.00"),
        "",
    )


def test_a_new_contract_refused_answers_400_keeping_what_was_typed(client, finance, account):
    ContractFactory(account=account, number="HT-TAKEN")
    client.force_login(finance)

    page = client.post(
        reverse("contracts:contract-create"), _form(account, number="HT-TAKEN", execution_notes="年度合同")
    )

    assert page.status_code == 400
    boxes = _boxes(page)
    assert "Contract number HT-TAKEN is already in the ledger." in boxes.errors
    assert (boxes.values["number"], boxes.values["execution_notes"]) == ("HT-TAKEN", "年度合同")
    assert Contract.objects.count() == 1


def test_the_form_read_or_saved_is_not_a_refusal(client, finance, account):
    contract = ContractFactory(account=account, number="HT-FORM-1")
    client.force_login(finance)

    shown = client.get(reverse("contracts:contract-edit", args=[contract.pk]))
    saved = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(account, valid_to="2026-11-30"))

    assert shown.status_code == 200 and not _boxes(shown).errors
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert str(contract.valid_to) == "2026-11-30"
