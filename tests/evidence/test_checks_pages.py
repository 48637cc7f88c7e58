"""The visit page's promotions section and the plan page's execution in stores."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from evidence import visit_checks as checks
from evidence.models import PromotionCheck

from . import checks_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the photos taken in these tests
    return checks_world.build()


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(w, beer="10.00", chips="5.00", present="yes"):
    return {
        f"price_{w.beer.pk}": beer,
        f"price_{w.chips.pk}": chips,
        "present_end_cap": present,
        "photo_end_cap": checks_world.photo(),
    }


def test_the_visit_page_lists_the_running_promotion_and_the_agreement(w):
    page = _client(w.rep).get(reverse("visits:visit-detail", args=[w.visit.pk])).content.decode()
    assert "端架特价" in page and "第二件半价" in page and "别家促销" not in page
    assert 'inputmode="decimal"' in page and 'capture="environment"' in page
    assert 'hx-encoding="multipart/form-data"' in page and "Shelf facings" in page


def test_an_htmx_post_swaps_only_the_section_with_the_execution(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    answer = _client(w.rep).post(url, _form(w), HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert answer.status_code == 200 and body.lstrip().startswith('<section class="card mb-3" id="promotions"')
    assert "Executed" in body and "<html" not in body


def test_a_refused_price_keeps_what_was_typed_and_saves_nothing(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    body = _client(w.rep).post(url, _form(w, beer="-3", chips="4,95"), HTTP_HX_REQUEST="true").content.decode()
    assert "A shelf price cannot be negative." in body
    assert 'value="-3"' in body and 'value="4,95"' in body
    assert not PromotionCheck.objects.exists()


def test_without_htmx_the_post_redirects_back_to_the_section(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    answer = _client(w.rep).post(url, _form(w, beer="12.00"))
    assert answer.status_code == 302 and answer["Location"].endswith("#promotions")
    page = _client(w.rep).get(answer["Location"]).content.decode()
    assert "Not executed" in page and "纯生啤酒 at 12.00 on the shelf, plan 10.00" in page


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Nothing entered, nothing saved"), ("zh-hans", "未填写任何内容，未保存")],
)
def test_an_empty_save_says_nothing_was_entered_with_and_without_htmx(w, language, said):
    # given: a promotion with nothing checked yet; the rep fills in nothing (rep finding 3)
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    client = _client(w.rep)
    empty = {f"price_{w.beer.pk}": "", f"price_{w.chips.pk}": " "}
    # when: they tap "Save this promotion", with htmx
    body = client.post(url, empty, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # then: the section says so next to the button, and nothing is recorded
    assert 'data-testid="promotion-error">' + said in body
    # and without htmx: the visit page again (400) with the same message
    answer = client.post(url, empty, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 400 and said in answer.content.decode()
    assert not PromotionCheck.objects.exists() and not checks.visit_checks(w.visit).plans[0].execution


def test_an_empty_save_clears_what_was_saved_before(w):
    # given: a price saved before; the rep empties the field and saves: a change, not "nothing entered"
    checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("9.90"))
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    body = _client(w.rep).post(url, {f"price_{w.beer.pk}": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nothing entered" not in body and not PromotionCheck.objects.exists()


def test_a_supervisor_reads_what_was_seen_without_forms(w):
    checks.promotion_check_record(visit=w.visit, item=w.beer, shelf_price=D("9.90"))
    page = _client(w.supervisor).get(reverse("visits:visit-detail", args=[w.visit.pk])).content.decode()
    assert "9.90" in page and 'data-testid="promotion-form"' not in page


def test_another_reps_visit_cannot_be_posted(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.plan.pk])
    assert _client(w.other_rep).post(url, _form(w)).status_code == 404


def test_the_plan_page_counts_stores_checked_executed_and_not_visited(w, django_assert_max_num_queries):
    checks.promotion_checks_record(
        visit=w.visit,
        plan=w.plan,
        prices={w.beer.pk: D("12.00"), w.chips.pk: D("5.00")},
        displays={"end_cap": checks.DisplayAnswer(True, checks_world.photo())},
    )
    client = _client(w.manager)
    url = reverse("promotions:plan-detail", args=[w.plan.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        body = client.get(url).content.decode()
    assert "Execution in stores" in body
    # its headers capitalised like the rest of the portal's
    assert "<th>Store</th><th>Latest check</th><th>Result</th>" in body and ">Stores checked<" in body
    assert 'data-testid="execution-checked">1<' in body and 'data-testid="execution-not-executed">1<' in body
    assert 'data-testid="execution-not-visited">1<' in body and "检查二店" in body


def test_the_execution_figures_cost_the_same_queries_for_more_stores(w, django_assert_num_queries):
    from stores.models import Store
    from tests.factories import StoreFactory

    with django_assert_num_queries(2):
        checks.plan_execution_by_store(w.plan, Store.objects.all())
    StoreFactory.create_batch(5, account=w.account)
    with django_assert_num_queries(2):
        figures = checks.plan_execution_by_store(w.plan, Store.objects.all())
    assert figures.not_visited == 7


def test_a_rep_who_did_not_draft_the_plan_checks_it_in_the_visit_not_on_the_plan_page(w):
    url = reverse("promotions:plan-detail", args=[w.plan.pk])
    assert "Execution in stores" not in _client(w.rep).get(url).content.decode()
    assert "Execution in stores" in _client(w.supervisor).get(url).content.decode()


def test_a_plan_that_does_not_run_here_is_not_found_and_said_so(w):
    url = reverse("evidence:visit-plan-checks", args=[w.visit.pk, w.other_plan.pk])
    body = _client(w.rep).post(url, {}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="promotions-error">Not found.' in body
