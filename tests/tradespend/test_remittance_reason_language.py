"""A remittance's deduction the advice gave no reason for reads in the reader's language (contracts.notes.REMITTANCE)
on the chain's receivables page, the statement, the deduction's sheet and the API; rows stored before as the English
"remittance <reference>" read the same after tradespend migration 0007, and a reason the advice gave stays as given.
A search finds such a deduction by what people read, the sentence in either language and the remittance's reference
(the API's ?search=, the deductions page's and the admin's), within the reader's accounts, paged by the database."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from contracts.models import Deduction
from contracts.selectors import statement
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.models import Remittance
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db
D = Decimal
migration = importlib.import_module("tradespend.migrations.0007_remittance_reasons_as_codes")
CHINESE, ENGLISH = "总部回款 HK1126 扣款", "Taken in remittance HK1126"


@pytest.fixture
def remitted():
    """Walmart's head office paid HK1126 on invoice FP-1126 net of a TG fee with no reason and a DM fee "八月DM"."""
    account = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart")
    InvoiceFactory(number="FP-1126", account=account, date=date(2026, 11, 2), amount=D("9000.00"))
    finance = make_user(Role.FINANCE)
    outcome = remittance_record(
        account=account, date=date(2026, 11, 26), reference="HK1126", cash=D("8000.00"), by=finance,
        invoices=[InvoiceLine("FP-1126", D("9000.00"), 1)],
        deductions=[DeductionLine("tg", D("700.00"), row=2), DeductionLine("dm", D("300.00"), reason="八月DM", row=3)],
    )  # fmt: skip
    return {"account": account, "finance": finance, "remittance": outcome.remittance}


def _tg():
    return Deduction.objects.get(kind="tg")


def _reads(client, remitted, language):
    client.force_login(remitted["finance"])
    page = client.get(
        reverse("contracts:receivables-account", args=[remitted["account"].pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[_tg().pk]), HTTP_ACCEPT_LANGUAGE=language)
    api = client.get(f"/api/v1/deductions/{_tg().pk}/", HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        lines = list(statement(remitted["account"], date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)).lines)
    return page, sheet.content.decode(), api.json()["reason"], [line.reference for line in lines]


@pytest.mark.parametrize(("language", "reason", "other"), [("zh-hans", CHINESE, ENGLISH), ("en", ENGLISH, CHINESE)])
def test_the_reason_reads_in_the_readers_language(client, remitted, language, reason, other):
    page, sheet, api, references = _reads(client, remitted, language)

    assert reason in page and other not in page and "remittance HK1126" not in page.replace(ENGLISH, "")
    assert reason in sheet
    assert api == reason
    assert f"FP-1126 {reason}" in references
    assert "FP-1126 八月DM" in references  # the reason the advice gave, as given
    assert "八月DM" in page


def test_rows_stored_as_english_text_read_in_either_language_after_the_migration(client, remitted):
    # Given the TG fee as stored before: the English sentence, no code; and a reason someone typed alike elsewhere
    Deduction.objects.filter(kind="tg").update(reason="remittance HK1126", reason_code="", reason_params={})
    Deduction.objects.filter(kind="dm").update(reason="remittance HK0001")  # not this remittance's: kept
    # When the migration runs
    migration.to_codes(apps, None)
    # Then the old row reads as a new one, the other reason as it was
    assert (_tg().reason, _tg().reason_code, _tg().reason_params) == (
        "",
        "deduction.remittance",
        {"reference": "HK1126"},
    )
    for language, reason in (("zh-hans", CHINESE), ("en", ENGLISH)):
        page, _sheet, api, _references = _reads(client, remitted, language)
        assert reason in page and api == reason
    assert Deduction.objects.get(kind="dm").reason_text == "remittance HK0001"


def test_the_same_advice_keyed_again_is_still_the_one_recorded(remitted):
    again = remittance_record(
        account=remitted["account"], date=date(2026, 11, 26), reference="HK1126", cash=D("8000.00"),
        by=remitted["finance"], invoices=[InvoiceLine("FP-1126", D("9000.00"), 1)],
        deductions=[DeductionLine("tg", D("700.00"), row=2), DeductionLine("dm", D("300.00"), reason="八月DM", row=3)],
    )  # fmt: skip

    assert not again.created and again.remittance.pk == remitted["remittance"].pk


# What a search finds, whatever the reader's language: the sentence the books wrote in either language, the
# remittance's reference (kept in the reason's parameters), a phrase across both, a typed reason, an invoice's number.
SEARCHES = [
    ("HK1126", {("WMT", "tg")}),
    ("remittance", {("WMT", "tg")}),
    ("回款", {("WMT", "tg")}),
    ('"Taken in remittance HK1126"', {("WMT", "tg")}),
    ('"回款 HK1126 扣款"', {("WMT", "tg")}),
    ("TAKEN hk1126", {("WMT", "tg")}),
    ("八月DM", {("WMT", "dm")}),
    ("FP-1126", {("WMT", "tg"), ("WMT", "dm")}),
    ("reference", set()),  # the parameter's name is not read by anyone
    ("remittance HK0001", set()),
]


def _found(api_client, user, search, language="en", **params):
    api_client.force_authenticate(user)
    answer = api_client.get("/api/v1/deductions/", {"search": search, **params}, HTTP_ACCEPT_LANGUAGE=language)
    return answer.json()


def _page_found(client, user, q, language="en"):
    client.force_login(user)
    page = client.get(reverse("tradespend:deductions"), {"q": q}, HTTP_ACCEPT_LANGUAGE=language)
    return {(deduction.account.code, deduction.kind) for deduction in page.context["object_list"]}


def test_a_search_finds_a_deduction_by_what_its_reader_sees_on_every_door(api_client, client, admin_user, remitted):
    finance = remitted["finance"]
    for language in ("zh-hans", "en"):
        for search, expected in SEARCHES:
            results = _found(api_client, finance, search, language)["results"]
            assert {(row["account"], row["kind"]) for row in results} == expected, (language, search)
            assert _page_found(client, finance, search, language) == expected, (language, search)
    client.force_login(admin_user)
    admin = client.get(reverse("admin:contracts_deduction_changelist"), {"q": "回款"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [deduction.kind for deduction in admin.context["cl"].result_list] == ["tg"]
    assert ENGLISH in admin.content.decode()  # the reason as read, not the empty stored one


def test_a_search_stays_within_the_readers_accounts_and_is_paged_by_the_database(api_client, client, manager, remitted):
    # Given Carrefour, the manager's chain, paying its own remittance HK1126 net of a DM fee with no reason
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour", owner=manager)
    InvoiceFactory(number="FP-2001", account=carrefour, date=date(2026, 11, 3), amount=D("500.00"))
    remittance_record(
        account=carrefour, date=date(2026, 11, 27), reference="HK1126", cash=D("400.00"), by=remitted["finance"],
        invoices=[InvoiceLine("FP-2001", D("500.00"), 1)], deductions=[DeductionLine("dm", D("100.00"), row=2)],
    )  # fmt: skip
    assert Remittance.objects.filter(reference="HK1126").count() == 2

    # Then the manager finds Carrefour's alone, finance both, a page at a time
    mine = _found(api_client, manager, "HK1126")["results"]
    assert [(row["account"], row["kind"]) for row in mine] == [("CRF", "dm")]
    assert _page_found(client, manager, "HK1126") == {("CRF", "dm")}
    first = _found(api_client, remitted["finance"], "remittance", page_size=1)
    second = _found(api_client, remitted["finance"], "remittance", page_size=1, page=2)
    assert first["count"] == 2 and first["next"] and not second["next"]
    assert {first["results"][0]["account"], second["results"][0]["account"]} == {"WMT", "CRF"}
