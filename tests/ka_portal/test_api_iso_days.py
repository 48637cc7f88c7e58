"""A day in an API request is YYYY-MM-DD in every language (ERP integrator QA, item 1): `?date_from=05/12/2026` was
12 May to an English request, 5 Dec for `12/05/2026`, a 400 "输入一个有效的日期。" in Chinese, and `2026/12/05` the
other way round, while the schema says `format: date`. Every date query parameter the schema documents now refuses
any other shape, and a body's day and a query's are refused in one wording naming what was sent — a day in the right
shape that the calendar has not ("2026-02-30") too, which a body called "Date has wrong format" (ka_portal/days.py)."""

from datetime import date

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.api_schema import api_schema
from tests.factories import DeliveryFactory, ListingFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
LANGUAGES = {"en": "en", "zh-hans": "zh-hans", "none": None}
NOT_A_DAY = {
    "en": "“{}” is not a date: give it as YYYY-MM-DD, e.g. 2026-05-31.",
    "zh-hans": "“{}”不是日期：请按 YYYY-MM-DD 填写，例如 2026-05-31。",
}


def _get(client, url, params, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(url, params, **headers)


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_days", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def deliveries():
    store = StoreFactory()
    DeliveryFactory(store=store, date=date(2026, 5, 12))
    DeliveryFactory(store=store, date=date(2026, 12, 5))
    return store


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["05/12/2026", "12/05/2026", "2026/12/05", "2026.12.05", "20261205", "2026-12-5"])
def test_a_day_in_another_shape_is_refused_in_every_language(admin_api, deliveries, language, typed):
    response = _get(admin_api, "/api/v1/deliveries/", {"date_from": typed}, LANGUAGES[language])

    assert response.status_code == 400, response.content
    words = NOT_A_DAY["en" if language == "en" else "zh-hans"].format(typed)
    assert response.json()["errors"] == {"date_from": [words]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_day_the_calendar_has_not_is_named_as_no_date(admin_api, deliveries, language):
    response = _get(admin_api, "/api/v1/deliveries/", {"date_to": "2026-02-30"}, LANGUAGES[language])

    assert response.status_code == 400
    words = NOT_A_DAY["en" if language == "en" else "zh-hans"].format("2026-02-30")
    assert response.json()["errors"] == {"date_to": [words]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_iso_day_filters_alike_in_every_language(admin_api, deliveries, language):
    response = _get(admin_api, "/api/v1/deliveries/", {"date_from": "2026-12-05"}, LANGUAGES[language])

    assert response.status_code == 200
    assert [row["date"] for row in response.json()["results"]] == ["2026-12-05"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_visits_since_reads_only_iso(admin_api, language):
    VisitFactory()
    refused = _get(admin_api, "/api/v1/visits/", {"since": "12/01/2026"}, language)
    taken = _get(admin_api, "/api/v1/visits/", {"since": "2000-01-01"}, language)

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"since": [NOT_A_DAY[language].format("12/01/2026")]}
    assert taken.status_code == 200 and taken.json()["count"] == 1


def _date_parameters():
    with translation.override("en"):
        schema = api_schema()
    found = []
    for path, item in schema["paths"].items():
        if "{" in path or "get" not in item:
            continue
        for parameter in item["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter.get("schema", {}).get("format") == "date":
                found.append((path, parameter["name"]))
    return found


def test_every_date_query_parameter_the_schema_documents_takes_iso_only(admin_api):
    """Lists and reports alike: a US-shaped day is refused naming the parameter and the shape it takes, in English
    and in Chinese (most in NOT_A_DAY's words; a report may say more, as the statement's "Write the period's first day
    as YYYY-MM-DD: from=2026-11-01.")."""
    parameters = _date_parameters()
    assert len(parameters) > 30  # date_from/date_to on 8 lists, reports' from/to, as_of, since, …
    wrong = []
    for path, name in parameters:
        for language in ("en", "zh-hans"):
            response = _get(admin_api, path, {name: "05/12/2026"}, language)
            errors = response.json().get("errors", {}) if response.status_code == 400 else {}
            if not errors.get(name) or "YYYY-MM-DD" not in errors[name][0]:
                wrong.append((path, name, language, response.status_code, errors.get(name)))
    assert wrong == [], "\n".join(map(str, wrong))


def test_a_body_day_the_calendar_has_not_is_named_as_no_date(admin_api):
    listing = ListingFactory()
    body = {"store": listing.store.code, "product": listing.product.code, "date": "2026-02-30", "quantity": 24}
    with translation.override("en"):
        english = admin_api.post("/api/v1/deliveries/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = admin_api.post("/api/v1/deliveries/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    us_shaped = admin_api.post(
        "/api/v1/deliveries/", {**body, "date": "02/03/2026"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert english.status_code == 400
    assert english.json()["errors"] == {"date": [NOT_A_DAY["en"].format("2026-02-30")]}
    assert chinese.json()["errors"] == {"date": [NOT_A_DAY["zh-hans"].format("2026-02-30")]}
    assert us_shaped.json()["errors"] == {"date": [NOT_A_DAY["en"].format("02/03/2026")]}
