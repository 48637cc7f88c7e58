"""Light pages (issue 14, item 6): static files collected under hashed names with gzip copies and served by
WhiteNoise with a ten-year, immutable cache; a page loads only the scripts it uses."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HTMX = "vendor/htmx/htmx.min.js"
STORAGE = "ka_portal.staticfiles.HashedStaticFilesStorage"
CSS = "body { color: #212529; margin: 0; padding: 0 }\n" * 200


@pytest.fixture
def collected(tmp_path, settings):
    """The project's storage over a small source folder, collected into a scratch STATIC_ROOT."""
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text(CSS)
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": STORAGE},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return source


def test_the_project_collects_static_files_through_the_hashed_compressed_storage():
    # tests/conftest.py swaps in Django's plain storage; the settings module itself names the project's.
    from ka_portal import settings as project_settings

    assert project_settings.STORAGES["staticfiles"]["BACKEND"] == "ka_portal.staticfiles.HashedStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in project_settings.MIDDLEWARE
    assert "collectstatic --noinput" in (ROOT / "Dockerfile").read_text()
    run = re.search(r"^run:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert run.index("collectstatic --noinput") < run.index("runserver")


@pytest.mark.one_leg  # files only: the same in either leg
def test_the_projects_own_static_files_collect_with_the_production_storage(tmp_path, settings):
    """What the Docker image's build does, for the project's folders (not Django's and the libraries'): a file
    naming another that is not there (a source map not vendored) would fail the build."""
    settings.STATICFILES_DIRS = [ROOT / "static", *(p for p in ROOT.glob("*/static") if p.parent.name != ".venv")]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STORAGE}}
    settings.PRODUCTION = True
    call_command("collectstatic", "--noinput", verbosity=0)
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/chartjs/chart.umd.min.js", "visits/visit.js"):
        stem, extension = name.rsplit(".", 1)
        hashed = staticfiles_storage.url(name)
        assert re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", hashed)
        assert (settings.STATIC_ROOT / (hashed.removeprefix("/static/") + ".gz")).exists()


def test_a_collected_file_has_a_hashed_name_gzip_and_brotli_copies_and_a_ten_year_immutable_cache(collected):
    url = staticfiles_storage.url("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    sizes = {}
    for accepted, served in (("gzip, br", "br"), ("gzip", "gzip")):  # a browser that knows brotli gets it
        response = Client().get(url, HTTP_ACCEPT_ENCODING=accepted)
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response["Content-Encoding"] == served
        sizes[served] = int(response["Content-Length"])
    assert sizes["br"] <= sizes["gzip"] < len(CSS) / 10


def test_a_file_edited_since_collectstatic_keeps_its_plain_name_outside_production(collected, settings):
    edited = collected / "css" / "site.css"
    later = os.path.getmtime(staticfiles_storage.path(staticfiles_storage.manifest_name)) + 60
    os.utime(edited, (later, later))
    assert staticfiles_storage.url("css/site.css") == "/static/css/site.css"
    settings.PRODUCTION = True
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", staticfiles_storage.url("css/site.css"))
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("css/never-collected.css")


def test_htmx_loads_only_on_the_pages_that_use_it(client):
    rep = make_user(Role.REP, username="rep_light_pages")
    visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep))
    login = client.get(reverse("login")).content.decode()
    assert "bootstrap.min.css" in login and HTMX not in login
    client.force_login(rep)
    today = client.get(reverse("visits:today")).content.decode()
    assert "visits/checkin.js" in today and HTMX not in today and "chart.umd" not in today
    page = client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    assert page.count(HTMX) == 1 and "hx-post" in page


def test_every_page_template_with_htmx_attributes_loads_htmx():
    """A page (extends base.html) using hx-… fills the htmx block; so does every page including a partial that
    uses hx-…, up to the page."""
    templates = {
        path: path.read_text()
        for path in ROOT.glob("*/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    }
    names = {path: "/".join(path.parts[path.parts.index("templates") + 1 :]) for path in templates}
    using = {path for path, text in templates.items() if re.search(r"\shx-(get|post|put|patch|delete|trigger)=", text)}
    missing = []
    for path in sorted(using):
        pages, seen, todo = [], set(), [path]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if re.search(r"""{% extends ["']base\.html["'] %}""", templates[current]):
                pages.append(current)
            quoted = (f'"{names[current]}"', f"'{names[current]}'")
            todo += [p for p, text in templates.items() if any(name in text for name in quoted)]
        missing += [names[p] for p in pages if 'include "includes/htmx.html"' not in templates[p]]
    assert not missing, f"pages using htmx without {{% block htmx %}}: {missing}"


def test_pages_go_gzip_compressed_to_a_browser_that_accepts_it_and_files_as_they_are(client, rf):
    import gzip

    from django.http import HttpResponse

    from ka_portal.middleware import PageGZipMiddleware

    plain = client.get(reverse("login")).content.decode()
    compressed = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.encode()) / 2
    assert 'name="username"' in gzip.decompress(compressed.content).decode()
    photo = HttpResponse(b"\xff\xd8" + bytes(range(256)) * 40, content_type="image/jpeg")
    answer = PageGZipMiddleware(lambda request: photo)(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert not answer.has_header("Content-Encoding")
