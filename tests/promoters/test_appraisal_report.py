"""The monthly appraisal (考核) on a worked example, computed by hand: attendance with late / early / absent / off
site / leave, sell-out against target (price seen, else the shelf price), the display score from the month's
visits, the weighted score — and how it moves when the weights change — and the month's pay."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from promoters.appraisal import promoter_appraisal, sort_rows
from promoters.models import Promoter, Shift
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .factories_appraisal import D, at, promoter, shift, sold, target, visit

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2026, 9, 1)
NOW = at(date(2026, 9, 30), "12:00")  # the 30th's shift has not ended yet
A = Shift.Attendance


def day(n: int) -> date:
    return date(2026, 9, n)


@pytest.fixture
def example():
    """Promoter 1 (daily fee 150) at store S1 in September:
    1st attended · 2nd late (in 09:20) · 3rd left early (out 16:30) · 4th absent (no check-in) · 5th on approved
    leave · 6th no check-in, confirmed attended by the supervisor · 7th checked in 900 m away (off site) · 8th late
    and early · 30th not ended yet. Planned (ended, leave out) 7; attended 5 (1, 2, 3, 6, 8).
    Sell-out: 10 packs at 9.50 seen + 5 packs with no price seen at the shelf price 10.00 = 145.00; target 200.00.
    Visits at S1 in September (done): 4 passed 1 failed; 3 passed 1 failed 1 n.a.; an open visit and an August
    one do not count: 7 passed of 9.
    Promoter 2 (monthly 3000.00, on the roster from the 11th: 20 of 30 days) at S2: one shift attended, no target,
    no visit."""
    supervisor = make_user("supervisor", username="sup_appraisal")
    account = KeyAccountFactory(code="CHA")
    s1, s2 = StoreFactory(account=account, code="S1"), StoreFactory(account=account, code="S2")
    product = ProductFactory(code="X")
    ListingFactory(store=s1, product=product, shelf_price=D("10.00"))
    p1 = promoter(supervisor=supervisor, stores=[s1], daily_fee="150.00", code="P1", name="王芳")
    p2 = promoter(supervisor=supervisor, stores=[s2], monthly_pay="3000.00", started_on=day(11), code="P2", name="李娜")
    first = shift(p1, s1, day(1), check_in="08:55", check_out="17:05")
    second = shift(p1, s1, day(2), check_in="09:20", check_out="17:00")
    shift(p1, s1, day(3), check_in="09:00", check_out="16:30")
    shift(p1, s1, day(4))
    shift(p1, s1, day(5), confirmed=A.LEAVE)
    shift(p1, s1, day(6), confirmed=A.ATTENDED)
    shift(p1, s1, day(7), check_in="09:00", check_out="17:00", distance=900)
    shift(p1, s1, day(8), check_in="09:30", check_out="16:00")
    shift(p1, s1, day(30))
    sold(first, product, 10, price_seen="9.50")
    sold(second, product, 5)
    target(p1, SEPTEMBER, "200.00")
    target(p1, date(2026, 10, 1), "999.00")  # another month's
    visit(s1, day(10), {"together": "pass", "tidy": "pass", "price_tag": "pass", "promotion_display": "pass",
                        "stock_level": "fail"})  # fmt: skip
    visit(s1, day(20), {"together": "pass", "tidy": "pass", "price_tag": "fail", "promotion_display": "pass",
                        "stock_level": "na"})  # fmt: skip
    visit(s1, day(21), {"together": "fail", "tidy": "fail"}, done=False)
    visit(s1, date(2026, 8, 31), {"together": "fail"})
    shift(p2, s2, day(15), check_in="09:00", check_out="17:00")
    return p1, p2


def appraise(**kwargs):
    rows = promoter_appraisal(promoters=Promoter.objects.order_by("code"), month=SEPTEMBER, now=NOW, **kwargs)
    return {row.promoter.code: row for row in rows}


def test_the_worked_example_by_hand(example):
    row = appraise()["P1"]

    assert (row.scheduled, row.planned, row.attended) == (9, 7, 5)
    assert (row.late, row.early, row.absent, row.off_site, row.leave) == (2, 2, 1, 1, 1)
    assert [(d.day, code) for d, _store, code, _label in row.irregular] == [(2, "S1"), (3, "S1"), (8, "S1")]
    assert row.sell_out == D("145.00") and row.target == D("200.00")
    assert row.achievement == D("72.5")
    assert (row.checks_passed, row.checks_failed) == (7, 2)
    # parts: 72.5 · 5/7 = 71.4 · 7/9 = 77.8; score 0.5 × 72.5 + 0.3 × 71.4 + 0.2 × 77.8 = 73.23
    assert row.parts == {"sell_out": D("72.5"), "attendance": D("71.4"), "display": D("77.8")}
    assert row.score == D("73.2")
    assert row.pay == D("750.00")  # 150 × 5


def test_a_monthly_promoter_is_paid_for_the_days_on_the_roster_and_scored_on_what_there_is(example):
    row = appraise()["P2"]

    assert row.pay == D("2000.00")  # 3000 × 20 / 30
    assert row.parts == {"sell_out": None, "attendance": D("100.0"), "display": None}
    assert row.score == D("100.0")  # attendance alone carries it


def test_changing_the_weights_moves_the_score_as_computed_by_hand(example, settings):
    settings.KA = dataclasses.replace(
        settings.KA,
        promoter_weight_sell_out=Decimal("0.20"),
        promoter_weight_attendance=Decimal("0.30"),
        promoter_weight_display=Decimal("0.50"),
    )

    row = appraise()["P1"]

    assert row.score == D("74.8")  # 0.2 × 72.5 + 0.3 × 71.4 + 0.5 × 77.8 = 14.5 + 21.42 + 38.9 = 74.82


def test_the_weight_of_a_part_without_data_goes_to_the_others(example, settings):
    settings.KA = dataclasses.replace(
        settings.KA,
        promoter_weight_sell_out=Decimal("0.60"),
        promoter_weight_attendance=Decimal("0.20"),
        promoter_weight_display=Decimal("0.20"),
    )
    Promoter.objects.get(code="P1").targets.all().delete()

    row = appraise()["P1"]

    assert row.parts["sell_out"] is None
    assert row.score == D("74.6")  # (0.2 × 71.4 + 0.2 × 77.8) ÷ 0.4 = 74.6


def test_sell_out_above_target_is_capped_at_100_points(example):
    p1 = Promoter.objects.get(code="P1")
    p1.targets.filter(month=SEPTEMBER).update(amount=D("100.00"))

    row = appraise()["P1"]

    assert row.achievement == D("145.0") and row.parts["sell_out"] == D("100.0")


def test_the_supervisors_confirmation_overrides_the_computed_reading(example):
    Shift.objects.filter(day=day(4)).update(confirmed_attendance=A.ATTENDED, confirmed_at=NOW)
    Shift.objects.filter(day=day(2)).update(confirmed_attendance=A.ABSENT, confirmed_at=NOW)

    row = appraise()["P1"]

    assert (row.planned, row.attended, row.late, row.absent) == (7, 5, 1, 1)


def test_a_later_now_counts_the_last_shift(example):
    rows = promoter_appraisal(
        promoters=Promoter.objects.filter(code="P1"), month=SEPTEMBER, now=at(date(2026, 10, 1), "00:00")
    )

    assert (rows[0].planned, rows[0].absent) == (8, 2)


def test_a_month_without_anything_has_no_score_and_no_pay_by_the_day(example):
    rows = promoter_appraisal(promoters=Promoter.objects.filter(code="P1"), month=date(2026, 7, 1), now=NOW)

    assert rows[0].score is None and rows[0].pay == D("0.00") and rows[0].planned == 0


def test_sorted_by_score_best_first_and_those_without_last(example):
    p3 = promoter(supervisor=Promoter.objects.get(code="P1").supervisor, code="P3")
    rows = promoter_appraisal(promoters=Promoter.objects.all(), month=SEPTEMBER, now=NOW)

    assert [r.promoter.code for r in sort_rows(rows, "-score")] == ["P2", "P1", p3.code]
    assert [r.promoter.code for r in sort_rows(rows, "score")] == ["P1", "P2", p3.code]
    assert [r.promoter.code for r in sort_rows(rows, "-pay")] == ["P2", "P1", p3.code]


def test_a_fixed_number_of_queries_however_many_promoters(example, django_assert_num_queries):
    supervisor = Promoter.objects.get(code="P1").supervisor
    s1 = Promoter.objects.get(code="P1").stores.get()
    with django_assert_num_queries(5) as few:
        promoter_appraisal(promoters=Promoter.objects.all(), month=SEPTEMBER, now=NOW)
    for n in range(8):
        more = promoter(supervisor=supervisor, stores=[s1], monthly_pay="2000.00", code=f"M{n}")
        shift(more, s1, day(3), check_in="09:00", check_out="17:00")
        target(more, SEPTEMBER, "100.00")
    with django_assert_num_queries(len(few.captured_queries)):
        rows = promoter_appraisal(promoters=Promoter.objects.all(), month=SEPTEMBER, now=NOW)
    assert len(rows) == 10


def test_a_promoter_without_a_shift_in_the_month_has_no_score_however_good_their_stores_look(example):
    """Finding: a promoter who had left (no shift that month) ranked first on the display part of their roster's
    store alone, rescaled to the whole score."""
    p1 = Promoter.objects.get(code="P1")
    gone = promoter(
        supervisor=p1.supervisor, stores=list(p1.stores.all()), code="P9", started_on=date(2026, 1, 1),
        ended_on=day(21),
    )  # fmt: skip

    rows = appraise()

    assert rows["P9"].scheduled == 0 and rows["P9"].display_score is None and rows["P9"].score is None
    assert [r.promoter.code for r in sort_rows(list(rows.values()), "-score")] == ["P2", "P1", gone.code]


def test_a_promoter_whose_shifts_have_not_ended_yet_has_no_score_yet(example):
    p2 = Promoter.objects.get(code="P2")
    shift(p2, p2.stores.get(), day(30), check_in="08:55")  # running at NOW
    Shift.objects.filter(promoter=p2, day=day(15)).delete()

    row = appraise()["P2"]

    assert (row.scheduled, row.planned) == (1, 0) and row.score is None


def test_those_off_the_roster_the_whole_month_are_left_out(example):
    from promoters.appraisal import on_roster_in

    supervisor = Promoter.objects.get(code="P1").supervisor
    promoter(supervisor=supervisor, code="GONE", ended_on=date(2026, 8, 31))
    promoter(supervisor=supervisor, code="LEFT", ended_on=day(1))
    promoter(supervisor=supervisor, code="NEW", started_on=date(2026, 10, 1))

    kept = on_roster_in(Promoter.objects.all(), SEPTEMBER).order_by("code").values_list("code", flat=True)

    assert list(kept) == ["LEFT", "P1", "P2"]
