"""Shared test setup: role users, the Celery mode per test, and the markers' skip rules."""

import contextlib
import os
import zlib
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.roles import Role
from ka_portal.celery import app as celery_app

from .factories import make_user


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


DEMO_TODAY = date(2026, 11, 23)
DEMO_MORNING = "2026-11-23 09:00 +0800"  # its Monday morning, Asia/Shanghai

MIGRATIONS_ON_POSTGRESQL_ONLY = (
    "migrates the whole project back and forth: runs in the PostgreSQL leg (the production engine) only; on SQLite "
    "its table rebuilds made it the slowest test of the leg"
)


# Share of the `one_leg` cases the PostgreSQL leg takes when both legs run (`make test` sets TEST_LEGS=both): a
# case costs it 2.3× what it costs the SQLite leg on average (0.60 vs 0.26 s; a matrix case 2.9–3.9×: hundreds of
# requests, each statement a round trip to a server sharing the two cores), while the SQLite leg also runs every
# browser test (some 300 s); at this share the two end together (2026-12-03: at 35 the SQLite leg ended 37 s after
# the other; 2026-12-05: at 40 the PostgreSQL leg ended 71 s after it, 846 s against 775 s).
POSTGRESQL_SHARE = 37


def _leg(item) -> str:
    """The leg a `one_leg` case runs in: fixed by its name, so a case always runs in the same leg."""
    return "postgresql" if zlib.crc32(item.nodeid.encode()) % 100 < POSTGRESQL_SHARE else "sqlite"


def pytest_collection_modifyitems(config, items):
    """Decided at collection, so a leg does not even set up what it will not run:
    - tests marked `migrations` run in the PostgreSQL leg only (the SQLite leg skips them, saying why);
    - when `make test` runs both legs (TEST_LEGS=both), each `one_leg` case (the scope and write-path matrices:
      hundreds of routes and doors through the ORM, the same queries on either engine; the list cache's per-list
      cases; a fresh process without DATABASE_URL, files only) runs in one leg only, and the other deselects it;
      run alone (`make test-sqlite`, a file by hand, no PostgreSQL), a leg runs them all."""
    engine = "postgresql" if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    if engine != "postgresql":
        skip = pytest.mark.skip(reason=MIGRATIONS_ON_POSTGRESQL_ONLY)
        for item in items:
            if item.get_closest_marker("migrations"):
                item.add_marker(skip)
    if os.environ.get("TEST_LEGS") != "both":
        return
    other = [item for item in items if item.get_closest_marker("one_leg") and _leg(item) != engine]
    if other:
        config.hook.pytest_deselected(items=other)
        dropped = set(map(id, other))
        items[:] = [item for item in items if id(item) not in dropped]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs seconds a user on a busy 2-core machine; tests need only that passwords check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _scratch_media(tmp_path_factory):
    """Uploads and the demo's generated photos go to a scratch folder for the whole run, never the project's media/
    (a test that needs its own folder still sets MEDIA_ROOT itself)."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session", autouse=True)
def _plain_static_files():
    """Static files under their plain names, found in the source folders: no `collectstatic` before the tests,
    and the browser tests' live server (Django's static handler) serves them. The hashed, compressed storage
    of production and `make run` (ka_portal/staticfiles.py) has its own tests."""
    from django.test import override_settings

    storages = {**django_settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES=storages):
        yield


@contextlib.contextmanager
def rolled_back_module(django_db_blocker):
    """A module's own transaction around what its fixture writes (its tests each run in theirs inside it), rolled
    back when the module is done; passwords hashed the fast way meanwhile."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock():
        hashers = settings.PASSWORD_HASHERS
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.PASSWORD_HASHERS = hashers


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """The demo company (seed_demo as of DEMO_TODAY), loaded once per test module and rolled back after it.

    Each test still runs in its own transaction inside this one, so what a test writes is undone. The first
    module seeds through the services and keeps what seeding wrote (tests/demo_snapshot.py); later modules put
    those rows back in a fraction of the time, unless the database they start from differs. It is seeded on its
    day's clock too: a service that reads today's date (display agreements skip a source already ended) would
    otherwise see another day than the seed's, and the demo would differ with the day the tests run.
    """
    import time_machine

    from demo.company import seed_demo

    from .demo_snapshot import DemoSnapshot

    global _demo_snapshot
    with rolled_back_module(django_db_blocker):
        if _demo_snapshot is None or not _demo_snapshot.restore():
            with time_machine.travel(DEMO_MORNING, tick=True):
                _demo_snapshot = DemoSnapshot.taken_around(lambda: seed_demo(today=DEMO_TODAY))
        yield DEMO_TODAY


_demo_snapshot = None


@pytest.fixture
def on_the_demos_monday(time_machine):
    """The clock stopped at 09:00 (Asia/Shanghai) on the demo's today, a Monday: its week's days are all still to
    come, so a test may edit them (a day that has passed is the record of the week: visits.rules)."""
    time_machine.move_to(DEMO_MORNING, tick=False)
    return DEMO_TODAY


@pytest.fixture
def on_this_monday(time_machine):
    """The clock stopped at 09:00 (Asia/Shanghai) on this week's Monday: a test planning this week edits days still
    to come (a day that has passed is the record of the week: visits.rules), whatever day it runs on."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    morning = datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(morning, tick=False)
    return monday


@pytest.fixture(autouse=True)
def _no_list_kept_from_another_test():
    """A test's database starts again from the same revisions (its transaction rolled back): a page kept by an
    earlier test would match them (ka_portal/api_cache.py)."""
    from django.core.cache import caches

    from ka_portal import api_cache, auth_backends

    caches["api_lists"].clear()
    # and what each list view learned it reads: a test's first request reads every revision, whatever ran before
    api_cache._tables_read.clear()
    auth_backends.forget()  # the users' permission sets, kept likewise


@pytest.fixture
def lists_read_afresh(settings):
    """Every API list page built, none answered from memory (ka_portal/api_cache.py): for the tests that count a
    page's queries or compare two ways of building it."""
    settings.API_LIST_CACHE = False


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request with Accept-Language: en leaves English active in the
    thread (LocaleMiddleware activates, nothing deactivates), which a later test would otherwise inherit."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process unless a test is marked `worker` (then they go to the real broker)."""
    eager = request.node.get_closest_marker("worker") is None
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager or not os.environ.get("CELERY_BROKER_URL")
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _needs_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL leg of `make test`")
    if request.node.get_closest_marker("worker") and not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs Redis and a Celery worker: runs in the PostgreSQL + Redis leg of `make test`")


@pytest.fixture
def rep(db):
    return make_user(Role.REP, username="rep_a", first_name="伟", last_name="张")


@pytest.fixture
def supervisor(db):
    return make_user(Role.SUPERVISOR, username="sup_a")


@pytest.fixture
def manager(db):
    return make_user(Role.MANAGER, username="mgr_a")


@pytest.fixture
def finance(db):
    return make_user(Role.FINANCE, username="fin_a")


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN, username="adm_a")


@pytest.fixture
def api_client(request):
    """DRF's test client; in a module (or a test) marked `english` it asks for English, as the page `client` does: the
    API answers in the request's language, Chinese first, and `translation.override` in a test does not reach it."""
    from rest_framework.test import APIClient

    client = APIClient()
    if request.node.get_closest_marker("english"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def client(client, request):
    """pytest-django's page client; in a module marked `english` it asks for English (its assertions read the
    English texts: the pages answer in the browser's language, Chinese first)."""
    if request.node.get_closest_marker("english"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
