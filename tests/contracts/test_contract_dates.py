"""A contract's dates (signed on, valid from, valid to) and a trade-term line's (valid from, valid to) lie between the
books' start (2000-01-01) and KA.contract_years_ahead (10) years after today: 1900-01-01 or 9999-12-31 is refused at
every door — page, API create and update, the Excel import of terms, the admin — naming the field, in the reader's
language, and nothing is written. A contract already holding a date past the bound (entered before it) stays
editable: only a date typed anew is checked. (Every door × rule: tests/ka_portal/write_path_matrix.py.)"""

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from contracts import rules, services
from contracts.models import Contract, ContractTerm
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from tests.imports.xlsx import xlsx_upload

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATEST = date(2036, 11, 23)  # TODAY + 10 years (KA.contract_years_ahead)
TERM_HEADERS = ["contract number", "kind", "basis", "period", "rate %", "amount", "tiers", "valid from", "valid to",
                "settlement", "note"]  # fmt: skip


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def contract(account):
    return ContractFactory(number="HT-1", account=account, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def _contract_body(account, **dates) -> dict:
    return {"number": "HT-NEW", "account": account.code, "kind": "annual", "status": "active",
            "valid_from": "2026-01-01", "valid_to": "2026-12-31", "payment_terms_days": 60, **dates}  # fmt: skip


# --- the rule ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, code",
    [
        (date(1900, 1, 1), "books.date_before_start"),
        (date(1999, 12, 31), "books.date_before_start"),
        (date(2000, 1, 1), None),
        (LATEST, None),
        (date(2036, 11, 24), "contract.date_too_far_ahead"),
        (date(9999, 12, 31), "contract.date_too_far_ahead"),
    ],
)
def test_a_contract_date_lies_between_the_books_start_and_ten_years_ahead(day, code):
    def check():
        rules.check_contract_date(day, today=TODAY, years_ahead=10, field="valid_to", label="Valid to")

    if code is None:
        check()
    else:
        with pytest.raises(DomainError) as refused:
            check()
        assert (refused.value.code, refused.value.field) == (code, "valid_to")


def test_ten_years_after_29_february_is_28_february():
    assert rules.years_after(date(2028, 2, 29), 10) == date(2038, 2, 28)


def test_the_years_ahead_are_a_setting(settings, account):
    settings.KA = dataclasses.replace(settings.KA, contract_years_ahead=1)

    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            services.contract_create(
                number="HT-2", account=account, kind="annual", valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31)
            )

        assert refused.value.detail == (
            "Valid to: 2027-12-31 is more than 1 years after today; contracts take dates up to 2027-11-23."
        )
    assert not Contract.objects.filter(number="HT-2").exists()


def test_the_setting_is_checked_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="KA_CONTRACT_YEARS_AHEAD=0: allowed is a whole number from 1 to 50"):
        dataclasses.replace(settings.KA, contract_years_ahead=0)


# --- contracts: the API, the page, the admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "dates, field, message",
    [
        ({"valid_from": "1900-01-01"}, "valid_from", "Valid from: 1900-01-01 is before the books start on 2000-01-01."),
        (
            {"valid_to": "9999-12-31"},
            "valid_to",
            "Valid to: 9999-12-31 is more than 10 years after today; contracts take dates up to 2036-11-23.",
        ),
        (
            {"signed_on": "9999-12-31"},
            "signed_on",
            "Signed on: 9999-12-31 is more than 10 years after today; contracts take dates up to 2036-11-23.",
        ),
    ],
)
def test_the_api_refuses_a_contract_date_naming_the_field(api_client, finance, account, dates, field, message):
    api_client.force_authenticate(finance)

    response = api_client.post("/api/v1/contracts/", _contract_body(account, **dates), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "books.date_before_start" if field == "valid_from" else "contract.date_too_far_ahead",
        field,
    )
    assert response.json()["detail"] == message
    assert not Contract.objects.filter(number="HT-NEW").exists()


def test_the_api_takes_a_contract_ending_ten_years_ahead(api_client, finance, account):
    api_client.force_authenticate(finance)

    response = api_client.post("/api/v1/contracts/", _contract_body(account, valid_to="2036-11-23"))

    assert response.status_code == 201
    assert Contract.objects.get(number="HT-NEW").valid_to == LATEST


def test_the_api_update_says_it_in_chinese(api_client, finance, contract):
    api_client.force_authenticate(finance)

    response = api_client.patch(
        f"/api/v1/contracts/{contract.pk}/", {"valid_to": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "valid_to"
    assert response.json()["detail"] == "到期日期：9999-12-31 晚于今天 10 年以上；合同只接受 2036-11-23 及以前的日期。"
    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)


def test_the_page_shows_the_refusal_next_to_the_field_keeping_what_was_typed(client, finance, contract):
    client.force_login(finance)
    form = {"number": "HT-1", "account": contract.account.pk, "kind": "annual", "status": "active",
            "valid_from": "1900-01-01", "valid_to": "2026-12-31", "total_amount": "0", "rebate_percent": "0",
            "listing_fee": "0", "payment_terms_days": "60"}  # fmt: skip

    response = client.post(reverse("contracts:contract-edit", args=[contract.pk]), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "valid_from": ["Valid from: 1900-01-01 is before the books start on 2000-01-01."]
    }
    assert 'value="1900-01-01"' in response.content.decode()
    contract.refresh_from_db()
    assert contract.valid_from == date(2026, 1, 1)


def test_the_admin_shows_the_refusal_next_to_the_field(client, admin_user, contract):
    client.force_login(admin_user)
    form = {"number": "HT-1", "account": contract.account.pk, "kind": "annual", "status": "active",
            "signed_on": "2062-01-05", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "total_amount": "0",
            "rebate_percent": "0", "listing_fee": "0", "payment_terms_days": "60"}  # fmt: skip

    response = client.post(
        reverse("admin:contracts_contract_change", args=[contract.pk]), form, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signed_on"] == [
        "Signed on: 2062-01-05 is more than 10 years after today; contracts take dates up to 2036-11-23."
    ]
    contract.refresh_from_db()
    assert contract.signed_on == date(2026, 1, 5)


def test_a_contract_holding_a_date_past_the_bound_stays_editable(contract):
    # given a contract entered before the bound, ending in 9999
    Contract.objects.filter(pk=contract.pk).update(valid_to=date(9999, 12, 31))
    contract.refresh_from_db()

    # when its status changes (its dates as they are)
    services.contract_update(contract=contract, status=Contract.Status.TERMINATED, valid_to=date(9999, 12, 31))

    # then it is saved; a date typed anew is still checked
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.TERMINATED
    with pytest.raises(DomainError) as refused:
        services.contract_update(contract=contract, valid_to=date(9999, 12, 30))
    assert refused.value.code == "contract.date_too_far_ahead"


# --- trade-term lines: the API, the page, the import ----------------------------------------------------------


def test_a_term_past_the_bound_is_refused_naming_its_date_not_its_contract(api_client, finance, contract):
    # given a contract entered before the bound (1999 to 9999), so its line's years lie within it
    Contract.objects.filter(pk=contract.pk).update(valid_from=date(1999, 1, 1), valid_to=date(9999, 12, 31))
    api_client.force_authenticate(finance)
    line = {"contract": contract.pk, "kind": "listing", "basis": "fixed", "period": "once", "amount": "500.00",
            "settlement": "deducted"}  # fmt: skip

    early = api_client.post("/api/v1/contract-terms/", {**line, "valid_from": "1999-06-01", "valid_to": "2026-12-31"})
    late = api_client.post("/api/v1/contract-terms/", {**line, "valid_from": "2026-01-01", "valid_to": "2040-01-01"})

    assert (early.status_code, early.json()["code"], early.json()["field"]) == (
        400, "books.date_before_start", "valid_from"
    )  # fmt: skip
    assert (late.status_code, late.json()["code"], late.json()["field"]) == (
        400, "contract.date_too_far_ahead", "valid_to"
    )  # fmt: skip
    assert not ContractTerm.objects.exists()


def test_the_term_page_shows_the_refusal_next_to_the_field(client, finance, contract):
    client.force_login(finance)
    form = {"kind": "listing", "basis": "fixed", "period": "once", "amount": "500.00", "settlement": "deducted",
            "valid_from": "2026-01-01", "valid_to": "9999-12-31"}  # fmt: skip

    response = client.post(reverse("contracts:term-create", args=[contract.pk]), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "valid_to": ["Valid to: 9999-12-31 is more than 10 years after today; contracts take dates up to 2036-11-23."]
    }
    assert not ContractTerm.objects.exists()


def test_the_import_names_the_column_in_the_readers_language(finance, contract):
    Contract.objects.filter(pk=contract.pk).update(valid_to=date(9999, 12, 31))
    row = ["HT-1", "listing", "fixed", "once", None, 500, None, "2026-01-01", "2099-12-31", "deducted", ""]

    with pytest.raises(ImportRejected) as refused, translation.override("zh-hans"):
        run_import(kind=KINDS["contract-terms"], source=xlsx_upload(TERM_HEADERS, [row]), user=finance)

    [problem] = refused.value.errors
    assert (problem.row, problem.field) == (2, "valid_to")
    assert problem.message == "到期日期：2099-12-31 晚于今天 10 年以上；合同只接受 2036-11-23 及以前的日期。"
    assert not ContractTerm.objects.exists()
