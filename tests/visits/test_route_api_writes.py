"""A planner writes route plans through the API as on the route pages (routes item 1): generate a week, add, move and
remove a stop, publish and take back to draft, through the same services, within the same scope (out of scope: 404),
refusing with the same codes; a generate or an add sent twice with one Idempotency-Key happens once."""

import uuid
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits.models import RoutePlan, RouteStop

from .factories import RoutePlanFactory, RouteStopFactory, this_monday

# planned from this week's Monday morning: every day of the week still to come (days that have passed stay as
# they are: tests/visits/test_route_days_passed.py)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]
WEEK = timedelta(days=7)


@pytest.fixture
def people():
    sup = make_user(Role.SUPERVISOR, username="sup_rapi")
    rep = make_user(Role.REP, username="rep_rapi", supervisor=sup)
    m1, m2 = make_user(Role.MANAGER, username="m1_rapi"), make_user(Role.MANAGER, username="m2_rapi")
    chain1, chain2 = KeyAccountFactory(owner=m1), KeyAccountFactory(owner=m2)
    ours = StoreFactory(rep=rep, account=chain1, grade="B", code="RA-M1")
    theirs = StoreFactory(rep=rep, account=chain2, grade="C", code="RA-M2")
    return {"sup": sup, "rep": rep, "m1": m1, "m2": m2, "ours": ours, "theirs": theirs}


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _generate(client, week=None, **headers):
    body = {"rep": "rep_rapi", "week_start": (week or this_monday()).isoformat()}
    return client.post("/api/v1/routes/generate/", body, format="json", **headers)


def test_a_supervisor_generates_edits_and_publishes_a_week_through_the_api(people):
    client = _api(people["sup"])

    # when the supervisor generates the rep's week: a new draft (201), each store as often as its grade says
    made = _generate(client)
    assert made.status_code == 201, made.json()
    plan = RoutePlan.objects.get(pk=made.json()["plan"]["id"])
    assert plan.status == RoutePlan.Status.DRAFT and made.json()["overload"] is None
    assert sorted(s["store"] for s in made.json()["plan"]["stops"]) == ["RA-M1", "RA-M1", "RA-M2"]

    # and generates it again: the same plan, remade (200)
    assert _generate(client).status_code == 200 and RoutePlan.objects.count() == 1

    # when they add a stop on a day the store is not on, move it to the first place of Saturday, then remove it
    free = next(d for d in range(6) if not plan.stops.filter(day=d, store=people["theirs"]).exists())
    added = client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M2", "day": free}, format="json")
    assert added.status_code == 201, added.json()
    stop = added.json()
    assert (stop["store"], stop["day"]) == ("RA-M2", free)
    assert RouteStop.objects.get(pk=stop["id"]).by_hand

    saturday = plan.stops.filter(day=5).exclude(store=people["theirs"]).count()
    moved = client.patch(f"/api/v1/routes/{plan.pk}/stops/{stop['id']}/", {"day": 5, "position": 0}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["day"], moved.json()["position"]) == (5, 0)
    assert list(plan.stops.filter(day=5).order_by("position").values_list("position", flat=True)) == list(
        range(saturday + 1)
    )

    removed = client.delete(f"/api/v1/routes/{plan.pk}/stops/{stop['id']}/")
    assert removed.status_code == 204 and not RouteStop.objects.filter(pk=stop["id"]).exists()

    # when they publish it: the rep reads it; then take it back to draft
    published = client.post(f"/api/v1/routes/{plan.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert _api(people["rep"]).get(f"/api/v1/routes/{plan.pk}/").status_code == 200
    back = client.post(f"/api/v1/routes/{plan.pk}/unpublish/")
    assert back.status_code == 200 and back.json()["status"] == "draft"


def test_a_published_plan_is_not_changed_through_the_api(people):
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.PUBLISHED)
    stop = RouteStopFactory(plan=plan, store=people["ours"], day=0, position=0)
    client = _api(people["sup"])

    answers = [
        _generate(client, plan.week_start),
        client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M2", "day": 1}, format="json"),
        client.patch(f"/api/v1/routes/{plan.pk}/stops/{stop.pk}/", {"day": 3}, format="json"),
        client.delete(f"/api/v1/routes/{plan.pk}/stops/{stop.pk}/"),
    ]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(409, "route.published")] * 4
    assert list(plan.stops.values_list("pk", "day")) == [(stop.pk, 0)]


def test_the_api_refuses_as_the_pages_do(people):
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    RouteStopFactory(plan=plan, store=people["ours"], day=0, position=0)
    empty = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT, week_start=this_monday() + WEEK)
    client = _api(people["sup"])

    tuesday = _generate(client, this_monday() + timedelta(days=1))
    twice = client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M1", "day": 0}, format="json")
    sunday = client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M1", "day": 6}, format="json")
    nothing = client.post(f"/api/v1/routes/{empty.pk}/publish/")

    assert (tuesday.status_code, tuesday.json()["code"], tuesday.json()["field"]) == (
        400,
        "route.week_start",
        "week_start",
    )
    assert (twice.status_code, twice.json()["code"]) == (400, "route.store_twice")
    assert (sunday.status_code, sunday.json()["code"], sunday.json()["field"]) == (400, "route.day", "day")
    assert (nothing.status_code, nothing.json()["code"]) == (400, "route.empty")
    assert plan.stops.count() == 1 and RoutePlan.objects.count() == 2
    assert RoutePlan.objects.get(pk=empty.pk).status == RoutePlan.Status.DRAFT


def test_a_manager_writes_only_at_their_accounts_stores(people):
    # given the supervisor's draft week with a stop at m1's store and one at m2's
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    mine = RouteStopFactory(plan=plan, store=people["ours"], day=0, position=0)
    elsewhere = RouteStopFactory(plan=plan, store=people["theirs"], day=0, position=1)
    other_week = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT, week_start=this_monday() + WEEK)
    RouteStopFactory(plan=other_week, store=people["theirs"], day=2, position=0)
    client = _api(people["m1"])

    # when m1 moves and removes m2's stop, adds m2's store, and touches a week with none of their stores
    answers = {
        "move": client.patch(f"/api/v1/routes/{plan.pk}/stops/{elsewhere.pk}/", {"day": 4}, format="json"),
        "remove": client.delete(f"/api/v1/routes/{plan.pk}/stops/{elsewhere.pk}/"),
        "add": client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M2", "day": 3}, format="json"),
        "other week": client.post(
            f"/api/v1/routes/{other_week.pk}/stops/", {"store": "RA-M1", "day": 3}, format="json"
        ),
        "publish other": client.post(f"/api/v1/routes/{other_week.pk}/publish/"),
    }

    # then the stop and the plan outside their scope are not found, the store is refused as not found, naming nothing
    codes = {name: answer.status_code for name, answer in answers.items()}
    assert codes == {"move": 404, "remove": 404, "add": 400, "other week": 404, "publish other": 404}
    assert answers["add"].json()["code"] in ("invalid", "not_found") and "RA-M2" not in answers["add"].content.decode()
    assert set(plan.stops.values_list("pk", "day")) == {(mine.pk, 0), (elsewhere.pk, 0)}

    # and their own stop they move and remove (a manager has change on plans, not delete: removing a stop is a change)
    moved = client.patch(f"/api/v1/routes/{plan.pk}/stops/{mine.pk}/", {"day": 2}, format="json")
    assert moved.status_code == 200 and moved.json()["day"] == 2
    assert client.delete(f"/api/v1/routes/{plan.pk}/stops/{mine.pk}/").status_code == 204

    # and generating answers the plan with only the stops at their stores
    generated = _generate(client)
    assert generated.status_code == 200, generated.json()
    assert {stop["store"] for stop in generated.json()["plan"]["stops"]} == {"RA-M1"}


def test_a_rep_does_not_plan_through_the_api(people):
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.PUBLISHED)
    stop = RouteStopFactory(plan=plan, store=people["ours"], day=0, position=0)
    client = _api(people["rep"])

    answers = [
        _generate(client, this_monday() + WEEK),
        client.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "RA-M2", "day": 1}, format="json"),
        client.patch(f"/api/v1/routes/{plan.pk}/stops/{stop.pk}/", {"day": 3}, format="json"),
        client.delete(f"/api/v1/routes/{plan.pk}/stops/{stop.pk}/"),
        client.post(f"/api/v1/routes/{plan.pk}/unpublish/"),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    assert RoutePlan.objects.get(pk=plan.pk).status == RoutePlan.Status.PUBLISHED
    assert list(RouteStop.objects.values_list("pk", "day")) == [(stop.pk, 0)]


def test_a_generate_and_an_add_sent_twice_with_one_key_happen_once(people):
    client = _api(people["sup"])
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}

    first, again = _generate(client, **key), _generate(client, **key)
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"

    plan = RoutePlan.objects.get()
    free = next(d for d in range(6) if not plan.stops.filter(day=d, store=people["theirs"]).exists())
    add_key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    body = {"store": "RA-M2", "day": free}
    one = client.post(f"/api/v1/routes/{plan.pk}/stops/", body, format="json", **add_key)
    two = client.post(f"/api/v1/routes/{plan.pk}/stops/", body, format="json", **add_key)
    assert (one.status_code, two.status_code) == (201, 201) and one.json() == two.json()
    assert plan.stops.filter(store=people["theirs"], day=free).count() == 1


def test_the_schema_documents_the_client_key_of_the_route_creates(api_client, people):
    api_client.force_authenticate(people["sup"])
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/routes/generate/", "/api/v1/routes/{id}/stops/"):
        operation = schema["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert {"409", "422"} <= set(operation["responses"])


def test_a_manager_reads_and_moves_by_the_places_they_see(people):
    """Tuesday holds m2's store first, then m1's two: m1 reads their stops at places 0 and 1 (not 1 and 2, which
    counted a stop they cannot see), a move to the place GET gave changes nothing, a move by place alone keeps the
    day, and the list, the plan and a stop's answer number alike."""
    other = StoreFactory(rep=people["rep"], account=people["ours"].account, grade="B", code="RA-M1B")
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    hidden = RouteStopFactory(plan=plan, store=people["theirs"], day=1, position=0)
    first = RouteStopFactory(plan=plan, store=people["ours"], day=1, position=1)
    second = RouteStopFactory(plan=plan, store=other, day=1, position=2)
    client = _api(people["m1"])

    seen = client.get(f"/api/v1/routes/{plan.pk}/").json()["stops"]
    assert [(s["id"], s["day"], s["position"]) for s in seen] == [(first.pk, 1, 0), (second.pk, 1, 1)]
    listed = next(p for p in client.get("/api/v1/routes/").json()["results"] if p["id"] == plan.pk)
    assert listed["stops"] == seen

    # the place GET gave: nothing moves
    kept = client.patch(f"/api/v1/routes/{plan.pk}/stops/{second.pk}/", {"day": 1, "position": 1}, format="json")
    assert kept.status_code == 200 and (kept.json()["day"], kept.json()["position"]) == (1, 1)
    assert list(plan.stops.filter(day=1).order_by("position").values_list("pk", flat=True)) == [
        hidden.pk, first.pk, second.pk
    ]  # fmt: skip

    # first of the day by place alone: the day stays Tuesday, before the other of m1's, and the answer says place 0
    moved = client.patch(f"/api/v1/routes/{plan.pk}/stops/{second.pk}/", {"position": 0}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["day"], moved.json()["position"]) == (1, 0)
    seen = client.get(f"/api/v1/routes/{plan.pk}/").json()["stops"]
    assert [(s["id"], s["position"]) for s in seen] == [(second.pk, 0), (first.pk, 1)]
    # the supervisor, who sees the whole day, reads every stop at its own place
    whole = _api(people["sup"]).get(f"/api/v1/routes/{plan.pk}/").json()["stops"]
    assert [s["position"] for s in whole] == [0, 1, 2]


def test_a_manager_removing_their_last_stop_of_a_week_lands_on_the_weeks_plans(people, client):
    """Finding: the page sent a manager who removed their only stop back to the plan, which they no longer reach: a
    404. They land on the week's route plans, told why the plan left their list."""
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    mine = RouteStopFactory(plan=plan, store=people["ours"], day=4, position=0)
    RouteStopFactory(plan=plan, store=people["theirs"], day=4, position=1)
    client.force_login(people["m1"])

    removed = client.post(f"/visits/routes/stops/{mine.pk}/remove/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert removed.redirect_chain[-1] == (f"/visits/routes/?week_start={plan.week_start.isoformat()}", 302)
    assert removed.status_code == 200 and not RouteStop.objects.filter(pk=mine.pk).exists()
    assert "You have no more stops in that week: it is no longer in your route plans." in removed.content.decode()


def test_a_week_is_found_by_any_day_of_it(people, client):
    """Finding: filtering route plans by a Wednesday found nothing, saying nothing: the week holding it is meant."""
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    RouteStopFactory(plan=plan, store=people["ours"], day=4, position=0)
    wednesday = (plan.week_start + timedelta(days=2)).isoformat()
    client.force_login(people["sup"])

    page = client.get("/visits/routes/", {"week_start": wednesday})
    api = _api(people["sup"]).get("/api/v1/routes/", {"week_start": wednesday}).json()

    assert [p.pk for p in page.context["object_list"]] == [plan.pk]
    assert [p["id"] for p in api["results"]] == [plan.pk]
    later = (plan.week_start + timedelta(days=7)).isoformat()
    assert not _api(people["sup"]).get("/api/v1/routes/", {"week_start": later}).json()["results"]


def test_a_move_to_where_the_stop_is_changes_nothing(people):
    """Finding: pressing Move without changing the day or place marked the stop "by hand" (a regenerate would then
    keep it); a real move still does."""
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    first = RouteStopFactory(plan=plan, store=people["ours"], day=4, position=0)
    second = RouteStopFactory(plan=plan, store=people["theirs"], day=4, position=1)
    client = _api(people["sup"])

    kept = client.patch(f"/api/v1/routes/{plan.pk}/stops/{second.pk}/", {"day": 4, "position": 1}, format="json")
    assert kept.status_code == 200 and kept.json()["by_hand"] is False
    second.refresh_from_db()
    assert (second.position, second.by_hand) == (1, False)

    moved = client.patch(f"/api/v1/routes/{plan.pk}/stops/{second.pk}/", {"position": 0}, format="json")
    assert moved.json()["by_hand"] is True and moved.json()["position"] == 0
    first.refresh_from_db()
    assert first.position == 1


def test_a_store_the_stop_cannot_be_at_answers_as_a_code_that_does_not_exist(people):
    # given a draft week of the rep's (m1 plans it too), and a store of another rep of the same supervisor's team
    plan = RoutePlanFactory(rep=people["rep"], status=RoutePlan.Status.DRAFT)
    RouteStopFactory(plan=plan, store=people["ours"], day=0, position=0)
    neighbour = make_user(Role.REP, username="rep2_rapi", supervisor=people["sup"])
    StoreFactory(rep=neighbour, account=people["ours"].account, code="RA-N1")

    def add(user, code):
        return _api(user).post(f"/api/v1/routes/{plan.pk}/stops/", {"store": code, "day": 3}, format="json")

    # when the supervisor adds the other rep's store and a code that does not exist, and m1 adds m2's store
    answers = {
        "another rep's": add(people["sup"], "RA-N1"),
        "no such store": add(people["sup"], "RA-NONE"),
        "another manager's": add(people["m1"], "RA-M2"),
    }

    # then each is refused alike, as a reference not found in `errors.store`, naming nothing
    expected = {"code": "invalid", "detail": "Not found.", "errors": {"store": ["Not found."]}}
    assert {name: (a.status_code, a.json()) for name, a in answers.items()} == dict.fromkeys(answers, (400, expected))
    assert list(plan.stops.values_list("store__code", flat=True)) == ["RA-M1"]
