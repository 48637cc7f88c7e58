"""Key-account pages: the list with its filters, an account's page, the contact log added in place."""

from datetime import date, timedelta
from io import BytesIO
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContactLog
from tests.factories import ContactFactory, ContactLogFactory, KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


def test_list_filters_by_tier_and_owner_and_keeps_them_in_links(client, admin_user, manager):
    KeyAccountFactory(code="WMT", name="沃尔玛", tier="GKA", owner=manager)
    KeyAccountFactory(code="LH", name="世纪联华", tier="NKA", owner=manager)
    KeyAccountFactory(code="LOCAL", name="本地连锁", tier="LKA")
    client.force_login(admin_user)

    html = client.get(reverse("accounts:account-list"), {"tier": "GKA"}).content.decode()
    assert "沃尔玛" in html and "世纪联华" not in html and "本地连锁" not in html

    html = client.get(reverse("accounts:account-list"), {"owner": manager.username, "o": "code"}).content.decode()
    assert html.index("世纪联华") < html.index("沃尔玛") and "本地连锁" not in html
    assert f"owner={manager.username}" in html  # the sort links keep the filter (a user by username)


def test_list_paginates(client, admin_user):
    KeyAccountFactory.create_batch(30)
    client.force_login(admin_user)
    first = client.get(reverse("accounts:account-list")).content.decode()
    second = client.get(reverse("accounts:account-list"), {"page": 2}).content.decode()
    assert "KA" in first and 'data-testid="page-info"' in first
    assert first.count("/accounts/") > second.count("/accounts/") > 0


def test_list_export_has_the_filtered_rows(client, admin_user):
    KeyAccountFactory(code="G1", tier="GKA")
    KeyAccountFactory(code="N1", tier="NKA")
    client.force_login(admin_user)
    response = client.get(reverse("accounts:account-list"), {"tier": "NKA", "export": "xlsx"})
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["N1"]


@pytest.mark.parametrize(("language", "name"), [("zh-hans", "重点客户"), ("en", "key accounts")])
def test_list_export_is_named_in_the_readers_language(client, admin_user, language, name):
    KeyAccountFactory(code="N1", tier="NKA")
    client.force_login(admin_user)

    response = client.get(reverse("accounts:account-list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)

    assert openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active.title == name
    assert f"{name}-" in unquote(response["Content-Disposition"])


def test_account_outside_scope_is_not_found(client, manager):
    other = KeyAccountFactory(owner=make_user("manager", username="mgr_other"))
    client.force_login(manager)
    assert client.get(reverse("accounts:account-detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("accounts:contact-log-add", args=[other.pk]), {"summary": "x"})
    assert response.status_code == 404
    assert not ContactLog.objects.exists()


def test_detail_shows_contacts_log_and_stores(client, manager):
    account = KeyAccountFactory(owner=manager, name="大润发")
    ContactFactory(account=account, name="王建国", title="采购总监")
    ContactLogFactory(account=account, author=manager, summary="谈二季度档期")
    StoreFactory(account=account, name="大润发杨浦店")
    client.force_login(manager)

    html = client.get(reverse("accounts:account-detail", args=[account.pk])).content.decode()

    assert "王建国" in html and "采购总监" in html and "谈二季度档期" in html and "大润发杨浦店" in html


def test_contact_log_added_in_place_with_htmx(client, manager):
    account = KeyAccountFactory(owner=manager)
    contact = ContactFactory(account=account, name="李晓梅")
    client.force_login(manager)
    today = timezone.localdate()

    response = client.post(
        reverse("accounts:contact-log-add", args=[account.pk]),
        {"date": today, "contact": contact.pk, "channel": "phone", "summary": "确认新品进场", "next_step": "报价",
         "follow_up_on": today + timedelta(days=3)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="contact-log"') and "确认新品进场" in html and "李晓梅" in html
    entry = ContactLog.objects.get()
    assert entry.author == manager and entry.follow_up_on == today + timedelta(days=3)


def test_double_tap_keeps_one_entry(client, manager):
    account = KeyAccountFactory(owner=manager)
    client.force_login(manager)
    data = {"date": timezone.localdate(), "channel": "visit", "summary": "拜访采购"}
    url = reverse("accounts:contact-log-add", args=[account.pk])
    client.post(url, data)
    client.post(url, data)
    assert ContactLog.objects.count() == 1


def test_bad_entry_is_named_and_what_was_typed_is_kept(client, manager):
    account = KeyAccountFactory(owner=manager)
    client.force_login(manager)
    response = client.post(
        reverse("accounts:contact-log-add", args=[account.pk]),
        {"date": date(2026, 5, 10), "channel": "visit", "summary": "年度合同谈判", "follow_up_on": date(2026, 5, 1)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "must not be before the contact date" in html
    assert "年度合同谈判" in html
    assert not ContactLog.objects.exists()


def test_rep_cannot_add_to_the_log(client, rep):
    account = StoreFactory(rep=rep).account
    client.force_login(rep)
    response = client.post(reverse("accounts:contact-log-add", args=[account.pk]), {"summary": "x"})
    assert response.status_code == 403


def test_contact_add_and_edit(client, manager):
    account = KeyAccountFactory(owner=manager)
    client.force_login(manager)
    response = client.post(
        reverse("accounts:contact-add", args=[account.pk]),
        {"name": "周婷", "title": "店长", "part": "beneficiary", "relationship_level": 1, "birthday": "1985-03-08"},
    )
    assert response.status_code == 302
    contact = account.contacts.get()
    assert contact.birthday == date(1985, 3, 8) and contact.part == "beneficiary"

    response = client.post(
        reverse("accounts:contact-edit", args=[account.pk, contact.pk]),
        {"name": "周婷", "title": "店长", "part": "beneficiary", "relationship_level": 5},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "周婷" in response.content.decode()


def test_manager_home_lists_follow_ups_due_and_birthdays(client, manager):
    today = timezone.localdate()
    account = KeyAccountFactory(owner=manager, name="农工商")
    soon = ContactFactory(
        account=account, name="陈立新", birthday=date(1980, *(today + timedelta(days=3)).timetuple()[1:3])
    )
    ContactFactory(account=account, name="远生日", birthday=date(1980, *(today + timedelta(days=20)).timetuple()[1:3]))
    ContactLogFactory(
        account=account,
        author=manager,
        next_step="提交促销方案",
        date=today - timedelta(days=7),
        follow_up_on=today - timedelta(days=1),
    )
    ContactLogFactory(account=account, author=manager, next_step="很久以后", follow_up_on=today + timedelta(days=30))
    ContactLogFactory(account=account, author=manager, next_step="已完成的", follow_up_on=today, follow_up_done=True)
    client.force_login(manager)

    html = client.get(reverse("home")).content.decode()

    assert "提交促销方案" in html and "很久以后" not in html and "已完成的" not in html
    assert soon.name in html and "远生日" not in html


def test_follow_up_done_leaves_the_home_page(client, manager):
    today = timezone.localdate()
    entry = ContactLogFactory(
        account=KeyAccountFactory(owner=manager), author=manager, next_step="回电", follow_up_on=today
    )
    client.force_login(manager)
    client.post(reverse("accounts:follow-up-done", args=[entry.account_id, entry.pk]), {"next": "/"})
    entry.refresh_from_db()
    assert entry.follow_up_done
    assert "回电" not in client.get(reverse("home")).content.decode()


def test_manager_sets_a_years_targets(client, manager):
    from accounts.models import SalesTarget

    account = KeyAccountFactory(owner=manager)
    SalesTarget.objects.create(account=account, year=2027, month=12, amount=5)
    client.force_login(manager)
    data = {f"m{m}": "10000.50" for m in range(1, 12)}  # December left empty: no target

    response = client.post(reverse("accounts:targets-edit", args=[account.pk]) + "?year=2027", data)

    assert response.status_code == 302
    targets = dict(SalesTarget.objects.filter(account=account, year=2027).values_list("month", "amount"))
    assert len(targets) == 11 and 12 not in targets and str(targets[3]) == "10000.50"


def test_negative_target_is_refused_and_nothing_changes(client, manager):
    from accounts.models import SalesTarget

    account = KeyAccountFactory(owner=manager)
    client.force_login(manager)
    response = client.post(
        reverse("accounts:targets-edit", args=[account.pk]) + "?year=2027", {"m1": "100", "m2": "-5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400 and 'value="-5"' in response.content.decode()
    assert not SalesTarget.objects.exists()


def test_supervisor_cannot_set_targets(client, supervisor):
    account = StoreFactory(rep=supervisor).account
    client.force_login(supervisor)
    assert client.get(reverse("accounts:targets-edit", args=[account.pk])).status_code == 403
