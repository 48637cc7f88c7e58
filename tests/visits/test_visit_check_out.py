"""A visit is done when it was done (issue 11): check-out needs every checklist item answered, every listed product
counted or marked not counted and a check-in position, unless the rep gives a reason; short visits and check-ins
without a position are flagged; the rating says why it is yellow or red. Service, page and API."""

import re
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from ka_portal.errors import DomainError
from stores.models import Product
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits import services
from visits.models import ChecklistResult, StockCount, StockNotCounted, Visit

from .factories import VisitFactory, complete_visit

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
NINE = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ITEMS = ChecklistResult.Item.values


@pytest.fixture(autouse=True)
def that_morning(time_machine):
    """The server's clock a few hours after NINE: the visits here are sent as they happen (a phone's time more than
    KA_VISIT_SYNC_MAX_HOURS before the server's is refused, visits/rules.phone_time)."""
    time_machine.move_to(NINE + timedelta(hours=3))


@pytest.fixture
def team():
    sup = make_user(Role.SUPERVISOR, username="sup_done")
    rep = make_user(Role.REP, username="rep_done", supervisor=sup)
    return sup, rep


@pytest.fixture
def store(team):
    _sup, rep = team
    store = StoreFactory(rep=rep, name="沃尔玛五角场店", latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    for name in ("海川纯生啤酒", "乐滋薯片", "清泉矿泉水"):
        ListingFactory(store=store, product=ProductFactory(name=name))
    ListingFactory(store=store, product=ProductFactory(name="已下架饮料"), active=False)  # not asked for
    return store


def _listed(store) -> list[int]:
    return list(store.listings.filter(active=True).order_by("product__code").values_list("product_id", flat=True))


def _check_in(rep, store, *, at=NINE, position=True) -> Visit:
    where = {"latitude": store.latitude, "longitude": store.longitude} if position else {}
    visit, _created = services.visit_check_in(rep=rep, store=store, at=at, **where)
    return visit


def _unchanged(visit: Visit) -> None:
    visit.refresh_from_db()
    assert visit.checked_out_at is None
    assert (visit.checkout_reason, visit.checkout_missing, visit.short_visit) == ("", {}, False)


# --- the service -------------------------------------------------------------------------------


def test_a_bare_visit_is_refused_saying_everything_that_is_missing(team, store):
    _sup, rep = team
    visit = _check_in(rep, store, position=False)
    details = {}
    for language in ("zh-hans", "en"):
        with translation.override(language), pytest.raises(DomainError) as refused:
            services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=20))
        with translation.override(language):
            details[language] = refused.value.detail
    error = refused.value
    assert error.code == "visit.incomplete"
    assert error.params.items() >= {"checklist_unanswered": 5, "products_not_counted": 3, "no_position": True}.items()
    assert details == {
        "en": "Not checked out: 5 checklist items unanswered, 3 products neither counted nor marked not counted, "
        "no check-in position. Complete the visit, or give a reason for checking out as it is.",
        "zh-hans": "未签退：5个检查项未作答、3个产品既未盘点也未标记为未盘点、签到无定位。"
        "请完成拜访，或说明按现状签退的原因。",
    }
    codes = [Product.objects.get(pk=pk).code for pk in _listed(store)]  # the API names products by code
    assert error.extra == {"missing": {"checklist": ITEMS, "products": codes, "no_position": True}}
    _unchanged(visit)


@pytest.mark.parametrize("lacking", ["checklist", "counts", "position"])
def test_each_missing_part_alone_refuses_and_a_reason_lets_the_visit_out(team, store, lacking):
    _sup, rep = team
    visit = _check_in(rep, store, position=lacking != "position")
    listed = _listed(store)
    services.visit_record(
        visit=visit,
        checklist=dict.fromkeys(ITEMS[1:] if lacking == "checklist" else ITEMS, "pass"),
        stock=dict.fromkeys(listed[1:] if lacking == "counts" else listed, 24),
    )
    expected = {
        "checklist": {"checklist": [ITEMS[0]], "products": [], "no_position": False},
        "counts": {"checklist": [], "products": [listed[0]], "no_position": False},
        "position": {"checklist": [], "products": [], "no_position": True},
    }[lacking]

    with pytest.raises(DomainError) as refused:
        services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=30), reason="   ")
    assert refused.value.code == "visit.incomplete"
    codes = [Product.objects.get(pk=pk).code for pk in expected["products"]]  # the answer names products by code
    assert refused.value.extra == {"missing": {**expected, "products": codes}}
    _unchanged(visit)

    done = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=30), reason="仓库锁门，无法盘点")
    assert done.checked_out_at == NINE + timedelta(minutes=30)
    assert (done.checkout_reason, done.checkout_missing, done.incomplete) == ("仓库锁门，无法盘点", expected, True)
    assert done.rating == "yellow"
    assert {"code": "checked_out_incomplete", "params": {"reason": "仓库锁门，无法盘点"}} in done.rating_reasons


def test_a_complete_visit_checks_out_green_and_not_counted_answers_for_a_product(team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    first, *others = _listed(store)
    complete_visit(visit, not_counted=[first])
    assert StockNotCounted.objects.filter(visit=visit).count() == 1
    done = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=25))
    assert (done.rating, done.rating_reasons, done.flags) == ("green", [], [])
    assert (done.checkout_reason, done.checkout_missing) == ("", {})


def test_a_count_takes_back_the_not_counted_mark_and_a_mark_clears_the_count(team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    beer, chips, _water = _listed(store)
    services.visit_record(visit=visit, stock={chips: 12}, not_counted={beer: True})
    services.visit_record(visit=visit, stock={beer: 5}, not_counted={beer: True, chips: True})
    assert dict(StockCount.objects.filter(visit=visit).values_list("product_id", "packs")) == {beer: 5}
    assert list(StockNotCounted.objects.filter(visit=visit).values_list("product_id", flat=True)) == [chips]


def test_a_product_not_listed_cannot_be_marked_not_counted(team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    with pytest.raises(DomainError) as refused:
        services.visit_record(visit=visit, not_counted={ProductFactory().pk: True})
    assert refused.value.code == "visit.not_listed"
    assert not StockNotCounted.objects.exists()


@pytest.mark.parametrize(
    "stay, short, rating",
    [(timedelta(minutes=4, seconds=59), True, "yellow"), (timedelta(minutes=5), False, "green")],
)
def test_a_visit_under_the_minimum_is_flagged_short(team, store, stay, short, rating):
    _sup, rep = team
    with time_machine.travel(NINE, tick=False) as clock:
        visit = _check_in(rep, store, at=None)
        complete_visit(visit)
        clock.shift(stay)
        done = services.visit_check_out(visit=visit)
    assert done.checked_out_at - done.checked_in_at == stay
    assert done.short_visit is short
    assert done.rating == rating
    assert done.rating_reasons == ([{"code": "short_visit", "params": {"minutes": 4}}] if short else [])


def test_the_minimum_is_a_setting(team, store, settings):
    settings.KA = replace(settings.KA, visit_min_minutes=30)
    _sup, rep = team
    visit = _check_in(rep, store)
    complete_visit(visit)
    done = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=29))
    with translation.override("en"):
        assert done.short_visit and [str(flag) for flag in done.flags] == ["Short visit"]


def test_a_check_in_without_a_position_is_flagged_and_says_so(team, store):
    _sup, rep = team
    visit = _check_in(rep, store, position=False)
    complete_visit(visit)  # the helper gives a position: take it away again
    Visit.objects.filter(pk=visit.pk).update(latitude=None, longitude=None)
    done = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=20), reason="手机定位失败")
    with translation.override("en"):
        assert done.no_position and "No position" in [str(flag) for flag in done.flags]
    assert [r["code"] for r in done.rating_reasons] == ["checked_out_incomplete", "no_position"]
    assert done.checkout_missing == {"checklist": [], "products": [], "no_position": True}


def test_rating_reasons_on_a_worked_visit(team, store):
    """Beer out of stock, the tidiness failed, the rep left after 3 minutes: red, and why."""
    _sup, rep = team
    visit = _check_in(rep, store)
    beer = store.listings.order_by("product__code").first().product
    complete_visit(visit, stock={beer.pk: 0})
    services.visit_record(visit=visit, checklist={"tidy": "fail"})
    done = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=3, seconds=10))
    assert done.rating == "red"
    assert done.rating_reasons == [
        {"code": "out_of_stock", "params": {"product": "海川纯生啤酒", "product_code": beer.code}},
        {"code": "checklist_failed", "params": {"item": "tidy"}},
        {"code": "short_visit", "params": {"minutes": 3}},
    ]
    with translation.override("en"):
        texts = done.rating_reason_texts
    assert texts == [
        "Out of stock: 海川纯生啤酒",
        "Checklist item failed: Tidy and clean, no damaged or crushed packs",
        "Short visit: 3 min",
    ]


def test_checking_out_twice_keeps_the_first_check_out_without_asking_again(team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    first = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=9), reason="停电")
    again = services.visit_check_out(visit=visit, at=NINE + timedelta(minutes=50))
    assert again.checked_out_at == first.checked_out_at and again.checkout_reason == "停电"


# --- the page ----------------------------------------------------------------------------------


def _form(visit, **fields) -> dict:
    """The visit form's "Save and check out" with these fields."""
    return {"action": "check_out", **fields}


def test_page_refuses_a_bare_check_out_with_the_message_and_keeps_what_was_typed(client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    beer, *_ = _listed(store)
    client.force_login(rep)
    response = client.post(
        reverse("visits:visit-detail", args=[visit.pk]),
        _form(visit, check_tidy="fail", problems="端架有破损包装", **{f"stock_{beer}_cases": "2"}),
        **EN,
    )
    page = response.content.decode()
    assert response.status_code == 400
    message = "4 checklist items unanswered, 2 products neither counted nor marked not counted"
    assert page.count(message) == 2  # at the top and next to the reason
    assert 'data-testid="checkout-error"' in page
    # (each gap marked; the words the page keeps for a check-out refused offline, visit.js, left out)
    marks = re.sub(r'<script id="check-out-offline".*?</script>', "", page, flags=re.S)
    assert marks.count("Answer this item.") == 4 and marks.count("Count it, or tick “not counted”.") == 2
    assert "端架有破损包装" in page and 'value="2"' in page and 'value="fail" checked' in page
    visit.refresh_from_db()
    assert visit.checked_out_at is None
    assert not visit.checklist.exists() and not visit.stock_counts.exists() and visit.problems == ""


def test_page_checks_out_under_a_reason_and_the_supervisor_reads_it_everywhere(client, team, store):
    sup, rep = team
    visit = _check_in(rep, store)
    client.force_login(rep)
    with time_machine.travel(NINE + timedelta(minutes=12), tick=False):
        done = client.post(
            reverse("visits:visit-detail", args=[visit.pk]),
            _form(visit, check_tidy="pass", checkout_reason="店长要求提前离店"),
        )
    assert done["Location"] == reverse("visits:today")
    visit.refresh_from_db()
    assert visit.checkout_reason == "店长要求提前离店" and visit.rating == "yellow"

    client.force_login(sup)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert "Checked out with a reason: 店长要求提前离店" in page
    assert "Missing at check-out: 4 checklist items unanswered, 3 products not counted" in page
    history = client.get(reverse("visits:visit-list"), {"flagged": "true"}, **EN).content.decode()
    assert "Checked out with a reason: 店长要求提前离店" in history and "Incomplete" in history
    report = client.get(reverse("visits:daily-report"), {"rep": rep.pk, "date": "2026-11-25"}, **ZH).content.decode()
    assert "说明原因后签退：店长要求提前离店" in report
    assert "未完成" in report


def test_history_flag_filter_and_export_show_the_reasons(client, team, store):
    sup, rep = team
    good = _check_in(rep, store)
    complete_visit(good)
    services.visit_check_out(visit=good, at=NINE + timedelta(minutes=30))
    short = _check_in(rep, store, at=NINE + timedelta(hours=1))
    complete_visit(short)
    services.visit_check_out(visit=short, at=NINE + timedelta(hours=1, minutes=2))
    client.force_login(sup)
    flagged = client.get(reverse("visits:visit-list"), {"flagged": "true"}, **EN).context["object_list"]
    assert [v.pk for v in flagged] == [short.pk]
    unflagged = client.get(reverse("visits:visit-list"), {"flagged": "false"}, **EN).context["object_list"]
    assert [v.pk for v in unflagged] == [good.pk]

    from io import BytesIO

    from openpyxl import load_workbook

    export = client.get(reverse("visits:visit-list"), {"export": "xlsx"}, **EN)
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    header = rows[0]
    by_time = {row[header.index("Minutes")]: row for row in rows[1:]}
    assert by_time[2][header.index("Rating reasons")] == "Short visit: 2 min"
    assert by_time[2][header.index("Flags")] == "Short visit"
    assert by_time[30][header.index("Rating reasons")] in (None, "")


def test_all_ok_without_javascript_marks_only_the_unanswered_items_pass(client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    client.force_login(rep)
    response = client.post(
        reverse("visits:visit-detail", args=[visit.pk]), {"action": "all_ok", "check_tidy": "fail"}, **EN
    )
    assert response.status_code == 302 and response["Location"].endswith("#checklist")
    results = dict(visit.checklist.values_list("item", "result"))
    assert results == {item: ("fail" if item == "tidy" else "pass") for item in ITEMS}
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert 'data-testid="all-ok"' in page and 'data-testid="choice-check_tidy"' in page
    # the failed item makes no rating yet: the visit is rated at its check-out
    assert "Checklist item failed" not in page and "Rating: given at check-out" in page


def test_page_not_counted_boxes_answer_for_products(client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    beer, chips, water = _listed(store)
    client.force_login(rep)
    response = client.post(
        reverse("visits:visit-detail", args=[visit.pk]),
        {
            "action": "check_out",
            **{f"check_{item}": "pass" for item in ITEMS},
            f"stock_{beer}_cases": "1",
            f"not_counted_{chips}": "on",
            f"not_counted_{water}": "on",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.checked_out_at is not None and visit.rating == "green" and visit.checkout_missing == {}
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert page.count('data-testid="not-counted"') == 2


# --- the API -----------------------------------------------------------------------------------


def test_api_check_out_refusal_is_400_with_the_code_and_params(api_client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store, position=False)
    api_client.force_authenticate(rep)
    refused = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", {}, format="json", **EN)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "visit.incomplete"
    assert body["field"] == "checkout_reason"
    assert body["params"]["checklist_unanswered"] == 5
    assert body["params"]["products_not_counted"] == 3
    assert body["params"]["no_position"] is True  # a JSON boolean: "False" read as true
    codes = list(Product.objects.filter(pk__in=_listed(store)).order_by("code").values_list("code", flat=True))
    assert body["missing"] == {"checklist": ITEMS, "products": codes, "no_position": True}
    assert "5 checklist items unanswered" in body["detail"]
    _unchanged(visit)

    done = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", {"reason": "手机无信号"}, format="json", **ZH)
    assert done.status_code == 200
    data = done.json()
    assert data["checkout_reason"] == "手机无信号" and data["no_position"] is True
    assert data["checkout_missing"]["products"] == codes
    assert data["rating"] == "yellow"
    assert data["rating_reasons"][0] == {
        "code": "checked_out_incomplete",
        "params": {"reason": "手机无信号"},
        "text": "说明原因后签退：手机无信号",
    }


def test_api_records_not_counted_and_a_complete_visit_checks_out(api_client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    beer, chips, water = Product.objects.filter(pk__in=_listed(store)).order_by("code").values_list("code", flat=True)
    api_client.force_authenticate(rep)
    patched = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {
            "checklist": [{"item": item, "result": "pass"} for item in ITEMS],
            "stock_counts": [
                {"product": beer, "quantity": "1"},
                {"product": chips, "not_counted": True},
                {"product": water, "packs": 0},
            ],
        },
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["not_counted"] == [chips]
    done = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", format="json", **EN)
    assert done.status_code == 200
    assert done.json()["rating"] == "red"
    assert [r["text"] for r in done.json()["rating_reasons"]] == ["Out of stock: 清泉矿泉水"]

    other = _check_in(rep, store, at=NINE + timedelta(hours=2))
    both = api_client.patch(
        f"/api/v1/visits/{other.pk}/",
        {"stock_counts": [{"product": beer, "packs": 1, "not_counted": True}]},
        format="json",
    )
    assert both.status_code == 400 and both.json()["code"] == "invalid"  # counted or not counted, not both


def test_a_visit_without_a_position_is_listed_as_flagged_even_while_open(client, team, store):
    sup, rep = team
    _check_in(rep, store, position=False)
    VisitFactory(rep=rep, store=store, latitude=store.latitude, longitude=store.longitude)
    client.force_login(sup)
    flagged = client.get(reverse("visits:visit-list"), {"flagged": "true"}, **EN)
    assert [v.no_position for v in flagged.context["object_list"]] == [True]
    assert "No position" in flagged.content.decode()


def test_a_reason_saved_with_the_findings_is_kept_and_answers_at_check_out(client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    saved = client.post(url, {"action": "save", "check_tidy": "pass", "checkout_reason": "  仓库锁门  "})
    assert saved.status_code == 302
    page = client.get(url, **EN).content.decode()
    assert "仓库锁门</textarea>" in page  # the typed reason survives a save
    done = client.post(url, {"action": "check_out", "check_tidy": "pass", "checkout_reason": "仓库锁门"})
    assert done["Location"] == reverse("visits:today")
    visit.refresh_from_db()
    assert visit.checkout_reason == "仓库锁门" and visit.incomplete


def test_the_plain_check_out_route_refuses_with_a_message_and_keeps_the_visit_open(client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    client.force_login(rep)
    refused = client.post(reverse("visits:visit-check-out", args=[visit.pk]), follow=True, **EN)
    assert refused.redirect_chain[-1][0] == reverse("visits:visit-detail", args=[visit.pk])
    assert "5 checklist items unanswered" in refused.content.decode()
    _unchanged(visit)
    done = client.post(reverse("visits:visit-check-out", args=[visit.pk]), {"checkout_reason": "停电"})
    assert done["Location"] == reverse("visits:today")
    visit.refresh_from_db()
    assert visit.checked_out_at is not None and visit.checkout_reason == "停电"


def test_api_a_reason_sent_with_the_findings_lets_a_later_check_out_through(api_client, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    api_client.force_authenticate(rep)
    patched = api_client.patch(f"/api/v1/visits/{visit.pk}/", {"checkout_reason": "门店停电"}, format="json")
    assert patched.status_code == 200 and patched.json()["checkout_reason"] == "门店停电"
    done = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", format="json")
    assert done.status_code == 200
    assert done.json()["checkout_missing"]["checklist"] == ITEMS


def test_the_admin_shows_the_check_out_and_its_rating_but_cannot_set_them(client, admin_user, team, store):
    _sup, rep = team
    visit = _check_in(rep, store)
    client.force_login(admin_user)
    page = client.get(reverse("admin:visits_visit_change", args=[visit.pk]), **EN).content.decode()
    for field in ("checked_out_at", "rating", "rating_reasons", "checkout_reason", "checkout_missing", "short_visit"):
        assert f'name="{field}' not in page, field
    assert "field-checked_out_at" in page and "field-rating_reasons" in page
