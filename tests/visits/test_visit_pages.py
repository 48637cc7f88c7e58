"""The rep's Today page and the visit flow: check in, record, keep input on errors, check out; scope 404s."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import ChecklistResult, RoutePlan, Task, Visit

from .factories import RoutePlanFactory, RouteStopFactory, TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ALL_PASS = {f"check_{item}": "pass" for item in ChecklistResult.Item.values}


@pytest.fixture
def rep():
    return make_user(Role.REP, username="rep_p", first_name="伟", last_name="张")


@pytest.fixture
def day_plan(rep, on_this_monday):
    """Today's published route: two stores, the first with a task. Today is this week's Monday: on a Sunday, which
    has no route (Monday–Saturday), the rep's day is empty."""
    plan = RoutePlanFactory(rep=rep)
    first = StoreFactory(rep=rep, name="沃尔玛五角场店", grade="A")
    second = StoreFactory(rep=rep, name="家乐福江湾店", grade="B")
    RouteStopFactory(plan=plan, store=first, day=0, position=0)
    RouteStopFactory(plan=plan, store=second, day=0, position=1)
    TaskFactory(store=first, title="补齐端架价签")
    return plan, first, second


def test_today_lists_the_days_stops_in_order_with_tasks(client, rep, day_plan, django_assert_max_num_queries):
    _plan, first, second = day_plan
    client.force_login(rep)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("visits:today"), **ZH).content.decode()
    assert page.index("沃尔玛五角场店") < page.index("家乐福江湾店")
    assert "补齐端架价签" in page
    assert "签到" in page  # the check-in button, in Chinese


def test_draft_plan_is_not_shown_to_the_rep(client, rep, day_plan):
    plan, *_ = day_plan
    plan.status = RoutePlan.Status.DRAFT
    plan.save()
    client.force_login(rep)
    page = client.get(reverse("visits:today"), **EN).content.decode()
    assert "No published route for today" in page


def test_double_tap_on_check_in_makes_one_visit(client, rep, day_plan):
    _plan, first, _second = day_plan
    client.force_login(rep)
    data = {"store": first.pk, "uuid": str(uuid.uuid4())}
    first_tap = client.post(reverse("visits:check-in"), data)
    second_tap = client.post(reverse("visits:check-in"), data)
    assert Visit.objects.count() == 1
    assert (
        first_tap["Location"] == second_tap["Location"] == reverse("visits:visit-detail", args=[Visit.objects.get().pk])
    )


def test_checking_in_at_another_reps_store_is_404(client, rep):
    client.force_login(rep)
    response = client.post(reverse("visits:check-in"), {"store": StoreFactory().pk, "uuid": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not Visit.objects.exists()


def _visit_with_products(rep):
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片", packs_per_case=20)
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=chips)
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    return visit, beer, chips


def _headings(page: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in re.findall(r'<h2 class="h5[^"]*">(.*?)</h2>', page)]


def test_bad_stock_count_is_refused_next_to_the_field_and_everything_typed_is_kept(client, rep):
    visit, beer, chips = _visit_with_products(rep)
    client.force_login(rep)
    response = client.post(
        reverse("visits:visit-detail", args=[visit.pk]),
        {
            f"stock_{beer.pk}_cases": "-1",
            f"stock_{chips.pk}_cases": "2",
            f"stock_{chips.pk}_packs": "5x",
            "check_tidy": "fail",
            "problems": "价签缺失",
            "action": "save",
        },
        **EN,
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "A stock count cannot be negative." in page and "Write a whole number of packs." in page
    assert 'value="-1"' in page and 'value="2"' in page and 'value="5x"' in page
    assert "价签缺失" in page
    assert 'value="fail" checked' in page
    assert not visit.stock_counts.exists()


def test_saving_counts_shows_the_suggested_order_and_check_out_returns_to_today(client, rep):
    visit, beer, chips = _visit_with_products(rep)
    task = TaskFactory(store=visit.store)
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    saved = client.post(
        url,
        {
            f"stock_{beer.pk}_cases": "1",
            f"stock_{beer.pk}_packs": "1",
            f"stock_{chips.pk}_cases": "0",
            "check_tidy": "pass",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    assert {c.product_id: c.packs for c in visit.stock_counts.all()} == {beer.pk: 13, chips.pk: 0}
    page = client.get(url, **EN).content.decode()
    assert 'data-testid="suggested-order"' in page
    assert "No previous stock count" in page
    assert f'id="id_stock_{beer.pk}_cases" value="1"' in page  # the count reads back as cases and packs
    assert f'id="id_stock_{beer.pk}_packs" value="1"' in page
    # every section the rep fills in is a numbered step, the tasks' included; a section drawn again alone (htmx)
    # keeps its number
    assert _headings(page) == [
        "1. Display check", "2. Prices and price tags", "3. Promotions and displays", "4. Stock count", "5. Photos",
        "6. Tasks for this store", "7. Problems and actions", "8. Competitors seen 竞品动态", "Suggested order",
        "Check out",
    ]  # fmt: skip
    section = client.post(reverse("evidence:visit-competitor-add", args=[visit.pk]), {}, HTTP_HX_REQUEST="true", **EN)
    assert _headings(section.content.decode()) == ["8. Competitors seen 竞品动态"]

    done = client.post(
        url,
        {
            f"stock_{beer.pk}_cases": "1",
            f"stock_{beer.pk}_packs": "1",
            f"stock_{chips.pk}_cases": "0",
            f"task_{task.pk}_done": "on",
            f"task_{task.pk}_comment": "已完成",
            **ALL_PASS,
            "action": "check_out",
        },
    )
    assert done["Location"] == reverse("visits:today")
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    assert visit.rating == "red"  # chips out of stock
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    # a repeated tap on check out after closing changes nothing and shows the visit
    again = client.post(url, {"action": "check_out"})
    assert again["Location"] == url


@pytest.mark.parametrize("path", ["visits:visit-detail", "visits:visit-photo", "visits:visit-check-out"])
def test_another_reps_visit_is_404(client, rep, path):
    other = VisitFactory(rep=make_user(Role.REP, username="rep_o"))
    client.force_login(rep)
    method = client.get if path == "visits:visit-detail" else client.post
    assert method(reverse(path, args=[other.pk])).status_code == 404


def test_rep_reaches_own_visits_from_today_without_a_column_naming_themself(client, rep, day_plan):
    sup = make_user(Role.SUPERVISOR, username="sup_l")
    rep.profile.supervisor = sup
    rep.profile.save()
    VisitFactory(rep=rep, store=day_plan[1])
    client.force_login(rep)

    today = client.get(reverse("visits:today"), **ZH).content.decode()
    assert f'href="{reverse("visits:visit-list")}"' in today and "我的拜访" in today

    mine = client.get(reverse("visits:visit-list"), **ZH).content.decode()
    assert "沃尔玛五角场店" in mine
    assert ">业务代表</th>" not in mine and 'name="rep"' not in mine  # neither the column nor the filter
    client.force_login(sup)
    team = client.get(reverse("visits:visit-list"), **ZH).content.decode()
    assert ">业务代表</th>" in team and 'name="rep"' in team


def test_supervisor_sees_team_visit_read_only(client, rep):
    sup = make_user(Role.SUPERVISOR, username="sup_p")
    rep.profile.supervisor = sup
    rep.profile.save()
    visit, *_ = _visit_with_products(rep)
    client.force_login(sup)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert "沃尔玛五角场店" in page
    assert 'data-testid="visit-form"' not in page
    assert client.post(reverse("visits:visit-detail", args=[visit.pk]), {"action": "save"}).status_code == 403


@pytest.mark.parametrize(
    "language, legend",
    [
        (ZH, "数量按“箱/包”书写：2 = 2 箱，0/10 = 10 包，1/1 = 1 箱 1 包。"),
        (EN, "Quantities in cases/packs: 2 = two cases, 0/10 = ten packs, 1/1 = one case and one pack."),
    ],
)
def test_a_read_visit_says_once_how_its_counts_read(client, rep, language, legend):
    """3/2 is three cases and two packs, not a fraction or the 2nd of March: the counts and the suggested order under
    them say so once, in the reader's language."""
    from tests.visits.factories import StockCountFactory, SuggestedOrderFactory

    sup = make_user(Role.SUPERVISOR, username="sup_legend")
    rep.profile.supervisor = sup
    rep.profile.save()
    visit, beer, _chips = _visit_with_products(rep)
    StockCountFactory(visit=visit, product=beer, packs=38)
    visit.checked_out_at = visit.checked_in_at
    visit.save(update_fields=["checked_out_at"])
    SuggestedOrderFactory(store=visit.store, product=beer, current_packs=38)
    client.force_login(sup)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **language).content.decode()
    assert re.search(r'<td class="num">3/2</td>', page)
    assert page.count('data-testid="packs-legend"') == 1 and legend in page
    assert page.index("3/2") < page.index(legend) < page.index('data-testid="suggested-order"')


def test_photo_upload_accepts_images_only(client, rep, tmp_path, settings):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    visit, *_ = _visit_with_products(rep)
    client.force_login(rep)
    url = reverse("visits:visit-photo", args=[visit.pk])
    not_image = SimpleUploadedFile("shelf.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(url, {"image": not_image}, **EN)
    assert refused.status_code == 400
    assert "Only JPEG and PNG photos are accepted" in refused.content.decode()
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    photo = SimpleUploadedFile("shelf.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert client.post(url, {"image": photo, "caption": "端架"}).status_code == 302
    assert visit.photos.get().caption == "端架"


@pytest.mark.parametrize(
    ("metres", "language", "shown"),
    [(4098, ZH, "距门店4.1 公里"), (4098, EN, "4.1 km from the store"), (350, EN, "350 m from the store")],
)
def test_the_distance_from_the_store_reads_in_km_from_a_kilometre(client, rep, metres, language, shown):
    # given: a visit checked in some way from the store
    visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep), distance_m=metres, far_from_store=metres > 500)
    client.force_login(rep)
    # when: the rep opens it
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **language).content.decode()
    # then: 4098 m reads as 4.1 km, not a four-digit count of metres
    assert shown in page


def test_today_marks_a_task_due_today_and_one_already_late(client, rep, day_plan):
    # given: the first stop's task is due today (day_plan), the second stop has one due yesterday
    from datetime import timedelta

    from django.utils import timezone

    _plan, _first, second = day_plan
    TaskFactory(store=second, title="撤下过期海报", due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(rep)
    # when: the rep opens Today
    page = client.get(reverse("visits:today"), **ZH).content.decode()
    # then: each task says how urgent it is, beside its date
    assert page.count('data-testid="task-due-today"') == 1 and page.count('data-testid="task-overdue"') == 1
    assert page.index("补齐端架价签") < page.index("今天到期") < page.index("撤下过期海报") < page.index("逾期")


def _price_check_chosen(page: str) -> list[str]:
    return re.findall(r'name="price_check_ok" id="[^"]*" value="(\w+)" checked', page)


def test_a_skipped_price_check_still_reads_unanswered_after_the_first_save(client, rep):
    # given: a visit saved once with the display check answered and "prices and price tags" left alone
    visit, beer, _chips = _visit_with_products(rep)
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    assert client.post(url, {"check_tidy": "pass", "action": "save"}).status_code == 302
    visit.refresh_from_db()
    assert visit.rating == "" and visit.price_check_ok is None  # open: rated at its check-out
    # when: the rep opens the visit again
    page = client.get(url, **ZH).content.decode()
    # then: nothing is chosen, not "n.a." (rep finding 6); a yes or no chosen reads back
    assert _price_check_chosen(page) == []
    assert client.post(url, {"check_tidy": "pass", "price_check_ok": "no", "action": "save"}).status_code == 302
    assert _price_check_chosen(client.get(url, **ZH).content.decode()) == ["no"]
    # and once checked out, the visit reads a dash for it, not "n.a."
    assert client.post(url, {"check_tidy": "pass", "price_check_ok": "", "action": "save"}).status_code == 302
    Visit.objects.filter(pk=visit.pk).update(checked_out_at=visit.checked_in_at)
    page = client.get(url, **ZH).content.decode()
    assert 'data-testid="price-check-read">价格及价签正确：—</div>' in page


@pytest.mark.parametrize(
    ("executed", "zh", "en"),
    [(None, "—", "—"), (True, "是", "yes"), (False, "否", "no")],
    ids=["no-promotion-checked", "executed", "not-executed"],
)
def test_a_checked_out_visit_reads_the_promotion_as_found_or_a_dash_never_na(client, rep, executed, zh, en):
    # given: a checked-out visit; whether the running promotion was executed is computed from its checks (no
    # question to answer on the page any more), so a visit with none running or none checked has no answer
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    visit = VisitFactory(
        rep=rep,
        store=StoreFactory(rep=rep),
        checked_in_at=now - timedelta(minutes=40),
        checked_out_at=now,
        promotion_executed=executed,
    )
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    # when: it is read in Chinese and in English
    chinese = client.get(url, **ZH).content.decode()
    english = client.get(url, **EN).content.decode()
    # then: what was found, or a dash — not "n.a." (不适用)
    assert f'data-testid="promotion-executed-read">当期促销已执行：{zh}</div>' in chinese
    assert f'data-testid="promotion-executed-read">Running promotion executed: {en}</div>' in english
    assert "不适用" not in chinese


def test_a_visit_of_another_day_says_its_dates_and_a_long_one_its_hours(client, rep):
    """Finding: a visit checked in at 21:21 and out at 10:21 the next morning read "签到 21:21 · 签退 10:21 (780分钟)":
    no dates (it read as out before in), and minutes where hours are meant. Today's visit keeps its short line."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    evening = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time()))
    evening += timedelta(hours=21, minutes=21)
    store = StoreFactory(rep=rep)
    long = VisitFactory(rep=rep, store=store, checked_in_at=evening, checked_out_at=evening + timedelta(hours=13))
    today = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())) + timedelta(hours=8)
    short = VisitFactory(rep=rep, store=store, checked_in_at=today, checked_out_at=today + timedelta(minutes=25))
    client.force_login(rep)

    page = client.get(reverse("visits:visit-detail", args=[long.pk]), **EN).content.decode()
    day_in, day_out = (timezone.localtime(t).date() for t in (long.checked_in_at, long.checked_out_at))
    line = page.split('data-testid="visit-times">')[1].split("</div>")[0]
    assert f"{day_in:%Y-%m-%d}</span> 21:21" in line and f"checked out {day_out:%Y-%m-%d} 10:21 (13 h 0 min)" in line
    chinese = client.get(reverse("visits:visit-detail", args=[long.pk]), **ZH).content.decode()
    assert "(13 小时 0 分钟)" in chinese

    line = client.get(reverse("visits:visit-detail", args=[short.pk]), **EN).content.decode()
    line = line.split('data-testid="visit-times">')[1].split("</div>")[0]
    assert 'data-testid="visit-day"' not in line and "(25 minutes)" in line
