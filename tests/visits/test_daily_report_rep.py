"""The daily report takes its rep as every list's rep filter does, by username (?rep=rep1, what the route list's and
the visit list's filters give); a numeric id, as older links gave it, still reads. A rep unknown or outside the
user's scope is said beside the rep filter on the page, not answered with a bare 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user

from .factories import VisitFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def team():
    sup = make_user(Role.SUPERVISOR, username="sup_dr")
    rep = make_user(Role.REP, username="rep_dr", supervisor=sup, first_name="Wei", last_name="Zhang")
    other = make_user(Role.REP, username="rep_dr2", supervisor=sup)
    outsider = make_user(Role.REP, username="rep_dr_out", supervisor=make_user(Role.SUPERVISOR, username="sup_dr2"))
    today = timezone.localdate()
    at = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time())).replace(hour=10)
    VisitFactory(rep=rep, store=StoreFactory(rep=rep, name="张伟的店"), checked_in_at=at)
    VisitFactory(rep=outsider, store=StoreFactory(rep=outsider, name="别的组的店"), checked_in_at=at)
    return sup, rep, other, outsider


def test_the_rep_is_taken_by_username_as_the_lists_give_it(client, team):
    sup, rep, _other, _outsider = team
    client.force_login(sup)

    response = client.get(reverse("visits:daily-report"), {"rep": "rep_dr", "date": timezone.localdate()}, **EN)

    assert response.status_code == 200
    page = response.content.decode()
    assert "张伟的店" in page and 'data-testid="rep-error"' not in page
    # the rep select sends the username back, and the day steps keep it
    assert '<option value="rep_dr" selected>' in page
    assert "?rep=rep_dr&amp;date=" in page


def test_a_numeric_id_from_an_older_link_still_reads(client, team):
    sup, rep, _other, _outsider = team
    client.force_login(sup)

    page = client.get(reverse("visits:daily-report"), {"rep": rep.pk}, **EN).content.decode()

    assert "张伟的店" in page and '<option value="rep_dr" selected>' in page


@pytest.mark.parametrize("wanted", ["nobody", "rep_dr_out", "outsider_pk"])
def test_an_unknown_or_out_of_scope_rep_is_said_beside_the_filter(client, team, wanted):
    sup, _rep, _other, outsider = team
    wanted = str(outsider.pk) if wanted == "outsider_pk" else wanted
    client.force_login(sup)

    response = client.get(reverse("visits:daily-report"), {"rep": wanted}, **EN)

    assert response.status_code == 200  # the page with its filter, as the lists answer a filter they refuse
    page = response.content.decode()
    error = page.split('data-testid="rep-error"')[1].split("</div>")[0]
    assert f"“{wanted}” is not a sales rep you can report on: choose one from the list." in error
    assert "别的组的店" not in page and "张伟的店" not in page  # no one's report, least of all the outsider's
    assert "No sales reps in your scope." not in page


def test_the_compliance_page_links_each_rep_to_the_report_by_username(client, team):
    sup, rep, _other, _outsider = team
    client.force_login(sup)

    page = client.get(reverse("visits:compliance"), **EN).content.decode()

    assert f"{reverse('visits:daily-report')}?rep={rep.username}&amp;date=" in page
