"""The weekly route-compliance report for one chain (?account=CODE): only that chain's stops and visits, the reps
who serve it, a chain out of the user's scope not found; and the chain page's compliance figure links to it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.analytics.chain_example import chain_example
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .factories import RoutePlanFactory, RouteStopFactory, VisitFactory, this_monday

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _noon(day: date):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())).replace(hour=12)


@pytest.fixture
def two_chains():
    """Last week (every day past): rep_c serves both chains (done at 华联's store, missed at 家乐福's); rep_d only
    家乐福 (done)."""
    sup = make_user(Role.SUPERVISOR, username="sup_c")
    rep_c = make_user(Role.REP, username="rep_c", supervisor=sup, first_name="Chen")
    rep_d = make_user(Role.REP, username="rep_d", supervisor=sup, first_name="Ding")
    hualian = KeyAccountFactory(code="HL", name="华联")
    carrefour = KeyAccountFactory(code="CRF", name="家乐福")
    hl_store = StoreFactory(rep=rep_c, account=hualian, name="华联店")
    crf_store = StoreFactory(rep=rep_c, account=carrefour, name="家乐福店")
    crf_store_d = StoreFactory(rep=rep_d, account=carrefour, name="家乐福二店")
    monday = this_monday() - timedelta(days=7)
    plan_c = RoutePlanFactory(rep=rep_c, week_start=monday)
    RouteStopFactory(plan=plan_c, store=hl_store, day=0)
    RouteStopFactory(plan=plan_c, store=crf_store, day=1)
    plan_d = RoutePlanFactory(rep=rep_d, week_start=monday)
    RouteStopFactory(plan=plan_d, store=crf_store_d, day=0)
    for rep, store, day in ((rep_c, hl_store, monday), (rep_d, crf_store_d, monday)):
        VisitFactory(rep=rep, store=store, checked_in_at=_noon(day), checked_out_at=_noon(day) + timedelta(minutes=30))
    return type("TwoChains", (), locals())


def _rows(response):
    return {
        row.rep.username: (row.done, row.planned, [s.name for _d, s in row.missed]) for row in response.context["rows"]
    }


def test_the_report_filtered_to_a_chain_counts_only_its_stores(client, two_chains):
    w = two_chains
    client.force_login(w.sup)
    week = {"week": w.monday.isoformat()}

    everything = client.get(reverse("visits:compliance"), week, **EN)
    hualian = client.get(reverse("visits:compliance"), {**week, "account": "HL"}, **EN)
    carrefour = client.get(reverse("visits:compliance"), {**week, "account": "CRF"}, **EN)

    assert _rows(everything) == {"rep_c": (1, 2, ["家乐福店"]), "rep_d": (1, 1, [])}
    assert _rows(hualian) == {"rep_c": (1, 1, [])}  # rep_d serves no 华联 store: not listed
    assert _rows(carrefour) == {"rep_c": (0, 1, ["家乐福店"]), "rep_d": (1, 1, [])}
    page = client.get(reverse("visits:compliance"), {**week, "account": "HL"}).content.decode()  # in Chinese
    assert 'data-testid="compliance-chain"' in page and "· 华联" in page and "仅统计华联门店" in page
    assert '<option value="HL" selected>' in page
    # the week's arrows keep the chain
    previous = (w.monday - timedelta(days=7)).isoformat()
    assert f"?week={previous}&amp;account=HL" in page


def test_a_chain_out_of_scope_or_unknown_is_not_found(client, two_chains):
    w = two_chains
    elsewhere = KeyAccountFactory(code="ELSE")
    StoreFactory(account=elsewhere, rep=make_user(Role.REP))  # another team's store
    client.force_login(w.sup)

    assert client.get(reverse("visits:compliance"), {"account": "ELSE"}).status_code == 404
    assert client.get(reverse("visits:compliance"), {"account": "NOPE"}).status_code == 404
    # the supervisor's choice of chains is their own
    chains = [chain.code for chain in client.get(reverse("visits:compliance")).context["chains"]]
    assert chains == ["CRF", "HL"]


def test_the_chain_page_links_its_compliance_figure_to_the_report_filtered_to_the_chain(client, manager, rep):
    chain_example(manager, rep)
    client.force_login(manager)

    page = client.get(reverse("analytics:chain", args=["WMT"]), {"month_from": "2025-01", "month_to": "2025-03"})
    link = page.context["links"]["compliance"]
    assert link == reverse("visits:compliance") + "?account=WMT&week=2025-03-31"
    assert 'href="{}"'.format(link.replace("&", "&amp;")) in page.content.decode()

    report = client.get(link, **EN)
    assert report.status_code == 200
    assert report.context["account"].code == "WMT"
    assert report.context["week"] == date(2025, 3, 31)
    # the week of March 31st: two stops at a 沃尔玛 store, its visit left open
    (row,) = report.context["rows"]
    assert row.rep == rep and (row.done, row.planned) == (0, 2)


def test_the_help_says_a_stop_counts_once_its_visit_is_checked_out(client, two_chains):
    """The report counts a planned stop done when its visit was checked in that day and checked out (a visit left open
    is not done: selectors.compliance); its help text says the same, not "checked in" alone."""
    w = two_chains
    VisitFactory(rep=w.rep_c, store=w.crf_store, checked_in_at=_noon(w.monday + timedelta(days=1)))  # left open
    client.force_login(w.sup)

    response = client.get(reverse("visits:compliance"), {"week": w.monday.isoformat()}, **EN)

    assert _rows(response)["rep_c"] == (1, 2, ["家乐福店"])  # checked in, not checked out: still missed
    page = response.content.decode()
    assert "checked in at that store on that day and checked the visit out" in page
    assert "a visit still open does not count" in page
