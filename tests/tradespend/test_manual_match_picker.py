"""The deduction sheet's manual match as a finance clerk at month-end uses it: the spend-line list offers the
deduction's kind with something left, its claimed months first and then the nearest; each option names month, kind,
source (the contract's number) and "left x of y" in money; other kinds only on asking. A line outside the months
claimed (or of another kind) is matched, and the sheet, the message and the API's matches say so."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import ContractTerm
from tests.contracts.factories import ContractFactory
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.matching import deduction_match_add, restate

pytestmark = pytest.mark.django_db
DEC = date(2026, 12, 1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _term(account, number="HT-DEMO-2026-AUCHAN"):
    contract = ContractFactory(account=account, number=number)
    return ContractTerm.objects.create(
        contract=contract, kind="end_cap", basis="fixed", period="month", amount=Decimal("3600"),
        valid_from=contract.valid_from, valid_to=contract.valid_to,
    )  # fmt: skip


def _term_line(account, term, month, amount):
    key = f"term:{term.pk}"
    return matching_line(account, month, amount, stage="accrued", term=term, source="term", source_key=key)


@pytest.fixture
def ledger(matching_account, matching_invoice):
    """A TG deduction of 2026-12 and the account's lines: TG lines in many months, a DM line and promoters' pay of
    its month, a TG line with nothing left."""
    term = _term(matching_account)
    lines = {
        "dec": _term_line(matching_account, term, DEC, "3600.00"),
        "jan": _term_line(matching_account, term, date(2027, 1, 1), "3600.00"),
        "oct": _term_line(matching_account, term, date(2026, 10, 1), "3600.00"),
        "mar25": _term_line(matching_account, term, date(2025, 3, 1), "3600.00"),
        "nov_spent": _term_line(matching_account, term, date(2026, 11, 1), "3600.00"),
        "dm": matching_line(matching_account, DEC, "900.00", kind="dm"),
        "promoter": matching_line(
            matching_account,
            DEC,
            "4200.00",
            kind="promoter",
            source="promoter",
            source_key="promoter:7",
            reason_params={"promoter": "张三"},
        ),  # fmt: skip
    }
    other = matching_deduction(matching_invoice, "3600.00", on=date(2026, 11, 25), period_start=date(2026, 11, 1))
    assert other.matches.get().line == lines["nov_spent"]  # November's line is taken by November's deduction
    deduction = matching_deduction(
        matching_invoice, "3600.00", on=date(2026, 12, 20), reference="TG-EVID-1", period_start=DEC, period_end=DEC
    )
    deduction.matches.all().delete()  # matched automatically to December's line: left for the clerk instead
    restate(deduction)
    other_on_dec = matching_deduction(matching_invoice, "1000.00", on=date(2026, 12, 2), period_start=DEC)
    assert other_on_dec.matches.get().line == lines["dec"]  # 1,000.00 of December's line taken by another
    return deduction, lines


def _options(client, user, deduction, language, query=""):
    client.force_login(user)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk]) + query
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    form = page.split('data-testid="match-form"')[1].split("</form>")[0]
    return [_text(option) for option in re.findall(r"<option[^>]*>(.*?)</option>", form)][1:]  # after "---------"


def test_the_list_offers_its_kind_left_to_match_nearest_first_in_chinese(client, finance, ledger):
    deduction, _lines = ledger

    options = _options(client, finance, deduction, "zh-hans")

    assert options == [
        "2026-12 · TG费 · HT-DEMO-2026-AUCHAN · 剩余 2,600.00 / 计提 3,600.00",
        "2027-01 · TG费 · HT-DEMO-2026-AUCHAN · 剩余 3,600.00 / 计提 3,600.00 · 不在扣款所属期间",
        "2026-10 · TG费 · HT-DEMO-2026-AUCHAN · 剩余 3,600.00 / 计提 3,600.00 · 不在扣款所属期间",
        "2025-03 · TG费 · HT-DEMO-2026-AUCHAN · 剩余 3,600.00 / 计提 3,600.00 · 不在扣款所属期间",
    ]


def test_the_list_in_english(client, finance, ledger):
    deduction, _lines = ledger

    options = _options(client, finance, deduction, "en")

    assert options[0] == "2026-12 · TG fee · HT-DEMO-2026-AUCHAN · left 2,600.00 of 3,600.00"
    assert options[1].endswith("· outside the months claimed")


def test_other_kinds_only_on_asking_and_after_its_own(client, finance, ledger):
    deduction, _lines = ledger
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "也显示其他类型" in page.content.decode()

    options = _options(client, finance, deduction, "zh-hans", "?kinds=all")

    assert len(options) == 6 and all("TG费" in option for option in options[:4])
    assert options[4:] == [
        "2026-12 · DM费 · 调整 · 剩余 900.00 / 计提 900.00",
        "2026-12 · 促销员费用 · 促销员薪酬: 张三 · 剩余 4,200.00 / 计提 4,200.00",
    ], options


def test_a_line_outside_its_months_is_matched_and_the_sheet_says_so(client, finance, ledger):
    deduction, lines = ledger
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)

    done = client.post(
        url, {"action": "match_add", "match-line": lines["mar25"].pk, "match-amount": "600"},
        HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True,
    )  # fmt: skip

    page = done.content.decode()
    assert "600.00" in page and "该费用明细不在扣款所属期间（2026-12）内。" in page
    matches = page.split('data-testid="matches"')[1].split("</table>")[0]
    assert "该费用明细不在扣款所属期间（2026-12）内。" in _text(matches)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The line is outside the months the deduction claims (2026-12)." in english


def test_a_line_of_its_months_carries_no_note(client, finance, ledger):
    deduction, lines = ledger
    client.force_login(finance)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])

    page = client.post(
        url, {"action": "match_add", "match-line": lines["dec"].pk, "match-amount": "600"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True,
    ).content.decode()  # fmt: skip

    assert "600.00 matched to the 2026-12 line." in page and 'data-testid="match-note"' not in page


def test_another_kind_is_matched_only_from_the_list_asked_for_and_said(client, finance, ledger):
    deduction, lines = ledger
    client.force_login(finance)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    body = {"action": "match_add", "match-line": lines["dm"].pk, "match-amount": "100"}

    refused = client.post(url, body).content.decode()  # not in the list of its kind
    assert deduction.matches.count() == 0 and 'data-testid="match-form"' in refused
    page = client.post(url + "?kinds=all", body, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()

    assert "The line is not of the deduction&#x27;s kind of spend (TG fee)." in page
    assert deduction.matches.get().line == lines["dm"]


def test_the_api_matches_outside_its_months_and_its_matches_say_so(api_client, finance, ledger):
    deduction, lines = ledger
    api_client.force_authenticate(finance)
    url = f"/api/v1/deductions/{deduction.pk}/matches/"

    made = api_client.post(
        url, {"line": lines["mar25"].pk, "amount": "600.00"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    other = api_client.post(
        url, {"line": lines["dm"].pk, "amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    mine = api_client.post(
        url, {"line": lines["dec"].pk, "amount": "100.00"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )

    assert made.status_code == 201 and other.status_code == 201 and mine.status_code == 201
    notes = {m["line"]: m["notes"] for m in mine.json()["matches"]}
    assert notes == {lines["mar25"].pk: ["outside_period"], lines["dm"].pk: ["other_kind"], lines["dec"].pk: []}
    read = api_client.get(f"/api/v1/deductions/{deduction.pk}/").json()
    assert {m["line"]: m["notes"] for m in read["matches"]} == notes


def test_the_service_says_what_is_unusual(finance, ledger):
    deduction, lines = ledger

    far = deduction_match_add(deduction=deduction, line=lines["mar25"], amount=Decimal("10"), by=finance)
    near = deduction_match_add(deduction=deduction, line=lines["dec"], amount=Decimal("10"), by=finance)

    assert (far.notes, near.notes) == (["outside_period"], [])
