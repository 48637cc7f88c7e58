"""The roster's pages: what they show (not only 200), what their forms do and refuse, who reaches them."""

import html
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from promoters.models import Promoter, PromoterTarget, Shift
from tests.factories import make_user

from .factories import PromoterFactory, PromoterTargetFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, scene):
    client.force_login(scene.supervisor)
    return client


def _monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


# --- the roster list --------------------------------------------------------------------------------------------


def test_the_roster_lists_the_supervisors_promoters_only(page, scene):
    response = page.get(reverse("promoters:roster"))
    body = response.content.decode()
    assert "王小红" in body and "PA1" in body and "甲店" in body
    assert "李小兰" not in body and "丙店" not in body


def test_a_store_of_another_supervisor_is_not_named(page, scene):
    scene.promoter.stores.add(scene.foreign_store)
    body = page.get(reverse("promoters:roster")).content.decode()
    assert "甲店" in body and "丙店" not in body


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"q": "王小"}, True),
        ({"q": "1390000"}, True),
        ({"q": "nobody"}, False),
        ({"kind": "merchandiser"}, False),
        ({"employer": "maker"}, True),
        ({"store": "S-A2"}, True),
        ({"active_on": "2025-12-31"}, False),
        ({"active_on": "2026-01-01"}, True),
    ],
)
def test_the_roster_filters(page, scene, query, shown):
    body = page.get(reverse("promoters:roster"), query).content.decode()
    assert ("王小红" in body) is shown


def test_the_roster_exports_what_it_lists(page, scene):
    response = page.get(reverse("promoters:roster"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "PA1" and rows[1][7] == "S-A1,S-A2"


def test_the_roster_runs_a_fixed_number_of_queries(page, scene, django_assert_max_num_queries):
    page.get(reverse("promoters:roster"))  # warm caches (session, content types)
    with django_assert_max_num_queries(14) as few:
        page.get(reverse("promoters:roster"))
    for _n in range(8):
        PromoterFactory(supervisor=scene.supervisor, stores=[scene.store, scene.second_store])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page.get(reverse("promoters:roster"))


def test_a_promoter_is_sent_away_from_the_roster(client, scene):
    client.force_login(scene.promoter.user)
    assert client.get(reverse("promoters:roster")).status_code == 403
    assert client.get(reverse("promoters:week")).status_code == 403


def test_finance_reads_every_promoter_but_adds_none(client, scene):
    client.force_login(make_user(Role.FINANCE, username="fin_x"))
    body = client.get(reverse("promoters:roster")).content.decode()
    assert "王小红" in body and "李小兰" in body
    assert client.get(reverse("promoters:promoter-new")).status_code == 403


# --- a promoter -------------------------------------------------------------------------------------------------


def test_the_promoters_page_shows_stores_the_coming_shifts_and_targets(page, scene):
    today = timezone.localdate()
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=today + timedelta(days=3))
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=today + timedelta(days=20))  # beyond two weeks
    PromoterTargetFactory(promoter=scene.promoter, month=date(2026, 11, 1), amount=Decimal("30000"))
    body = page.get(reverse("promoters:promoter-detail", args=[scene.promoter.pk])).content.decode()
    assert "乙店" in body and (today + timedelta(days=3)).isoformat() in body
    assert (today + timedelta(days=20)).isoformat() not in body
    assert "2026-11" in body and "30,000.00" in body


def test_another_supervisors_promoter_is_not_found(page, scene):
    assert page.get(reverse("promoters:promoter-detail", args=[scene.foreign_promoter.pk])).status_code == 404
    assert page.get(reverse("promoters:promoter-edit", args=[scene.foreign_promoter.pk])).status_code == 404


def _form(scene, **changes):
    data = {
        "code": "PN9", "name": "赵小燕", "phone": "13911112222", "kind": "promoter", "employer": "maker", "agency": "",
        "supervisor": scene.supervisor.pk, "user": "", "stores": [scene.store.code], "daily_fee": "200",
        "monthly_pay": "", "started_on": "2026-11-01", "ended_on": "",
    }  # fmt: skip
    return {**data, **changes}


def test_a_promoter_is_added_on_the_form(page, scene):
    response = page.post(reverse("promoters:promoter-new"), _form(scene))
    promoter = Promoter.objects.get(code="PN9")
    assert response.status_code == 302 and list(promoter.stores.all()) == [scene.store]


def test_a_refusal_shows_next_to_its_field_and_keeps_what_was_typed(page, scene):
    response = page.post(reverse("promoters:promoter-new"), _form(scene, employer="agency"))
    form = response.context["form"]
    assert list(form.errors) == ["agency"]
    assert 'value="赵小燕"' in response.content.decode()
    assert not Promoter.objects.filter(code="PN9").exists()


def test_a_promoters_stores_are_chosen_by_code_and_past_many_typed_in_a_box(page, scene, monkeypatch):
    """The promoter form's stores (ka_portal.lists.choose_codes): a multiple select of codes while the supervisor's
    stores fit in one, past RecordChoice.MANY a box of codes separated by spaces or commas, which keeps what was
    typed and names a code the supervisor's stores do not hold."""
    from ka_portal.lists import RecordChoice

    body = page.get(reverse("promoters:promoter-new")).content.decode()
    assert '<option value="S-A1">S-A1 甲店</option>' in body and "S-B1" not in body
    monkeypatch.setattr(RecordChoice, "MANY", 1)
    body = page.get(reverse("promoters:promoter-new")).content.decode()
    box = re.search(r'<input type="text" name="stores"[^>]*>', body).group(0)
    assert 'placeholder="编码，以空格分隔"' in box and "<option" not in body.split('name="stores"')[1][:200]
    # another supervisor's store named: refused beside the box, what was typed kept
    answer = page.post(reverse("promoters:promoter-new"), _form(scene, stores="S-A1, S-B1"))
    assert answer.context["form"].errors["stores"] == ["可选范围内没有编码为 S-B1 的选项。"]
    assert 'value="S-A1 S-B1"' in re.search(r'<input type="text" name="stores"[^>]*>', answer.content.decode()).group(0)
    assert not Promoter.objects.filter(code="PN9").exists()
    # both of the supervisor's, separated by a comma and a space
    page.post(reverse("promoters:promoter-new"), _form(scene, stores="S-A1，S-A2"))
    assert set(Promoter.objects.get(code="PN9").stores.values_list("code", flat=True)) == {"S-A1", "S-A2"}
    # and the edit page shows them in the box
    promoter = Promoter.objects.get(code="PN9")
    body = page.get(reverse("promoters:promoter-edit", args=[promoter.pk])).content.decode()
    assert 'value="S-A1 S-A2"' in re.search(r'<input type="text" name="stores"[^>]*>', body).group(0)


def test_both_pays_are_refused_next_to_the_daily_fee(page, scene):
    response = page.post(reverse("promoters:promoter-new"), _form(scene, monthly_pay="4000"))
    assert list(response.context["form"].errors) == ["daily_fee"]


# --- month targets ----------------------------------------------------------------------------------------------


def test_month_targets_are_set_for_every_promoter_at_once(page, scene):
    second = PromoterFactory(supervisor=scene.supervisor, stores=[scene.store], name="周小梅")
    url = reverse("promoters:targets")
    body = page.get(url, {"month": "2026-11"}).content.decode()
    assert "王小红" in body and "周小梅" in body and "李小兰" not in body
    page.post(url, {"month": "2026-11", f"amount_{scene.promoter.pk}": "30000", f"amount_{second.pk}": ""})
    assert dict(PromoterTarget.objects.values_list("promoter__code", "amount")) == {"PA1": Decimal("30000")}


def test_a_bad_amount_is_shown_next_to_its_row(page, scene):
    response = page.post(reverse("promoters:targets"), {"month": "2026-11", f"amount_{scene.promoter.pk}": "-5"},
                         HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 200 and not PromoterTarget.objects.exists()
    body = response.content.decode()
    assert "王小红 (PA1): The target for month 2026-11 must not be negative." in body  # named with its promoter
    assert f'name="amount_{scene.promoter.pk}" value="-5"' in body


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1e4", "Write the number in digits, e.g. 12000.50."),  # was saved as 10,000
        ("2,8", "“2,8” is not a number."),  # was saved as 28.00
        ("12000.505", "More than 2 decimal places: 12000.505."),
    ],
)
def test_a_target_is_read_as_the_app_reads_an_amount_and_a_refusal_names_its_promoter(page, scene, typed, said):
    """QA: Decimal(raw.replace(",", "")) read "1e4" as 10,000 and "2,8" as 28; the shared reading refuses them,
    naming the row's promoter above the form and keeping every amount as typed; nothing is saved."""
    second = PromoterFactory(supervisor=scene.supervisor, stores=[scene.store], name="周小梅", code="PA2")
    response = page.post(
        reverse("promoters:targets"),
        {"month": "2026-11", f"amount_{scene.promoter.pk}": typed, f"amount_{second.pk}": "¥8,000"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = html.unescape(response.content.decode())
    assert not PromoterTarget.objects.exists()
    assert f"王小红 (PA1): {said}" in body and "周小梅 (PA2):" not in body
    assert f'name="amount_{scene.promoter.pk}" value="{typed}"' in body
    assert f'name="amount_{second.pk}" value="¥8,000"' in body


def test_a_target_typed_on_a_chinese_keyboard_is_saved_as_typed(page, scene):
    """QA: "¥12000.5" was refused; 。 is the point of a Chinese keyboard."""
    second = PromoterFactory(supervisor=scene.supervisor, stores=[scene.store], name="周小梅", code="PA2")
    page.post(
        reverse("promoters:targets"),
        {"month": "2026-11", f"amount_{scene.promoter.pk}": "¥12000.5", f"amount_{second.pk}": "８000。25"},
    )
    assert dict(PromoterTarget.objects.values_list("promoter__code", "amount")) == {
        "PA1": Decimal("12000.50"), "PA2": Decimal("8000.25"),
    }  # fmt: skip


def test_saving_the_targets_counts_only_those_that_changed(page, scene):
    """QA: "已保存 3 个指标" when one of three changed."""
    month = date(2026, 11, 1)
    second = PromoterFactory(supervisor=scene.supervisor, stores=[scene.store], name="周小梅", code="PA2")
    third = PromoterFactory(supervisor=scene.supervisor, stores=[scene.store], name="赵小燕", code="PA3")
    PromoterTargetFactory(promoter=scene.promoter, month=month, amount=Decimal("30000"))
    PromoterTargetFactory(promoter=second, month=month, amount=Decimal("20000"))
    url = reverse("promoters:targets")
    sent = {"month": "2026-11", f"amount_{scene.promoter.pk}": "30,000.00", f"amount_{second.pk}": "25000",
            f"amount_{third.pk}": ""}  # fmt: skip
    body = page.post(url, sent, follow=True).content.decode()
    assert "已保存 1 个指标" in body
    assert page.post(url, sent, follow=True).content.decode().count("已保存") == 0  # nothing changed the second time
    assert dict(PromoterTarget.objects.values_list("promoter__code", "amount")) == {
        "PA1": Decimal("30000"), "PA2": Decimal("25000"),
    }  # fmt: skip


# --- the week ---------------------------------------------------------------------------------------------------


def test_the_week_shows_each_shift_in_its_promoters_row_and_day(page, scene):
    monday = _monday()
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday + timedelta(days=2),
                 starts_at=time(10), ends_at=time(14))  # fmt: skip
    ShiftFactory(promoter=scene.foreign_promoter, store=scene.foreign_store, day=monday)
    response = page.get(reverse("promoters:week"), {"week": monday.isoformat()})
    rows = response.context["rows"]
    assert [row["promoter"].code for row in rows] == ["PA1"]
    assert [len(cell) for cell in rows[0]["cells"]] == [0, 0, 1, 0, 0, 0, 0]
    body = response.content.decode()
    assert "10:00–14:00" in body and "乙店" in body and "李小兰" not in body


def test_an_ended_shift_shows_its_attendance_and_is_not_offered_for_editing(page, scene):
    # given last week's shift nobody checked in to, and next week's
    monday = _monday() - timedelta(days=7)
    absent = ShiftFactory(promoter=scene.promoter, store=scene.store, day=monday, starts_at=time(8), ends_at=time(12))
    # when the supervisor reads that week
    body = page.get(reverse("promoters:week"), {"week": monday.isoformat()}).content.decode()
    # then the shift reads absent, without a link to edit it; the edit page refuses a move
    cell = body.split('data-testid="shift"')[1]
    assert "缺勤" in cell and reverse("promoters:shift-edit", args=[absent.pk]) not in body
    response = page.post(reverse("promoters:shift-edit", args=[absent.pk]),
                         {"promoter": scene.promoter.pk, "store": scene.store.code, "day": monday.isoformat(),
                          "starts_at": "09:00", "ends_at": "12:00", "plan": ""})  # fmt: skip
    assert "can no longer be changed" in str(response.context["form"].errors) or "不能" in response.content.decode()
    absent.refresh_from_db()
    assert absent.starts_at == time(8)


def test_a_shift_started_without_a_check_in_is_not_offered_for_editing(page, scene, time_machine):
    # given today's 09:00–17:00 shift, 10:00 now and no check-in yet (an hour late so far)
    today = timezone.localdate()
    time_machine.move_to(timezone.make_aware(datetime.combine(today, time(10))), tick=False)
    started = ShiftFactory(promoter=scene.promoter, store=scene.store, day=today, starts_at=time(9), ends_at=time(17))
    # when the supervisor reads the week, then the shift has no edit link, and its edit page says why before typing
    body = page.get(reverse("promoters:week"), {"week": _monday().isoformat()}).content.decode()
    assert reverse("promoters:shift-edit", args=[started.pk]) not in body
    body = page.get(reverse("promoters:shift-edit", args=[started.pk])).content.decode()
    assert 'data-testid="shift-locked"' in body and "09:00 开始" in body


def test_the_week_filters_by_store(page, scene):
    monday = _monday()
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday)
    response = page.get(reverse("promoters:week"), {"week": monday.isoformat(), "store": "S-A1"})
    assert response.context["rows"] == []
    assert page.get(reverse("promoters:week"), {"store": "S-B1"}).status_code == 404


def test_the_form_schedules_the_ticked_days(page, scene):
    monday = _monday() + timedelta(days=7)  # next week: a shift is planned before it starts
    days = [monday.isoformat(), (monday + timedelta(days=2)).isoformat()]
    response = page.post(
        reverse("promoters:week"),
        {"week": monday.isoformat(), "promoter": scene.promoter.pk, "store": scene.store.code, "days": days,
         "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert sorted(Shift.objects.values_list("day", flat=True)) == [monday, monday + timedelta(days=2)]


def test_an_overlap_is_refused_next_to_the_field_keeping_the_days_ticked(page, scene):
    monday = _monday() + timedelta(days=7)
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday + timedelta(days=1),
                 starts_at=time(12), ends_at=time(18))  # fmt: skip
    days = [monday.isoformat(), (monday + timedelta(days=1)).isoformat()]
    response = page.post(
        reverse("promoters:week"),
        {"week": monday.isoformat(), "promoter": scene.promoter.pk, "store": scene.store.code, "days": days,
         "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
    )  # fmt: skip
    form = response.context["form"]
    assert "starts_at" in form.errors and "乙店" in str(form.errors["starts_at"])
    assert Shift.objects.count() == 1
    body = response.content.decode()
    assert f'value="{days[0]}"' in body and "checked" in body


def test_an_overlap_on_some_of_the_days_ticked_names_those_days(page, scene):
    """QA: the refusal said "that day" with five days ticked; the page names each day that overlaps, with the shift
    it overlaps, next to the times."""
    monday = _monday() + timedelta(days=7)
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday + timedelta(days=2),
                 starts_at=time(12), ends_at=time(18))  # fmt: skip
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday + timedelta(days=4),
                 starts_at=time(8), ends_at=time(10))  # fmt: skip
    days = [(monday + timedelta(days=offset)).isoformat() for offset in range(5)]
    response = page.post(
        reverse("promoters:week"),
        {"week": monday.isoformat(), "promoter": scene.promoter.pk, "store": scene.store.code, "days": days,
         "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    said = html.unescape(response.content.decode())
    assert response.status_code == 200 and Shift.objects.count() == 2
    assert (
        f"{days[2]}: This overlaps the promoter's shift at 乙店 (S-A2) from 12:00 to 18:00 that day. "
        f"{days[4]}: This overlaps the promoter's shift at 乙店 (S-A2) from 08:00 to 10:00 that day." in said
    )
    assert days[0] + ":" not in said and days[1] + ":" not in said  # the days that fit are not named
    chinese = html.unescape(page.post(
        reverse("promoters:week"),
        {"week": monday.isoformat(), "promoter": scene.promoter.pk, "store": scene.store.code, "days": days,
         "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
    ).content.decode())  # fmt: skip
    assert f"{days[2]}：" in chinese and f"{days[4]}：" in chinese


def test_copy_last_week(page, scene):
    monday = _monday() + timedelta(days=7)
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=monday - timedelta(days=7))
    page.post(reverse("promoters:week-copy"), {"week": monday.isoformat(), "store": ""})
    assert Shift.objects.filter(day=monday).count() == 1


def _wednesday_8am(time_machine) -> date:
    """Wednesday of the week of Monday 2026-11-23, 08:00: Monday and Tuesday are gone by."""
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 25, 8)), tick=False)
    return date(2026, 11, 23)


def test_a_day_gone_by_is_not_planned_on_the_week_and_the_form_says_which(page, scene, time_machine):
    monday = _wednesday_8am(time_machine)
    days = [(monday + timedelta(days=1)).isoformat(), (monday + timedelta(days=3)).isoformat()]
    response = page.post(
        reverse("promoters:week"),
        {"week": monday.isoformat(), "promoter": scene.promoter.pk, "store": scene.store.code, "days": days,
         "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200 and not Shift.objects.exists()
    assert (
        "This shift would start on 2026-11-24 at 09:00, which has already passed: plan shifts before they start."
        in html.unescape(response.content.decode())
    )


def test_copying_last_week_midweek_copies_the_days_to_come_and_says_how_many_were_left_off(page, scene, time_machine):
    monday = _wednesday_8am(time_machine)
    for offset in range(4):  # last week's Monday to Thursday
        ShiftFactory(promoter=scene.promoter, store=scene.store, day=monday - timedelta(days=7 - offset))
    response = page.post(reverse("promoters:week-copy"), {"week": monday.isoformat(), "store": ""}, follow=True,
                         HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert sorted(Shift.objects.filter(day__gte=monday).values_list("day", flat=True)) == [
        monday + timedelta(days=2), monday + timedelta(days=3),
    ]  # fmt: skip
    body = html.unescape(response.content.decode())
    assert "2 shifts copied from last week. 2 shifts were left off: their time this week has already begun." in body


def test_a_copy_refused_names_the_promoter_and_the_day(page, scene, time_machine):
    monday = _wednesday_8am(time_machine) + timedelta(days=7)
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=monday - timedelta(days=7), starts_at=time(9),
                 ends_at=time(17))  # fmt: skip
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=monday, starts_at=time(12), ends_at=time(14))
    response = page.post(reverse("promoters:week-copy"), {"week": monday.isoformat(), "store": ""}, follow=True,
                         HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    body = html.unescape(response.content.decode())
    assert (
        "Nothing was copied: 王小红 (PA1), 2026-11-30: This overlaps the promoter's shift at 乙店 (S-A2) from 12:00 to "
        "14:00 that day." in body
    )
    assert Shift.objects.filter(day=monday).count() == 1


def test_a_shift_is_moved_and_deleted(page, scene):
    shift = ShiftFactory(promoter=scene.promoter, store=scene.store, day=_monday() + timedelta(days=7))
    url = reverse("promoters:shift-edit", args=[shift.pk])
    assert "甲店" in page.get(url).content.decode()
    page.post(url, {"promoter": scene.promoter.pk, "store": scene.second_store.code, "day": shift.day.isoformat(),
                    "starts_at": "10:00", "ends_at": "12:00", "plan": ""})  # fmt: skip
    shift.refresh_from_db()
    assert (shift.store, shift.starts_at) == (scene.second_store, time(10))
    # deleting asks first: the edit page links to a page naming the shift, which deletes nothing by itself
    delete_url = reverse("promoters:shift-delete", args=[shift.pk])
    assert f'href="{delete_url}"' in page.get(url).content.decode()
    asked = page.get(delete_url).content.decode()
    assert "王小红" in asked and "乙店" in asked and "10:00–12:00" in asked and 'method="post"' in asked
    assert Shift.objects.exists()
    deleted = page.post(delete_url, follow=True).content.decode()
    assert not Shift.objects.exists()
    assert "王小红" in deleted and "乙店" in deleted and "10:00–12:00" in deleted


def test_a_checked_in_shift_is_not_deleted(page, scene):
    shift = ShiftFactory(promoter=scene.promoter, store=scene.store, day=_monday(), checked_in_at=timezone.now())
    page.post(reverse("promoters:shift-delete", args=[shift.pk]))
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_a_manager_reads_the_week_but_schedules_nothing(client, scene):
    manager = make_user(Role.MANAGER, username="mgr_x")
    scene.store.account.owner = manager
    scene.store.account.save()
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=_monday())
    client.force_login(manager)
    response = client.get(reverse("promoters:week"))
    assert response.context["form"] is None and len(response.context["rows"]) == 1
    assert client.post(reverse("promoters:week"), {}).status_code == 403


def test_a_post_without_an_amount_field_leaves_that_target_alone(page, scene):
    PromoterTargetFactory(promoter=scene.promoter, month=date(2026, 11, 1), amount=Decimal("100"))
    page.post(reverse("promoters:targets"), {"month": "2026-11"})
    assert PromoterTarget.objects.get().amount == Decimal("100")


def test_a_shift_being_edited_shows_its_store_chosen_by_code_and_the_week_refuses_another_supervisors(page, scene):
    """The shift forms take the store by its code (ka_portal.lists.choose_by_code: a box past 500 stores)."""
    shift = ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=_monday() + timedelta(days=8),
                         starts_at=time(9), ends_at=time(17))  # fmt: skip
    body = page.get(reverse("promoters:shift-edit", args=[shift.pk])).content.decode()
    assert re.search(r'<option value="S-A2"[^>]*selected', body)
    answer = page.post(reverse("promoters:week"),
                       {"week": _monday().isoformat(), "promoter": scene.promoter.pk, "store": scene.foreign_store.code,
                        "days": [(_monday() + timedelta(days=7)).isoformat()], "starts_at": "09:00",
                        "ends_at": "12:00", "plan": ""})  # fmt: skip
    assert answer.context["form"].errors["store"] == ["可选范围内没有此编码。"]
    assert not Shift.objects.filter(store=scene.foreign_store).exists()


def test_the_weeks_store_is_a_select_of_codes_and_past_many_a_box(page, scene, monkeypatch):
    """The week's store filter: a select while the user's stores fit in one, past RecordChoice.MANY a box for the code
    that offers the stores found as the user types; either way the chosen store's week shows."""
    from ka_portal.lists import RecordChoice

    url = reverse("promoters:week")
    body = page.get(url, {"store": "S-A2"}).content.decode()
    chooser = re.search(r'<select name="store"[^>]*id="week_store".*?</select>', body, re.S).group(0)
    assert re.search(r'<option value="S-A2"[^>]*selected>S-A2 乙店</option>', chooser) and "S-B1" not in chooser
    monkeypatch.setattr(RecordChoice, "MANY", 1)
    body = page.get(url, {"store": "S-A2"}).content.decode()
    box = re.search(r'<input type="text" name="store"[^>]*id="week_store"[^>]*>', body).group(0)
    assert 'value="S-A2"' in box and f'data-lookup="{reverse("store-list")}"' in box and "form-control-sm" in box
    assert '<datalist id="week_store-found">' in body
