"""What a visit's pages say in sentences (rep finding 3): the check-out summary names only what was missing, each
with its plural, joined by the language's own separator; a label and its answer are joined by the language's colon.
On the visit page, the visit history and the daily report alike."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import ChecklistResult, Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def people():
    supervisor = make_user(Role.SUPERVISOR, username="sup_sum")
    rep = make_user(Role.REP, username="rep_sum", supervisor=supervisor)
    return supervisor, rep


def _incomplete_visit(rep, missing: dict) -> Visit:
    start = timezone.now() - timedelta(hours=1)
    return VisitFactory(
        rep=rep,
        store=StoreFactory(rep=rep),
        checked_in_at=start,
        checked_out_at=start + timedelta(minutes=30),
        checkout_reason="店长要求提前离店",
        checkout_missing=missing,
    )


@pytest.mark.parametrize(
    ("missing", "said"),
    [
        (
            {"checklist": [], "products": [1, 2], "no_position": True},
            "Missing at check-out: 2 products not counted, no check-in position",
        ),
        (
            {"checklist": ["tidy"], "products": [7]},
            "Missing at check-out: 1 checklist item unanswered, 1 product not counted",
        ),
        ({"checklist": [], "products": [], "no_position": True}, "Missing at check-out: no check-in position"),
    ],
)
def test_the_summary_names_only_what_was_missing_with_plurals(people, missing, said):
    _sup, rep = people
    with override("en"):
        assert _incomplete_visit(rep, missing).checkout_missing_text == said


def test_every_page_says_it_so_in_both_languages(client, people):
    # given: a visit checked out under a reason, no checklist item missing, two products and the position
    supervisor, rep = people
    visit = _incomplete_visit(rep, {"checklist": [], "products": [1, 2], "no_position": True})
    client.force_login(supervisor)
    pages = {
        "visit": reverse("visits:visit-detail", args=[visit.pk]),
        "history": reverse("visits:visit-list"),
        "daily report": reverse("visits:daily-report")
        + f"?rep={rep.pk}&date={timezone.localdate(visit.checked_in_at):%Y-%m-%d}",
    }
    for name, url in pages.items():
        page = client.get(url, **EN).content.decode()
        assert "Missing at check-out: 2 products not counted, no check-in position" in page, name
        assert "0 checklist" not in page, name
    # in Chinese: the Chinese list separator, never an ASCII comma between Chinese words
    visit.checkout_missing = {"checklist": ["tidy", "price_tag"], "products": [], "no_position": True}
    visit.save(update_fields=["checkout_missing"])
    for name, url in pages.items():
        page = client.get(url, **ZH).content.decode()
        assert "2个检查项未作答、签到无定位" in page, name
        assert "未作答, " not in page and "0个" not in page, name


def test_a_checklist_answer_follows_the_language_colon(client, people):
    supervisor, rep = people
    visit = _incomplete_visit(rep, {})
    ChecklistResult.objects.create(visit=visit, item="together", result="pass")
    client.force_login(supervisor)
    url = reverse("visits:visit-detail", args=[visit.pk])
    zh = client.get(url, **ZH).content.decode()
    assert "产品集中陈列，正面朝向顾客：<strong>" in zh and "顾客: " not in zh
    en = client.get(url, **EN).content.decode()
    assert "Products together, front facing the shopper: <strong>Pass</strong>" in en
