"""Who confirmed a shift reads as the person's name (ka_portal.formatting.display_name), on the shifts page and in
its export, as every other page names people — never the login name."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from promoters.models import Shift

from .test_attendance_pages import EN, cells, w  # noqa: F401 (the June scenario)

pytestmark = pytest.mark.django_db


def test_the_shifts_page_and_its_export_name_who_confirmed(w, client):  # noqa: F811
    get_user_model().objects.filter(pk=w.supervisor.pk).update(username="sup_login", first_name="伟", last_name="张")
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts") + "?month=2026-06&promoter=PH-P1"
    client.post(reverse("promoters:attendance-confirm", args=[w.absent.pk]),
                {"attendance": "leave", "reason": "病假", "next": url}, **EN)  # fmt: skip
    assert Shift.objects.get(pk=w.absent.pk).confirmed_by_id == w.supervisor.pk

    page = client.get(url, **EN).content.decode()
    rows = next(iter(cells(client.get(url + "&export=xlsx", **EN)).values()))

    assert "confirmed by 张伟" in page and "sup_login" not in page
    confirmed = [row for row in rows[1:] if row[-1]]
    assert [row[-1] for row in confirmed] == ["张伟"] and rows[0][-1] == "Confirmed by"
