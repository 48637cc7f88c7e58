"""Contract attachments come only through the scoped download (page and API), never from /media/:
anonymous users are sent to log in (401 on the API), reps and other managers find nothing, the owner's
manager and finance get the file's bytes; uploads are stored under names no one can guess."""

import importlib
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from accounts.roles import Role
from contracts import services
from contracts.models import Contract
from tests.factories import KeyAccountFactory, make_user

from .factories import ContractFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the signed annual terms\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def contract(media, account):
    """A contract of the manager's account with a PDF attached through the service, as the page does."""
    created = ContractFactory(account=account, number="HT-2026-ATT")
    upload = SimpleUploadedFile("年度合同.pdf", PDF, content_type="application/pdf")
    return services.contract_update(contract=created, attachment=upload)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _page_url(contract: Contract) -> str:
    return reverse("contracts:contract-attachment", args=[contract.pk])


def _api_url(contract: Contract) -> str:
    return reverse("contract-attachment", args=[contract.pk])


def test_the_upload_is_stored_under_a_random_folder_keeping_its_name(contract, media):
    assert re.fullmatch(r"contracts/\d{4}/[0-9a-f]{32}/年度合同\.pdf", contract.attachment.name)
    assert (media / contract.attachment.name).read_bytes() == PDF


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_finance_and_the_accounts_manager_download_the_file(client, contract, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_page_url(contract))

    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E5%B9%B4%E5%BA%A6%E5%90%88%E5%90%8C.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_anonymous_is_sent_to_log_in(client, contract):
    response = client.get(_page_url(contract))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.REP, Role.SUPERVISOR])
def test_reps_and_supervisors_find_no_attachment(client, contract, role):
    client.force_login(make_user(role, username=f"no_finance_{role}"))

    assert client.get(_page_url(contract)).status_code == 404


def test_another_accounts_manager_finds_nothing(client, contract):
    client.force_login(make_user(Role.MANAGER, username="mgr_other"))

    response = client.get(_page_url(contract))

    assert response.status_code == 404
    assert "HT-2026-ATT" not in response.content.decode()


def test_a_contract_without_an_attachment_answers_404(client, finance, media):
    bare = ContractFactory(account=KeyAccountFactory(), number="HT-BARE")
    client.force_login(finance)

    assert client.get(_page_url(bare)).status_code == 404


def test_detail_and_edit_pages_link_to_the_scoped_download(client, finance, contract):
    client.force_login(finance)

    detail = client.get(reverse("contracts:contract-detail", args=[contract.pk])).content.decode()
    edit = client.get(reverse("contracts:contract-edit", args=[contract.pk])).content.decode()

    for page in (detail, edit):
        assert f'href="{_page_url(contract)}"' in page
        assert "/media/" not in page and contract.attachment.name not in page
    assert "年度合同.pdf" in detail


def test_the_admin_links_to_the_scoped_download_too(client, admin_user, contract):
    client.force_login(admin_user)

    page = client.get(reverse("admin:contracts_contract_change", args=[contract.pk])).content.decode()

    assert f'href="{_page_url(contract)}"' in page
    assert "/media/" not in page


# --- API -------------------------------------------------------------------------------------------


def test_the_api_names_the_scoped_download_and_serves_the_bytes(api_client, finance, contract):
    api_client.force_authenticate(finance)

    body = api_client.get(reverse("contract-detail", args=[contract.pk])).json()

    assert body["attachment"] == f"http://testserver{_api_url(contract)}"
    response = api_client.get(_api_url(contract), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    listed = api_client.get(reverse("contract-list")).content.decode()
    assert "/media/" not in listed and contract.attachment.name not in listed


def test_the_api_asks_anonymous_callers_to_authenticate(api_client, contract):
    response = api_client.get(_api_url(contract))

    assert response.status_code == 401
    assert b"%PDF" not in response.content


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER])
def test_the_api_finds_nothing_outside_the_callers_scope(api_client, contract, role):
    api_client.force_authenticate(make_user(role, username=f"api_{role}"))

    response = api_client.get(_api_url(contract))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_attachment_uploaded_through_the_api_is_answered_with_its_download(api_client, finance, account, media):
    api_client.force_authenticate(finance)
    form = {
        "number": "HT-API-1",
        "account": account.code,
        "kind": "annual",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "attachment": SimpleUploadedFile("terms.pdf", PDF, content_type="application/pdf"),
    }

    response = api_client.post(reverse("contract-list"), form, format="multipart")

    assert response.status_code == 201, response.content
    contract = Contract.objects.get(number="HT-API-1")
    assert response.json()["attachment"] == f"http://testserver{_api_url(contract)}"
    assert re.fullmatch(r"contracts/\d{4}/[0-9a-f]{32}/terms\.pdf", contract.attachment.name)
    refused = api_client.post(
        reverse("contract-list"),
        {**form, "number": "HT-API-2", "attachment": SimpleUploadedFile("x.html", b"<script>", "text/html")},
        format="multipart",
    )
    # the file rule is the service's (contract_check), refused with its code, as on the page and in the admin
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("contract.invalid", "attachment")
    assert not Contract.objects.filter(number="HT-API-2").exists()


# --- nothing public under /media/ -----------------------------------------------------------------


@pytest.fixture
def debug_urls(settings):
    """The URLs as `make run` builds them (DEBUG on), restored afterwards."""
    import ka_portal.urls

    settings.DEBUG = True
    importlib.reload(ka_portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ka_portal.urls)
    clear_url_caches()


def test_media_urls_answer_404_even_in_debug(client, finance, contract, debug_urls):
    client.force_login(finance)

    for path in (f"/media/{contract.attachment.name}", f"/media/contracts/{uuid.uuid4().hex}.pdf"):
        response = client.get(path)
        assert response.status_code == 404
        assert PDF not in response.content


@pytest.mark.parametrize("door", ["page", "admin"])
def test_the_edit_page_and_the_admin_keep_or_clear_the_attachment_through_the_service(
    client, finance, admin_user, contract, door
):
    client.force_login(finance if door == "page" else admin_user)
    url = (
        reverse("contracts:contract-edit", args=[contract.pk])
        if door == "page"
        else reverse("admin:contracts_contract_change", args=[contract.pk])
    )
    form = {
        "number": contract.number,
        "account": contract.account.pk,
        "kind": contract.kind,
        "status": contract.status,
        "signed_on": "2026-01-05",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "total_amount": "1200000.00",
        "rebate_percent": "3.00",
        "listing_fee": "20000.00",
        "payment_terms_days": "45",
        "execution_notes": "",
    }

    kept = client.post(url, form)
    contract.refresh_from_db()
    kept_name = contract.attachment.name
    cleared = client.post(url, {**form, "attachment-clear": "on"})
    contract.refresh_from_db()

    assert kept.status_code == cleared.status_code == 302
    assert kept_name.endswith("年度合同.pdf") and contract.payment_terms_days == 45
    assert contract.attachment.name == ""
