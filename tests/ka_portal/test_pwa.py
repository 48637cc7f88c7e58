"""The installable app's manifest and service worker (ka_portal/pwa.py): served to anyone, never cached by the
browser, in the user's language, naming static files as the static storage names them."""

import json
import re
import shutil
import subprocess

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from PIL import Image

from accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "name"), [("en", "KA Portal"), ("zh-hans", "KA 门户")])
def test_the_manifest_names_the_app_in_the_users_language(language, name):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    assert "no-cache" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    manifest = json.loads(response.content)
    assert manifest["name"] == name
    assert manifest["short_name"] == name
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#0d6efd"


def test_the_manifests_icons_are_real_pngs_of_their_size():
    manifest = json.loads(Client().get("/manifest.webmanifest").content)

    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    for icon in manifest["icons"]:
        path = f"icons/icon-{icon['sizes'].split('x')[0]}.png"
        assert icon["src"] == staticfiles_storage.url(path)
        with Image.open(finders.find(path)) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_the_service_worker_is_served_at_the_root_for_the_whole_site_and_never_cached():
    response = Client().get("/sw.js")

    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'self.addEventListener("fetch"' in script
    assert "{{" not in script and "{%" not in script


def _worker_settings(client: Client, url: str = "/sw.js") -> dict:
    script = client.get(url).content.decode()
    return json.loads(re.search(r"^const SETTINGS = (.*);$", script, re.MULTILINE).group(1))


def test_the_worker_keeps_the_shell_by_the_storages_names_and_the_reps_pages():
    worker = _worker_settings(Client())

    assert staticfiles_storage.url("vendor/bootstrap/bootstrap.min.css") in worker["shell"]
    assert staticfiles_storage.url("visits/drafts.js") in worker["shell"]
    assert staticfiles_storage.url("icons/icon-512.png") in worker["shell"]
    pages = [re.compile(pattern) for pattern in worker["pages"]]
    for path in ["/", "/visits/today/", "/visits/42/", "/visits/start/7/"]:
        assert any(page.search(path) for page in pages), path
    for path in ["/visits/", "/contracts/1/", "/visits/42/photo/"]:
        assert not any(page.search(path) for page in pages), path
    queued = [re.compile(pattern) for pattern in worker["queued"]]  # posts kept without a network
    # the visit page, a check-in, and a visit started offline (by its client uuid)
    for path in ["/visits/42/", "/visits/check-in/", "/visits/u/0b0e8c9a-3f4d-4a5e-9c1b-2d3e4f5a6b7c/"]:
        assert any(page.search(path) for page in queued), path
    assert not any(page.search(path) for page in queued for path in ["/", "/visits/today/", "/visits/u/nope/"])
    assert worker["outbox"] == staticfiles_storage.url("visits/outbox.js")  # imported by the worker


def test_a_file_the_manifest_storage_does_not_know_is_left_out_of_the_shell(monkeypatch):
    named = staticfiles_storage.url

    def hashed(path):  # as ManifestStaticFilesStorage answers: hashed names, ValueError for an unknown file
        if path == "visits/checkin.js":
            raise ValueError(f"Missing staticfiles manifest entry for '{path}'")
        return named(path).replace(".", ".0123abcd.", 1) if "." in path else named(path)

    monkeypatch.setattr(staticfiles_storage, "url", hashed)

    shell = _worker_settings(Client())["shell"]

    assert "/static/css/ka.0123abcd.css" in shell
    assert not any("checkin" in url for url in shell)


@pytest.mark.parametrize(("language", "title"), [("en", "No network"), ("zh-hans", "无网络")])
def test_the_workers_offline_page_is_in_the_users_language(language, title):
    worker = _worker_settings(Client(HTTP_ACCEPT_LANGUAGE=language))

    assert worker["offline_title"] == title
    assert worker["lang"] == language


@pytest.mark.parametrize(("url", "title"), [("/sw.js?lang=zh-hans", "无网络"), ("/sw.js?lang=xx", "No network")])
def test_the_page_names_the_workers_language_when_the_browser_does_not(url, title):
    assert _worker_settings(Client(HTTP_ACCEPT_LANGUAGE="en"), url)["offline_title"] == title


@pytest.mark.skipif(not shutil.which("node"), reason="checks the script's syntax with Node.js")
def test_the_service_worker_is_valid_javascript(tmp_path):
    script = tmp_path / "sw.js"
    script.write_bytes(Client().get("/sw.js").content)

    subprocess.run(["node", "--check", str(script)], check=True, capture_output=True)


def test_every_page_links_the_manifest_and_registers_the_worker():
    rep = make_user(Role.REP)
    client = Client()
    client.force_login(rep)

    html = client.get("/visits/today/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js"' in html


def test_a_browser_asking_for_favicon_ico_gets_the_apps_icon():
    # a photo opened alone names no icon, and the browser asks /favicon.ico: no 404 in the log, the app's icon
    response = Client().get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (302, staticfiles_storage.url("icons/icon-192.png"))
    assert "max-age=86400" in response["Cache-Control"]
    image = Image.open(finders.find("icons/icon-192.png"))
    assert (image.format, image.size) == ("PNG", (192, 192))
