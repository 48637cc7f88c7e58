"""Supervisor pages: generate, edit and publish a route; assign tasks; the daily report; compliance; scope; the
visits' and tasks' periods (From–To) on the page, in the API and in the export."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from stores.models import Store
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan, Task

from .factories import RoutePlanFactory, RouteStopFactory, TaskFactory, VisitFactory, this_monday

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def local(day, hour, minute=0):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())).replace(
        hour=hour, minute=minute
    )


def sheet_rows(response):
    return list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))[1:]


@pytest.fixture
def team():
    sup = make_user(Role.SUPERVISOR, username="sup_l")
    rep = make_user(Role.REP, username="rep_l", supervisor=sup, first_name="Wei", last_name="Zhang")
    outsider = make_user(Role.REP, username="rep_out")
    return sup, rep, outsider


def test_supervisor_generates_edits_and_publishes_a_week(client, team):
    sup, rep, _outsider = team
    for i, grade in enumerate("A" * 5 + "B" * 5 + "C" * 5):
        StoreFactory(rep=rep, grade=grade, code=f"L{i:02d}")
    client.force_login(sup)
    monday = this_monday() + timedelta(days=7)
    # the form's address opened by itself (a bookmark, a reload) lands where the form is, not on an empty 405
    opened = client.get(reverse("visits:route-generate"), follow=True, **EN)
    assert opened.redirect_chain == [(reverse("visits:route-list"), 302)]
    assert "Generate a week from store grades" in opened.content.decode()

    generated = client.post(reverse("visits:route-generate"), {"rep": rep.pk, "week_start": monday.isoformat()})
    plan = RoutePlan.objects.get(rep=rep, week_start=monday)
    assert generated["Location"] == reverse("visits:route-detail", args=[plan.pk])
    page = client.get(generated["Location"], **EN).content.decode()
    assert "30 visits planned at 15 stores this week (capacity 30, 5 a day)." in page
    assert page.count('data-testid="route-day-count">5 visits<') == 6  # not a bare "· 5" beside the day's date
    assert "Over capacity" not in page

    stop = plan.stops.filter(day=0).first()
    client.post(reverse("visits:route-stop-move", args=[stop.pk]), {"day": 5})
    assert [len(plan.stops.filter(day=d)) for d in (0, 5)] == [4, 6]
    page = client.get(reverse("visits:route-detail", args=[plan.pk]), **EN).content.decode()
    assert "Saturday has 6 stops for a day of 5." in page and "visits for a week" not in page  # 30 of 30 is not over

    client.post(reverse("visits:route-stop-remove", args=[stop.pk]))
    client.post(reverse("visits:route-publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.PUBLISHED
    assert plan.stops.count() == 29


def test_over_capacity_generation_says_so_with_numbers(client, team, on_this_monday):
    sup, rep, _outsider = team
    for i in range(11):
        StoreFactory(rep=rep, grade="A", code=f"O{i:02d}")
    client.force_login(sup)
    response = client.post(
        reverse("visits:route-generate"), {"rep": rep.pk, "week_start": this_monday().isoformat()}, follow=True, **EN
    )
    page = response.content.decode()
    alert = re.search(r'data-testid="over-capacity">([^<]*)</div>', page).group(1)
    assert alert.startswith("Over capacity: 33 visits for a week of 30. Monday has 6 stops for a day of 5.")
    assert alert.endswith("Nothing was cut: move or remove stops, or change store frequencies.")
    assert page.count("Over capacity") == 1  # said once, by the page, not again in another wording above it


def test_published_plan_edit_is_refused_with_a_message(client, team):
    sup, rep, _outsider = team
    plan = RoutePlanFactory(rep=rep)
    stop = RouteStopFactory(plan=plan, store=StoreFactory(rep=rep))
    client.force_login(sup)
    response = client.post(reverse("visits:route-stop-remove", args=[stop.pk]), follow=True, **EN)
    assert "take it back to draft" in response.content.decode()
    assert plan.stops.count() == 1


def test_rep_cannot_edit_routes_and_outsiders_plans_are_404(client, team):
    sup, rep, outsider = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    stop = RouteStopFactory(plan=plan, store=StoreFactory(rep=rep))
    client.force_login(rep)
    assert client.post(reverse("visits:route-stop-remove", args=[stop.pk])).status_code == 403
    client.force_login(sup)
    foreign = RoutePlanFactory(rep=outsider)
    assert client.get(reverse("visits:route-detail", args=[foreign.pk])).status_code == 404


def test_supervisor_assigns_a_task_that_shows_at_the_reps_today(client, team, on_this_monday):
    sup, rep, _outsider = team  # today a Monday: a Sunday has no route to show it on
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    client.force_login(sup)
    response = client.post(
        reverse("visits:task-list"),
        {"store": store.code, "title": "检查堆头", "due_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.assigned_by == sup
    plan = RoutePlanFactory(rep=rep)
    RouteStopFactory(plan=plan, store=store, day=0)
    client.force_login(rep)
    assert "检查堆头" in client.get(reverse("visits:today")).content.decode()


def test_task_form_error_keeps_input(client, team):
    sup, rep, _outsider = team
    store = StoreFactory(rep=rep)
    client.force_login(sup)
    response = client.post(reverse("visits:task-list"), {"store": store.code, "title": "检查堆头", "due_on": ""})
    assert response.status_code == 400
    assert 'value="检查堆头"' in response.content.decode()


def test_daily_report_lists_visits_and_is_scoped(client, team, django_assert_max_num_queries):
    sup, rep, outsider = team
    today = timezone.localdate()
    for hour in (9, 11):
        at = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time())).replace(hour=hour)
        VisitFactory(rep=rep, store=StoreFactory(rep=rep, name=f"门店{hour}"), checked_in_at=at, problems="缺货")
    client.force_login(sup)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("visits:daily-report"), {"rep": rep.pk, "date": today.isoformat()}).content.decode()
    assert "门店9" in page and "门店11" in page
    # a day back and a day on, for the same rep, without retyping the date
    for testid, days in (("day-previous", -1), ("day-next", 1)):
        day = (today + timedelta(days=days)).isoformat()
        link = f'href="?rep={rep.username}&amp;date={day}" aria-label'
        assert link in page.split(f'data-testid="{testid}"')[0][-120:]
    # a rep outside the team: said beside the filter, no report of theirs (tests/visits/test_daily_report_rep.py)
    outside = client.get(reverse("visits:daily-report"), {"rep": outsider.pk})
    assert 'data-testid="rep-error"' in outside.content.decode() and outside.context["report"] is None


def test_the_daily_report_reads_todays_unvisited_stops_as_still_to_come_not_missed(client, team, time_machine):
    # Given a Wednesday afternoon, a stop yesterday and one today, neither visited yet
    time_machine.move_to(local(timezone.datetime(2026, 11, 25).date(), 15), tick=False)
    sup, rep, _outsider = team
    plan = RoutePlanFactory(rep=rep, week_start=timezone.datetime(2026, 11, 23).date())
    for day, name in ((1, "周二店"), (2, "周三店")):
        RouteStopFactory(plan=plan, store=StoreFactory(rep=rep, name=name), day=day)
    client.force_login(sup)
    for date, missed, to_come in (("2026-11-24", "not visited", False), ("2026-11-25", "not yet visited", True)):
        # When the supervisor reads that day's report
        page = client.get(reverse("visits:daily-report"), {"rep": rep.pk, "date": date}, **EN).content.decode()
        # Then yesterday's stop is missed (in red) and today's still to come (grey)
        assert f'— <span class="{"text-secondary" if to_come else "text-danger"}"' in page
        assert f">{missed}</span>" in page


def test_compliance_counts_done_and_missed_by_grade(client, team):
    sup, rep, _outsider = team
    monday = this_monday() - timedelta(days=7)  # last week: every day is past
    plan = RoutePlanFactory(rep=rep, week_start=monday)
    a, b = StoreFactory(rep=rep, grade="A", name="A店"), StoreFactory(rep=rep, grade="B", name="B店")
    RouteStopFactory(plan=plan, store=a, day=0)
    RouteStopFactory(plan=plan, store=a, day=2)
    RouteStopFactory(plan=plan, store=b, day=1)
    monday_noon = timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time())).replace(hour=12)
    VisitFactory(rep=rep, store=a, checked_in_at=monday_noon, checked_out_at=monday_noon + timedelta(minutes=30))
    wednesday_noon = monday_noon + timedelta(days=2)
    VisitFactory(rep=rep, store=a, checked_in_at=wednesday_noon)  # checked in, never checked out: not done
    VisitFactory(rep=rep, store=b, checked_in_at=monday_noon + timedelta(days=3))  # on the wrong day
    client.force_login(sup)
    response = client.get(reverse("visits:compliance"), {"week": monday.isoformat()}, **EN)
    row = next(r for r in response.context["rows"] if r.rep == rep)
    assert (row.done, row.planned) == (1, 3)
    assert row.by_grade["A"] == [2, 1] and row.by_grade["B"] == [1, 0]
    assert [store.name for _day, store in row.missed] == ["B店", "A店"]  # in day order
    assert "33 %" in response.content.decode()


def test_a_stop_moves_to_a_place_within_its_day(client, team, on_this_monday):
    sup, rep, _outsider = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    stores = [StoreFactory(rep=rep) for _ in range(3)]
    stops = [RouteStopFactory(plan=plan, store=store, day=3, position=i) for i, store in enumerate(stores)]
    client.force_login(sup)
    client.post(reverse("visits:route-stop-move", args=[stops[2].pk]), {"day": 3, "position": 1})
    order = list(plan.stops.filter(day=3).order_by("position").values_list("store", flat=True))
    assert order == [stores[2].pk, stores[0].pk, stores[1].pk]
    # a place of 0 is named as the place's fault, not the day's, and nothing moves
    refused = client.post(
        reverse("visits:route-stop-move", args=[stops[0].pk]), {"day": 3, "position": 0}, follow=True, **EN
    )
    assert "Give the place in the day as a number from 1 to 32767." in refused.content.decode()
    assert "Choose a day from Monday to Saturday." not in refused.content.decode()
    assert list(plan.stops.filter(day=3).order_by("position").values_list("store", flat=True)) == order


def test_a_week_not_starting_on_monday_is_refused_by_the_service_with_its_words(client, team):
    sup, rep, _outsider = team
    StoreFactory(rep=rep)
    client.force_login(sup)
    tuesday = this_monday() + timedelta(days=8)

    response = client.post(
        reverse("visits:route-generate"), {"rep": rep.pk, "week_start": tuesday.isoformat()}, follow=True, **EN
    )

    assert "A route week starts on a Monday." in response.content.decode()
    assert not RoutePlan.objects.exists()


def test_supervisor_finds_each_reps_tasks_and_filters_by_rep_name(client, team):
    """The task list says whose store (so whose task) each is, and its rep filter, like every rep filter, reads
    names (张伟), not usernames (rep_l); the query string still takes the username."""
    sup, rep, _outsider = team
    other = make_user(Role.REP, username="rep_m", supervisor=sup, first_name="娜", last_name="李")
    for owner, store, title in ((rep, "甲店", "补价签"), (other, "乙店", "查堆头")):
        store = StoreFactory(rep=owner, name=store)
        Task.objects.create(store=store, title=title, due_on=timezone.localdate(), assigned_by=sup)
    client.force_login(sup)
    page = client.get(reverse("visits:task-list"), **EN).content.decode()
    assert "甲店 · Wei Zhang</div>" in page and "乙店 · 李娜</div>" in page
    assert '<option value="rep_m">李娜</option>' in page
    page = client.get(reverse("visits:task-list"), {"rep": "rep_m"}, **EN).content.decode()
    assert "查堆头" in page and "补价签" not in page
    visits_page = client.get(reverse("visits:visit-list"), **EN).content.decode()
    assert '<option value="rep_l">Wei Zhang</option>' in visits_page


def test_no_plan_yet_on_the_home_page_opens_the_generate_form_ready_for_that_rep(client, team):
    sup, rep, _outsider = team
    client.force_login(sup)
    home = client.get(reverse("home"), **EN).content.decode()
    link = home.split('data-testid="generate-route">No plan yet: generate it<')[0].rsplit('href="', 1)[1].split('"')[0]
    page = client.get(link.replace("&amp;", "&"), **EN).content.decode()
    form = page.split('data-testid="generate-form"')[1].split("</form>")[0]
    monday = (this_monday() + timedelta(days=7)).isoformat()
    assert f'<option value="{rep.pk}" selected>Wei Zhang</option>' in form and f'value="{monday}"' in form
    # its fields' ids are its own: the filter form below has a rep and a week too, and each label finds its field
    assert 'id="generate_rep"' in form and page.count('id="id_rep"') == 1


def test_visits_from_a_day_to_a_day_on_the_page_in_the_api_and_in_the_export(client, team):
    """Given visits late on the evening before a period, in it, and early on the morning after (local days)"""
    sup, rep, _outsider = team
    first = timezone.localdate() - timedelta(days=10)
    last = first + timedelta(days=2)
    for at, name in (
        (local(first - timedelta(days=1), 23, 50), "前一晚店"),
        (local(first, 0, 5), "首日店"),
        (local(last, 23, 55), "末日店"),
        (local(last + timedelta(days=1), 0, 10), "次日店"),
    ):
        VisitFactory(rep=rep, store=StoreFactory(rep=rep, name=name), checked_in_at=at)
    client.force_login(sup)
    period = {"since": first.isoformat(), "until": last.isoformat()}

    # when the supervisor asks for the period on the page
    page = client.get(reverse("visits:visit-list"), period, **EN).content.decode()

    # then it lists the visits of those days only, both ends included, and shows the two days it was given
    listed = page.split("<tbody>")[1]
    assert "首日店" in listed and "末日店" in listed and "前一晚店" not in listed and "次日店" not in listed
    assert f'name="until" value="{last.isoformat()}"' in page
    # the single day the API keeps (?day=) is not a third date box beside From and To
    assert 'name="day"' not in page
    # the API takes the same period, and so does the export
    api = client.get("/api/v1/visits/", period).json()
    codes = dict(Store.objects.values_list("name", "code"))
    assert sorted(row["store"] for row in api["results"]) == sorted([codes["首日店"], codes["末日店"]])
    rows = sheet_rows(client.get(reverse("visits:visit-list"), {**period, "export": "xlsx"}, **EN))
    assert sorted(row[3] for row in rows) == ["末日店", "首日店"]
    # a period that ends before it starts is said so beside its To (page) and refused (API), not an empty list
    backward = {"since": last.isoformat(), "until": first.isoformat()}
    page = client.get(reverse("visits:visit-list"), backward, **EN).content.decode()
    assert "The period ends before it starts." in page and 'data-testid="visit-checked-in"' not in page
    assert f'name="until" value="{first.isoformat()}"' in page  # what was chosen is kept
    refused = client.get("/api/v1/visits/", backward)
    assert refused.status_code == 400 and "until" in str(refused.json())


def test_the_visits_check_in_reads_date_and_time_on_one_line(client, team):
    sup, rep, _outsider = team
    day = timezone.localdate() - timedelta(days=1)
    visit = VisitFactory(rep=rep, checked_in_at=local(day, 14, 3))
    client.force_login(sup)
    page = client.get(reverse("visits:visit-list"), **EN).content.decode()
    cell = re.search(r'<td class="text-nowrap[^"]*" data-testid="visit-checked-in">(.*?)</td>', page)[1]
    assert cell == f'<a href="{reverse("visits:visit-detail", args=[visit.pk])}">{day.isoformat()} 14:03</a>'


def test_tasks_due_from_a_day_to_a_day_on_the_page_in_the_api_and_in_the_export(client, team):
    sup, rep, _outsider = team
    today = timezone.localdate()
    store = StoreFactory(rep=rep, name="甲店")
    for days, title in ((-1, "昨天到期"), (0, "今天到期"), (3, "三天后到期"), (4, "四天后到期")):
        TaskFactory(store=store, title=title, due_on=today + timedelta(days=days), assigned_by=sup)
    client.force_login(sup)
    period = {"due_from": today.isoformat(), "due_to": (today + timedelta(days=3)).isoformat()}

    page = client.get(reverse("visits:task-list"), period, **EN).content.decode()

    listed = re.findall(r'data-testid="task-title">([^<]*)<', page)
    assert sorted(listed) == ["三天后到期", "今天到期"]
    assert "Due from</label>" in page and "Due to</label>" in page and 'name="due_on"' not in page.split("</form>")[0]
    assert "到期日起</label>" in client.get(reverse("visits:task-list"), period).content.decode()
    api = client.get("/api/v1/tasks/", period).json()
    assert sorted(row["title"] for row in api["results"]) == ["三天后到期", "今天到期"]
    rows = sheet_rows(client.get(reverse("visits:task-list"), {**period, "export": "xlsx"}, **EN))
    assert sorted(row[2] for row in rows) == ["三天后到期", "今天到期"]


def test_the_route_editors_boxes_name_their_stop_in_both_languages(client, team, on_this_monday):
    sup, rep, _outsider = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    stop = RouteStopFactory(plan=plan, store=StoreFactory(rep=rep, name="沃尔玛五角场店"), day=1)
    client.force_login(sup)
    for language, day_label, place_label in (
        ("en", "Day to move 沃尔玛五角场店 to", "Place of 沃尔玛五角场店 in the day"),
        ("zh-hans", "把沃尔玛五角场店移到", "沃尔玛五角场店在当天的顺序"),
    ):
        page = client.get(reverse("visits:route-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert f'<label class="visually-hidden" for="move-{stop.pk}">{day_label}</label>' in html
        assert f'<label class="visually-hidden" for="position-{stop.pk}">{place_label}</label>' in html
        assert 'data-testid="move-hint"' in html
