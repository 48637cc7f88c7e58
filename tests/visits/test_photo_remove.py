"""Removing a wrong photo from a visit (QA: a wrong photo could not be taken off an open visit). The rep removes a
photo of their own open visit, at the page and the API (visits.services.visit_photo_remove); a checked-out visit
keeps its photos, and so does a photo a fraud signal names (the supervisor's evidence of a reused photo)."""

import logging
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from evidence import visit_checks
from evidence.models import DisplayCheck, FraudSignal, PhotoHash, PromotionExecution
from ka_portal.errors import DomainError
from tests.evidence import checks_world
from tests.evidence.signal_images import jpeg, shelf
from tests.evidence.signal_world import add_photo, at, check_in, check_out, media_fixture, world_fixture  # noqa: F401
from visits import services
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true", **EN}


@pytest.fixture
def visit(world):
    return check_in(world.rep, world.store_a, at(10))


def _files(photo) -> list[Path]:
    return [Path(photo.image.path), Path(photo.thumbnail.path)]


def test_the_rep_removes_a_photo_of_their_open_visit_in_place_and_its_files_and_hash_go(
    client, world, visit, django_capture_on_commit_callbacks, caplog
):
    # given: two photos on the rep's open visit, the second one a wrong shot
    kept = add_photo(visit, jpeg(shelf(1)), caption="端架")
    wrong = add_photo(visit, jpeg(shelf(2)), caption="拍错了")
    files = _files(wrong)
    assert all(path.exists() for path in files) and PhotoHash.objects.filter(photo=wrong).exists()
    client.force_login(world.rep)
    # the gallery offers to remove each photo
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert page.count('data-testid="photo-remove"') == 2
    assert f'hx-post="{reverse("visits:photo-remove", args=[wrong.pk])}"' in page
    # when: the rep removes the wrong one (htmx: the gallery comes back in place)
    with caplog.at_level(logging.INFO, logger="visits.services"), django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("visits:photo-remove", args=[wrong.pk]), **HTMX)
    # then: the gallery shows the other photo only; the photo, its hash and its files are gone, and it is logged
    gallery = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="photo-list"' in gallery
    assert "端架" in gallery and "拍错了" not in gallery and gallery.count('data-testid="photo"') == 1
    assert list(VisitPhoto.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not PhotoHash.objects.filter(photo_id=wrong.pk).exists()
    assert not any(path.exists() for path in files) and all(path.exists() for path in _files(kept))
    assert f"visit photo {wrong.pk} ('拍错了') removed from visit {visit.pk} by user {world.rep.pk}" in caplog.text


def test_without_htmx_the_page_goes_back_to_the_visits_photos_saying_so(client, world, visit):
    photo = add_photo(visit, jpeg(shelf(3)))
    client.force_login(world.rep)
    answer = client.post(reverse("visits:photo-remove", args=[photo.pk]), follow=True, **EN)
    assert answer.redirect_chain[-1][0] == reverse("visits:visit-detail", args=[visit.pk]) + "#photos"
    assert "Photo removed." in answer.content.decode()
    assert not VisitPhoto.objects.exists()


def test_the_api_removes_a_photo_of_the_reps_open_visit(client, world, visit):
    photo = add_photo(visit, jpeg(shelf(4)))
    client.force_login(world.rep)
    url = f"/api/v1/visits/{visit.pk}/photos/{photo.pk}/"
    removed = client.delete(url, **EN)
    assert removed.status_code == 204
    assert not VisitPhoto.objects.exists()
    assert client.get(f"/api/v1/visits/{visit.pk}/", **EN).json()["photos"] == []
    assert client.delete(url, **EN).status_code == 404  # removed twice: gone


def test_a_checked_out_visit_keeps_its_photos_at_every_door(client, world, visit):
    # given: a photo on a visit the rep has checked out
    photo = add_photo(visit, jpeg(shelf(5)))
    check_out(visit, at(10, 40))
    client.force_login(world.rep)
    # then: the page offers no removal, and refuses one posted all the same, saying why
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert 'data-testid="photo-remove"' not in page
    refused = client.post(reverse("visits:photo-remove", args=[photo.pk]), follow=True, **EN)
    assert "This visit is checked out: its photos are kept as its record" in refused.content.decode()
    in_place = client.post(reverse("visits:photo-remove", args=[photo.pk]), **HTMX)
    assert 'data-testid="photo-remove-error"' in in_place.content.decode()
    # the API answers 409 with the rule's code
    answer = client.delete(f"/api/v1/visits/{visit.pk}/photos/{photo.pk}/", **EN)
    assert answer.status_code == 409 and answer.json()["code"] == "visit.photo_closed"
    assert VisitPhoto.objects.filter(pk=photo.pk).exists() and PhotoHash.objects.filter(photo=photo).exists()


def test_a_reused_photo_and_the_earlier_one_it_matches_stay_as_the_supervisors_evidence(client, world, visit):
    # given: the rep sends the same shelf at two open visits: the second is flagged as reused from the first
    first = add_photo(visit, jpeg(shelf(6)))
    elsewhere = check_in(world.rep, world.store_b, at(11))
    again = add_photo(elsewhere, jpeg(shelf(6), quality=70))
    signal = FraudSignal.objects.get(kind=FraudSignal.Kind.PHOTO_REUSED)
    assert (signal.photo_id, signal.other_photo_id) == (again.pk, first.pk)
    client.force_login(world.rep)
    # when: the rep tries to remove either of them
    for photo, on in ((again, elsewhere), (first, visit)):
        answer = client.delete(f"/api/v1/visits/{on.pk}/photos/{photo.pk}/", **EN)
        # then: refused, naming the signal; the photos, their hashes and the signal stay
        assert answer.status_code == 409 and answer.json()["code"] == "visit.photo_flagged"
        assert answer.json()["params"]["kind"] == "photo_reused"
        assert "This photo is flagged for your supervisor (Photo reused)" in answer.json()["detail"]
    page = client.post(reverse("visits:photo-remove", args=[again.pk]), follow=True, **EN).content.decode()
    assert "it stays with the visit as evidence" in page
    assert VisitPhoto.objects.count() == 2 and PhotoHash.objects.count() == 2
    assert FraudSignal.objects.filter(pk=signal.pk).exists()


def test_only_the_visits_rep_removes_its_photos(client, world, visit):
    photo = add_photo(visit, jpeg(shelf(7)))
    url = reverse("visits:photo-remove", args=[photo.pk])
    api_url = f"/api/v1/visits/{visit.pk}/photos/{photo.pk}/"
    # the rep's supervisor reaches the visit, sees the photo without a Remove, and may not remove it
    client.force_login(world.supervisor)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert 'data-testid="photo"' in page and 'data-testid="photo-remove"' not in page
    assert client.post(url, **EN).status_code == 403
    assert client.delete(api_url, **EN).status_code == 403
    # another team's rep does not reach it at all
    client.force_login(world.other_rep)
    assert client.post(url, **EN).status_code == 404
    assert client.delete(api_url, **EN).status_code == 404
    # nor does the service let anyone else remove it, whatever the door
    with pytest.raises(DomainError) as refused:
        services.visit_photo_remove(photo=photo, by=world.teammate)
    assert refused.value.code == "visit.photo_not_yours"
    assert VisitPhoto.objects.filter(pk=photo.pk).exists()


def test_a_display_checks_photo_removed_leaves_the_display_photoless_and_the_plan_computed_again(settings, tmp_path):
    # given: a running plan's end cap checked in place with its photo, the prices on the plan
    settings.MEDIA_ROOT = tmp_path
    w = checks_world.build()
    visit_checks.promotion_checks_record(
        visit=w.visit,
        plan=w.plan,
        prices={w.beer.pk: w.beer.promotion_price, w.chips.pk: w.chips.promotion_price},
        displays={"end_cap": visit_checks.DisplayAnswer(True, checks_world.photo())},
    )
    check = DisplayCheck.objects.get(visit=w.visit, plan=w.plan)
    assert PromotionExecution.objects.get(visit=w.visit, plan=w.plan).executed is True
    # when: the rep removes that photo
    services.visit_photo_remove(photo=check.photo, by=w.rep)
    # then: the end cap is still answered in place, without a photo: the plan is not executed for want of it
    check.refresh_from_db()
    assert check.present is True and check.photo_id is None
    execution = PromotionExecution.objects.get(visit=w.visit, plan=w.plan)
    assert execution.executed is False
    assert [reason["code"] for reason in execution.reasons] == ["display_no_photo"]
    w.visit.refresh_from_db()
    assert w.visit.promotion_executed is False and w.visit.rating == ""  # open: rated at its check-out


def test_a_file_that_is_no_image_is_refused_in_a_sentence_of_its_own(client, world, visit):
    """QA: the refusal read "此文件为 非图片" (this file is "not an image", the format's slot filled with words)."""
    with translation.override("en"):  # the detail is read in the language it is asked in
        with pytest.raises(DomainError) as refused:
            add_photo(visit, b"%PDF-1.4 not a photo at all")
        assert refused.value.detail == (
            "Only JPEG and PNG photos are accepted: this file is not an image. Phones convert HEIC photos to JPEG."
        )
    assert refused.value.params == {"found": "", "allowed": "JPEG, PNG"}
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as chinese:
            add_photo(visit, b"%PDF-1.4 not a photo at all")
        assert "此文件为 非图片" not in chinese.value.detail and "此文件不是图片" in chinese.value.detail


@pytest.mark.parametrize("method", ["get", "delete"])
def test_a_photo_address_with_a_format_suffix_is_not_a_server_error(api_client, admin_user, method):
    """Found by the API fuzz: the router reads "0.5" as photo 0 in the format "5", and the photo actions did not
    take a `format`, so the answer was a 500. It is the API's not found now."""
    api_client.force_authenticate(admin_user)

    answer = getattr(api_client, method)("/api/v1/visits/0/photos/0.5/")

    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
