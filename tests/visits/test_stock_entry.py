"""Stock entry on the visit page: cases and packs as two number fields per product, combined with the product's
packs per case; refusals named per product, the typed values kept, how many need fixing said at the top. The
`cases/packs` notation stays for the API (and a post of the old single field)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from ka_portal.formatting import PacksNotationError, combine_packs
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user

from .factories import StockCountFactory, VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.parametrize(
    ("cases", "packs", "total"),
    [
        ("1", "3", 15),
        ("2", "", 24),  # a blank part is none of it
        ("", "5", 5),
        ("0", "11", 11),  # loose packs up to one fewer than a case
        ("１", "０", 12),  # full-width digits from a Chinese keyboard
        (" 3 ", "0", 36),
        ("", "", None),  # not counted yet
    ],
)
def test_cases_and_packs_combine_with_the_packs_per_case(cases, packs, total):
    assert combine_packs(cases, packs, 12) == total


@pytest.mark.parametrize(
    ("cases", "packs", "part", "message"),
    [
        ("-1", "", "cases", "A stock count cannot be negative."),
        ("1", "-2", "packs", "A stock count cannot be negative."),
        ("\u22123", "", "cases", "A stock count cannot be negative."),  # the minus sign, as visit.js reads it
        ("", "－3", "packs", "A stock count cannot be negative."),  # full-width
        ("1/2", "", "cases", "Write a whole number of cases."),
        ("2", "3.5", "packs", "Write a whole number of packs."),
        # too many, said in what the rep typed (cases, packs or both) and the most in the same units
        (
            "99999999999",
            "",
            "cases",
            "99,999,999,999 cases is more than a count may hold: at most 833,333 cases 4 packs (10,000,000 packs).",
        ),
        (
            "999999",
            "1",
            "cases",
            "999,999 cases 1 pack is more than a count may hold: at most 833,333 cases 4 packs (10,000,000 packs).",
        ),
        (
            "",
            "10000001",
            "packs",
            "10,000,001 packs is more than a count may hold: at most 833,333 cases 4 packs (10,000,000 packs).",
        ),
        # a pasted line of digits is refused without being made a number
        ("9" * 5000, "", "cases", "999,999,999,999,999… cases is more than a count may hold"),
    ],
)
def test_a_bad_part_is_refused_naming_it(cases, packs, part, message):
    with translation.override("en"), pytest.raises(PacksNotationError) as refused:
        combine_packs(cases, packs, 12)
    assert refused.value.part == part and str(refused.value.message).startswith(message)


@pytest.mark.parametrize(
    ("cases", "packs", "english", "chinese"),
    [
        (
            "99999999999",
            "",
            "99,999,999,999 cases is over the limit of one stock count: 833,333 cases 4 packs.",
            "99,999,999,999 箱超过一次盘点的上限 833,333 箱 4 包。",
        ),
        (
            "999999",
            "1",
            "999,999 cases 1 pack is over the limit of one stock count: 833,333 cases 4 packs.",
            "999,999 箱 1 包超过一次盘点的上限 833,333 箱 4 包。",
        ),
        # packs typed alone: the limit in packs
        (
            "",
            "10000001",
            "10,000,001 packs is over the limit of one stock count: 10,000,000 packs.",
            "10,000,001 包超过一次盘点的上限 10,000,000 包。",
        ),
    ],
)
def test_a_stock_count_too_large_is_said_as_the_limit_of_one_count_in_the_units_typed(cases, packs, english, chinese):
    for language, expected in (("en", english), ("zh-hans", chinese)):
        with translation.override(language), pytest.raises(PacksNotationError) as refused:
            combine_packs(cases, packs, 12, stock_count=True)
        assert str(refused.value.message) == expected


def test_the_most_a_count_holds_is_just_taken():
    assert combine_packs("833333", "4", 12) == 10_000_000
    with pytest.raises(PacksNotationError):
        combine_packs("833333", "5", 12)


@pytest.fixture
def world():
    rep = make_user(Role.REP, username="rep_s")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片", packs_per_case=20)
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=chips)
    last_week = timezone.now() - timedelta(days=7)
    before = VisitFactory(rep=rep, store=store, checked_in_at=last_week, checked_out_at=last_week + timedelta(hours=1))
    StockCountFactory(visit=before, product=beer, packs=27)  # 2 cases 3 packs
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    return rep, visit, beer, chips


def test_the_page_asks_for_cases_and_packs_on_the_number_pad_with_the_last_count(client, world):
    rep, visit, beer, chips = world
    client.force_login(rep)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    for product in (beer, chips):
        for part in ("cases", "packs"):
            assert f'name="stock_{product.pk}_{part}"' in page
        assert f'name="stock_{product.pk}"' not in page  # the single cases/packs field is gone from the page
    assert page.count('inputmode="numeric" pattern="[0-9]*"') == 4
    # the beer's last count, ready for "same as last count"; the chips were never counted
    assert 'data-last-cases="2" data-last-packs="3"' in page
    assert page.count('data-testid="same-as-last"') == 1 and 'data-testid="same-as-last-all"' in page
    assert "no earlier count" in page


def test_the_last_count_reads_in_the_words_of_the_two_fields_and_its_buttons_wait_for_the_script(client, world):
    """Finding: beside two boxes for cases and packs the last count read "上次 2/3", "同上次（2/3）"; and without
    JavaScript the "same as last" buttons showed and did nothing. The count reads "2 cases 3 packs" ("2 箱 3 包"),
    and the buttons are drawn hidden for visit.js to show (tests/e2e/test_visit_stock_entry.py)."""
    rep, visit, beer, chips = world
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    page = client.get(url, **EN).content.decode()
    assert '<span data-testid="last-count">2 cases 3 packs</span>' in page
    assert "Same as last (2 cases 3 packs)" in page and "2/3" not in page
    chinese = client.get(url, **ZH).content.decode()
    assert '上次 <span data-testid="last-count">2 箱 3 包</span>' in chinese and "同上次（2 箱 3 包）" in chinese
    buttons = re.findall(r"<button[^>]*data-same-as-last[^>]*>", page)
    assert len(buttons) == 2 and all(" hidden" in button for button in buttons), buttons


def test_two_fields_are_saved_as_packs_and_read_back(client, world):
    rep, visit, beer, chips = world
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    saved = client.post(
        url,
        {
            f"stock_{beer.pk}_cases": "1",
            f"stock_{beer.pk}_packs": "3",
            f"stock_{chips.pk}_cases": "3",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    assert {c.product_id: c.packs for c in visit.stock_counts.all()} == {beer.pk: 15, chips.pk: 60}
    page = client.get(url, **EN).content.decode()
    assert f'id="id_stock_{beer.pk}_cases" value="1"' in page and f'id="id_stock_{beer.pk}_packs" value="3"' in page
    assert f'id="id_stock_{chips.pk}_cases" value="3"' in page and f'id="id_stock_{chips.pk}_packs" value="0"' in page


@pytest.mark.parametrize(
    ("cases", "packs", "english", "chinese"),
    [
        # SPEC §4's 3 typed as 30 of a 24-pack case: said as what it would be, never saved as 2 cases 6 packs
        ("1", "30", "30 packs is a case or more (24 packs a case): write 2 cases 6 packs.", "2 箱 6 包"),
        ("", "24", "24 packs is a case or more (24 packs a case): write 1 case.", "1 箱"),
        ("0", "47", "47 packs is a case or more (24 packs a case): write 1 case 23 packs.", "1 箱 23 包"),
    ],
)
def test_loose_packs_of_a_case_or_more_are_refused_naming_the_product_and_what_to_write(cases, packs, english, chinese):
    for language, expected in (("en", f"海川经典: {english}"), ("zh-hans", chinese)):
        with translation.override(language), pytest.raises(PacksNotationError) as refused:
            combine_packs(cases, packs, 24, stock_count=True, product="海川经典")
        assert refused.value.part == "packs"
        assert expected in str(refused.value.message)


@pytest.mark.parametrize(("packs", "total"), [("23", 47), ("0", 24), ("", 24)])
def test_loose_packs_fewer_than_a_case_are_taken(packs, total):
    assert combine_packs("1", packs, 24, product="海川经典") == total


def test_the_page_refuses_a_case_or_more_of_loose_packs_and_keeps_what_was_typed(client, api_client, world):
    # given: the beer comes 12 a case, and the rep types 2 cases 30 packs (a 3 typed as 30) and 1 case of chips
    rep, visit, beer, chips = world
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    form = {f"stock_{beer.pk}_cases": "2", f"stock_{beer.pk}_packs": "30", f"stock_{chips.pk}_cases": "1"}
    # when: saved (in English and in Chinese)
    english = client.post(url, {**form, "problems": "端架缺货", "action": "save"}, **EN)
    chinese = client.post(url, {**form, "action": "save"}, **ZH).content.decode()
    # then: refused beside the beer's packs, naming it and what the count would be; nothing saved, all kept as typed
    page = english.content.decode()
    assert english.status_code == 400
    beer_error = page.split(f'id="id_stock_{beer.pk}-error"')[1].split("</div>")[0]
    assert "海川纯生啤酒: 30 packs is a case or more (12 packs a case): write 4 cases 6 packs." in beer_error
    assert f'id="id_stock_{beer.pk}_packs" value="30" class="form-control form-control-lg text-end is-invalid"' in page
    assert f'id="id_stock_{beer.pk}_cases" value="2" class="form-control form-control-lg text-end"' in page
    assert f'id="id_stock_{chips.pk}_cases" value="1"' in page and "端架缺货" in page
    assert "4 箱 6 包" in chinese.split(f'id="id_stock_{beer.pk}-error"')[1].split("</div>")[0]
    assert not visit.stock_counts.exists()
    # and a post queued on the phone (the outbox) is refused in its JSON, naming the packs input
    queued = client.post(url, {**form, "action": "save"}, HTTP_X_QUEUE="1", **EN)
    assert queued.status_code == 400 and "write 4 cases 6 packs" in queued.content.decode()
    assert not visit.stock_counts.exists()
    # the API takes the notation only, where 2/30 was already refused the same way (SPEC §4)
    api_client.force_authenticate(rep)
    answer = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"stock_counts": [{"product": beer.code, "quantity": "2/30"}]},
        format="json",
        **EN,
    )
    assert answer.status_code == 400 and "30 packs is a case or more" in str(answer.json())
    assert not visit.stock_counts.exists()


def test_refusals_are_named_per_product_counted_at_the_top_and_keep_what_was_typed(client, world):
    rep, visit, beer, chips = world
    client.force_login(rep)
    response = client.post(
        reverse("visits:visit-detail", args=[visit.pk]),
        {
            f"stock_{beer.pk}_cases": "-1",
            f"stock_{beer.pk}_packs": "4",
            f"stock_{chips.pk}_cases": "2",
            f"stock_{chips.pk}_packs": "五",
            "problems": "价签缺失",
            "action": "save",
        },
        **ZH,
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert" data-testid="fix-count" data-fix-count>2处需要修改</div>' in page
    beer_error = page.split(f'id="id_stock_{beer.pk}-error"')[1].split("</div>")[0]
    chips_error = page.split(f'id="id_stock_{chips.pk}-error"')[1].split("</div>")[0]
    assert "库存数量不能为负数。" in beer_error
    assert "包数请填整数。" in chips_error
    # the wrong part is marked (and is what the page focuses): the beer's cases, the chips' packs
    assert f'id="id_stock_{beer.pk}_cases" value="-1" class="form-control form-control-lg text-end is-invalid"' in page
    assert f'id="id_stock_{beer.pk}_packs" value="4" class="form-control form-control-lg text-end"' in page
    assert f'id="id_stock_{chips.pk}_packs" value="五" class="form-control form-control-lg text-end is-invalid"' in page
    assert f'id="id_stock_{chips.pk}_cases" value="2" class="form-control form-control-lg text-end"' in page
    assert "价签缺失" in page
    assert not visit.stock_counts.exists()


def test_a_refused_check_out_counts_every_field_that_needs_fixing(client, world):
    rep, visit, _beer, _chips = world
    client.force_login(rep)
    response = client.post(reverse("visits:visit-detail", args=[visit.pk]), {"action": "check_out"}, **EN)
    # five checklist items, two products neither counted nor ticked, the reason at check-out
    assert "8 fields need fixing" in response.content.decode()


def test_the_old_single_field_and_the_api_still_take_cases_slash_packs(client, api_client, world):
    rep, visit, beer, chips = world
    client.force_login(rep)
    posted = client.post(reverse("visits:visit-detail", args=[visit.pk]), {f"stock_{beer.pk}": "3/5", "action": "save"})
    assert posted.status_code == 302
    assert visit.stock_counts.get(product=beer).packs == 41

    api_client.force_authenticate(rep)
    answer = api_client.patch(
        f"/api/v1/visits/{visit.pk}/", {"stock_counts": [{"product": chips.code, "quantity": "3/5"}]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert visit.stock_counts.get(product=chips).packs == 65


def test_an_eleven_digit_case_count_reaches_the_server_whole_and_is_refused_in_cases(client, world):
    # given: the cases input takes what is typed whole (no maxlength cutting 11 digits to 6 without a word)
    rep, visit, beer, chips = world
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    page = client.get(url, **EN).content.decode()
    cases_input = page.split(f'id="id_stock_{beer.pk}_cases"')[0].rsplit("<input", 1)[1]
    assert "maxlength" not in cases_input
    # when: the rep types 99999999999 cases of beer and saves
    form = {f"stock_{beer.pk}_cases": "99999999999", f"stock_{chips.pk}_cases": "2", "action": "save"}
    english = client.post(url, form, **EN).content.decode()
    chinese = client.post(url, form, **ZH).content.decode()
    # then: refused next to the beer's cases, as a stock count's limit, in the cases typed and the most in cases
    beer_error = english.split(f'id="id_stock_{beer.pk}-error"')[1].split("</div>")[0]
    assert "99,999,999,999 cases is over the limit of one stock count: 833,333 cases 4 packs." in beer_error
    marked = f'id="id_stock_{beer.pk}_cases" value="99999999999" class="form-control form-control-lg text-end is-inv'
    assert marked in english
    assert "99,999,999,999 箱超过一次盘点的上限 833,333 箱 4 包。" in chinese
    assert not visit.stock_counts.exists()


def test_the_api_quantity_too_large_is_refused_in_what_was_sent(api_client, world):
    rep, visit, beer, _chips = world
    api_client.force_authenticate(rep)
    answer = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"stock_counts": [{"product": beer.code, "quantity": "99999999999/1"}]},
        format="json",
        **EN,
    )
    assert answer.status_code == 400
    assert "99,999,999,999 cases 1 pack is over the limit of one stock count: 833,333 cases 4 packs." in str(
        answer.json()
    )
    assert not visit.stock_counts.exists()


def _bar_progress(page: str) -> str:
    """The bottom bar's progress as a reader sees it: "checklist 0/10 · stock 1/2 · photos 0"."""
    parts = re.findall(r'<span data-progress="\w+">(.*?)</span>', page)
    return " · ".join(" ".join(re.sub(r"<[^>]+>", " ", part).split()) for part in parts)


def test_the_bar_does_not_count_a_count_refused_for_size_without_javascript(client, world):
    # given: the page drawn by the server says where the visit stands (no "–" waiting for JavaScript)
    rep, visit, beer, chips = world
    client.force_login(rep)
    url = reverse("visits:visit-detail", args=[visit.pk])
    assert "stock 0/2" in _bar_progress(client.get(url, **EN).content.decode())
    # when: the rep types 99999999999 cases of beer and 2 cases of chips and saves (a plain post)
    form = {f"stock_{beer.pk}_cases": "99999999999", f"stock_{chips.pk}_cases": "2", "action": "save"}
    refused = client.post(url, form, **EN).content.decode()
    # then: the refused beer is not counted, the chips are; in Chinese too
    assert "stock 1/2" in _bar_progress(refused)
    assert "库存 1/2" in _bar_progress(client.post(url, form, **ZH).content.decode())
    # a product ticked "not counted" counts as done; a saved count shows when the page is drawn again
    form = {f"stock_{beer.pk}_cases": "3", f"not_counted_{chips.pk}": "on", "action": "save"}
    client.post(url, form, **EN)
    assert "stock 2/2" in _bar_progress(client.get(url, **EN).content.decode())
