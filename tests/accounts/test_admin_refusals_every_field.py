"""The admin's forms for accounts say every wrong field in the rule's words, however many are wrong (QA: the sales
target's add form with month 13 and amount −5 showed '约束 “salestarget_amount_not_negative” 是无效的' beside the
month's error: the rule stopped at the month, and Django's own check of the constraint said the amount in its words,
naming the constraint). A database constraint's name is never what a user reads."""

from decimal import Decimal

import pytest

from accounts.models import CollectionTarget, ContactLog, SalesTarget, StoreTarget
from tests.factories import ContactFactory, KeyAccountFactory, StoreFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _constraint_names(model) -> list[str]:
    return [constraint.name for constraint in model._meta.constraints]


def _errors(response) -> dict:
    return {name: list(messages) for name, messages in response.context["adminform"].form.errors.items()}


@pytest.fixture
def account(db):
    return KeyAccountFactory(code="MINE")


def test_a_sales_target_with_both_month_and_amount_wrong_reads_both_rules(client, admin_user, account):
    client.force_login(admin_user)
    form = {"account": account.pk, "year": "2026", "month": "13", "amount": "-5"}

    english = client.post("/admin/accounts/salestarget/add/", form, **EN)
    chinese = client.post("/admin/accounts/salestarget/add/", form, **ZH)

    assert _errors(english) == {
        "month": ["Month 13 is not between 1 and 12."],
        "amount": ["The target must not be negative."],  # no month to name: the month is wrong
    }
    for page in (english.content.decode(), chinese.content.decode()):
        assert not any(name in page for name in _constraint_names(SalesTarget))
    assert "约束" not in chinese.content.decode()  # Django's "Constraint … is violated", in Chinese
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize(
    ("month", "amount", "errors"),
    [
        ("5", "-5", {"amount": ["The target for month 5 must not be negative."]}),
        ("0", "100", {"month": ["Month 0 is not between 1 and 12."]}),
        ("x", "-5", {"month": ["Enter a whole number."], "amount": ["The target must not be negative."]}),
    ],
)
def test_a_sales_target_reads_the_rule_for_each_field_wrong(client, admin_user, account, month, amount, errors):
    client.force_login(admin_user)

    response = client.post(
        "/admin/accounts/salestarget/add/",
        {"account": account.pk, "year": "2026", "month": month, "amount": amount},
        **EN,
    )

    assert _errors(response) == errors
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize(
    ("path", "model", "owner"),
    [("storetarget", StoreTarget, "store"), ("collectiontarget", CollectionTarget, "account")],
)
def test_a_store_or_collection_target_with_month_and_amount_wrong_reads_both_rules(
    client, admin_user, account, path, model, owner
):
    owners = {"store": StoreFactory(account=account).pk, "account": account.pk}
    client.force_login(admin_user)

    response = client.post(
        f"/admin/accounts/{path}/add/", {owner: owners[owner], "month": "2026-03-15", "amount": "-5"}, **EN
    )

    # the rule's words beside each field, not Django's "Ensure this value is greater than or equal to 0."
    assert _errors(response) == {
        "month": ["Give the month as its first day (2026-03-01), not 2026-03-15."],
        "amount": ["The target for month 2026-03 must not be negative."],
    }
    assert not any(name in response.content.decode() for name in _constraint_names(model))
    assert not model.objects.exists()


def test_a_contact_log_entry_with_another_accounts_contact_still_reads_the_follow_up_rule(client, admin_user, account):
    someone_else = ContactFactory(account=KeyAccountFactory(code="OTHER"))
    client.force_login(admin_user)
    form = {"account": account.pk, "contact": someone_else.pk, "date": "2026-11-20", "channel": "phone",
            "summary": "电话", "next_step": "", "follow_up_on": "2026-11-19"}  # fmt: skip

    response = client.post("/admin/accounts/contactlog/add/", form, **EN)

    errors = _errors(response)
    assert errors["follow_up_on"] == ["The follow-up date must not be before the contact date."]
    assert "contact" in errors
    assert "contactlog_follow_up_not_before_date" not in response.content.decode()
    assert not ContactLog.objects.exists()


def test_a_good_target_is_still_saved_through_the_admin(client, admin_user, account):
    client.force_login(admin_user)

    response = client.post(
        "/admin/accounts/salestarget/add/", {"account": account.pk, "year": "2026", "month": "3", "amount": "0"}, **EN
    )

    assert response.status_code == 302
    target = SalesTarget.objects.get()
    assert (target.account, target.year, target.month, target.amount) == (account, 2026, 3, Decimal("0.00"))
